// Stage 3: what kind of call each operation is (method, read/write) and which tags it carries.
import type { Access, Method } from '../runtime/types.js';
import type { OperationModel, Schema } from './model.js';
import { underPrefix, type Overrides } from './overrides.js';
import { resolvePointer, type OpenApiDoc } from './load.js';

export interface Classification {
  method: Method;
  access: Access;
  tags: string[];
  /** Static path segment that named a custom action, removed before naming. */
  actionSegment?: string;
}

const isParam = (seg: string) => seg.startsWith('{');
export const segmentsOf = (p: string) => p.split('/').filter(Boolean);

export const kebab = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

function follow(doc: OpenApiDoc, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 20; i++) s = resolvePointer(doc, s.$ref) as Schema;
  return s;
}

/** Top-level properties of a response schema, looking through `allOf`. */
export function responseProperties(doc: OpenApiDoc, schema: Schema | undefined): Record<string, Schema> {
  const s = follow(doc, schema);
  if (!s) return {};
  const props: Record<string, Schema> = { ...(s.properties ?? {}) };
  for (const part of s.allOf ?? []) Object.assign(props, responseProperties(doc, part));
  return props;
}

/** A GET is a list when it answers with a page: a `data` array (OpenAI's list envelope). */
export function isListResponse(doc: OpenApiDoc, op: OperationModel): boolean {
  const props = responseProperties(doc, op.success.schema);
  const data = follow(doc, props.data);
  return Boolean(data && (data.type === 'array' || data.items));
}

export function classify(doc: OpenApiDoc, op: OperationModel, all: OperationModel[], ov: Overrides): Classification {
  const segs = segmentsOf(op.path);
  const last = segs[segs.length - 1] ?? '';
  const override = ov.operations[op.operationId] ?? {};
  let method: Method;
  let actionSegment: string | undefined;

  if (op.verb === 'GET') {
    method = !isParam(last) && isListResponse(doc, op) ? 'list' : 'get';
  } else if (op.verb === 'DELETE') {
    method = 'delete';
  } else if (op.verb === 'PUT' || op.verb === 'PATCH') {
    method = 'update';
  } else if (isParam(last)) {
    method = 'update';
  } else if (ov.actions.includes(last)) {
    method = last;
    actionSegment = last;
  } else {
    // POST to a path that also has a non-list GET is a singleton (`/organization/data_retention`): an update.
    const singletonGet = all.some((o) => o.verb === 'GET' && o.path === op.path && !isListResponse(doc, o));
    method = singletonGet ? 'update' : 'create';
  }
  if (override.method) {
    method = override.method;
    if (ov.actions.includes(last) && last !== method) actionSegment = last;
    if (!['list', 'get', 'create', 'update', 'delete'].includes(method) && !isParam(last) && !actionSegment) {
      // A custom method named by override on a path whose last segment is not an action (e.g. `input_tokens`):
      // the segment still describes the action, so it drops out of the resource name.
      actionSegment = last;
    }
  }

  const access: Access =
    override.access ??
    (method === 'list' || method === 'get' || op.verb === 'GET' || ov.readOnlyMethods.includes(method) ? 'read' : 'write');

  return { method, access, tags: tagsOf(op, ov, override.tags), actionSegment };
}

/**
 * The spec's own area first (kebab-cased), then derived tags. Untagged operations take the first
 * non-namespace path segment, so every tool has an area to filter by.
 */
export function tagsOf(op: OperationModel, ov: Overrides, extra: string[] = []): string[] {
  const tags = new Set<string>();
  for (const t of op.specTags) tags.add(kebab(t));
  if (!op.specTags.length) {
    const area = segmentsOf(op.path).find((s) => !isParam(s) && !ov.namespaces.includes(s));
    if (area) tags.add(kebab(area));
  }
  for (const [tag, prefixes] of Object.entries(ov.pathTags)) {
    if (prefixes.some((p) => underPrefix(op.path, p))) tags.add(tag);
  }
  if (op.admin) tags.add('admin');
  if (op.deprecated) tags.add('deprecated');
  if (Object.keys(op.fixedQuery).includes('beta')) tags.add('beta');
  for (const t of extra) tags.add(t);
  return [...tags];
}
