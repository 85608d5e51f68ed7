// select stage: operations that cannot be useful tools are set aside, each with its reason, and listed in the
// manifest and TOOLS.md; nothing is dropped silently.
import type { ExcludedOperation } from '../../runtime/types.js';
import type { RoutedOperation } from './auth.js';
import { SpecError } from '../errors.js';

/** Request bodies a tool can send. */
export const SENDABLE_BODIES = ['application/json', 'multipart/form-data'];

export function exclusionReason(op: RoutedOperation, exclude: Map<string, string>): string | undefined {
  const listed = exclude.get(op.operationId);
  if (listed !== undefined) return listed;
  if (op.body && !SENDABLE_BODIES.includes(op.body.contentType)) {
    return `request body is ${op.body.contentType} only; tools send JSON or multipart`;
  }
  return undefined;
}

export function selectOperations(
  ops: RoutedOperation[],
  exclude: Map<string, string>,
): { kept: RoutedOperation[]; excluded: ExcludedOperation[] } {
  const kept: RoutedOperation[] = [];
  const excluded: ExcludedOperation[] = [];
  for (const op of ops) {
    const reason = exclusionReason(op, exclude);
    if (reason === undefined) kept.push(op);
    else excluded.push({ operationId: op.operationId, verb: op.verb, path: op.pathKey, reason });
  }
  // An empty catalog is a mistake (a wrong file, a truncated download), not an output to write.
  if (!kept.length) {
    throw new SpecError(
      `the spec yields no tools (${ops.length} operations, ${excluded.length} excluded); nothing was written`,
      'SPEC_EMPTY',
    );
  }
  return { kept, excluded };
}
