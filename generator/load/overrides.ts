// Loads `specs/overrides.yaml`: the project-owned knobs for auth, classification, naming and descriptions.
// The file is checked against a schema, so a misspelt key fails with its line instead of being ignored.
// Keyed sections become `Map`s: their keys are operationIds and paths from a spec we do not control.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import * as z from 'zod';
import { OverridesError } from '../errors.js';
import { repoRoot } from '../pin.js';

export { OverridesError };

const strings = z.array(z.string());
const prefixes = z.array(z.string().startsWith('/', 'a path prefix starts with "/"'));

/** A mapping read into a `Map`, so `__proto__` or `constructor` as a key is just a key. */
const keyed = <T extends z.ZodType>(value: T) =>
  z.preprocess(
    (x) => (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Map) ? new Map(Object.entries(x)) : x),
    z.map(z.string(), value, { error: 'expected a mapping' }),
  );

const operationOverride = z.strictObject({
  method: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'a method is snake_case')
    .optional(),
  access: z.enum(['read', 'write']).optional(),
  name: z.string().optional(),
  tags: strings.optional(),
  response: z.enum(['json', 'binary', 'text', 'empty']).optional(),
  /** Force the admin key (true) or the project key (false), whatever the spec and the auth rules say. */
  admin: z.boolean().optional(),
  /** Extra sentence appended to the description. */
  hint: z.string().optional(),
});

const asyncHint = z.strictObject({
  prefix: z.string().startsWith('/'),
  noun: z.string(),
  terminal: strings.min(1),
  /** Tool to poll; `null` means there is none; absent means "the get tool of the same resource". */
  poll: z.string().nullable().optional(),
  /** All states, for resources whose spec schema leaves `status` a plain string. */
  statuses: strings.optional(),
  /** States OpenAI returns that the spec's enum leaves out (shown only in an example, say). */
  extraStatuses: strings.optional(),
  /** Fields of the object that show how far it got, reported while waiting. */
  progress: strings.optional(),
});

/** A JSON Schema or OpenAPI schema object, as written in the YAML (checked by the generator when it reads it). */
const schemaObject = z.record(z.string(), z.unknown());

const erratum = z
  .strictObject({
    /** Why the spec is wrong: the official SDK's code or changelog, OpenAI's docs, an observed answer. Required. */
    evidence: z.string().min(20, 'say what shows the spec is wrong (at least a sentence)'),
    /** The real path template. */
    path: z.string().startsWith('/').optional(),
    /** The real HTTP method, lower case. */
    method: z.enum(['get', 'post', 'put', 'patch', 'delete']).optional(),
    /** Parameters the spec lacks (OpenAPI parameter objects). */
    addParameters: z
      .array(
        z.strictObject({
          name: z.string(),
          in: z.enum(['query', 'header', 'path']),
          description: z.string().optional(),
          required: z.boolean().optional(),
          style: z.string().optional(),
          explode: z.boolean().optional(),
          schema: schemaObject,
        }),
      )
      .optional(),
    /** JSON body fields the spec lacks or gets wrong: name → schema (added, or replacing the spec's). */
    bodyProperties: keyed(schemaObject).optional(),
    /** JSON body fields the spec requires but the API does not. */
    dropBodyRequired: strings.optional(),
    /** The whole JSON request schema, where the spec's is wrong beyond a field or two. */
    requestSchema: schemaObject.optional(),
  })
  .refine((e) => e.path || e.method || e.addParameters || e.bodyProperties || e.dropBodyRequired || e.requestSchema, {
    message:
      'an erratum fixes something: path, method, addParameters, bodyProperties, dropBodyRequired or requestSchema',
  });

/** How many buckets a page of a report holds at one bucket width, as OpenAI documents its `limit` parameter. */
const bucketPage = z.strictObject({ default: z.int().positive(), max: z.int().positive() });

/** One family of endpoints of a report kind, and what its pages and rows are. */
const reportEndpoint = z.strictObject({
  prefix: z.string().startsWith('/'),
  /** The description's first sentence (Handlebars: `{{resource}}`, the resource words of the tool name). */
  lead: z.string(),
  /**
   * The SDK row type: the bucket's result variant whose `object` is this, or whose component is named this
   * (`{{kind}}`/`{{Kind}}`: the last path segment as is / in PascalCase).
   */
  resultObject: z.string(),
  resultSchema: z.string(),
  /** `limit` by `bucket_width`, the first entry being the default width. */
  buckets: keyed(bucketPage).refine((m) => m.size > 0, 'at least one bucket width'),
});

/** A kind of bucketed report (`reports.usage`): what makes a tool one, and everything that follows from it. */
const report = z.strictObject({
  /** Tag every tool of this kind gets. */
  tag: z.string(),
  /** Title of its list tools (Handlebars: `{{resource}}`). */
  title: z.string(),
  /** Sentence on the rows the runtime returns, in every description of this kind. */
  rows: z.string(),
  endpoints: z.array(reportEndpoint).min(1),
});

