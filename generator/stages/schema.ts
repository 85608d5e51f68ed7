// schema stage: the tool's arguments. One flat object per tool merges path, query, header and body parameters.
// Two schemas come out of it:
//  - the compact schema the LLM sees: complete at the top level, summarized below it (token budget);
//  - the full validation schema the runtime checks arguments against before any request.
// Property and parameter names come from the spec: they are kept in `Map`s and written out with
// `Object.fromEntries`, so `__proto__` or `constructor` is a field like any other.
import type { BodyBinding, JsonSchema, ParamBinding } from '../../runtime/types.js';
import type { Schema, SpecDocument } from '../load/document.js';
import type { OperationModel, ParamModel } from './model.js';
import { normalizeForValidation } from '../load/normalize.js';
import { isBinary, objectShape, variants } from '../load/shapes.js';
import { oneLine } from '../util.js';

/** Fields that switch a response to SSE or shape a stream. The tools are non-streaming, so they are hidden. */
export const STREAM_FIELDS = ['stream', 'stream_options', 'stream_format'];

/** What a multipart file argument looks like: the LLM sends text or base64, the runtime builds the part. */
export const FILE_ARG_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A file: {content, encoding: utf8|base64 (default utf8), filename, mime_type?}',
  properties: {
    content: { type: 'string' },
    encoding: { type: 'string', enum: ['utf8', 'base64'], default: 'utf8' },
    filename: { type: 'string' },
    mime_type: { type: 'string' },
  },
  required: ['content', 'filename'],
  additionalProperties: false,
};

const MAX_ENUM = 25;

export interface SchemaOptions {
  /** How many object levels below the top keep their property names (0 = summarize every nested object). */
  nestedDepth: number;
  /** Style given to an object-valued query parameter whose spec names none (`specs/overrides.yaml` encoding). */
  queryObjectStyle?: 'form' | 'deepObject';
  /** Query parameter names that may belong to streaming (`specs/overrides.yaml` streamQueryParams). */
  streamQueryParams?: readonly string[];
}

export interface ToolSchemas {
  inputSchema: JsonSchema;
  validation: JsonSchema;
  params: ParamBinding[];
  body?: BodyBinding;
  streamField?: string;
}

/**
 * What a file field takes besides bytes: the object variants of its multipart schema (`oneOf: [binary,
 * {id}]`) and the same field of the operation's JSON body (`input_reference: {image_url, file_id}`), so a model can
 * point at an existing video or file instead of uploading it again.
 */
function referenceVariants(spec: SpecDocument, union: Schema, jsonBody: Schema | undefined, field: string): Schema[] {
  const isReference = (v: Schema) => !isBinary(spec, v) && objectShape(spec, v).isObject;
  const out = variants(spec, union).filter(isReference);
  if (jsonBody) {
    for (const s of objectShape(spec, jsonBody).properties.get(field) ?? []) {
      for (const v of variants(spec, s)) if (isReference(v) && !out.includes(v)) out.push(v);
    }
  }
  return out;
}

function fileArg(kind: 'one' | 'many' | 'either', description?: string): JsonSchema {
  const { description: fileDescription, ...file } = FILE_ARG_SCHEMA;
  const many = { type: 'array', items: file };
  const base: JsonSchema = kind === 'one' ? { ...file } : kind === 'many' ? many : { anyOf: [file, many] };
  if (description === undefined) return base;
  return { ...base, description: `${description ? `${description} ` : ''}${String(fileDescription)}`.trim() };
}

/**
 * The JSON types a union's branches stand for, inferred where a branch declares none (properties → object, an
 * enum → its values' type). Not drift's `typeList`, which reads only declared types so a report compares like with
 * like.
 */
function inferredTypes(vs: Schema[]): string[] {
  const types = new Set<string>();
  for (const v of vs) {
    const t =
      v.type ??
      (v.properties
        ? 'object'
        : v.items
          ? 'array'
          : v.enum
            ? typeof v.enum[0]
            : v.const !== undefined
              ? typeof v.const
              : undefined);
    for (const x of Array.isArray(t) ? t : [t])
      if (x && x !== 'null' && x !== 'undefined') types.add(x === 'bigint' ? 'integer' : x);
  }
  if (types.has('integer') && types.has('number')) types.delete('integer');
  return [...types].sort();
}

/**
 * The compact view of one property for the LLM: type, enum (when small and closed), default, one-line
 * description, and array item types. Objects below `nestedDepth` keep only their type.
 */
