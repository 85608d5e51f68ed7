// JSON Schema → TypeScript type text, for the typed `openai` client (generated/sdk.d.ts, printed by the generator)
// and for code mode's signatures of tools outside the generated catalog (runtime/exposure/code/ts-types.ts): one
// printer, so both read the same types. Covers what the advertised schemas and OpenAI's response schemas
// use: refs, enums/consts, unions, intersections, arrays, objects, nullability (3.0 and 3.1 styles).

import type { JsonSchema } from './catalog.js';

export interface TsTypeOptions {
  /** Type name for a `$ref`; default `unknown` (refs are not followed). */
  refName?: (ref: string) => string;
  /** Multi-line output with property descriptions as JSDoc, indented two spaces per level (no formatter needed). */
  docs?: boolean;
  /** Nesting level of the type being printed, for indentation in `docs` mode. */
  depth?: number;
  /** Printing a member of a union: nested unions stay on one line, the outer one decides. */
  inUnion?: boolean;
  /**
   * Objects nested deeper than this print as `{ … }` (search_docs' compact answers: top-level fields only), unless
   * they are flat and short enough to show inline (INLINE_MAX): a model needs no second search for `{ value; currency }`.
   */
  maxDepth?: number;
}

/** A nested object past `maxDepth` is shown inline when flat and at most this long on one line. */
export const INLINE_MAX = 90;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** One-line unions longer than this are printed one member per line in `docs` mode. */
const MAX_LINE = 100;

export const propertyKey = (k: string) => (IDENT.test(k) ? k : JSON.stringify(k));

/** One-line doc text safe inside a block comment. */
export function docText(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim().replace(/\*\//g, '*\\/');
  if (one.length <= max) return one;
  const cut = one.slice(0, max);
  const sentence = cut.lastIndexOf('. ');
  return sentence > 40 ? cut.slice(0, sentence + 1) : `${cut.slice(0, cut.lastIndexOf(' '))}…`;
}

const pad = (depth: number) => '  '.repeat(depth);

// String literals in single quotes, as the project's formatter writes them.
function literal(v: unknown): string {
  if (typeof v === 'string') return `'${JSON.stringify(v).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  return JSON.stringify(v) ?? 'unknown';
}

function union(parts: string[], opts: TsTypeOptions): string {
  const seen = [...new Set(parts)];
  if (seen.includes('unknown')) return 'unknown';
  if (!seen.length) return 'never';
  const one = seen.join(' | ');
  if (!opts.docs || opts.inUnion || (one.length <= MAX_LINE && !one.includes('\n'))) return one;
  const inner = pad((opts.depth ?? 0) + 1);
  return seen.map((p) => `\n${inner}| ${p}`).join('');
}

const wrap = (t: string) => (/[|&]/.test(t) && !/^[{(]/.test(t.trimStart()) ? `(${t})` : t);

export function tsType(schema: unknown, opts: TsTypeOptions = {}): string {
  if (schema === true || schema === undefined || schema === null) return 'unknown';
  if (schema === false) return 'never';
  const s = schema as JsonSchema;
  let t = base(s, opts);
  if (s.nullable === true && t !== 'unknown') t = union([t, 'null'], { ...opts, inUnion: true });
  return t;
}

function base(s: JsonSchema, opts: TsTypeOptions): string {
  if (typeof s.$ref === 'string') return opts.refName ? opts.refName(s.$ref) : 'unknown';
  if ('const' in s) return literal(s.const);
  if (Array.isArray(s.enum)) return union(s.enum.map(literal), opts);
  const member = { ...opts, inUnion: true };
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alts)) {
    const own = { ...s };
    delete own.anyOf;
    delete own.oneOf;
    const u = union(
      alts.map((a) => tsType(a, member)),
      opts,
    );
    return hasShape(own) ? `${wrap(base(own, opts))} & (${u})` : u;
  }
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((a) => wrap(tsType(a, opts)));
    const own = { ...s };
    delete own.allOf;
    if (hasShape(own)) parts.push(wrap(base(own, opts)));
    return [...new Set(parts)].join(' & ') || 'unknown';
  }
  if (Array.isArray(s.type))
    return union(
      (s.type as string[]).map((ty) => base({ ...s, type: ty }, member)),
      opts,
    );
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${tsType(s.items, opts)}>`;
    case 'object':
      return objectType(s, opts);
    default:
      return s.properties || s.additionalProperties ? objectType(s, opts) : 'unknown';
  }
}

