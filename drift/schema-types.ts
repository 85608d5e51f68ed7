// Schema helpers for comparing two tools' arguments: only what `inputSchema` can hold (the generator inlines
// everything, no `$ref`), and how types, values and lists are named in a change's message.
import type { JsonSchema } from '../runtime/types.js';

export const isObj = (v: unknown): v is JsonSchema => !!v && typeof v === 'object' && !Array.isArray(v);
export const props = (s: JsonSchema): Record<string, JsonSchema> =>
  isObj(s.properties)
    ? (Object.fromEntries(Object.entries(s.properties).filter(([, v]) => isObj(v))) as Record<string, JsonSchema>)
    : {};
export const required = (s: JsonSchema): string[] =>
  Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === 'string') : [];
export const items = (s: JsonSchema): JsonSchema | undefined => (isObj(s.items) ? s.items : undefined);
export const variants = (s: JsonSchema): JsonSchema[] =>
  [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])].filter(isObj);

/** The JSON types a schema admits, sorted; `[]` means unconstrained. */
export function typeList(s: JsonSchema | undefined): string[] {
  if (!s) return [];
  const set = new Set<string>();
  if (typeof s.type === 'string') set.add(s.type);
  else if (Array.isArray(s.type)) {
    for (const t of s.type) if (typeof t === 'string') set.add(t);
  } else {
    const vs = variants(s);
    if (vs.length) {
      for (const v of vs) {
        const t = typeList(v);
        // One unconstrained branch makes the whole union unconstrained.
        if (!t.length) return [];
        for (const x of t) set.add(x);
      }
    } else if ('const' in s || Array.isArray(s.enum)) {
      const values = 'const' in s ? [s.const] : (s.enum as unknown[]);
      for (const v of values) set.add(v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v);
    } else if (isObj(s.properties)) set.add('object');
    else if (s.items !== undefined) set.add('array');
  }
  return [...set].sort();
}

/** True when every value `inner` admits, `outer` admits too: `[]` admits anything; `number` admits `integer`. */
export function typesCover(outer: string[], inner: string[]): boolean {
  if (!outer.length) return true;
  if (!inner.length) return false;
  return inner.every((t) => outer.includes(t) || (t === 'integer' && outer.includes('number')));
}

export interface EnumInfo {
  values: string[];
  /**
   * An "open" enum lists values but also accepts others — OpenAI writes `anyOf: [{type: string}, {enum: [...]}]`
   * for model names — so dropping a listed value rejects nothing.
   */
  open: boolean;
}

export function enumInfo(s: JsonSchema | undefined): EnumInfo | null {
  if (!s) return null;
  const fmt = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (Array.isArray(s.enum)) return { values: s.enum.map(fmt), open: false };
  if ('const' in s) return { values: [fmt(s.const)], open: false };
  const vs = variants(s);
  if (!vs.length) return null;
  const values: string[] = [];
  let open = false;
  let any = false;
  for (const v of vs) {
    const e = enumInfo(v);
    if (e) {
      any = true;
      values.push(...e.values.filter((x) => !values.includes(x)));
      open ||= e.open;
    } else if (!(v.type === 'null')) open = true;
  }
  return any ? { values, open } : null;
}

export const fmtTypes = (t: string[]) => (t.length ? t.join(' | ') : 'any');
export const typeSuffix = (s: JsonSchema | undefined) => (typeList(s).length ? ` (${fmtTypes(typeList(s))})` : '');
export const fmtValue = (v: unknown) => (v === undefined ? 'none' : `\`${JSON.stringify(v)}\``);
export function fmtList(values: string[], max = 12): string {
  const shown = values
    .slice(0, max)
    .map((v) => `\`${v}\``)
    .join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}
