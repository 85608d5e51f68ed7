// bind stage: how a tool call goes on the wire: path template in argument names, fixed query and headers,
// auth, response kind and paging. The runtime follows this binding and nothing else.
import type { HttpBinding, Method, Pagination } from '../../runtime/types.js';
import type { RoutedOperation } from './auth.js';
import type { OperationModel } from './model.js';
import { overrideOf, reportOf, underPrefix, type Overrides, type ReportMatch } from '../load/overrides.js';
import type { ToolSchemas } from './schema.js';

const BINARY_TYPES = /^(audio|image|video)\/|^application\/(octet-stream|zip|pdf)$/;
const TEXT_TYPES = /^text\/(?!event-stream)|jsonl/;

export function responseKind(op: OperationModel, ov: Overrides): HttpBinding['response'] {
  const forced = overrideOf(ov, op.operationId).response;
  if (forced) return forced;
  const types = op.success.mediaTypes;
  if (types.some((t) => BINARY_TYPES.test(t))) return 'binary';
  if (types.includes('application/json')) return 'json';
  if (types.some((t) => TEXT_TYPES.test(t))) return 'text';
  return 'empty';
}

export function paginationOf(method: Method, s: ToolSchemas): Pagination | undefined {
  if (method !== 'list') return undefined;
  const q = (wire: string) => s.params.find((p) => p.in === 'query' && p.wire === wire)?.arg;
  const limitArg = q('limit');
  const after = q('after');
  if (after) return limitArg ? { style: 'cursor', cursorArg: after, limitArg } : { style: 'cursor', cursorArg: after };
  const page = q('page');
  if (page) return limitArg ? { style: 'page', cursorArg: page, limitArg } : { style: 'page', cursorArg: page };
  return undefined;
}

export interface Binding {
  http: HttpBinding;
  pagination?: Pagination;
  /** A bucketed report the runtime flattens per time bucket (specs/overrides.yaml `reports`). */
  report?: ReportMatch;
}

export function bindingOf(op: RoutedOperation, method: Method, s: ToolSchemas, ov: Overrides): Binding {
  const fixedHeaders = new Map<string, string>();
  for (const h of ov.headers) {
    if (h.prefixes.some((p) => underPrefix(op.path, p))) for (const [k, v] of h.headers) fixedHeaders.set(k, v);
  }
  const set = new Set([...fixedHeaders.keys()].map((k) => k.toLowerCase()));
  for (const name of ov.exampleHeaders) {
    const value = op.exampleHeaders.get(name.toLowerCase());
    if (value !== undefined && !set.has(name.toLowerCase())) fixedHeaders.set(name, value);
  }
  const pathArg = new Map(s.params.filter((b) => b.in === 'path').map((b) => [b.wire, b.arg]));
  const http: HttpBinding = {
    verb: op.verb,
    path: op.path.replace(/\{([^}]+)\}/g, (_, p: string) => `{${pathArg.get(p) ?? p}}`),
    fixedQuery: op.fixedQuery,
    params: s.params,
    auth: op.auth,
    response: responseKind(op, ov),
    responseMediaTypes: op.success.mediaTypes,
  };
  if (fixedHeaders.size) http.fixedHeaders = Object.fromEntries(fixedHeaders);
  if (s.body) http.body = s.body;
  if (s.streamField) http.streamField = s.streamField;
  const pagination = paginationOf(method, s);
  const report = reportOf(ov, op.path);
  return { http, ...(report ? { report } : {}), ...(pagination ? { pagination } : {}) };
}
