// The one place schemas are normalized: JSON Schema 2020-12 as the runtime validator reads it, for both
// OpenAPI 3.0 and 3.1. 3.0's `nullable` and boolean `exclusiveMinimum` become their 3.1 spellings,
// `$recursiveRef` becomes a plain `$ref`, and annotations the validator never reads are dropped to keep
// `generated/validation.json` small. The runtime trusts the result and compiles it as it is.
import { DEF_REF_PREFIX } from '../../runtime/contract/validation.js';
import type { JsonSchema, ValidationBundle } from '../../runtime/types.js';
import { componentRef, escapePointer, type OpenApiDocument, type Schema, type SpecDocument } from './document.js';

/** Formats every validator agrees on; the spec also uses `binary`, `int64` and friends, which are not checks. */
const KEPT_FORMATS = new Set(['date-time', 'date', 'email', 'uuid']);

const DROPPED_KEYS = new Set([
  'description',
  'title',
  'example',
  'examples',
  'deprecated',
  'discriminator',
  'externalDocs',
  'xml',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
  '$comment',
  '$schema',
]);

/** Keywords whose value is a mapping from names (not keywords) to schemas. */
const NAMED_SCHEMAS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is data, not schema. */
const DATA_KEYS = new Set(['enum', 'const', 'default', 'required', 'dependentRequired']);

/** A component reference, rewritten to point into the validation bundle's `$defs`. */
export function refToDefs(ref: string): string {
  const name = componentRef(ref);
  if (name === undefined) throw new Error(`only component schema references can be bundled, got ${ref}`);
  return `${DEF_REF_PREFIX}${escapePointer(name)}`;
}

function addNull(type: unknown): unknown {
  if (type === undefined) return undefined;
  const list = Array.isArray(type) ? type : [type];
  return list.includes('null') ? list : [...list, 'null'];
}

const isOnlyNullable = (s: unknown) =>
  !!s &&
  typeof s === 'object' &&
  Object.keys(s).every((k) => k === 'nullable' || k === 'description') &&
  (s as Schema).nullable === true;

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
    const rest = src.allOf.filter((m) => !isOnlyNullable(m));
    src = { ...src, allOf: rest };
    if (rest.length === 1 && rest[0] && Object.keys(src).length === 1) src = rest[0];
  }
  // Entries, not assignments: a keyword or property named `__proto__` stays a key.
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(src)) {
    if (key.startsWith('x-') || DROPPED_KEYS.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') entries.push(['$ref', refToDefs(value)]);
    else if (key === 'format') {
      if (typeof value === 'string' && KEPT_FORMATS.has(value)) entries.push([key, value]);
    } else if (NAMED_SCHEMAS.has(key) && value && typeof value === 'object') {
      entries.push([
        key,
        Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeForValidation(v, openapi30)])),
      ]);
    } else if (key === 'required' && Array.isArray(value)) {
      // Draft 2020-12 forbids repeats, and one bad component would make ajv refuse the whole shared $defs
      // (the 2026-08-21 spec lists five of ContainerResource's required names twice).
      entries.push([key, [...new Set(value)]]);
    } else if (DATA_KEYS.has(key)) entries.push([key, value]);
    else entries.push([key, normalizeForValidation(value, openapi30)]);
  }
  const out: JsonSchema = Object.fromEntries(entries);
  // OpenAI writes `oneOf` where it means "any of": a Responses input message `{role, content: [{type:
  // 'input_text', …}]}` fits both EasyInputMessage and InputMessage, so "exactly one" would refuse the most common
  // call. OpenAI validates the request itself; here a value only has to fit one of the shapes.
  if (Object.hasOwn(out, 'oneOf')) {
    const alternatives = out.oneOf;
    delete out.oneOf;
    if (!Object.hasOwn(out, 'anyOf')) out.anyOf = alternatives;
    else out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), { anyOf: alternatives }];
  }
  if (nullableAllOf) return { anyOf: [out, { type: 'null' }] };
  if (Object.hasOwn(out, 'nullable')) {
    const nullable = out.nullable === true;
    delete out.nullable;
    if (nullable) {
      if (out.type !== undefined) out.type = addNull(out.type);
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      if (out.type === undefined && (out.$ref || out.anyOf || out.oneOf || out.allOf))
        return { anyOf: [{ ...out }, { type: 'null' }] };
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
export function resolveRecursiveRefs(doc: OpenApiDocument): OpenApiDocument {
  const schemas = doc.components?.schemas as Record<string, unknown> | undefined;
  if (!schemas || !JSON.stringify(schemas).includes('$recursiveRef')) return doc;
  const rewrite = (node: unknown, self: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, self));
    if (!node || typeof node !== 'object') return node;
    const entries: [string, unknown][] = [];
    for (const [k, v] of Object.entries(node)) {
      if (k === '$recursiveAnchor') continue;
      if (k === '$recursiveRef') entries.push(['$ref', self]);
      else entries.push([k, rewrite(v, self)]);
    }
    return Object.fromEntries(entries);
  };
  const rewritten = Object.entries(schemas).map(([name, schema]) =>
    JSON.stringify(schema).includes('$recursiveRef')
      ? [name, rewrite(schema, `#/components/schemas/${escapePointer(name)}`)]
      : [name, schema],
  );
  return { ...doc, components: { ...doc.components, schemas: Object.fromEntries(rewritten) } } as OpenApiDocument;
}

/** Component names reachable from a set of schemas, so the bundle can skip the ones no tool uses. */
export function reachableDefs(roots: unknown[], defs: Map<string, JsonSchema>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  const prefix = DEF_REF_PREFIX;
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') {
          if (!v.startsWith(prefix)) continue;
          const name = componentRef(`#/components/schemas/${v.slice(prefix.length)}`);
          const def = name === undefined ? undefined : defs.get(name);
          if (name !== undefined && def && !seen.has(name)) {
            seen.add(name);
            stack.push(def);
          }
        } else if (typeof v === 'object') stack.push(v);
      }
    }
  }
  return seen;
}

/** Every component schema of the document, normalized for validation, by name. */
export function componentDefs(spec: SpecDocument): Map<string, JsonSchema> {
  const defs = new Map<string, JsonSchema>();
  for (const [name, schema] of spec.componentSchemas())
    defs.set(name, normalizeForValidation(schema, spec.openapi30) as JsonSchema);
  return defs;
}

/** The validation bundle: each tool's schema, and the components (from `componentDefs`) some tool reaches. */
export function validationBundle(defs: Map<string, JsonSchema>, tools: Map<string, JsonSchema>): ValidationBundle {
  const used = reachableDefs([...tools.values()], defs);
  const sortedNames = [...used].sort();
  return {
    $defs: Object.fromEntries(sortedNames.map((n) => [n, defs.get(n) as JsonSchema])),
    tools: Object.fromEntries([...tools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
