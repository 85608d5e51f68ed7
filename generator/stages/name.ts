// name stage: Truto-style tool names, derived from the path so that they read like the REST resource.
//   list   -> list_all_open_ai_<plural>          get    -> get_single_open_ai_<singular>_by_id
//   create -> create_a_open_ai_<singular>        update -> update_a_open_ai_<singular>_by_id
//   delete -> delete_a_open_ai_<singular>_by_id  custom -> open_ai_<plural>_<method>
import { createHash } from 'node:crypto';
import pluralize from 'pluralize';
import { TOOL_NAME_BUDGET, type Method } from '../../runtime/types.js';
import { SpecError } from '../errors.js';
import type { OperationModel } from './model.js';
import { segmentsOf } from './classify.js';

export const NAME_RE = /^[a-z0-9_]{1,64}$/;
/** Longest tool name: `mcp__` + a server name of up to 9 characters + `__` + 48 = 64 (see runtime/types.ts). */
export const NAME_BUDGET = TOOL_NAME_BUDGET;
const INTEGRATION = 'open_ai';

const snake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();

/** Singularize only the last word of a snake_case compound: `api_keys` -> `api_key`, `fine_tuning` stays. */
export function singular(word: string): string {
  const parts = word.split('_');
  parts[parts.length - 1] = pluralize.singular(parts[parts.length - 1]!);
  return parts.join('_');
}

export function plural(word: string): string {
  const parts = word.split('_');
  parts[parts.length - 1] = pluralize.plural(parts[parts.length - 1]!);
  return parts.join('_');
}

export interface ResourceName {
  /** Words of the resource, parents already singular, last word as written in the path (usually plural). */
  words: string[];
  /** True when a namespace segment was dropped; used to resolve clashes. */
  droppedNamespaces: string[];
}

/**
 * The resource is every static segment, minus namespaces and the action segment. Parents are singular
 * (`/organization/projects/{project_id}/api_keys` -> `project`, `api_keys`), because "the api keys of a
 * project" reads as `project_api_keys`.
 */
export function resourceOf(
  path: string,
  namespaces: string[],
  actionSegment?: string,
  keepNamespaces = false,
): ResourceName {
  const segs = segmentsOf(path);
  if (actionSegment && segs[segs.length - 1] === actionSegment) segs.pop();
  const statics = segs.filter((s) => !s.startsWith('{'));
  const droppable = statics.filter((s) => namespaces.includes(s));
  // On a clash only the innermost namespace comes back: `usage_vector_stores`, not `organization_usage_vector_stores`.
  const restored = keepNamespaces ? droppable[droppable.length - 1] : undefined;
  const dropped = droppable.filter((s) => s !== restored);
  const kept = statics.filter((s) => !dropped.includes(s));
  const words = kept.map((s, i) => (i < kept.length - 1 ? singular(snake(s)) : snake(s)));
  return { words: words.length ? words : statics.map(snake), droppedNamespaces: dropped };
}

const hasIdParam = (path: string) => segmentsOf(path).some((s) => s.startsWith('{'));

export function toolName(method: Method, res: ResourceName, path: string, suffix: string[] = []): string {
  const base = res.words.join('_');
  const last = res.words[res.words.length - 1] ?? '';
  const one = [...res.words.slice(0, -1), singular(last)].join('_');
  const many = [...res.words.slice(0, -1), last === singular(last) && method === 'list' ? plural(last) : last].join(
    '_',
  );
  const byId = hasIdParam(path) ? '_by_id' : '';
  let name: string;
  switch (method) {
    case 'list':
      name = `list_all_${INTEGRATION}_${many}`;
      break;
    case 'get':
      name = `get_single_${INTEGRATION}_${one}${byId}`;
      break;
    case 'create':
      name = `create_a_${INTEGRATION}_${one}`;
      break;
    case 'update':
      name = `update_a_${INTEGRATION}_${one}${byId}`;
      break;
    case 'delete':
      name = `delete_a_${INTEGRATION}_${one}${byId}`;
      break;
    default:
      name = `${INTEGRATION}_${base}_${snake(method)}`;
  }
  return [name, ...suffix].join('_');
}

/**
 * The shortening rule, applied to a name over NAME_BUDGET only, one step at a time until it fits (each step keeps
 * the ones before it). Every step reads the name alone, so a name changes only when its own long form does: a
 * name within the budget is never touched, and a spec update cannot rename a tool whose operation did not change.
 *  1. the verb loses its filler word: `list_all_` → `list_`, `get_single_` → `get_`, `create_a_`, `update_a_`,
 *     `delete_a_` → `create_`, `update_`, `delete_`;
 *  2. `_by_id` goes (the id argument stays);
 *  3. the integration word `open_ai_` goes (the host's server prefix already says OpenAI);
 *  4. the name is cut at a word boundary and ends in `_` + the first 8 hex digits of the sha256 of the long name.
 */
export const SHORTENING_STEPS: ReadonlyArray<(name: string) => string> = [
  (n) => n.replace(/^(list)_all_|^(get)_single_|^(create|update|delete)_a_/, '$1$2$3_'),
  (n) => n.replace(/_by_id(?=_|$)/, ''),
  (n) => n.replace(/(^|_)open_ai_/, '$1'),
];

