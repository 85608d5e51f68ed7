// Which tools a server exposes. Mistyped filter values fail loudly at start-up rather than
// silently exposing nothing (or everything).

import { OptionError, type OptionName } from './option-error.js';
import type { Catalog, CrudMethod, ToolDef } from './contract/catalog.js';

/** Narrows the catalog. Every given criterion must hold (AND); within one criterion any value matches (OR). */
export interface ToolFilter {
  /**
   * `read`, `write`, `custom` (any non-CRUD verb such as `cancel`), or exact method names (`list`, `get`, `cancel`...).
   * A tool matches if it matches any entry.
   */
  methods?: readonly string[];
  /** A tool matches if it has any of these tags (case-insensitive). */
  tags?: readonly string[];
  /** Allow list of exact tool names. */
  tools?: readonly string[];
  /** Tool names to drop. */
  excludeTools?: readonly string[];
}

const CRUD: readonly CrudMethod[] = ['list', 'get', 'create', 'update', 'delete'];
const ACCESS_KEYWORDS = ['read', 'write', 'custom'] as const;

function isCrud(method: string): boolean {
  return (CRUD as readonly string[]).includes(method);
}

/** Edit distance (insert, delete, substitute), for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** How well one typed word matches one word of a name: exact, plural/prefix, or one typo away. */
function wordMatch(a: string, b: string): number {
  if (a === b || a === `${b}s` || b === `${a}s`) return 1;
  if (a.length >= 3 && b.length >= 3 && (a.startsWith(b) || b.startsWith(a))) return 0.8;
  return a.length >= 4 && distance(a, b) <= 1 + Math.floor(a.length / 8) ? 0.6 : 0;
}

/**
 * The valid names closest to `given`, best first. Tool names are long phrases (`list_all_open_ai_files`), so
 * closeness is the share of the typed words found in the name (exactly, as a plural/prefix, or with a typo),
 * ties broken by edit distance; single words (tags, methods) are compared by edit distance alone.
 */
export function closestNames(given: string, valid: readonly string[], max = 5): string[] {
  const g = given.toLowerCase().slice(0, 200);
  const gw = words(g);
  return valid
    .map((v) => {
      const vw = words(v);
      const overlap = gw.length
        ? gw.reduce((sum, w) => sum + Math.max(0, ...vw.map((x) => wordMatch(w, x))), 0) / gw.length
        : 0;
      const d = distance(g, v.toLowerCase());
      const close = d <= Math.max(1, Math.floor(Math.max(g.length, v.length) / 3));
      return { v, overlap, d, keep: overlap >= 0.5 || close };
    })
    .filter((x) => x.keep)
    .sort((a, b) => b.overlap - a.overlap || a.d - b.d || a.v.localeCompare(b.v))
    .slice(0, max)
    .map((x) => x.v);
}

// Short lists (methods, tags) are printed whole; tool names (hundreds) only as the closest matches.
const LIST_ALL_UP_TO = 60;

function unknownValues(
  kind: string,
  option: OptionName,
  given: readonly string[],
  valid: readonly string[],
  normalize: (s: string) => string,
): void {
  const validSet = new Set(valid.map(normalize));
  const bad = given.filter((g) => !validSet.has(normalize(g)));
  if (!bad.length) return;
  const shown = bad.map((b) => (b.length > 200 ? `${b.slice(0, 200)}…` : b));
  const suggestions = [...new Set(bad.flatMap((b) => closestNames(b, valid)))];
  const help =
    valid.length <= LIST_ALL_UP_TO
      ? `Valid ${kind}s: ${[...valid].sort().join(', ')}`
      : suggestions.length
        ? `Closest ${kind}s: ${suggestions.join(', ')} (${valid.length} in all).`
        : `None of the ${valid.length} ${kind}s is close; list them to choose.`;
  throw new OptionError(
    'unknown_value',
    option,
    `Unknown ${kind}${bad.length > 1 ? 's' : ''}: ${shown.join(', ')}. ${help}`,
    {
      unknown: bad,
      suggestions,
    },
  );
}

const lower = (s: string) => s.toLowerCase();
const same = (s: string) => s;

/** Filter values with surrounding spaces and empty entries removed; `undefined` when nothing is left. */
function clean(list: readonly string[] | undefined): string[] | undefined {
  if (!list) return undefined;
  const out = list.map((s) => s.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

/**
 * Returns the catalog's tools that pass the filter.
 * @throws OptionError naming the valid values (or the closest ones) when a method, tag or tool name is unknown, or when nothing is left.
 */
export function selectTools(catalog: Catalog, filter: ToolFilter = {}): ToolDef[] {
  const all = catalog.tools;
  const methods = clean(filter.methods);
  const tags = clean(filter.tags);
  const tools = clean(filter.tools);
  const exclude = clean(filter.excludeTools);

  if (methods) {
    const valid = [...new Set<string>([...ACCESS_KEYWORDS, ...CRUD, ...all.map((t) => t.method)])];
    unknownValues('method', 'methods', methods, valid, lower);
  }
  if (tags) unknownValues('tag', 'tags', tags, [...new Set(all.flatMap((t) => t.tags))], lower);
  const names = all.map((t) => t.name);
  if (tools) unknownValues('tool', 'tools', tools, names, same);
  if (exclude) unknownValues('tool', 'excludeTools', exclude, names, same);

  const methodSet = methods && new Set(methods.map(lower));
  const tagSet = tags && new Set(tags.map(lower));
  const allow = tools && new Set(tools);
  const deny = new Set(exclude ?? []);

  const selected = all.filter((t) => {
    if (deny.has(t.name)) return false;
    if (allow && !allow.has(t.name)) return false;
    if (tagSet && !t.tags.some((tag) => tagSet.has(lower(tag)))) return false;
    if (methodSet) {
      const m = lower(t.method);
      const hit = methodSet.has(m) || methodSet.has(t.access) || (methodSet.has('custom') && !isCrud(m));
      if (!hit) return false;
    }
    return true;
  });

  if (selected.length === 0) {
    const parts = [
      methods && `methods=${methods.join(',')}`,
      tags && `tags=${tags.join(',')}`,
      tools && `tools=${tools.join(',')}`,
      exclude && `excludeTools=${exclude.join(',')}`,
    ].filter(Boolean);
    throw new OptionError(
      'empty_selection',
      tools ? 'tools' : tags ? 'tags' : 'methods',
      `The tool filter (${parts.join(' AND ') || 'none'}) leaves no tools; loosen it.`,
    );
  }
  return selected;
}