function hasShape(s: JsonSchema): boolean {
  return (
    s.type !== undefined || s.properties !== undefined || s.$ref !== undefined || s.enum !== undefined || 'const' in s
  );
}

function objectType(s: JsonSchema, opts: TsTypeOptions): string {
  const depth = opts.depth ?? 0;
  if (opts.maxDepth !== undefined && depth >= opts.maxDepth && (s.properties || s.additionalProperties)) {
    const flat = objectType(s, { refName: opts.refName, depth, maxDepth: depth + 1 });
    return flat.length <= INLINE_MAX && !flat.slice(1).includes('{') ? flat : '{ … }';
  }
  const inner = { ...opts, depth: depth + 1, inUnion: false };
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  const members = Object.entries(props).map(([k, p]) => {
    const doc =
      opts.docs && typeof p?.description === 'string' && p.description.trim()
        ? `/** ${docText(p.description)} */\n${pad(depth + 1)}`
        : '';
    return `${doc}${propertyKey(k)}${required.has(k) ? '' : '?'}: ${tsType(p, inner)};`;
  });
  const extra = s.additionalProperties;
  if (extra !== undefined && extra !== false && !(members.length && extra === true)) {
    members.push(`[key: string]: ${extra === true ? 'unknown' : tsType(extra, inner)};`);
  }
  if (!members.length) return 'Record<string, unknown>';
  return opts.docs
    ? `{\n${members.map((m) => `${pad(depth + 1)}${m}`).join('\n')}\n${pad(depth)}}`
    : `{ ${members.join(' ')} }`;
}

/** Inline object schemas a schema prints as (through unions, intersections, arrays and nullability; refs not followed). */
function inlineObjects(schema: unknown, out: JsonSchema[] = []): JsonSchema[] {
  if (!schema || typeof schema !== 'object') return out;
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') return out;
  if (s.properties && typeof s.properties === 'object' && Object.keys(s.properties).length) out.push(s);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const alts = s[key];
    if (Array.isArray(alts)) for (const a of alts) inlineObjects(a, out);
  }
  if (s.items !== undefined) inlineObjects(s.items, out);
  return out;
}

/**
 * The fields of a named type whose types hold anonymous objects, by dotted path (`FineTuningJob.error`,
 * `FineTuningJob.hyperparameters`, deeper ones too), each as its documented declaration: what search_docs quotes
 * for `types: ["FineTuningJob.error"]`, where the parent's compact form shows `{ … }`. A field too long to quote
 * whole shows its own fields with theirs as `{ … }` (each of which has its own path). Refs stay names: a named
 * type is expanded by its name.
 */
export function nestedMembers(
  typeName: string,
  schema: unknown,
  refName: (ref: string) => string,
  maxChars: number,
): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (path: string, s: unknown, seen: Set<unknown>) => {
    for (const obj of inlineObjects(s)) {
      if (seen.has(obj)) continue;
      const inner = new Set(seen).add(obj);
      for (const [key, field] of Object.entries((obj.properties ?? {}) as Record<string, JsonSchema>)) {
        if (!inlineObjects(field).length) continue;
        const at = `${path}.${key}`;
        const doc =
          typeof field?.description === 'string' && field.description.trim()
            ? `/** ${docText(field.description)} */\n`
            : '';
        let text = `${doc}${at}: ${tsType(field, { refName, docs: true })};`;
        if (text.length > maxChars) text = `${doc}${at}: ${tsType(field, { refName, maxDepth: 1 })};`;
        // Alternatives of a union declaring the same field differently are each shown.
        out[at] = out[at] && out[at] !== text ? `${out[at]}\n${text}` : text;
        visit(at, field, inner);
      }
    }
  };
  visit(typeName, schema, new Set());
  return out;
}
