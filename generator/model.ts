// Stage 2: turn the raw document into a flat list of operations with every `$ref` of the
// operation's own envelope (parameters, request bodies, responses) resolved. Schemas stay as written;
// the schema stage decides how deep to follow them.
import type { HttpVerb } from '../runtime/types.js';
import { resolvePointer, SpecError, type OpenApiDoc } from './load.js';

export type Schema = Record<string, any>;

export interface ParamModel {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description: string;
  schema: Schema;
  style?: string;
  explode?: boolean;
  deprecated: boolean;
}

export interface BodyModel {
  contentType: string;
  /** Every media type the operation accepts, so the choice is visible in the manifest. */
  alternatives: string[];
  schema: Schema;
  required: boolean;
}

export interface ResponseModel {
  status: string;
  mediaTypes: string[];
  schema?: Schema;
}

export interface OperationModel {
  operationId: string;
  verb: HttpVerb;
  /** The spec's path key, including any `?beta=true` it carries. */
  pathKey: string;
  /** The path template without the query part. */
  path: string;
  /** Query pairs that the path key itself carries. */
  fixedQuery: Record<string, string>;
  specTags: string[];
  summary: string;
  description: string;
  deprecated: boolean;
  /** True when the operation's security asks for `AdminApiKeyAuth`. */
  admin: boolean;
  params: ParamModel[];
  body?: BodyModel;
  success: ResponseModel;
  /** JSON pointer of the operation in the document, for error messages. */
  pointer: string;
}

const VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Resolve a `$ref` chain on an envelope object (parameter, request body, response). */
function deref<T>(doc: OpenApiDoc, node: any, at: string): T {
  const seen = new Set<string>();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new SpecError(`${at}: circular $ref ${node.$ref}`);
    seen.add(node.$ref);
    const target = resolvePointer(doc, node.$ref);
    if (target === undefined) throw new SpecError(`${at}/$ref: cannot resolve ${node.$ref}`);
    node = target;
  }
  return node as T;
}

/**
 * Multipart wins over JSON when both are offered, because file upload is the capability the JSON
 * variant lacks; anything else falls back to the first listed type.
 */
export function pickContentType(types: string[]): string {
  for (const preferred of ['multipart/form-data', 'application/json']) {
    if (types.includes(preferred)) return preferred;
  }
  return types[0]!;
}

function splitPathKey(pathKey: string): { path: string; fixedQuery: Record<string, string> } {
  const [path, query] = pathKey.split('?', 2) as [string, string | undefined];
  const fixedQuery: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query ?? '')) fixedQuery[k] = v;
  return { path, fixedQuery };
}

function isAdmin(security: unknown): boolean {
  return Array.isArray(security) && security.some((req) => req && typeof req === 'object' && 'AdminApiKeyAuth' in req);
}

function successResponse(doc: OpenApiDoc, responses: Record<string, any> | undefined, at: string): ResponseModel {
  const codes = Object.keys(responses ?? {}).filter((c) => /^2\d\d$/.test(c) || c === '2XX' || c === 'default').sort();
  const status = codes.find((c) => c.startsWith('2')) ?? codes[0];
  if (!status) return { status: '200', mediaTypes: [] };
  const resp = deref<any>(doc, responses![status], `${at}/responses/${status}`);
  const content: Record<string, any> = resp?.content ?? {};
  const mediaTypes = Object.keys(content);
  const json = content['application/json'];
  return { status, mediaTypes, schema: json?.schema };
}

export function buildOperations(doc: OpenApiDoc): OperationModel[] {
  const out: OperationModel[] = [];
  const globalAdmin = isAdmin(doc.security);
  for (const [pathKey, rawItem] of Object.entries<any>(doc.paths ?? {})) {
    const itemAt = `#/paths/${escapePointer(pathKey)}`;
    const item = deref<any>(doc, rawItem, itemAt);
    for (const verb of VERBS) {
      const op = item?.[verb];
      if (!op) continue;
      const at = `${itemAt}/${verb}`;
      const { path, fixedQuery } = splitPathKey(pathKey);

      // Operation-level parameters override path-level ones with the same name and location.
      const byKey = new Map<string, ParamModel>();
      for (const [list, listAt] of [
        [item.parameters, `${itemAt}/parameters`],
        [op.parameters, `${at}/parameters`],
      ] as const) {
        (list ?? []).forEach((raw: any, i: number) => {
          const p = deref<any>(doc, raw, `${listAt}/${i}`);
          if (p.in === 'cookie') return;
          byKey.set(`${p.in}:${p.name}`, {
            name: p.name,
            in: p.in,
            required: p.in === 'path' ? true : Boolean(p.required),
            description: p.description ?? p.schema?.description ?? '',
            schema: p.schema ?? (p.content ? (Object.values<any>(p.content)[0]?.schema ?? {}) : {}),
            style: p.style,
            explode: p.explode,
            deprecated: Boolean(p.deprecated),
          });
        });
      }

      let body: BodyModel | undefined;
      if (op.requestBody) {
        const rb = deref<any>(doc, op.requestBody, `${at}/requestBody`);
        const alternatives = Object.keys(rb.content ?? {});
        if (alternatives.length) {
          const contentType = pickContentType(alternatives);
          body = {
            contentType,
            alternatives,
            schema: rb.content[contentType]?.schema ?? {},
            // Absent means optional in OpenAPI, but OpenAI leaves it out on newer endpoints whose bodies are
            // clearly needed (`POST /videos`); only an explicit `required: false` makes the body optional.
            required: rb.required !== false,
          };
        }
      }

      out.push({
        operationId: op.operationId ?? `${verb}_${path}`,
        verb: verb.toUpperCase() as HttpVerb,
        pathKey,
        path,
        fixedQuery,
        specTags: op.tags ?? [],
        summary: op.summary ?? '',
        description: op.description ?? '',
        deprecated: Boolean(op.deprecated),
        admin: op.security !== undefined ? isAdmin(op.security) : globalAdmin,
        params: [...byKey.values()],
        body,
        success: successResponse(doc, op.responses, at),
        pointer: at,
      });
    }
  }
  return out;
}
