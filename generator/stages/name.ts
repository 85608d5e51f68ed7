import pluralize from 'pluralize';
import type { Method } from '../../runtime/types.js';
import { SpecError } from '../errors.js';
import type { OperationModel } from './model.js';
import { checkBudget, fitName, hashedName, segmentsOf, snake } from '../util.js';

export const NAME_RE = /^[a-z0-9_]{1,64}$/;
const INTEGRATION = 'open_ai';

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