const overridesSchema = z.strictObject({
  auth: z
    .strictObject({
      /** Security schemes that mean the admin key. */
      adminSchemes: strings.default([]),
      /** Paths sent with the admin key whatever a spec version's `security` says. */
      adminPaths: prefixes.default([]),
    })
    .default({ adminSchemes: [], adminPaths: [] }),
  namespaces: strings.default([]),
  actions: strings.default([]),
  readOnlyMethods: strings.default([]),
  idempotentMethods: strings.default([]),
  pathTags: keyed(prefixes).default(new Map()),
  encoding: z
    .strictObject({
      /** Style for an object-valued query parameter whose spec names none. */
      queryObjectStyle: z.enum(['form', 'deepObject']).default('form'),
    })
    .default({ queryObjectStyle: 'form' }),
  headers: z.array(z.strictObject({ prefixes, headers: keyed(z.string()) })).default([]),
  /** Headers an operation sends when its own curl examples do, unless an area rule above sets them. */
  exampleHeaders: strings.default([]),
  /** Query parameters that only serve streaming; hidden where the spec's own description says so (see schema.ts). */
  streamQueryParams: strings.default([]),
  async: z.array(asyncHint).default([]),
  deprecations: z.array(z.strictObject({ prefixes, note: z.string() })).default([]),
  exclude: keyed(z.string()).default(new Map()),
  operations: keyed(operationOverride).default(new Map()),
  /** Bucketed reports the runtime flattens into rows per time bucket with totals (`usage`: usage and costs). */
  reports: keyed(report).default(new Map()),
  /** What the spec gets wrong about a request, by operationId (generator/errata.ts). */
  errata: keyed(erratum).default(new Map()),
});

export type OperationOverride = z.infer<typeof operationOverride>;
export type AsyncHint = z.infer<typeof asyncHint>;
export type Erratum = z.infer<typeof erratum>;
export type Overrides = z.infer<typeof overridesSchema>;
export type Report = z.infer<typeof report>;
export type ReportEndpoint = z.infer<typeof reportEndpoint>;

/** The report a path belongs to: its kind (`usage`), the kind's data and the endpoint family's. */
export interface ReportMatch {
  kind: string;
  report: Report;
  endpoint: ReportEndpoint;
}

/** Which report kind a path is, if any (the first endpoint prefix that matches). */
export function reportOf(ov: Overrides, path: string): ReportMatch | undefined {
  for (const [kind, report] of ov.reports) {
    const endpoint = report.endpoints.find((e) => underPrefix(path, e.prefix));
    if (endpoint) return { kind, report, endpoint };
  }
  return undefined;
}

export const defaultOverridesFile = path.join(repoRoot, 'specs', 'overrides.yaml');

const NO_OVERRIDE: OperationOverride = Object.freeze({});

/** The override of one operation (an empty one when there is none). */
export const overrideOf = (ov: Overrides, operationId: string): OperationOverride =>
  ov.operations.get(operationId) ?? NO_OVERRIDE;

/** Where a zod issue points in the YAML: the offending key for unknown keys, else the value. */
function issueNode(doc: ReturnType<typeof parseDocument>, issue: z.core.$ZodIssue): YamlNode | undefined {
  const at = doc.getIn(issue.path as (string | number)[], true) as YamlNode | undefined;
  if (issue.code === 'unrecognized_keys' && isMap(at)) {
    const bad = at.items.find((p) => isPair(p) && isScalar(p.key) && issue.keys.includes(String(p.key.value)));
    if (bad && isScalar(bad.key)) return bad.key;
  }
  if (at) return at;
  // A missing value: point at its parent.
  return doc.getIn(issue.path.slice(0, -1) as (string | number)[], true) as YamlNode | undefined;
}

/** Parse and check overrides text; `file` is only used in messages. */
export function parseOverrides(text: string, file = 'overrides.yaml'): Overrides {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    throw new OverridesError(`${file}:${line}:${col}: ${first.message.split('\n')[0]}`);
  }
  const result = overridesSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 5).map((issue) => {
    const node = issueNode(doc, issue);
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const key = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    return `${where}: ${issue.message}${key}`;
  });
  const more = result.error.issues.length > 5 ? `\n(and ${result.error.issues.length - 5} more)` : '';
  throw new OverridesError(`${lines.join('\n')}${more}`);
}

export function loadOverrides(file = defaultOverridesFile): Overrides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new OverridesError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseOverrides(text, path.relative(process.cwd(), file) || file);
}

/** Prefix match on whole segments, so `/threads` does not match `/threads_archive`. */
export function underPrefix(p: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return p.startsWith(prefix);
  return p === prefix || p.startsWith(`${prefix}/`);
}