/**
 * Step 4: `head` (the name after steps 1-3) cut at a word boundary, plus a hash of the long name that keeps apart two
 * names with the same head; always within `budget`.
 */
export function hashedName(longName: string, head = longName, budget = NAME_BUDGET): string {
  const hash = createHash('sha256').update(longName).digest('hex').slice(0, 8);
  const room = budget - hash.length - 1;
  const cut = head.slice(0, room + 1);
  const word = cut.lastIndexOf('_');
  const kept = (word > room / 2 ? cut.slice(0, word) : cut.slice(0, room)).replace(/_+$/, '');
  return `${kept}_${hash}`;
}

/** A name within the budget, by SHORTENING_STEPS; a name already within it comes back unchanged. */
export function fitName(longName: string, budget = NAME_BUDGET): string {
  let name = longName;
  for (const step of SHORTENING_STEPS) {
    if (name.length <= budget) return name;
    name = step(name);
  }
  return name.length <= budget ? name : hashedName(longName, name, budget);
}

export interface NamingInput {
  op: OperationModel;
  method: Method;
  actionSegment?: string;
  /** Explicit name from overrides. */
  override?: string;
}

export interface NameClash {
  name: string;
  operations: string[];
  resolution: string;
}

/**
 * Names for all operations at once, because clashes can only be seen together. Every rule is
 * order-independent, so a tool's name changes only when its own operation (or its clash partner) does:
 *  1. operations whose path key carries a fixed query (`?beta=true`) always get it as a suffix (`_beta`);
 *  2. if two operations still share a name, those that lost namespace segments get them back
 *     (`/organization/usage/vector_stores` -> `list_all_open_ai_usage_vector_stores`);
 *  3. anything left is an error that must be fixed with a name override in specs/overrides.yaml.
 */
export function nameAll(inputs: NamingInput[], namespaces: string[]): { names: string[]; clashes: NameClash[] } {
  const suffixOf = (op: OperationModel) => Object.keys(op.fixedQuery).sort().map(snake);
  const first = inputs.map((i) => {
    if (i.override) return i.override;
    return toolName(i.method, resourceOf(i.op.path, namespaces, i.actionSegment), i.op.path, suffixOf(i.op));
  });
  const clashes: NameClash[] = [];
  const groups = new Map<string, number[]>();
  first.forEach((n, idx) => {
    groups.set(n, [...(groups.get(n) ?? []), idx]);
  });
  const names = [...first];
  for (const [name, idxs] of groups) {
    if (idxs.length < 2) continue;
    const renamed: string[] = [];
    for (const idx of idxs) {
      const i = inputs[idx]!;
      if (i.override) continue;
      const res = resourceOf(i.op.path, namespaces, i.actionSegment);
      if (res.droppedNamespaces.length) {
        names[idx] = toolName(
          i.method,
          resourceOf(i.op.path, namespaces, i.actionSegment, true),
          i.op.path,
          suffixOf(i.op),
        );
        renamed.push(`${i.op.operationId} -> ${names[idx]}`);
      }
    }
    clashes.push({
      name,
      operations: idxs.map((i) => inputs[i]!.op.operationId),
      resolution: renamed.length ? `kept namespace segments: ${renamed.join(', ')}` : 'unresolved',
    });
  }
  // An override is a decision someone wrote down: it is checked against the budget, never shortened.
  const shortened = names.map((n, idx) => (inputs[idx]!.override ? n : fitName(n)));
  // A shortened name that lands on another tool's name takes the hashed form of its own long name (the unshortened
  // one keeps its name), so the outcome does not depend on the order of the operations.
  const count = new Map<string, number>();
  for (const n of shortened) count.set(n, (count.get(n) ?? 0) + 1);
  const final = shortened.map((n, idx) =>
    n !== names[idx] && (count.get(n) ?? 0) > 1 ? hashedName(names[idx]!, n) : n,
  );
  const seen = new Map<string, string>();
  final.forEach((n, idx) => {
    const opId = inputs[idx]!.op.operationId;
    if (!NAME_RE.test(n))
      throw new SpecError(`${inputs[idx]!.op.pointer}: tool name "${n}" does not match ${NAME_RE}`, 'SPEC_NAME');
    checkBudget(n, `operations.${opId}.name in specs/overrides.yaml`);
    const other = seen.get(n);
    if (other) {
      throw new SpecError(
        `duplicate tool name "${n}" for operations ${other} and ${opId}: add a name override for one of them under ` +
          `operations.<operationId>.name in specs/overrides.yaml`,
        'SPEC_NAME',
      );
    }
    seen.set(n, opId);
  });
  return { names: final, clashes };
}

/** The generate-time check: every tool name (wait tools and overrides included) within NAME_BUDGET. */
export function checkBudget(name: string, where: string): void {
  if (name.length > NAME_BUDGET) {
    throw new SpecError(
      `tool name "${name}" is ${name.length} characters, over the budget of ${NAME_BUDGET} ` +
        `(mcp__<server>__<tool> must fit 64); shorten it in ${where}`,
      'SPEC_NAME',
    );
  }
}
