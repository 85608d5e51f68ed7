// Finds what changed between two catalogs, tool by tool. It works on `Catalog` alone (never on the spec),
// so a report can compare a committed `generated/catalog.json` with a freshly built one, and so whatever the
// generator decides about names, access and schemas is exactly what gets compared: that is what agents see.
// Matching the tools is match.ts's, the schema helpers are schema-types.ts's, text summaries text.ts's.
import type { Catalog, ToolDef } from '../runtime/types.js';
import type { AddedTool, ArgLocation, MovedTool, RawChange, RemovedTool, RenamedTool } from './types.js';

import { displayPath, operationKey, operationTools, matchTools, toolRef } from './match.js';
import {
  type EnumInfo,
  enumInfo,
  fmtList,
  fmtTypes,
  fmtValue,
  items,
  props,
  required,
  typeList,
  typeSuffix,
  typesCover,
} from './schema-types.js';
import { summarizeText } from './text.js';

export { diffExcluded, matchTools, operationKey, toolRef } from './match.js';
export { typeList, typesCover } from './schema-types.js';
export { type TextSummary, summarizeText } from './text.js';

export interface CatalogDiff {
  added: AddedTool[];
  removed: RemovedTool[];
  renamed: RenamedTool[];
  moved: MovedTool[];
  /** Pairs of the same tool on both sides (renamed ones included), old first. */
  pairs: Array<[ToolDef, ToolDef]>;
  changes: RawChange[];
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