export function compactProperty(
  spec: SpecDocument,
  schema: Schema,
  opts: SchemaOptions,
  level = 0,
  withDescription = true,
): JsonSchema {
  const followed = spec.schema(schema);
  const vs = variants(spec, schema);
  const out: JsonSchema = {};
  const types = inferredTypes(vs);
  if (types.length === 1) out.type = types[0];
  else if (types.length > 1) out.type = types;

  // An enum is shown only when every variant is closed: `model` is "any string, e.g. these", not an enum.
  const closed = vs.every((v) => Array.isArray(v.enum) || v.const !== undefined || v.type === 'boolean');
  const values = [
    ...new Set(vs.flatMap((v) => (Array.isArray(v.enum) ? v.enum : v.const !== undefined ? [v.const] : []))),
  ].filter((x) => x !== null);
  if (closed && values.length > 0 && values.length <= MAX_ENUM && !(types.length === 1 && types[0] === 'boolean'))
    out.enum = values;

  const defaults = vs.map((v) => spec.schema(v).node.default).filter((d) => d !== undefined);
  const own = followed.node.default;
  const dflt = own !== undefined ? own : defaults[0];
  // Only scalar defaults help the model choose; `[]` and `{}` defaults say nothing and trip zod's typing.
  if (dflt !== undefined && dflt !== null && typeof dflt !== 'object') out.default = dflt;

  if (withDescription) {
    const d = oneLine(followed.description ?? vs.find((v) => v.description)?.description);
    if (d) out.description = d;
  }

  if (types.length === 1 && types[0] === 'array') {
    const arr = vs.find((v) => v.type === 'array' || v.items);
    if (arr?.items) {
      const item = compactProperty(spec, arr.items, opts, level + 1, false);
      if (Object.keys(item).length) out.items = item;
    }
  } else if (types.length === 1 && types[0] === 'object' && level < opts.nestedDepth) {
    const shape = objectShape(spec, vs.length === 1 && vs[0] ? vs[0] : { anyOf: vs });
    const names = [...shape.properties.keys()];
    if (names.length && names.length <= 12) {
      out.properties = Object.fromEntries(
        [...shape.properties].map(([n, schemas]) => [
          n,
          compactProperty(spec, { anyOf: schemas }, opts, level + 1, false),
        ]),
      );
      const req = names.filter((n) => shape.required.has(n));
      if (req.length) out.required = req;
    }
  }
  return out;
}

/** The validation schema of one body field: the union of every schema the body gives it. */
function fullProperty(schemas: Schema[], openapi30: boolean): JsonSchema {
  const norm = schemas.map((s) => normalizeForValidation(s, openapi30) as JsonSchema);
  const unique = [...new Map(norm.map((s) => [JSON.stringify(s), s])).values()];
  return unique.length === 1 && unique[0] ? unique[0] : { anyOf: unique };
}

/** What every host takes as an argument name (Gemini's function declarations refuse `-` and `.`). */
export const ARG_NAME_RE = /^[A-Za-z0-9_]{1,64}$/;

/**
 * The argument name for a spec name: `include[]` → `include`, `OpenAI-Beta` → `OpenAI_Beta`. The binding keeps the
 * spec's name, which is what goes on the wire.
 */
export const sanitizeArg = (name: string) =>
  name
    .replace(/\[\]$/, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64) || 'param';

/**
 * `arg`, or `<prefix>_arg` when that is taken, or that with a number: never over 64 characters, never a name given
 * before (two spec names can sanitize to one argument name).
 */
function freeArgName(arg: string, prefix: string, taken: Set<string>): string {
  if (!taken.has(arg)) return arg;
  const base = `${prefix}_${arg}`.slice(0, 64);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base.slice(0, 64 - String(i).length - 1)}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

const LOCATION_ORDER = { path: 0, query: 1, header: 2 } as const;

const ABOUT_STREAMING = /\bstream(s|ed|ing)?\b|server-sent events/i;

/**
 * A listed query parameter is hidden (never advertised, never sent) only where the spec describes it as part of
 * streaming: the tools never stream, `stream=true` would turn the answer into server-sent events the call waits on
 * until it times out, and the rest do nothing without it. The name alone is not enough: `starting_after` is an
 * event sequence number on `GET /responses/{id}` but a page cursor in other APIs, and a new endpoint could add either.
 */
function streamingOnly(p: ParamModel, names: readonly string[] = []): boolean {
  return p.in === 'query' && names.includes(p.name) && ABOUT_STREAMING.test(p.description);
}

