// Stage "sdk" (after budget, on the final tools): the typed `openai` client of code mode, `generated/sdk.d.ts`.
// One method per tool, its argument type from the advertised input schema and its result type from the success
// response the model stage read, reshaped the way the runtime returns it (list pages, flattened usage rows,
// objects). `generated/sdk-docs.json` holds exact excerpts of the formatted file per tool, which `search_docs`
// quotes at run time. emit only writes what this returns.
import Handlebars from 'handlebars';
import { Project } from 'ts-morph';
import { RESULT_TYPE_NAMES, RESULT_TYPES, resultKind } from '../../runtime/contract/pages.js';
import { docText, nestedMembers, propertyKey, tsType } from '../../runtime/contract/ts-print.js';
import { pascal, sdkSummary, typedInputSchema } from '../util.js';
import type { SdkDocs } from '../../runtime/contract/sdk-docs.js';
import type { ToolDef } from '../../runtime/types.js';
import { componentRef, type Schema, type SpecDocument } from '../load/document.js';
import type { ReportMatch } from '../load/overrides.js';

const RESERVED = new Set(['OpenAi', 'PageItems', ...RESULT_TYPE_NAMES]);
/** Declarations longer than this are left out of sdk-docs.json (search_docs names them instead of quoting). */
const MAX_INDEXED_TYPE_CHARS = 1_500;
/** Compact shapes longer than this list field names only (a model asks for the declaration when it needs more). */
const MAX_SHAPE_CHARS = 700;

function typeNameOf(component: string): string {
  const ident = component.replace(/[^A-Za-z0-9_$]/g, '_').replace(/^(\d)/, '_$1');
  return RESERVED.has(ident) ? `${ident}Schema` : ident;
}

/**
 * Every report endpoint declares the same bucket schema listing all result kinds, but each returns only one: the
 * variant whose `object` is the report's `resultObject` or whose component is its `resultSchema` (specs/overrides.yaml
 * `reports`; `{{kind}}` is the path's last segment). Several or none: all of them.
 */
function reportVariant(spec: SpecDocument, tool: ToolDef, report: ReportMatch, variants: Schema[]): Schema[] {
  const kind = tool.http.path.split('/').filter(Boolean).pop() ?? '';
  const vars = { kind, Kind: pascal(kind) };
  const object = Handlebars.compile(report.endpoint.resultObject, { noEscape: true, strict: true })(vars);
  const name = Handlebars.compile(report.endpoint.resultSchema, { noEscape: true, strict: true })(vars);
  const hit = variants.filter((v) => {
    const ref = v?.$ref;
    if (typeof ref === 'string' && ref.endsWith(`/${name}`)) return true;
    const obj = spec.follow<Schema | undefined>(v).node?.properties?.object;
    const values: unknown[] = obj?.enum ?? (obj?.const !== undefined ? [obj.const] : []);
    return values.includes(object);
  });
  return hit.length === 1 ? hit : variants;
}

/** What the SDK needs from the drafts beyond the final tools, by operationId or tool name. */
export interface SdkInput {
  /** The success (2xx) JSON schema of each tool's operation by operationId (wait tools name the one they poll). */
  responses: ReadonlyMap<string, Schema | undefined>;
  /** The report each report tool is, by tool name. */
  reports: ReadonlyMap<string, ReportMatch>;
  /** Lines a method's doc comment must carry, by tool name (a report's page sizes), when its description does not. */
  notes: ReadonlyMap<string, string[]>;
}

export interface SdkFiles {
  dts: string;
  docs: SdkDocs;
}

