// link stage: tools that point at other tools: a get tool names the list tool that finds its ids, and an
// asynchronous resource names the tool to poll (or the wait tool to call) and the states it passes through.
import type { Method } from '../../runtime/types.js';
import { canonical } from '../../runtime/contract/validation.js';
import { responseProperties, segmentsOf, waitToolName } from '../util.js';
import type { SpecDocument } from '../load/document.js';
import type { OperationModel } from './model.js';
import { underPrefix, type AsyncHint, type Overrides } from '../load/overrides.js';
import type { WaitTarget } from './wait.js';

export interface LinkInput {
  op: OperationModel;
  method: Method;
  name: string;
}

export interface ToolLinks {
  /** The list tool of the same collection, for "find ids with …". */
  listTool?: string;
  asyncHint?: AsyncHint;
  /** Name of the tool to poll; `null` when the resource has none. */
  pollTool?: string | null;
  /** Status values of the resource, from the `status` enum of its get response (else from the overrides). */
  statuses?: string[];
  /** The generated tool that waits for this resource to reach a terminal state, and what it polls. */
  wait?: { tool: string; pollTool: string; target: WaitTarget };
}

function asyncHintFor(
  op: OperationModel,
  method: Method,
  ov: Overrides,
): { hint: AsyncHint; rest: string[] } | undefined {
  const hits = ov.async.filter((h) => underPrefix(op.path, h.prefix)).sort((a, b) => b.prefix.length - a.prefix.length);
  const hint = hits[0];
  if (!hint) return undefined;
  const rest = segmentsOf(op.path).slice(segmentsOf(hint.prefix).length);
  const [first = ''] = rest;
  // Only the collection itself (create), one item (get/update) and an action on it (cancel…) are about the
  // job's lifecycle; sub-collections such as `/fine_tuning/jobs/{id}/events` are not.
  const relevant =
    (rest.length === 0 && op.verb === 'POST') ||
    (rest.length === 1 && first.startsWith('{') && op.verb === 'GET') ||
    (rest.length === 2 &&
      first.startsWith('{') &&
      op.verb === 'POST' &&
      !['create', 'update', 'delete'].includes(method));
  return relevant ? { hint, rest } : undefined;
}

/** Status values of the resource, read from the `status` enum of the get response. */
export function statusesOf(spec: SpecDocument, op: OperationModel | undefined): string[] | undefined {
  if (!op) return undefined;
  const status = responseProperties(spec, op.success.schema).get('status');
  if (!status) return undefined;
  const s = spec.schema(status).node;
  const values = s.enum ?? s.anyOf?.flatMap((v) => v.enum ?? []);
  const strings = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  return strings.length ? strings : undefined;
}

export function linkTools(spec: SpecDocument, tools: LinkInput[], ov: Overrides): ToolLinks[] {
  const nameOf = new Map(tools.map((t) => [t.op, t.name]));
  // The tool of `method` on `path`, preferring the twin with the same fixed query (`?beta=true`).
  const findTool = (method: Method, path: string, like: OperationModel) => {
    const candidates = tools.filter((t) => t.method === method && t.op.path === path);
    return candidates.find((t) => canonical(t.op.fixedQuery) === canonical(like.fixedQuery)) ?? candidates[0];
  };

  return tools.map(({ op, method }) => {
    const links: ToolLinks = {};
    const segs = segmentsOf(op.path);
    // The list tool of the collection this item belongs to: drop the trailing `{id}`.
    if (method === 'get' && segs[segs.length - 1]?.startsWith('{')) {
      const list = findTool('list', `/${segs.slice(0, -1).join('/')}`, op);
      if (list) links.listTool = list.name;
    }
    const asyncInfo = asyncHintFor(op, method, ov);
    if (asyncInfo) {
      const { hint, rest } = asyncInfo;
      const getPath = rest.length === 1 ? op.path : `${hint.prefix}/${rest[0] ?? ''}`;
      let getTool =
        rest.length === 0
          ? tools.find(
              (t) =>
                t.method === 'get' &&
                segmentsOf(t.op.path).length === segs.length + 1 &&
                t.op.path.startsWith(`${op.path}/{`) &&
                canonical(t.op.fixedQuery) === canonical(op.fixedQuery),
            )?.op
          : findTool('get', getPath, op)?.op;
      const pollTool = hint.poll !== undefined ? hint.poll : getTool ? nameOf.get(getTool) : undefined;
      if (!getTool && pollTool) getTool = tools.find((t) => t.name === pollTool)?.op;
      links.asyncHint = hint;
      if (pollTool !== undefined) links.pollTool = pollTool;
      const known = statusesOf(spec, getTool) ?? hint.statuses;
      const statuses = known && [...known, ...(hint.extraStatuses ?? []).filter((s) => !known.includes(s))];
      if (statuses) links.statuses = statuses;
      // `?beta=true` twins read the same object, so one wait tool (on the plain get) serves both. Deprecated
      // endpoints get no new tools.
      const waitPoll =
        getTool && pollTool && !getTool.deprecated
          ? findTool('get', getTool.path, { ...getTool, fixedQuery: {} })?.name
          : undefined;
      if (waitPoll && statuses?.length)
        links.wait = { tool: waitToolName(waitPoll), pollTool: waitPoll, target: { hint, statuses } };
    }
    return links;
  });
}
