// Wiring only: every stage lives in its own file and is a pure function of the document and
// `specs/overrides.yaml`. The order below is the order the code runs:
//
//   load → model → auth → select → classify → name → link → schema → bind → describe → assemble
//        → timeinput → precheck → wait → portable → budget → emit
//
// `load` and `emit` are called by cli.ts around `buildCatalog`. timeinput, precheck and wait work on the
// assembled tools; portable rewrites their advertised schemas for every host. `budget` may send the catalog back
// through schema → portable once more with summarized nested objects when the richer one is over the token target.
import type { Catalog, JsonSchema, ToolDef } from '../runtime/types.js';
import { byName, manifestOf, toolDef, type BuildResult, type Manifest, type ManifestEntry } from './stages/assemble.js';
import { routeAuth, type RoutedOperation } from './stages/auth.js';
import { bindingOf } from './stages/bind.js';
import { NESTED_DEPTHS, TOKEN_TARGET, catalogTokens, withinBudget } from './stages/budget.js';
import { classifyOperation, type Classification } from './stages/classify.js';
import { describeTool, toolTitle } from './stages/description.js';
import { SpecDocument, type OpenApiDocument } from './load/document.js';
import { linkTools, type ToolLinks } from './stages/links.js';
import { buildOperations } from './stages/model.js';
import { checkBudget } from './util.js';
import { nameAll, resourceOf, singular, type NameClash } from './stages/name.js';
import { componentDefs, resolveRecursiveRefs, validationBundle } from './load/normalize.js';
import { loadOverrides, type Overrides } from './load/overrides.js';
import { applyErrata } from './load/errata.js';
import { toolSchemaHash } from '../runtime/contract/validation.js';
import { portableInputSchema } from './stages/portable.js';
import { strictInputSchema } from './stages/strict.js';
import { withPrecheck } from './stages/precheck.js';
import { buildToolSchemas } from './stages/schema.js';
import { selectOperations } from './stages/select.js';
import { withTimeInputs } from './stages/timeinput.js';
import { buildWaitTools, type WaitTarget } from './stages/wait.js';

export { TOKEN_TARGET, catalogTokens };
export type { BuildResult, Manifest, ManifestEntry };

export interface BuildOptions {
  sha256: string;
  overrides?: Overrides;
  /** Warnings from loading (keyword violations), listed first in the manifest. */
  warnings?: string[];
  /** Object levels below the top that keep property names in the LLM schema; default: the richest within budget. */
  nestedDepth?: number;
  /** Token target for choosing the nesting depth (default TOKEN_TARGET). */
  tokenTarget?: number;
}

/** What the depth-independent stages decided about one operation. */
interface Planned {
  op: RoutedOperation;
  cls: Classification;
  name: string;
  links: ToolLinks;
}

export async function buildCatalog(source: OpenApiDocument, opts: BuildOptions): Promise<BuildResult> {
  const ov = opts.overrides ?? loadOverrides();
  const { doc: corrected, warnings: errataWarnings } = applyErrata(source, ov.errata);
  const spec = new SpecDocument(resolveRecursiveRefs(corrected));
  // Every component, normalized once: the validation bundle and the portable pass read them.
  const defs = componentDefs(spec);

  const all = buildOperations(spec);
  const { ops: routed, warnings: authWarnings } = routeAuth(all, ov);
  const { kept, excluded } = selectOperations(routed, ov.exclude);
  const classes = kept.map((op) => classifyOperation(spec, op, all, ov));
  const { names, clashes } = nameAll(
    kept.map((op, i) => ({ op, ...pick(classes, i), override: ov.operations.get(op.operationId)?.name })),
    ov.namespaces,
  );
  const links = linkTools(
    spec,
    kept.map((op, i) => ({ op, method: pick(classes, i).method, name: pick(names, i) })),
    ov,
  );
  const planned: Planned[] = kept.map((op, i) => ({
    op,
    cls: pick(classes, i),
    name: pick(names, i),
    links: pick(links, i),
  }));

  const depths = opts.nestedDepth !== undefined ? [opts.nestedDepth] : NESTED_DEPTHS;
  let tools: ToolDef[] = [];
  let validation = new Map<string, JsonSchema>();
  let waitWarnings: string[] = [];
  for (const [i, depth] of depths.entries()) {
    ({ tools, validation, warnings: waitWarnings } = buildTools(spec, planned, ov, depth, defs));
    if (i === depths.length - 1 || withinBudget(tools, opts.tokenTarget ?? TOKEN_TARGET)) break;
  }
  // Operation names were checked when they were made; this also covers the wait tools.
  for (const t of tools)
    checkBudget(t.name, t.wait ? 'the wait tool naming (generator/wait.ts)' : 'specs/overrides.yaml');

  const info = spec.doc.info as { title?: unknown; version?: unknown } | undefined;
  const catalogSpec: Catalog['spec'] = {
    title: String(info?.title ?? ''),
    version: String(info?.version ?? ''),
    openapi: spec.openapi,
    sha256: opts.sha256,
  };
  const pathKeys = new Map<string, string>();
  for (const op of kept) if (!pathKeys.has(op.operationId)) pathKeys.set(op.operationId, op.pathKey);
  const manifest = manifestOf({
    spec: catalogSpec,
    operations: all.length,
    tools,
    pathKeys,
    excluded,
    clashes: clashes satisfies NameClash[],
    warnings: [...(opts.warnings ?? []), ...errataWarnings, ...authWarnings, ...waitWarnings],
  });
  return {
    catalog: { spec: catalogSpec, tools, excluded },
    validation: validationBundle(defs, validation),
    manifest,
    document: spec.doc,
  };
}

