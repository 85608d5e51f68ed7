// Pass after `schema`: make each advertised input schema acceptable to every MCP host, not just valid JSON Schema.
// Hosts map tool schemas onto narrower dialects: OpenAI's function calling refuses an `array` without `items`
// (400 for the whole request), Gemini's function declarations take one `type` per schema and have no
// `additionalProperties`, the MCP Inspector flags `type` arrays and schemas with no keyword at all, and tokenizers
// in their default mode throw on special tokens such as `<|endoftext|>` anywhere in the listing. Only the advertised schema changes: arguments are still
// validated against the full spec schema (`validation.json`), which is also where the missing detail comes from.
import type { JsonSchema } from '../../runtime/types.js';
import { isNode, step, variants, type Defs, type Node } from '../util.js';

/** `<|endoftext|>`, `<|fim_prefix|>`…: what tiktoken and gpt-tokenizer refuse to encode by default. */
export const SPECIAL_TOKEN = /<\|([^<>|]*)\|>/g;

/** Branches used when neither the advertised nor the full schema says what a value is (any JSON value). */
const ANY_VALUE: JsonSchema[] = [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }];

/** Nested arrays deeper than this (array of array of array…) are advertised as arrays of strings. */
const MAX_ITEM_DEPTH = 3;

function valueType(v: unknown): string | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return ['string', 'boolean', 'object'].includes(typeof v) ? typeof v : undefined;
}

/** The JSON types (no `null`) the full-schema nodes allow, as far as their keywords say. */
export function typesOf(nodes: unknown[], defs: Defs): string[] {
  const types = new Set<string>();
  for (const v of variants(nodes, defs)) {
    const declared = Array.isArray(v.type) ? v.type : typeof v.type === 'string' ? [v.type] : [];
    for (const t of declared) if (t !== 'null') types.add(String(t));
    if (declared.length) continue;
    if (v.properties || v.additionalProperties !== undefined) types.add('object');
    if (v.items || v.prefixItems) types.add('array');
    for (const x of Array.isArray(v.enum) ? v.enum : 'const' in v ? [v.const] : []) {
      const t = valueType(x);
      if (t) types.add(t);
    }
  }
  if (types.has('number')) types.delete('integer');
  return [...types].sort();
}

/** An `items` schema for arrays whose advertised form lost it: the item types the full schema allows. */
function itemsFrom(full: unknown[], defs: Defs, depth: number): JsonSchema {
  const items = step(full, defs, 'items');
  const types = typesOf(items, defs);
  if (depth >= MAX_ITEM_DEPTH) return { type: 'string' };
  const branch = (t: string): JsonSchema =>
    t === 'array' ? { type: 'array', items: itemsFrom(items, defs, depth + 1) } : { type: t };
  if (types.length === 0) return { anyOf: ANY_VALUE };
  return types.length === 1 ? branch(types[0]!) : { anyOf: types.map(branch) };
}

function neutralize(text: string): string {
  return text.replace(SPECIAL_TOKEN, (_, name: string) => `the ${name || 'special'} token`);
}

const hasSpecialToken = (v: unknown) => typeof v === 'string' && new RegExp(SPECIAL_TOKEN.source).test(v);

function portableNode(schema: JsonSchema, full: unknown[], defs: Defs, depth: number): JsonSchema {
  const out: Node = { ...schema };

  if (typeof out.description === 'string') out.description = neutralize(out.description);
  if (hasSpecialToken(out.default)) delete out.default;
  if (Array.isArray(out.enum)) {
    const kept = out.enum.filter((x) => !hasSpecialToken(x));
    if (kept.length) out.enum = kept;
    else delete out.enum;
  }

  for (const key of ['properties', 'patternProperties'] as const) {
    if (!isNode(out[key])) continue;
    out[key] = Object.fromEntries(
      Object.entries(out[key]).map(([name, sub]) => [
        name,
        isNode(sub)
          ? portableNode(sub, key === 'properties' ? step(full, defs, { property: name }) : [], defs, depth + 1)
          : sub,
      ]),
    );
  }
  // Gemini refuses the keyword. `false` only matters to validation, which keeps it; a map's value schema is
  // said in words so the model still knows what the values are.
  if ('additionalProperties' in out) {
    const values = out.additionalProperties;
    delete out.additionalProperties;
    const valueTypes = isNode(values) ? typesOf([values], defs) : [];
    if (valueTypes.length && !isNode(out.properties)) {
      const note = `Map of ${valueTypes.join(' | ')} values.`;
      out.description = typeof out.description === 'string' ? `${out.description} ${note}` : note;
    }
  }
  if (isNode(out.items)) out.items = portableNode(out.items, step(full, defs, 'items'), defs, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(out[key]))
      out[key] = (out[key] as JsonSchema[]).map((b) => (isNode(b) ? portableNode(b, full, defs, depth + 1) : b));
  }

  const combinator = ['anyOf', 'oneOf', 'allOf', '$ref', 'const'].some((k) => k in out);
  let types: string[] = Array.isArray(out.type)
    ? (out.type as string[]).filter((t) => t !== 'null')
    : typeof out.type === 'string'
      ? [out.type]
      : [];
  if (!types.length && !combinator) {
    types = typesOf(full, defs);
    if (!types.length && Array.isArray(out.enum))
      types = [...new Set(out.enum.map(valueType).filter((t): t is string => !!t))].sort();
  }

  if (types.length === 1) {
    out.type = types[0];
    if (types[0] === 'array' && !isNode(out.items)) out.items = itemsFrom(full, defs, 0);
  } else if (types.length > 1) {
    // One `type` per schema: the union becomes `anyOf` branches, each enum value going with its own type.
    delete out.type;
    const values = Array.isArray(out.enum) ? out.enum : undefined;
    delete out.enum;
    out.anyOf = types.map((t): JsonSchema => {
      if (t === 'array') return { type: 'array', items: itemsFrom(full, defs, 0) };
      const own = values?.filter((x) => valueType(x) === t || (t === 'number' && valueType(x) === 'integer'));
      return own?.length ? { type: t, enum: own } : { type: t };
    });
  } else if (!combinator) {
    delete out.type;
    out.anyOf = ANY_VALUE;
  }
  return out as JsonSchema;
}

/**
 * The advertised input schema made portable: every array has `items`, every `type` is a single string (unions
 * become `anyOf` below the root), no schema lacks a type, no `additionalProperties`, and no description, default or enum carries a tokenizer
 * special token. `full` is the tool's validation schema and `defs` the shared components its `$ref`s point into.
 */
export function portableInputSchema(advertised: JsonSchema, full: JsonSchema, defs: Defs): JsonSchema {
  const out = portableNode(advertised, [full], defs, 0);
  // A tool without arguments says so the way strict converters need it (OpenAI's strict function calling, the
  // Agents SDK's `convertSchemasToStrict`): `properties: {}` and `additionalProperties: false`. A closed empty object
  // is the one `additionalProperties` every host takes (Gemini CLI sends `parametersJsonSchema`, which allows it).
  if (!isNode(out.properties) || Object.keys(out.properties).length === 0)
    return { ...out, properties: {}, additionalProperties: false };
  return out;
}
