// load → model → classify → name → describe → schema → emit. This file wires the stages; each stage
// lives in its own file and is a pure function of the document and `specs/overrides.yaml`.
import { createHash } from 'node:crypto';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import type {
  Catalog, ExcludedOperation, HttpBinding, JsonSchema, Method, Pagination, ToolAnnotations, ToolDef, ValidationBundle,
} from '../runtime/types.js';
import { classify, segmentsOf, type Classification } from './classify.js';
import { describe, statusesOf } from './describe.js';
import type { OpenApiDoc } from './load.js';
import { buildOperations, type OperationModel } from './model.js';
import { nameAll, resourceOf, singular, type NameClash } from './name.js';
import { loadOverrides, underPrefix, type AsyncHint, type Overrides } from './overrides.js';
import { resolveRecursiveRefs } from './normalize.js';
import { portableInputSchema } from './portable.js';
import { buildToolSchemas, reachableDefs, validationDefs, type ToolSchemas } from './schema.js';
import { withPrecheck } from './precheck.js';
import { withTimeInputs } from './timeinput.js';
import { buildWaitTools, waitToolName, type WaitTarget } from './wait.js';

export interface ManifestEntry {
  name: string;
  method: Method;
  access: 'read' | 'write';
  tags: string[];
  verb: string;
  path: string;
  operationId: string;
  schemaHash: string;
  deprecated?: boolean;
}

export interface Manifest {
  spec: Catalog['spec'];
  counts: { operations: number; tools: number; excluded: number };
  tools: ManifestEntry[];
  excluded: ExcludedOperation[];
  /** Name clashes and how they were resolved, so a rename is never a surprise. */
  clashes: NameClash[];
  /** Things in the spec that look wrong and need a decision in specs/overrides.yaml. */
  warnings: string[];
}

export interface BuildResult {
  catalog: Catalog;
  validation: ValidationBundle;
  manifest: Manifest;
  /** The document the catalog was built from; the sdk stage reads its response schemas. */
  document: OpenApiDoc;
}

export interface BuildOptions {
  sha256: string;
  overrides?: Overrides;
  /** Object levels below the top that keep property names in the LLM schema; default: 1 if within the target, else 0. */
  nestedDepth?: number;
  /** Token target for choosing the nesting depth (default TOKEN_TARGET). */
  tokenTarget?: number;
}

const BINARY_TYPES = /^(audio|image|video)\/|^application\/(octet-stream|zip|pdf)$/;
const TEXT_TYPES = /^text\/(?!event-stream)|jsonl/;

function responseKind(op: OperationModel, ov: Overrides): HttpBinding['response'] {
  const forced = ov.operations[op.operationId]?.response;
  if (forced) return forced;
  const types = op.success.mediaTypes;
  if (types.some((t) => BINARY_TYPES.test(t))) return 'binary';
  if (types.includes('application/json')) return 'json';
  if (types.some((t) => TEXT_TYPES.test(t))) return 'text';
  return 'empty';
}

function annotationsFor(method: Method, access: 'read' | 'write', ov: Overrides): ToolAnnotations {
  const read = access === 'read';
  return {
    readOnlyHint: read,
    // Creating adds without touching what exists; updates, deletes and state changes (cancel, archive…) can lose data.
    destructiveHint: !read && method !== 'create',
    idempotentHint: read || method === 'update' || method === 'delete' || ov.idempotentMethods.includes(method),
    openWorldHint: true,
  };
}

function titleFor(method: Method, one: string, many: string): string {
  const h = (s: string) => s.replace(/_/g, ' ');
  const verb: Record<string, string> = { list: 'List', get: 'Get', create: 'Create', update: 'Update', delete: 'Delete' };
  const v = verb[method] ?? method.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return `${v} ${method === 'list' ? h(many) : h(one)}`;
}

