// One internal schema form for both OpenAPI 3.0 and 3.1: JSON Schema 2020-12 as the runtime validator reads it.
// 3.0's `nullable` and boolean `exclusiveMinimum` become their 3.1 spellings; annotations the validator
// never reads are dropped to keep `generated/validation.json` small.
import type { Schema } from './model.js';

/** The `$id` under which the runtime registers the shared component schemas. */
export const DEFS_ID = 'openai-defs';

/** Formats every validator agrees on; the spec also uses `binary`, `int64` and friends, which are not checks. */
const KEPT_FORMATS = new Set(['date-time', 'date', 'email', 'uuid']);

const DROPPED_KEYS = new Set([
  'description', 'title', 'example', 'examples', 'deprecated', 'discriminator', 'externalDocs', 'xml',
  'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding', '$comment', '$schema',
]);

export function componentRef(ref: string): string | undefined {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
  return m ? m[1] : undefined;
}

export function refToDefs(ref: string): string {
  const name = componentRef(ref);
  if (name === undefined) throw new Error(`only component schema references can be bundled, got ${ref}`);
  return `${DEFS_ID}#/$defs/${name}`;
}

function addNull(type: unknown): unknown {
  if (type === undefined) return undefined;
  const list = Array.isArray(type) ? type : [type];
  return list.includes('null') ? list : [...list, 'null'];
}

const isOnlyNullable = (s: unknown) =>
  !!s && typeof s === 'object' && Object.keys(s).every((k) => k === 'nullable' || k === 'description') && (s as Schema).nullable === true;

/**
 * Normalize a schema for validation. `nullable` is rewritten whatever the document's version says:
 * OpenAI's 3.1 documents still carry it in places, and it always means "null is allowed too".
 * `openapi30` turns on the rewrites that would be wrong in 3.1 (boolean `exclusiveMinimum`).
 */
export function normalizeForValidation(schema: unknown, openapi30: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => normalizeForValidation(s, openapi30));
  if (!schema || typeof schema !== 'object') return schema;
  let src = schema as Schema;
  // `allOf: [{$ref: X}, {nullable: true}]` is the 3.0 way to say "X or null".
  let nullableAllOf = false;
  if (Array.isArray(src.allOf) && src.allOf.some(isOnlyNullable)) {
    nullableAllOf = true;
    const rest = src.allOf.filter((m: unknown) => !isOnlyNullable(m));
    src = { ...src, allOf: rest };
    if (rest.length === 1 && Object.keys(src).length === 1) src = rest[0];
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(src)) {
    if (key.startsWith('x-') || DROPPED_KEYS.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = refToDefs(value);
    } else if (key === 'format') {
      if (typeof value === 'string' && KEPT_FORMATS.has(value)) out.format = value;
    } else if (key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'definitions') {
      out[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([k, v]) => [k, normalizeForValidation(v, openapi30)]),
      );
    } else if (key === 'enum' || key === 'const' || key === 'default' || key === 'required') {
      out[key] = value;
    } else {
      out[key] = normalizeForValidation(value, openapi30);
    }
  }
  if (nullableAllOf) return { anyOf: [out, { type: 'null' }] };
  if ('nullable' in out) {
    const nullable = out.nullable === true;
    delete out.nullable;
    if (nullable) {
      if (out.type !== undefined) out.type = addNull(out.type);
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      if (out.type === undefined && (out.$ref || out.anyOf || out.oneOf || out.allOf)) return { anyOf: [{ ...out }, { type: 'null' }] };
    }
  }
  if (openapi30 || typeof out.exclusiveMinimum === 'boolean' || typeof out.exclusiveMaximum === 'boolean') {
    if (out.exclusiveMinimum === true && typeof out.minimum === 'number') {
      out.exclusiveMinimum = out.minimum;
      delete out.minimum;
    } else if (typeof out.exclusiveMinimum === 'boolean') delete out.exclusiveMinimum;
    if (out.exclusiveMaximum === true && typeof out.maximum === 'number') {
      out.exclusiveMaximum = out.maximum;
      delete out.maximum;
    } else if (typeof out.exclusiveMaximum === 'boolean') delete out.exclusiveMaximum;
  }
  return out;
}

/**
 * `$recursiveAnchor`/`$recursiveRef` (JSON Schema 2019-09) appear in OpenAI's filters. Within one component
 * they can only mean "this component", so they become plain `$ref`s: every later stage, and any validator,
 * then sees one kind of reference. Returns a rewritten copy; the input is not touched.
 */
export function resolveRecursiveRefs<T extends Record<string, any>>(doc: T): T {
  const schemas = doc.components?.schemas as Record<string, unknown> | undefined;
  if (!schemas || !JSON.stringify(schemas).includes('$recursiveRef')) return doc;
  const rewrite = (node: unknown, self: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, self));
    if (!node || typeof node !== 'object') return node;
    const out: Schema = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$recursiveAnchor') continue;
      if (k === '$recursiveRef') out.$ref = self;
      else out[k] = rewrite(v, self);
    }
    return out;
  };
  const copy = { ...doc, components: { ...doc.components, schemas: { ...schemas } } };
  for (const [name, schema] of Object.entries(schemas)) {
    if (JSON.stringify(schema).includes('$recursiveRef')) copy.components.schemas[name] = rewrite(schema, `#/components/schemas/${name}`);
  }
  return copy;
}
