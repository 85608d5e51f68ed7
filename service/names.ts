// Names are labels people read in listings, terminals and audit logs. A name must look like what it is: no control,
// format or separator characters (a newline or U+2028 forges a line, a right-to-left override reorders text), no
// invisible fillers (U+3164, U+115F, U+200B: Default_Ignorable_Code_Point), no spaces but the plain one, and no
// letters of lookalike scripts mixed in (a Cyrillic "а" in "pаyroll"). The script rule is Unicode TS #39's
// "moderately restrictive" level, decided with Unicode property escapes (the engine's own Unicode data); the list
// of script names comes from the package Babel's regexpu uses for the same escapes.

import scriptAliases from 'unicode-match-property-value-ecmascript/data/mappings.js';

const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}\p{Default_Ignorable_Code_Point}]/u;
const ODD_SPACE = /[^\P{Zs} ]/u;
// Characters of every script (digits, punctuation, the plain space) and combining marks that take their base's.
const NEUTRAL = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;

/**
 * Every script the running engine knows, each with its Script_Extensions test. Built on the first name checked,
 * not at import: ~170 Unicode-property regexes are a measurable part of a process start that never checks a name.
 */
let scripts: { name: string; test: RegExp }[] | undefined;
const allScripts = (): { name: string; test: RegExp }[] =>
  (scripts ??= (() => {
    const values = new Set((scriptAliases as Map<string, Map<string, string>>).get('Script')?.values() ?? []);
    const out: { name: string; test: RegExp }[] = [];
    for (const name of values) {
      if (name === 'Common' || name === 'Inherited') continue;
      try {
        out.push({ name, test: new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u') });
      } catch {
        // A script newer than this engine's Unicode data, or an alias the engine does not take as a value.
      }
    }
    return out;
  })());

// UTS #39 §5.2: Latin may join Han with the Japanese kana, with Bopomofo, or with Hangul.
const CJK_SETS = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];
// …and Latin one other script, unless that script has letters that pass for Latin ones.
const LATIN_LOOKALIKES = new Set(['Cyrillic', 'Greek']);

const cache = new Map<number, readonly string[]>();
function scriptsOf(ch: string): readonly string[] {
  const cp = ch.codePointAt(0)!;
  let hit = cache.get(cp);
  if (!hit) {
    hit = NEUTRAL.test(ch)
      ? []
      : allScripts()
          .filter((s) => s.test.test(ch))
          .map((s) => s.name);
    if (cache.size < 10_000) cache.set(cp, hit);
  }
  return hit;
}

/** Why a name would mislead a reader, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (FORBIDDEN.test(name)) return 'must not contain control, format, separator or invisible characters';
  if (ODD_SPACE.test(name)) return 'must not contain spaces other than U+0020';
  const sets = [...name].map(scriptsOf).filter((s) => s.length > 0);
  if (sets.length < 2) return undefined;
  const fits = (allowed: readonly string[]) => sets.every((s) => s.some((x) => allowed.includes(x)));
  // One script for all (Script_Extensions lets a shared character count for each of its scripts).
  if (sets[0]!.some((x) => fits([x]))) return undefined;
  if (CJK_SETS.some(fits)) return undefined;
  const others = new Set(sets.filter((s) => !s.includes('Latin')).flatMap((s) => s.slice(0, 1)));
  if (others.size === 1 && ![...others].some((o) => LATIN_LOOKALIKES.has(o)) && fits(['Latin', ...others]))
    return undefined;
  const named = [...new Set(sets.map((s) => s[0]!))].slice(0, 4).join(', ');
  return `must not mix letters of scripts that look alike (${named}); write it in one script`;
}