function paginationOf(method: Method, s: ToolSchemas): Pagination | undefined {
  if (method !== 'list') return undefined;
  const q = (wire: string) => s.params.find((p) => p.in === 'query' && p.wire === wire)?.arg;
  const limitArg = q('limit');
  const after = q('after');
  if (after) return limitArg ? { style: 'cursor', cursorArg: after, limitArg } : { style: 'cursor', cursorArg: after };
  const page = q('page');
  if (page) return limitArg ? { style: 'page', cursorArg: page, limitArg } : { style: 'page', cursorArg: page };
  return undefined;
}

/** Canonical JSON (sorted keys) so the hash depends on content, not on key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** OpenAI sometimes says "requires an admin API key" in prose while leaving `security` at the project key. */
export function mentionsAdminKey(op: OperationModel): boolean {
  return /requires an \[?admin API\s+key/i.test(`${op.summary}\n${op.description}`);
}

const hash16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function asyncHintFor(op: OperationModel, method: Method, ov: Overrides): { hint: AsyncHint; rest: string[] } | undefined {
  const hits = ov.async.filter((h) => underPrefix(op.path, h.prefix)).sort((a, b) => b.prefix.length - a.prefix.length);
  const hint = hits[0];
  if (!hint) return undefined;
  const rest = segmentsOf(op.path).slice(segmentsOf(hint.prefix).length);
  // Only the collection itself (create), one item (get/update) and an action on it (cancel…) are about the
  // job's lifecycle; sub-collections such as `/fine_tuning/jobs/{id}/events` are not.
  const relevant =
    (rest.length === 0 && op.verb === 'POST') ||
    (rest.length === 1 && rest[0]!.startsWith('{') && op.verb === 'GET') ||
    (rest.length === 2 && rest[0]!.startsWith('{') && op.verb === 'POST' && !['create', 'update', 'delete'].includes(method));
  return relevant ? { hint, rest } : undefined;
}

/**
 * Token target (o200k) for the richer catalog. One level of nested property names helps the model a lot
 * (fine-tuning `hyperparameters`, `method.type`), so it is kept while the whole catalog stays under this target;
 * past it the generator falls back to top-level-only schemas (~2,300 tokens less on the pinned spec), keeping
 * room under the hard 60,000 as OpenAI adds endpoints. Raised from 57,500 when the portable pass arrived: hosts
 * reject the shorter non-portable forms (`type` arrays, arrays without `items`), which cost ~600 tokens to spell out.
 */
export const TOKEN_TARGET = 58_500;

/** o200k tokens of the catalog as `tools/list` shows it. */
export function catalogTokens(tools: ToolDef[]): number {
  const listed = tools.map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema, annotations: t.annotations }));
  return encode(JSON.stringify({ tools: listed }), { allowedSpecial: 'all' }).length;
}

export async function buildCatalog(source: OpenApiDoc, opts: BuildOptions): Promise<BuildResult> {
  // Prepared once: the fallback build below must not read the overrides or rewrite the document again.
  const doc = resolveRecursiveRefs(source);
  const ov = opts.overrides ?? loadOverrides();
  if (opts.nestedDepth !== undefined) return buildAtDepth(doc, ov, opts, opts.nestedDepth);
  const rich = await buildAtDepth(doc, ov, opts, 1);
  if (catalogTokens(rich.catalog.tools) <= (opts.tokenTarget ?? TOKEN_TARGET)) return rich;
  return buildAtDepth(doc, ov, opts, 0);
}

