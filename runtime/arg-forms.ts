// The listed forms of `generator/stages/strict.ts` undone before validation: a JSON string where the spec takes an open
// object becomes that object, and a `null` that stands for "not given" is dropped. What is validated and sent is then
// what the caller would have sent without strict mode (the official SDK's request for the same call); a caller that
// sends the plain object is unaffected.
import type { ToolDef } from './types.js';
import type { ArgumentIssue } from './validation.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Splits `a.b[].c` into `['a', 'b', '[]', 'c']`. */
function segments(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('.')) {
    const m = /^(.*?)((?:\[\])*)$/.exec(part);
    out.push(m?.[1] ?? part);
    for (let i = 0; i < (m?.[2]?.length ?? 0) / 2; i++) out.push('[]');
  }
  return out;
}

/** What an edit does with the value it was given: keep it, replace it, or drop the property holding it. */
type Edit = (value: unknown, at: string) => { value: unknown } | 'drop';

/** Rewrites what is at `path` (through arrays and objects, copying on the way so the caller's value is untouched). */
function rewrite(value: unknown, segs: string[], at: string, edit: Edit): unknown {
  const [head, ...rest] = segs;
  if (head === undefined) return value;
  if (head === '[]') {
    if (!Array.isArray(value)) return value;
    return value.map((item, i) => {
      const here = `${at}[${i}]`;
      if (rest.length) return rewrite(item, rest, here, edit);
      const done = edit(item, here);
      return done === 'drop' ? item : done.value;
    });
  }
  if (!isObj(value) || !Object.hasOwn(value, head)) return value;
  const here = at ? `${at}.${head}` : head;
  if (rest.length) {
    const next = rewrite(value[head], rest, here, edit);
    return next === value[head] ? value : { ...value, [head]: next };
  }
  const done = edit(value[head], here);
  if (done === 'drop') {
    const { [head]: _absent, ...others } = value;
    return others;
  }
  return done.value === value[head] ? value : { ...value, [head]: done.value };
}

export interface DecodedArgs {
  args: Obj;
  issues: ArgumentIssue[];
}

/** `args` with the tool's listed forms turned back into the spec's; unreadable JSON is an issue naming its path. */
export function decodeArgForms(tool: ToolDef, args: Obj): DecodedArgs {
  const forms = tool.argForms;
  if (!forms) return { args, issues: [] };
  const issues: ArgumentIssue[] = [];
  let out: unknown = args;
  for (const path of forms.nullIsAbsent ?? []) {
    out = rewrite(out, segments(path), '', (v) => (v === null ? 'drop' : { value: v }));
  }
  for (const path of forms.json ?? []) {
    out = rewrite(out, segments(path), '', (v, at) => {
      // Only the text of an object: anything else ("auto", an id) is a value of its own and is left to validation.
      if (typeof v !== 'string' || !v.trimStart().startsWith('{')) return { value: v };
      try {
        const parsed: unknown = JSON.parse(v);
        if (isObj(parsed)) return { value: parsed };
        issues.push({ path: at, message: 'must be a JSON object (or the object itself)' });
      } catch (err) {
        issues.push({ path: at, message: `is not valid JSON: ${(err as Error).message}` });
      }
      return { value: v };
    });
  }
  return { args: out as Obj, issues };
}
