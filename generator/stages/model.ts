// model stage: turn the document into a flat list of operations with every `$ref` of the operation's own
// envelope (parameters, request bodies, responses) resolved. Schemas stay as written; the schema stage
// decides how deep to follow them.
import type { HttpVerb } from '../../runtime/types.js';
import {
  entriesOf,
  escapePointer,
  type Operation,
  type Parameter,
  type PathItem,
  type RequestBody,
  type Response,
  type Schema,
  type SecurityRequirement,
  type SpecDocument,
} from '../load/document.js';

export type { Schema };

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
  /** The JSON body schema too, when multipart was picked but the operation also takes JSON. */
  jsonSchema?: Schema;
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
  /** Security scheme names the operation accepts (its own `security`, else the document's). */
  securitySchemes: string[];
  params: ParamModel[];
  body?: BodyModel;
  success: ResponseModel;
  /** JSON pointer of the operation in the document, for error messages. */
  pointer: string;
  /** Headers the operation's own curl examples send (`-H "Name: value"`), lower-cased names; Authorization excluded. */
  exampleHeaders: Map<string, string>;
}

const CURL_HEADER = /-H\s+(["'])([A-Za-z0-9-]+):\s*([^"'$]*?)\1/g;

/**
 * OpenAI documents some required headers only in its examples (`OpenAI-Beta: chatkit_beta=v1`). The examples sit
 * in `x-oaiMeta.examples` as `{request: {curl}}` or a list of them; anything else is ignored.
 */
function exampleHeadersOf(op: Operation): Map<string, string> {
  const out = new Map<string, string>();
  const meta = (op as { 'x-oaiMeta'?: { examples?: unknown } })['x-oaiMeta'];
  const examples = Array.isArray(meta?.examples) ? meta.examples : meta?.examples ? [meta.examples] : [];
  for (const ex of examples) {
    const curl = (ex as { request?: { curl?: unknown } } | null)?.request?.curl;
    if (typeof curl !== 'string') continue;
    for (const m of curl.matchAll(CURL_HEADER)) {
      const name = (m[2] ?? '').toLowerCase();
      const value = (m[3] ?? '').trim();
      if (name && value && name !== 'authorization') out.set(name, value);
    }
  }
  return out;
}

const VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Multipart wins over JSON when both are offered, because file upload is the capability the JSON
 * variant lacks; anything else falls back to the first listed type.
 */
export function pickContentType(types: string[]): string | undefined {
  for (const preferred of ['multipart/form-data', 'application/json']) {
    if (types.includes(preferred)) return preferred;
  }
  return types[0];
}

function splitPathKey(pathKey: string): { path: string; fixedQuery: Record<string, string> } {
  const cut = pathKey.indexOf('?');
  const path = cut < 0 ? pathKey : pathKey.slice(0, cut);
  // Null prototype: a query key is a name from the document, `__proto__` included.
  const fixedQuery: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(cut < 0 ? '' : pathKey.slice(cut + 1))) fixedQuery[k] = v;
  return { path, fixedQuery: { ...fixedQuery } };
}

function schemeNames(security: SecurityRequirement[] | undefined): string[] {
  if (!Array.isArray(security)) return [];
  return [...new Set(security.flatMap((req) => (req && typeof req === 'object' ? Object.keys(req) : [])))];
}

function successResponse(
  spec: SpecDocument,
  responses: Record<string, unknown> | undefined,
  at: string,
): ResponseModel {
  const codes = entriesOf(responses)
    .map(([c]) => c)
    .filter((c) => /^2\d\d$/.test(c) || c === '2XX' || c === 'default')
    .sort();
  const status = codes.find((c) => c.startsWith('2')) ?? codes[0];
  if (!status) return { status: '200', mediaTypes: [] };
  const resp = spec.deref<Response>(new Map(entriesOf(responses)).get(status) as Response, `${at}/responses/${status}`);
  const content = new Map(entriesOf(resp?.content as Record<string, { schema?: Schema }> | undefined));
  return { status, mediaTypes: [...content.keys()], schema: content.get('application/json')?.schema };
}

function paramModel(p: Parameter): ParamModel | undefined {
  if (p.in !== 'path' && p.in !== 'query' && p.in !== 'header') return undefined;
  const schema = (p.schema ?? [...new Map(entriesOf(p.content)).values()][0]?.schema ?? {}) as Schema;
  const out: ParamModel = {
    name: p.name,
    in: p.in,
    required: p.in === 'path' ? true : Boolean(p.required),
    description: p.description ?? schema.description ?? '',
    schema,
    deprecated: Boolean(p.deprecated),
  };
  if (p.style !== undefined) out.style = p.style;
  if (p.explode !== undefined) out.explode = p.explode;
  return out;
}

function bodyModel(spec: SpecDocument, raw: Operation['requestBody'], at: string): BodyModel | undefined {
  if (!raw) return undefined;
  const rb = spec.deref<RequestBody>(raw, `${at}/requestBody`);
  const content = new Map(entriesOf(rb.content));
  const alternatives = [...content.keys()];
  const contentType = pickContentType(alternatives);
  if (contentType === undefined) return undefined;
  const json = contentType !== 'application/json' ? content.get('application/json')?.schema : undefined;
  return {
    contentType,
    alternatives,
    schema: (content.get(contentType)?.schema ?? {}) as Schema,
    ...(json ? { jsonSchema: json as Schema } : {}),
    // Absent means optional in OpenAPI, but OpenAI leaves it out on newer endpoints whose bodies are
    // clearly needed (`POST /videos`); only an explicit `required: false` makes the body optional.
    required: rb.required !== false,
  };
}

export function buildOperations(spec: SpecDocument): OperationModel[] {
  const out: OperationModel[] = [];
  const globalSchemes = schemeNames(spec.doc.security);
  for (const [pathKey, rawItem] of spec.pathItems()) {
    const itemAt = `#/paths/${escapePointer(pathKey)}`;
    const item = spec.deref<PathItem>(rawItem, itemAt);
    if (!item || typeof item !== 'object') continue;
    for (const verb of VERBS) {
      const op = Object.hasOwn(item, verb) ? (item[verb] as Operation | undefined) : undefined;
      if (!op) continue;
      const at = `${itemAt}/${verb}`;
      const { path, fixedQuery } = splitPathKey(pathKey);

      // Operation-level parameters override path-level ones with the same name and location.
      const byKey = new Map<string, ParamModel>();
      for (const [list, listAt] of [
        [item.parameters, `${itemAt}/parameters`],
        [op.parameters, `${at}/parameters`],
      ] as const) {
        (list ?? []).forEach((raw, i) => {
          const p = paramModel(spec.deref<Parameter>(raw, `${listAt}/${i}`));
          if (p) byKey.set(`${p.in}:${p.name}`, p);
        });
      }

      const body = bodyModel(spec, op.requestBody, at);
      const model: OperationModel = {
        operationId: op.operationId ?? `${verb}_${path}`,
        verb: verb.toUpperCase() as HttpVerb,
        pathKey,
        path,
        fixedQuery,
        specTags: op.tags ?? [],
        summary: op.summary ?? '',
        description: op.description ?? '',
        deprecated: Boolean(op.deprecated),
        securitySchemes: op.security !== undefined ? schemeNames(op.security) : globalSchemes,
        params: [...byKey.values()],
        success: successResponse(spec, op.responses as Record<string, unknown> | undefined, at),
        pointer: at,
        exampleHeaders: exampleHeadersOf(op),
      };
      if (body) model.body = body;
      out.push(model);
    }
  }
  return out;
}