async function buildAtDepth(doc: OpenApiDoc, ov: Overrides, opts: BuildOptions, nestedDepth: number): Promise<BuildResult> {
  const openapi30 = String(doc.openapi).startsWith('3.0');
  const schemaOpts = { openapi30, nestedDepth };
  const all = buildOperations(doc);
  for (const op of all) {
    const forced = ov.operations[op.operationId]?.admin;
    if (forced !== undefined) op.admin = forced;
  }
  const warnings = all
    .filter((op) => !op.admin && mentionsAdminKey(op))
    .map((op) => `${op.operationId} (${op.verb} ${op.pathKey}): the spec's text says it needs an admin API key, but its security does not; set operations.${op.operationId}.admin in specs/overrides.yaml`);

  const excluded: ExcludedOperation[] = [];
  const ops: OperationModel[] = [];
  for (const op of all) {
    const reason =
      ov.exclude[op.operationId] ??
      (op.body && !['application/json', 'multipart/form-data'].includes(op.body.contentType)
        ? `request body is ${op.body.contentType} only; tools send JSON or multipart`
        : undefined);
    if (reason) excluded.push({ operationId: op.operationId, verb: op.verb, path: op.pathKey, reason });
    else ops.push(op);
  }

  const cls: Classification[] = ops.map((op) => classify(doc, op, all, ov));
  const { names, clashes } = nameAll(
    ops.map((op, i) => ({ op, method: cls[i]!.method, actionSegment: cls[i]!.actionSegment, override: ov.operations[op.operationId]?.name })),
    ov.namespaces,
  );
  const nameOf = new Map(ops.map((op, i) => [op, names[i]!]));
  const schemas = ops.map((op) => buildToolSchemas(doc, op, schemaOpts));

  // Tools that others point to: the get tool to poll, the list tool to find ids.
  const findTool = (method: Method, path: string, like: OperationModel) => {
    const candidates = ops.filter((o, i) => cls[i]!.method === method && o.path === path);
    const same = candidates.find((o) => canonical(o.fixedQuery) === canonical(like.fixedQuery));
    const hit = same ?? candidates[0];
    return hit ? { op: hit, name: nameOf.get(hit)! } : undefined;
  };

  const tools: ToolDef[] = [];
  const validationTools: Record<string, JsonSchema> = {};
  const waitTargets = new Map<string, WaitTarget>();
  ops.forEach((op, i) => {
    const c = cls[i]!;
    const s = schemas[i]!;
    const name = names[i]!;
    const res = resourceOf(op.path, ov.namespaces, c.actionSegment);
    const many = res.words.join('_');
    const one = [...res.words.slice(0, -1), singular(res.words[res.words.length - 1] ?? '')].join('_');
    const segs = segmentsOf(op.path);
    const response = responseKind(op, ov);
    const pagination = paginationOf(c.method, s);
    const usageBuckets = underPrefix(op.path, '/organization/usage/') || underPrefix(op.path, '/organization/costs');

    const fixedHeaders: Record<string, string> = {};
    for (const h of ov.headers) if (h.prefixes.some((p) => underPrefix(op.path, p))) Object.assign(fixedHeaders, h.headers);

    const http: HttpBinding = {
      verb: op.verb,
      path: op.path.replace(/\{([^}]+)\}/g, (_, p: string) => `{${s.params.find((b) => b.in === 'path' && b.wire === p)?.arg ?? p}}`),
      fixedQuery: op.fixedQuery,
      params: s.params,
      auth: op.admin ? 'admin' : 'project',
      response,
      responseMediaTypes: op.success.mediaTypes,
    };
    if (Object.keys(fixedHeaders).length) http.fixedHeaders = fixedHeaders;
    if (s.body) http.body = s.body;
    if (s.streamField) http.streamField = s.streamField;

    // The list tool of the collection this item belongs to: drop the trailing `{id}`.
    const listTool = c.method === 'get' && segs[segs.length - 1]?.startsWith('{')
      ? findTool('list', `/${segs.slice(0, -1).join('/')}`, op)?.name
      : undefined;

    const asyncInfo = asyncHintFor(op, c.method, ov);
    let pollTool: string | null | undefined;
    let statuses: string[] | undefined;
    let waitPoll: string | undefined;
    if (asyncInfo) {
      const getPath = asyncInfo.rest.length === 1 ? op.path : `${asyncInfo.hint.prefix}/${asyncInfo.rest[0] ?? ''}`;
      let getTool = asyncInfo.rest.length === 0
        ? ops.find((o, j) => cls[j]!.method === 'get' && segmentsOf(o.path).length === segs.length + 1 && o.path.startsWith(`${op.path}/{`) && canonical(o.fixedQuery) === canonical(op.fixedQuery))
        : findTool('get', getPath, op)?.op;
      pollTool = asyncInfo.hint.poll !== undefined ? asyncInfo.hint.poll : getTool ? nameOf.get(getTool) : undefined;
      if (!getTool && pollTool) getTool = ops.find((o) => nameOf.get(o) === pollTool);
      statuses = statusesOf(doc, getTool) ?? asyncInfo.hint.statuses;
      // `?beta=true` twins read the same object, so one wait tool (on the plain get) serves both. Deprecated
      // endpoints get no new tools.
      if (getTool && pollTool && !getTool.deprecated) waitPoll = findTool('get', getTool.path, { ...getTool, fixedQuery: {} })?.name;
    }
    const waitTool = asyncInfo && waitPoll && statuses?.length ? waitToolName(waitPoll) : undefined;
    if (waitTool && !waitTargets.has(waitPoll!)) waitTargets.set(waitPoll!, { hint: asyncInfo!.hint, statuses: statuses! });

    const description = describe(
      {
        op, name, method: c.method, resourceWords: many, resourceSingular: one, listTool, pagination,
        usage: usageBuckets, fileFields: s.body?.fileFields ?? [], binary: response === 'binary',
        pollTool, waitTool, asyncHint: asyncInfo?.hint, statuses,
      },
      ov,
    );
    const title = titleFor(c.method, one, many);
    const tool: ToolDef = {
      name,
      title,
      description,
      operationId: op.operationId,
      method: c.method,
      access: c.access,
      tags: c.tags,
      deprecated: op.deprecated,
      inputSchema: s.inputSchema,
      annotations: annotationsFor(c.method, c.access, ov),
      http,
      schemaHash: hash16(canonical({ validation: s.validation, http })),
    };
    if (pagination) tool.pagination = pagination;
    if (usageBuckets) tool.usageBuckets = true;
    const checked = withPrecheck(withTimeInputs(tool), s.validation);
    if (checked.validation !== s.validation) checked.tool.schemaHash = hash16(canonical({ validation: checked.validation, http }));
    tools.push(checked.tool);
    validationTools[name] = checked.validation;
  });

  const waits = buildWaitTools({ targets: waitTargets, tools, validation: validationTools, schemaHash: (v) => hash16(canonical(v)) });
  tools.push(...waits.tools);
  Object.assign(validationTools, waits.validation);
  warnings.push(...waits.warnings);

  tools.sort((a, b) => (a.name < b.name ? -1 : 1));
  const allDefs = validationDefs(doc, openapi30);
  for (const t of tools) t.inputSchema = portableInputSchema(t.inputSchema, validationTools[t.name]!, allDefs);
  const used = reachableDefs(Object.values(validationTools), allDefs);
  const $defs = Object.fromEntries([...used].sort().map((n) => [n, allDefs[n]!]));
  const sortedValidation = Object.fromEntries(tools.map((t) => [t.name, validationTools[t.name]!]));

  const spec = { title: String(doc.info?.title ?? ''), version: String(doc.info?.version ?? ''), openapi: String(doc.openapi), sha256: opts.sha256 };
  const catalog: Catalog = { spec, tools, excluded };
  const manifest: Manifest = {
    spec,
    counts: { operations: all.length, tools: tools.length, excluded: excluded.length },
    tools: tools.map((t) => ({
      name: t.name, method: t.method, access: t.access, tags: t.tags, verb: t.http.verb,
      path: ops.find((o) => o.operationId === t.operationId)!.pathKey, operationId: t.operationId, schemaHash: t.schemaHash,
      ...(t.deprecated ? { deprecated: true } : {}),
    })),
    excluded,
    clashes,
    warnings,
  };
  return { catalog, validation: { $defs, tools: sortedValidation }, manifest, document: doc };
}