/** schema → bind → describe → assemble → timeinput → precheck → wait → portable, at one nesting depth. */
function buildTools(
  spec: SpecDocument,
  planned: Planned[],
  ov: Overrides,
  nestedDepth: number,
  defs: Map<string, JsonSchema>,
) {
  const validation = new Map<string, JsonSchema>();
  const tools = planned.map(({ op, cls, name, links }) => {
    const schemas = buildToolSchemas(spec, op, {
      nestedDepth,
      queryObjectStyle: ov.encoding.queryObjectStyle,
      streamQueryParams: ov.streamQueryParams,
    });
    const { http, pagination, usage } = bindingOf(op, cls.method, schemas, ov);
    const res = resourceOf(op.path, ov.namespaces, cls.actionSegment);
    const many = res.words.join('_');
    const one = [...res.words.slice(0, -1), singular(res.words[res.words.length - 1] ?? '')].join('_');
    const description = describeTool(
      {
        op,
        name,
        method: cls.method,
        resourceWords: many,
        resourceSingular: one,
        links,
        usage,
        fileFields: schemas.body?.fileFields ?? [],
        binary: http.response === 'binary',
        ...(pagination ? { pagination } : {}),
      },
      ov,
    );
    const assembled = toolDef(
      {
        name,
        title: toolTitle(cls.method, one, many, usage),
        description,
        operationId: op.operationId,
        method: cls.method,
        access: cls.access,
        tags: cls.tags,
        deprecated: op.deprecated,
        inputSchema: schemas.inputSchema,
        annotations: cls.annotations,
        http,
        ...(pagination ? { pagination } : {}),
        ...(usage ? { usageBuckets: true } : {}),
      },
      schemas.validation,
    );
    const checked = withPrecheck(withTimeInputs(assembled), schemas.validation);
    if (checked.validation !== schemas.validation) {
      checked.tool.schemaHash = toolSchemaHash({ validation: checked.validation, http: checked.tool.http });
    }
    validation.set(name, checked.validation);
    return checked.tool;
  });

  // One wait tool per polled get tool; several async prefixes may share one (both run endpoints).
  const targets = new Map<string, WaitTarget>();
  for (const { links } of planned) {
    if (links.wait && !targets.has(links.wait.pollTool)) targets.set(links.wait.pollTool, links.wait.target);
  }
  const waits = buildWaitTools({ targets, tools, validation: Object.fromEntries(validation) });
  tools.push(...waits.tools);
  for (const [name, schema] of Object.entries(waits.validation)) validation.set(name, schema);
  // Only the advertised schema changes; the full one (and the missing detail) comes from the validation schema.
  const allDefs = Object.fromEntries(defs);
  for (const t of tools) {
    const full = validation.get(t.name) ?? {};
    const strict = strictInputSchema(portableInputSchema(t.inputSchema, full, allDefs), full, allDefs);
    t.inputSchema = strict.inputSchema;
    if (strict.argForms) t.argForms = strict.argForms;
  }
  return { tools: tools.sort(byName), validation, warnings: waits.warnings };
}

/** `list[i]` of a list built from the same operations, so it is always there. */
function pick<T>(list: readonly T[], i: number): T {
  const v = list[i];
  if (v === undefined) throw new Error(`internal: stage output ${i} missing`);
  return v;
}
