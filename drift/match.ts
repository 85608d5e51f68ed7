// Which tool of one catalog is which of the other: by operation (verb and path), then by operationId, then by name,
// so a renamed or moved tool is one change and not a removal plus an addition. Wait tools are left out.
import type { Catalog, ExcludedOperation, ToolDef } from '../runtime/types.js';
import type { ExcludedDrift, RenamedTool, ToolRef } from './types.js';

export const toolRef = (t: ToolDef): ToolRef => ({
  name: t.name,
  operationId: t.operationId,
  verb: t.http.verb,
  path: displayPath(t),
  access: t.access,
  auth: t.http.auth,
  method: t.method,
});

export function displayPath(t: ToolDef): string {
  const q = Object.entries(t.http.fixedQuery ?? {});
  return q.length ? `${t.http.path}?${q.map(([k, v]) => `${k}=${v}`).join('&')}` : t.http.path;
}

/**
 * The operation's identity on the wire. Path parameters are blanked because `http.path` names them after the
 * tool *argument*, which the generator may rename (e.g. on a collision) without the endpoint moving.
 */
export function operationKey(t: { http: ToolDef['http'] }): string {
  const q = Object.entries(t.http.fixedQuery ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return `${t.http.verb} ${t.http.path.replace(/\{[^}]*\}/g, '{}')}${q.length ? `?${q.join('&')}` : ''}`;
}

/** Index items by key, dropping keys that occur twice: an ambiguous key must not produce a match. */
function uniqueIndex<T>(items: T[], key: (t: T) => string): Map<string, T> {
  const seen = new Map<string, T | null>();
  for (const item of items) {
    const k = key(item);
    seen.set(k, seen.has(k) ? null : item);
  }
  return new Map([...seen].filter((e): e is [string, T] => e[1] !== null));
}

/**
 * Pairs old and new tools. The name comes first because it is the agent's handle on a tool; then, among what is
 * left, the operationId (the spec author's stable identity, survives a path change = "moved"), then verb+path
 * (survives an operationId rewrite). Whatever matched on the second or third pass has a new name = "renamed".
 */
export function matchTools(from: ToolDef[], to: ToolDef[]) {
  const toByName = new Map(to.map((t) => [t.name, t]));
  const pairs: Array<[ToolDef, ToolDef, RenamedTool['matchedBy'] | 'name']> = [];
  let restFrom: ToolDef[] = [];
  const usedTo = new Set<ToolDef>();
  for (const t of from) {
    const other = toByName.get(t.name);
    if (other) {
      pairs.push([t, other, 'name']);
      usedTo.add(other);
    } else restFrom.push(t);
  }
  let restTo = to.filter((t) => !usedTo.has(t));
  for (const [matchedBy, key] of [
    ['operationId', (t: ToolDef) => t.operationId],
    ['verb+path', operationKey],
  ] as const) {
    const index = uniqueIndex(restTo, key);
    const fromIndex = uniqueIndex(restFrom, key);
    const next: ToolDef[] = [];
    for (const t of restFrom) {
      const other = fromIndex.get(key(t)) === t ? index.get(key(t)) : undefined;
      if (other && !usedTo.has(other)) {
        pairs.push([t, other, matchedBy]);
        usedTo.add(other);
      } else next.push(t);
    }
    restFrom = next;
    restTo = restTo.filter((t) => !usedTo.has(t));
  }
  return { pairs, removed: restFrom, added: restTo };
}

// Wait tools are derived from a get tool and specs/overrides.yaml, not from an operation of their own: a change to
// one shows on the get tool it polls, and counting them would report every async resource twice.
export const operationTools = (c: Catalog) => c.tools.filter((t) => !t.wait);

/** Excluded operations new in `to` or gone from it, leaving out those that are a tool on the other side. */
export function diffExcluded(from: Catalog, to: Catalog): ExcludedDrift {
  const ids = (list: { operationId: string }[]) => new Set(list.map((e) => e.operationId));
  const fromExcluded = ids(from.excluded);
  const toExcluded = ids(to.excluded);
  const fromTools = ids(from.tools);
  const toTools = ids(to.tools);
  const byId = (a: ExcludedOperation, b: ExcludedOperation) => a.operationId.localeCompare(b.operationId);
  return {
    added: to.excluded.filter((e) => !fromExcluded.has(e.operationId) && !fromTools.has(e.operationId)).sort(byId),
    removed: from.excluded.filter((e) => !toExcluded.has(e.operationId) && !toTools.has(e.operationId)).sort(byId),
  };
}
