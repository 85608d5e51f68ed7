// Finds what changed between two catalogs, tool by tool. It works on `Catalog` alone (never on the spec),
// so a report can compare a committed `generated/catalog.json` with a freshly built one, and so whatever the
// generator decides about names, access and schemas is exactly what gets compared: that is what agents see.
import type { Catalog, ExcludedOperation, JsonSchema, ToolDef } from '../runtime/types.js';
import type {
  AddedTool,
  ArgLocation,
  ExcludedDrift,
  MovedTool,
  RawChange,
  RemovedTool,
  RenamedTool,
  ToolRef,
} from './types.js';

export interface CatalogDiff {
  added: AddedTool[];
  removed: RemovedTool[];
  renamed: RenamedTool[];
  moved: MovedTool[];
  /** Pairs of the same tool on both sides (renamed ones included), old first. */
  pairs: Array<[ToolDef, ToolDef]>;
  changes: RawChange[];
}

export const toolRef = (t: ToolDef): ToolRef => ({
  name: t.name,
  operationId: t.operationId,
  verb: t.http.verb,
  path: displayPath(t),
  access: t.access,
  auth: t.http.auth,
  method: t.method,
});

function displayPath(t: ToolDef): string {
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
const operationTools = (c: Catalog) => c.tools.filter((t) => !t.wait);

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

export function diffCatalogs(from: Catalog, to: Catalog): CatalogDiff {
  const { pairs, removed, added } = matchTools(operationTools(from), operationTools(to));
  const changes: RawChange[] = [];
  const renamed: RenamedTool[] = [];
  const moved: MovedTool[] = [];

  const excludedTo = new Map(to.excluded.map((e) => [e.operationId, e]));
  const excludedFrom = new Map(from.excluded.map((e) => [e.operationId, e]));

  const removedOut: RemovedTool[] = removed.map((t) => {
    const ex = excludedTo.get(t.operationId);
    const r: RemovedTool = { ...toolRef(t), ...(ex ? { excludedReason: ex.reason } : {}) };
    changes.push({
      kind: 'tool-removed',
      tool: t.name,
      operationId: t.operationId,
      from: t.name,
      message: `tool \`${t.name}\` removed (${t.http.verb} ${displayPath(t)})${ex ? `: now excluded by the generator: ${ex.reason}` : ''}`,
    });
    return r;
  });
  const addedOut: AddedTool[] = added.map((t) => {
    const ex = excludedFrom.get(t.operationId);
    changes.push({
      kind: 'tool-added',
      tool: t.name,
      operationId: t.operationId,
      to: t.name,
      detail: { access: t.access, auth: t.http.auth },
      message: `tool \`${t.name}\` added (${t.http.verb} ${displayPath(t)}, ${t.access}${t.http.auth === 'admin' ? ', admin' : ''})`,
    });
    return { ...toolRef(t), ...(ex ? { previouslyExcluded: ex.reason } : {}) };
  });

  for (const [a, b, matchedBy] of pairs) {
    const isMoved = operationKey(a) !== operationKey(b);
    if (matchedBy !== 'name') {
      renamed.push({ from: toolRef(a), to: toolRef(b), matchedBy, moved: isMoved });
      changes.push({
        kind: 'tool-renamed',
        tool: b.name,
        operationId: b.operationId,
        from: a.name,
        to: b.name,
        detail: { matchedBy },
        message: `tool \`${a.name}\` renamed to \`${b.name}\` (same operation, matched by ${matchedBy})`,
      });
    }
    if (isMoved) {
      const fromOp = `${a.http.verb} ${displayPath(a)}`;
      const toOp = `${b.http.verb} ${displayPath(b)}`;
      if (a.operationId === b.operationId) {
        moved.push({ name: b.name, operationId: b.operationId, from: fromOp, to: toOp });
        changes.push({
          kind: 'operation-moved',
          tool: b.name,
          operationId: b.operationId,
          from: fromOp,
          to: toOp,
          message: `operation \`${b.operationId}\` moved: ${fromOp} → ${toOp}`,
        });
      } else {
        // Same name, different operationId *and* endpoint: the name now stands for another operation.
        changes.push({
          kind: 'operation-replaced',
          tool: b.name,
          operationId: b.operationId,
          from: `${a.operationId} (${fromOp})`,
          to: `${b.operationId} (${toOp})`,
          message: `tool \`${b.name}\` now calls a different operation: ${a.operationId} (${fromOp}) → ${b.operationId} (${toOp})`,
        });
      }
    } else if (a.operationId !== b.operationId) {
      changes.push({
        kind: 'operation-id-changed',
        tool: b.name,
        operationId: b.operationId,
        from: a.operationId,
        to: b.operationId,
        message: `operationId \`${a.operationId}\` → \`${b.operationId}\` (same endpoint)`,
      });
    }
    changes.push(...diffTool(a, b));
  }

  return {
    added: addedOut,
    removed: removedOut,
    renamed,
    moved,
    pairs: pairs.map(([a, b]) => [a, b]),
    changes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One tool

const json = (v: unknown) => JSON.stringify(v);
const setEq = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function argLocation(t: ToolDef, arg: string): ArgLocation {
  return t.http.params.find((p) => p.arg === arg)?.in ?? 'body';
}

const argLabel = (arg: string, loc: ArgLocation) =>
  loc === 'body' ? `body field \`${arg}\`` : `parameter \`${arg}\` (${loc})`;

export function diffTool(a: ToolDef, b: ToolDef): RawChange[] {
  const out: RawChange[] = [];
  const base = { tool: b.name, operationId: b.operationId };
  const push = (c: Omit<RawChange, 'tool' | 'operationId'>) => out.push({ ...base, ...c });

  if (a.access !== b.access) {
    push({ kind: 'access-changed', from: a.access, to: b.access, message: `access ${a.access} → ${b.access}` });
  }
  if (a.http.auth !== b.http.auth) {
    push({
      kind: 'auth-changed',
      from: a.http.auth,
      to: b.http.auth,
      message: `auth ${a.http.auth} key → ${b.http.auth} key`,
    });
  }
  const destructiveA = !!a.annotations?.destructiveHint;
  const destructiveB = !!b.annotations?.destructiveHint;
  if (destructiveA !== destructiveB) {
    push({
      kind: 'destructive-changed',
      from: destructiveA,
      to: destructiveB,
      message: destructiveB ? 'now marked destructive (destructiveHint)' : 'no longer marked destructive',
    });
  }
  if (a.method !== b.method) {
    push({ kind: 'method-changed', from: a.method, to: b.method, message: `method \`${a.method}\` → \`${b.method}\`` });
  }
  // The generator derives `admin` and `deprecated` tags from fields reported above; repeating them as tag
  // changes would list the same fact twice.
  const mirrored = new Set([
    ...(a.http.auth !== b.http.auth ? ['admin'] : []),
    ...(a.deprecated !== b.deprecated ? ['deprecated'] : []),
  ]);
  const gained = b.tags.filter((t) => !a.tags.includes(t) && !mirrored.has(t));
  const lost = a.tags.filter((t) => !b.tags.includes(t) && !mirrored.has(t));
  if (gained.length || lost.length) {
    push({
      kind: 'tags-changed',
      from: a.tags,
      to: b.tags,
      detail: { gained, lost },
      message: `tags ${[...gained.map((t) => `+${t}`), ...lost.map((t) => `−${t}`)].join(', ')}`,
    });
  }
  if (a.deprecated !== b.deprecated) {
    push({
      kind: 'deprecated-changed',
      from: a.deprecated,
      to: b.deprecated,
      message: b.deprecated ? 'now deprecated' : 'no longer deprecated',
    });
  }
  if (a.http.response !== b.http.response) {
    push({
      kind: 'response-changed',
      from: a.http.response,
      to: b.http.response,
      message: `response ${a.http.response} → ${b.http.response}`,
    });
  }
  if ((a.http.body?.contentType ?? null) !== (b.http.body?.contentType ?? null)) {
    const f = a.http.body?.contentType ?? 'no body';
    const t = b.http.body?.contentType ?? 'no body';
    push({ kind: 'content-type-changed', from: f, to: t, message: `request body ${f} → ${t}` });
  }
  const pagA = a.pagination ? `${a.pagination.style}:${a.pagination.cursorArg}` : null;
  const pagB = b.pagination ? `${b.pagination.style}:${b.pagination.cursorArg}` : null;
  if (pagA !== pagB) {
    push({
      kind: 'pagination-changed',
      from: pagA,
      to: pagB,
      message: `pagination ${pagA ?? 'none'} → ${pagB ?? 'none'}`,
    });
  }
  if (a.title !== b.title) {
    push({ kind: 'title-changed', from: a.title, to: b.title, message: `title “${a.title}” → “${b.title}”` });
  }
  if (a.description !== b.description) {
    const d = summarizeText(a.description, b.description);
    push({
      kind: 'description-changed',
      from: a.description,
      to: b.description,
      detail: d,
      message: `description changed: ${d.summary}`,
    });
  }

  const before = out.length;
  out.push(...diffInputSchema(a, b));
  const contractChanges = out.slice(before).filter((c) => c.kind !== 'param-description-changed').length;
  // schemaHash covers nested schemas and bindings too; say so when it moved but nothing at the top level did,
  // so a nested change is never silently dropped from the report.
  if (a.schemaHash && b.schemaHash && a.schemaHash !== b.schemaHash && contractChanges === 0) {
    push({
      kind: 'schema-changed',
      from: a.schemaHash,
      to: b.schemaHash,
      message: 'input contract changed below the top level (nested schema or wire binding; see schemaHash)',
    });
  }
  return out;
}

function diffInputSchema(a: ToolDef, b: ToolDef): RawChange[] {
  const out: RawChange[] = [];
  const base = { tool: b.name, operationId: b.operationId };
  const propsA = props(a.inputSchema);
  const propsB = props(b.inputSchema);
  const reqA = new Set(required(a.inputSchema));
  const reqB = new Set(required(b.inputSchema));

  for (const arg of Object.keys(propsA)) {
    if (arg in propsB) continue;
    const location = argLocation(a, arg);
    out.push({
      ...base,
      kind: 'param-removed',
      arg,
      location,
      detail: { wasRequired: reqA.has(arg) },
      message: `${argLabel(arg, location)} removed`,
    });
  }
  for (const arg of Object.keys(propsB)) {
    const location = argLocation(b, arg);
    const label = argLabel(arg, location);
    if (!(arg in propsA)) {
      const isRequired = reqB.has(arg);
      out.push({
        ...base,
        kind: 'param-added',
        arg,
        location,
        detail: { required: isRequired, type: typeList(propsB[arg]) },
        message: `${isRequired ? 'required' : 'optional'} ${label} added${typeSuffix(propsB[arg])}`,
      });
      continue;
    }
    const sa = propsA[arg] ?? {};
    const sb = propsB[arg] ?? {};
    if (reqA.has(arg) !== reqB.has(arg)) {
      out.push({
        ...base,
        kind: reqB.has(arg) ? 'param-required' : 'param-optional',
        arg,
        location,
        message: `${label} ${reqB.has(arg) ? 'optional → required' : 'required → optional'}`,
      });
    }
    const ta = typeList(sa);
    const tb = typeList(sb);
    if (!setEq(ta, tb)) {
      out.push({
        ...base,
        kind: 'param-type',
        arg,
        location,
        from: ta,
        to: tb,
        detail: { widened: typesCover(tb, ta) },
        message: `${label} type ${fmtTypes(ta)} → ${fmtTypes(tb)}`,
      });
    }
    out.push(...diffEnum(base, arg, location, label, enumInfo(sa), enumInfo(sb), false));
    out.push(...diffEnum(base, arg, location, label, enumInfo(items(sa)), enumInfo(items(sb)), true));
    if (json(sa.default) !== json(sb.default)) {
      out.push({
        ...base,
        kind: 'default-changed',
        arg,
        location,
        from: sa.default,
        to: sb.default,
        message: `${label} default ${fmtValue(sa.default)} → ${fmtValue(sb.default)}`,
      });
    }
    if ((sa.description ?? '') !== (sb.description ?? '')) {
      const d = summarizeText(String(sa.description ?? ''), String(sb.description ?? ''));
      out.push({
        ...base,
        kind: 'param-description-changed',
        arg,
        location,
        detail: d,
        message: `${label} description changed: ${d.summary}`,
      });
    }
  }
  return out;
}

function diffEnum(
  base: { tool: string; operationId: string },
  arg: string,
  location: ArgLocation,
  label: string,
  ea: EnumInfo | null,
  eb: EnumInfo | null,
  onItems: boolean,
): RawChange[] {
  const what = onItems ? `${label} item values` : `${label} values`;
  const common = { ...base, arg, location, ...(onItems ? { items: true } : {}) };
  if (!ea && !eb) return [];
  if (!ea && eb) {
    return [
      {
        ...common,
        kind: 'enum-constrained',
        to: eb.values,
        detail: { open: eb.open },
        message: `${what} now limited to ${fmtList(eb.values)}`,
      },
    ];
  }
  if (ea && !eb) {
    return [{ ...common, kind: 'enum-relaxed', from: ea.values, message: `${what} no longer limited to a list` }];
  }
  const out: RawChange[] = [];
  const removed = ea!.values.filter((v) => !eb!.values.includes(v));
  const added = eb!.values.filter((v) => !ea!.values.includes(v));
  if (removed.length) {
    out.push({
      ...common,
      kind: 'enum-removed',
      from: removed,
      detail: { open: eb!.open },
      message: `${what} removed: ${fmtList(removed)}`,
    });
  }
  if (added.length) {
    out.push({ ...common, kind: 'enum-added', to: added, message: `${what} added: ${fmtList(added)}` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema helpers: only what `inputSchema` can hold (the generator inlines everything, no `$ref`).

const isObj = (v: unknown): v is JsonSchema => !!v && typeof v === 'object' && !Array.isArray(v);
const props = (s: JsonSchema): Record<string, JsonSchema> =>
  isObj(s.properties)
    ? (Object.fromEntries(Object.entries(s.properties).filter(([, v]) => isObj(v))) as Record<string, JsonSchema>)
    : {};
const required = (s: JsonSchema): string[] =>
  Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === 'string') : [];
const items = (s: JsonSchema): JsonSchema | undefined => (isObj(s.items) ? s.items : undefined);
const variants = (s: JsonSchema): JsonSchema[] =>
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

interface EnumInfo {
  values: string[];
  /**
   * An "open" enum lists values but also accepts others — OpenAI writes `anyOf: [{type: string}, {enum: [...]}]`
   * for model names — so dropping a listed value rejects nothing.
   */
  open: boolean;
}

function enumInfo(s: JsonSchema | undefined): EnumInfo | null {
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

const fmtTypes = (t: string[]) => (t.length ? t.join(' | ') : 'any');
const typeSuffix = (s: JsonSchema | undefined) => (typeList(s).length ? ` (${fmtTypes(typeList(s))})` : '');
const fmtValue = (v: unknown) => (v === undefined ? 'none' : `\`${JSON.stringify(v)}\``);
function fmtList(values: string[], max = 12): string {
  const shown = values
    .slice(0, max)
    .map((v) => `\`${v}\``)
    .join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

// ---------------------------------------------------------------------------------------------------------------
// Text: a reviewer wants to know *what* a description now says differently, not a character diff.

export type TextSummary = {
  summary: string;
  added: string[];
  removed: string[];
};

const sentences = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z`*[(])/)
    .map((x) => x.trim())
    .filter(Boolean);

export function summarizeText(before: string, after: string): TextSummary {
  const a = sentences(before);
  const b = sentences(after);
  const removed = a.filter((x) => !b.includes(x));
  const added = b.filter((x) => !a.includes(x));
  const parts: string[] = [];
  if (!before.trim()) parts.push(`added (${after.length} chars)`);
  else if (!after.trim()) parts.push('removed');
  else if (!added.length && !removed.length) parts.push('whitespace/formatting only');
  else {
    if (added.length) parts.push(`+${added.length} sentence${added.length > 1 ? 's' : ''}`);
    if (removed.length) parts.push(`−${removed.length} sentence${removed.length > 1 ? 's' : ''}`);
    parts.push(`${before.length} → ${after.length} chars`);
  }
  return { summary: parts.join(', '), added, removed };
}
