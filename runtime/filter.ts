// Which tools a server exposes. Mistyped filter values fail loudly at start-up rather than
// silently exposing nothing (or everything).

import type { Catalog, CrudMethod, ToolDef } from './types.js';

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

function unknownValues(kind: string, given: readonly string[], valid: readonly string[], normalize: (s: string) => string): void {
  const validSet = new Set(valid.map(normalize));
  const bad = given.filter((g) => !validSet.has(normalize(g)));
  if (bad.length) {
    throw new Error(`Unknown ${kind}${bad.length > 1 ? 's' : ''}: ${bad.join(', ')}. Valid ${kind}s: ${[...valid].sort().join(', ')}`);
  }
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
 * @throws Error naming the valid values when a method, tag or tool name is unknown, or when nothing is left.
 */
export function selectTools(catalog: Catalog, filter: ToolFilter = {}): ToolDef[] {
  const all = catalog.tools;
  const methods = clean(filter.methods);
  const tags = clean(filter.tags);
  const tools = clean(filter.tools);
  const exclude = clean(filter.excludeTools);

  if (methods) {
    const valid = [...new Set<string>([...ACCESS_KEYWORDS, ...CRUD, ...all.map((t) => t.method)])];
    unknownValues('method', methods, valid, lower);
  }
  if (tags) unknownValues('tag', tags, [...new Set(all.flatMap((t) => t.tags))], lower);
  const names = all.map((t) => t.name);
  if (tools) unknownValues('tool', tools, names, same);
  if (exclude) unknownValues('tool', exclude, names, same);

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
    throw new Error(`The tool filter (${parts.join(' AND ') || 'none'}) leaves no tools; loosen it.`);
  }
  return selected;
}