export function buildToolSchemas(spec: SpecDocument, op: OperationModel, opts: SchemaOptions): ToolSchemas {
  const openapi30 = spec.openapi30;
  const properties = new Map<string, JsonSchema>();
  const validationProps = new Map<string, JsonSchema>();
  const required: string[] = [];
  const params: ParamBinding[] = [];
  const taken = new Set<string>();

  // Path parameters keep the spec's names so descriptions, OpenAI's docs and the arguments agree;
  // query, header and body names that collide with them get a location prefix.
  const sorted = [...op.params]
    .filter((p) => !streamingOnly(p, opts.streamQueryParams))
    .sort((a, b) => LOCATION_ORDER[a.in] - LOCATION_ORDER[b.in]);
  for (const p of sorted) {
    const arg = freeArgName(sanitizeArg(p.name), p.in, taken);
    taken.add(arg);
    const compact = compactProperty(spec, p.schema, opts);
    const d = oneLine(p.description);
    if (d) compact.description = d;
    if (p.deprecated) compact.description = `(deprecated) ${String(compact.description ?? '')}`.trim();
    properties.set(arg, compact);
    validationProps.set(arg, normalizeForValidation(p.schema, openapi30) as JsonSchema);
    if (p.required) required.push(arg);
    const binding: ParamBinding = { arg, in: p.in, wire: p.name, required: p.required };
    if (p.style) binding.style = p.style as ParamBinding['style'];
    else if (p.in === 'query' && opts.queryObjectStyle === 'deepObject' && objectShape(spec, p.schema).isObject)
      binding.style = 'deepObject';
    if (p.explode !== undefined) binding.explode = p.explode;
    params.push(binding);
  }

  let body: BodyBinding | undefined;
  let streamField: string | undefined;
  let rootAlternatives: JsonSchema[] | undefined;
  if (op.body && (op.body.contentType === 'application/json' || op.body.contentType === 'multipart/form-data')) {
    const contentType = op.body.contentType;
    const shape = objectShape(spec, op.body.schema);
    if (shape.isObject && shape.properties.size) {
      const fields = new Map<string, string>();
      const fileFields: string[] = [];
      // The JSON body's references are usable only if a call can leave out every bytes-only field it requires:
      // otherwise it always goes as multipart, where those references mean nothing.
      const unionOf = (list: Schema[]): Schema => (list.length === 1 && list[0] ? list[0] : { anyOf: list });
      const jsonBody =
        contentType === 'multipart/form-data' &&
        op.body.jsonSchema &&
        [...shape.properties].every(
          ([name, list]) =>
            !(op.body?.required && shape.required.has(name) && isBinary(spec, unionOf(list))) ||
            referenceVariants(spec, unionOf(list), op.body.jsonSchema, name).length > 0,
        )
          ? op.body.jsonSchema
          : undefined;
      for (const [name, schemas] of shape.properties) {
        if (STREAM_FIELDS.includes(name)) {
          if (name === 'stream') streamField = name;
          continue;
        }
        const arg = freeArgName(sanitizeArg(name), 'body', taken);
        taken.add(arg);
        fields.set(arg, name);
        const union = unionOf(schemas);
        const binary = contentType === 'multipart/form-data' ? isBinary(spec, union) : undefined;
        if (binary) {
          fileFields.push(arg);
          const d = oneLine(
            spec.schema(union).description ?? schemas.map((s) => spec.schema(s).description).find(Boolean),
          );
          const refs = referenceVariants(spec, union, jsonBody, name);
          if (refs.length) {
            properties.set(arg, {
              anyOf: [fileArg(binary), ...refs.map((r) => compactProperty(spec, r, opts))],
              description: `${d ? `${d} ` : ''}A file {content, encoding, filename, mime_type?}, or a reference to an existing one: ${refs.map((r) => `{${[...objectShape(spec, r).properties.keys()].join(' | ')}}`).join(' or ')}.`,
            });
            validationProps.set(arg, { anyOf: [fileArg(binary), fullProperty(refs, openapi30)] });
          } else {
            properties.set(arg, fileArg(binary, d ?? ''));
            validationProps.set(arg, fileArg(binary));
          }
        } else {
          properties.set(arg, compactProperty(spec, union, opts));
          validationProps.set(arg, fullProperty(schemas, openapi30));
        }
        if (op.body.required && shape.required.has(name)) required.push(arg);
      }
      body = {
        contentType,
        mode: 'fields',
        fields: Object.fromEntries(fields),
        fileFields,
        required: op.body.required,
      };
      // Where the spec takes JSON too, a call that carries no file goes as JSON, as the official SDK sends it (its
      // multipart is only for bodies with something to upload): a reference instead of a file, or no file field.
      if (jsonBody) body.jsonWithoutFiles = true;
      if (shape.alternatives && op.body.required) {
        const argOf = new Map([...fields].map(([arg, wire]) => [wire, arg]));
        rootAlternatives = shape.alternatives.map((req) => ({ required: req.map((w) => argOf.get(w) ?? w) }));
      }
    } else {
      // Arrays, strings and open unions cannot be flattened: they travel whole as `body`.
      const arg = taken.has('body') ? 'request_body' : 'body';
      properties.set(arg, compactProperty(spec, op.body.schema, opts));
      validationProps.set(arg, normalizeForValidation(op.body.schema, openapi30) as JsonSchema);
      if (op.body.required) required.push(arg);
      body = { contentType, mode: 'wrapped', fields: { [arg]: arg }, fileFields: [], required: op.body.required };
    }
  }

  const inputSchema: JsonSchema = { type: 'object', properties: Object.fromEntries(properties) };
  if (required.length) inputSchema.required = required;
  const validation: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(validationProps),
    additionalProperties: false,
  };
  if (required.length) validation.required = required;
  if (rootAlternatives) validation.anyOf = rootAlternatives;
  const out: ToolSchemas = { inputSchema, validation, params };
  if (body) out.body = body;
  if (streamField) out.streamField = streamField;
  return out;
}