export function renderSdk(spec: SpecDocument, tools: readonly ToolDef[], input: SdkInput): SdkFiles {
  const { responses, reports, notes } = input;
  const node = (s: Schema | undefined) => spec.follow<Schema | undefined>(s).node;
  const components = spec.componentSchemas();
  const needed = new Set<string>();
  const queue: string[] = [];
  const refName = (ref: string) => {
    const component = componentRef(ref);
    if (component === undefined || !components.has(component)) return 'unknown';
    if (!needed.has(component)) {
      needed.add(component);
      queue.push(component);
    }
    return typeNameOf(component);
  };
  /** Type text of a schema, and the component types it names at its top level (for search_docs to quote). */
  const typed = (schema: unknown) => {
    const direct: string[] = [];
    const text = tsType(schema, {
      refName: (ref) => {
        const n = refName(ref);
        if (n !== 'unknown') direct.push(n);
        return n;
      },
    });
    return { text, direct: [...new Set(direct)] };
  };

  const methods: string[] = [];
  const argDecls: string[] = [];
  const pageItems: string[] = [];
  const perTool = new Map<string, { args: string; types: string[]; compact: string }>();
  // Fields holding anonymous objects, by path, so search_docs can expand what a shape shows as `{ … }`.
  const members: Record<string, string> = {};
  const argSchemas = new Map<string, Schema>();
  for (const t of tools) {
    const argsName = `${pascal(t.name)}Args`;
    if (components.has(argsName) || RESERVED.has(argsName))
      throw new Error(`sdk: ${argsName} collides with a component schema`);
    const required = ((t.inputSchema.required as string[] | undefined) ?? []).length > 0;
    argSchemas.set(argsName, typedInputSchema(t.inputSchema, t.argForms));
    Object.assign(
      members,
      nestedMembers(argsName, argSchemas.get(argsName), () => 'unknown', MAX_INDEXED_TYPE_CHARS),
    );
    argDecls.push(
      `/** Arguments of \`openai.${t.name}\`. */\nexport type ${argsName} = ${tsType(typedInputSchema(t.inputSchema, t.argForms), { docs: true })};`,
    );

    const body = responses.get(t.operationId);
    let result: string;
    let direct: string[] = [];
    const kind = resultKind(t);
    if (kind === 'content') result = 'ContentResult';
    else if (kind === 'empty') result = 'EmptyResult';
    // A JSON answer the spec gives no schema for.
    else if (body === undefined) result = 'Record<string, unknown>';
    else if (kind === 'wait') {
      const polled = typed(body);
      ({ direct } = polled);
      result = `WaitResult<${polled.text}>`;
    } else if (kind === 'usage') {
      const bucket = node(node(body)?.properties?.data?.items);
      const results = node(bucket?.properties?.results);
      const item = node(results?.items);
      const variants = item?.oneOf ?? item?.anyOf;
      const report = reports.get(t.name);
      const row = typed(variants && report ? { anyOf: reportVariant(spec, t, report, variants) } : results?.items);
      ({ direct } = row);
      result = `UsagePage<${row.text}>`;
      pageItems.push(`  ${t.name}: UsageRow<${row.text}>;`);
    } else if (kind === 'list') {
      const b = node(body);
      const items = b?.type === 'array' ? b.items : node(b?.properties?.data)?.items;
      const item = typed(items);
      ({ direct } = item);
      result = `ListPage<${item.text}>`;
      pageItems.push(`  ${t.name}: ${item.text};`);
    } else {
      const b = node(body);
      const shaped = typed(body);
      ({ direct } = shaped);
      // structuredContent is always an object: arrays and scalars come back wrapped as `{result}`.
      const scalar = typeof b?.type === 'string' && b.type !== 'object';
      result = scalar ? `{ result: ${shaped.text} }` : shaped.text;
    }
    const doc = docText(t.description, 600);
    // A note the (possibly cut) description already carries is not repeated.
    const extra = (notes.get(t.name) ?? []).filter((n) => !doc.includes(n));
    const docLines = [doc, ...extra, ...(t.deprecated ? ['@deprecated'] : [])];
    methods.push(
      `  /**\n${docLines.map((l) => `   * ${l}`).join('\n')}\n   */\n  ${t.name}(args${required ? '' : '?'}: ${argsName}): Promise<${result}>;`,
    );
    const compactArgs = tsType(typedInputSchema(t.inputSchema, t.argForms), { maxDepth: 1 });
    perTool.set(t.name, {
      args: argsName,
      types: direct,
      compact: `${t.name}(args${required ? '' : '?'}: ${compactArgs}): Promise<${result}>;`,
    });
  }

  // Every component type the signatures reach, transitively.
  const typeDecls: string[] = [];
  const declared = new Set<string>();
  while (queue.length) {
    const name = queue.shift()!;
    if (declared.has(name)) continue;
    declared.add(name);
    const schema = components.get(name);
    const about =
      typeof schema?.description === 'string' && schema.description.trim()
        ? `/** ${docText(schema.description)} */\n`
        : '';
    typeDecls.push(`${about}export type ${typeNameOf(name)} = ${tsType(schema, { refName, docs: true })};`);
    Object.assign(members, nestedMembers(typeNameOf(name), schema, refName, MAX_INDEXED_TYPE_CHARS));
  }
  typeDecls.sort((a, b) => (declName(a) < declName(b) ? -1 : 1));

  const source = [
    '// Generated by `npm run generate` from the OpenAI OpenAPI spec. Do not edit.',
    '// The typed client of code mode: inside `execute_code`, `openai` is an `OpenAi`. Results are shaped by the runtime',
    '// (list pages, flattened usage rows), not raw response bodies.',
    '',
    RESULT_TYPES,
    '/** Item type of each list tool, for `openai.paginate`. */',
    `export interface PageItems {\n${pageItems.join('\n')}\n}`,
    '',
    '/** One method per tool; `paginate` walks every item of every page of a list tool. */',
    'export interface OpenAi {',
    methods.join('\n'),
    '  /** Every item of every page of a list tool (usage tools: every row). */',
    '  paginate<K extends keyof PageItems>(name: K, args?: Parameters<OpenAi[K]>[0]): AsyncIterable<PageItems[K]>;',
    '}',
    '',
    argDecls.join('\n\n'),
    '',
    typeDecls.join('\n\n'),
    '',
  ].join('\n');
  // Printed indented by tsType itself: prettier took 2-3 s on this file (most of a generate run) and changed nothing that matters.
  const dts = source;

  // Excerpts are cut from the formatted file, so what search_docs quotes is exactly what the file says.
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile('sdk.d.ts', dts);
  const api = file.getInterfaceOrThrow('OpenAi');
  const declText = (name: string) => (file.getTypeAlias(name) ?? file.getInterface(name))?.getText(true);
  const docs: SdkDocs = { tools: {}, types: {}, shapes: {}, members };
  for (const t of tools) {
    const info = perTool.get(t.name)!;
    const method = api.getMethodOrThrow(t.name);
    const types = [info.args, ...info.types];
    docs.tools[t.name] = {
      schemaHash: t.schemaHash,
      doc: method
        .getJsDocs()
        .map((d) => d.getText())
        .join('\n'),
      signature: method.getText(false),
      types,
      summary: sdkSummary(t.description),
      compact: info.compact,
    };
    for (const name of types) {
      const text = declText(name);
      if (text && text.length <= MAX_INDEXED_TYPE_CHARS) docs.types[name] = text;
      else if (text) docs.shapes[name] ??= shapeOf(name);
    }
    for (const name of info.types) docs.shapes[name] ??= shapeOf(name);
  }
  // Every other declaration too, so `search_docs({types})` can expand a type a shape shows by name, and the result
  // wrappers every signature uses (`ListPage<T>`, `UsagePage<T>`, `WaitResult<T>`…).
  const wrappers = [...RESERVED].filter((n) => n !== 'OpenAi' && n !== 'PageItems').sort();
  for (const name of [...[...declared].map(typeNameOf).sort(), ...wrappers]) {
    if (name in docs.types) continue;
    const text = declText(name);
    if (text && text.length <= MAX_INDEXED_TYPE_CHARS) docs.types[name] = text;
    // Too large to quote: its top-level fields, so no name search_docs shows is a dead end.
    else if (text) docs.shapes[name] ??= shapeOf(name);
  }
  return { dts, docs };

  /** A component's top-level fields on one line; field names only when even that is long. */
  function shapeOf(typeName: string): string {
    const component = [...components.keys()].find((c) => typeNameOf(c) === typeName);
    const schema = argSchemas.get(typeName) ?? (component === undefined ? undefined : components.get(component));
    const name = (ref: string) => {
      const c = componentRef(ref);
      return c !== undefined && components.has(c) ? typeNameOf(c) : 'unknown';
    };
    const shallow = tsType(schema, { refName: name, maxDepth: 1 });
    if (shallow.length <= MAX_SHAPE_CHARS) return shallow;
    const props = Object.keys(node(schema)?.properties ?? {});
    return props.length ? `{ ${props.map(propertyKey).join('; ')}; }` : `${shallow.slice(0, MAX_SHAPE_CHARS)}…`;
  }
}

function declName(decl: string): string {
  return /export type (\S+)/.exec(decl)?.[1] ?? decl;
}
