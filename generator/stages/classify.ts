// classify stage: what kind of call each operation is (method, read/write, MCP annotations) and which tags it carries.
import type { Access, Method, ToolAnnotations } from '../../runtime/types.js';
import type { RoutedOperation } from './auth.js';
import type { SpecDocument } from '../load/document.js';
import type { OperationModel } from './model.js';
import { overrideOf, reportOf, underPrefix, type Overrides } from '../load/overrides.js';
import { kebab, responseProperties, segmentsOf } from '../util.js';

export interface Classification {
  method: Method;
  access: Access;
  tags: string[];
  annotations: ToolAnnotations;
  /** Static path segment that named a custom action, removed before naming. */
  actionSegment?: string;
}

const CRUD = ['list', 'get', 'create', 'update', 'delete'];
const isParam = (seg: string) => seg.startsWith('{');

/** A GET is a list when it answers with a page: a `data` array (OpenAI's list envelope). */
export function isListResponse(spec: SpecDocument, op: OperationModel): boolean {
  const data = responseProperties(spec, op.success.schema).get('data');
  if (!data) return false;
  const s = spec.schema(data).node;
  return s.type === 'array' || s.items !== undefined;
}

function methodOf(spec: SpecDocument, op: OperationModel, all: OperationModel[], ov: Overrides) {
  const segs = segmentsOf(op.path);
  const last = segs[segs.length - 1] ?? '';
  let method: Method;
  let actionSegment: string | undefined;
  if (op.verb === 'GET') {
    method = !isParam(last) && isListResponse(spec, op) ? 'list' : 'get';
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
    const singletonGet = all.some((o) => o.verb === 'GET' && o.path === op.path && !isListResponse(spec, o));
    method = singletonGet ? 'update' : 'create';
  }
  const forced = overrideOf(ov, op.operationId).method;
  if (forced) {
    method = forced;
    if (ov.actions.includes(last) && last !== method) actionSegment = last;
    if (!CRUD.includes(method) && !isParam(last) && !actionSegment) {
      // A custom method named by override on a path whose last segment is not an action (e.g. `input_tokens`):
      // the segment still describes the action, so it drops out of the resource name.
      actionSegment = last;
    }
  }
  return { method, actionSegment };
}

export function annotationsFor(method: Method, access: Access, ov: Overrides): ToolAnnotations {
  const read = access === 'read';
  return {
    readOnlyHint: read,
    // Creating adds without touching what exists; updates, deletes and state changes (cancel, archive…) can lose data.
    destructiveHint: !read && method !== 'create',
    idempotentHint: read || method === 'update' || method === 'delete' || ov.idempotentMethods.includes(method),
    openWorldHint: true,
  };
}

export function classifyOperation(
  spec: SpecDocument,
  op: RoutedOperation,
  all: OperationModel[],
  ov: Overrides,
): Classification {
  const { method, actionSegment } = methodOf(spec, op, all, ov);
  const override = overrideOf(ov, op.operationId);
  const access: Access =
    override.access ??
    (method === 'list' || method === 'get' || op.verb === 'GET' || ov.readOnlyMethods.includes(method)
      ? 'read'
      : 'write');
  const out: Classification = {
    method,
    access,
    tags: tagsOf(op, ov, override.tags),
    annotations: annotationsFor(method, access, ov),
  };
  if (actionSegment !== undefined) out.actionSegment = actionSegment;
  return out;
}

/**
 * The spec's own area first (kebab-cased), then derived tags. Untagged operations take the first
 * non-namespace path segment, so every tool has an area to filter by.
 */
export function tagsOf(op: RoutedOperation, ov: Overrides, extra: string[] = []): string[] {
  const tags = new Set<string>();
  for (const t of op.specTags) tags.add(kebab(t));
  if (!op.specTags.length) {
    const area = segmentsOf(op.path).find((s) => !isParam(s) && !ov.namespaces.includes(s));
    if (area) tags.add(kebab(area));
  }
  for (const [tag, prefixes] of ov.pathTags) {
    if (prefixes.some((p) => underPrefix(op.path, p))) tags.add(tag);
  }
  const report = reportOf(ov, op.path);
  if (report) tags.add(report.report.tag);
  if (op.auth === 'admin') tags.add('admin');
  if (op.deprecated) tags.add('deprecated');
  if (Object.keys(op.fixedQuery).includes('beta')) tags.add('beta');
  for (const t of extra) tags.add(t);
  return [...tags];
}
