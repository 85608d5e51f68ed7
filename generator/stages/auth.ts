// auth stage: which key each operation is sent with. Three sources, in this order: a per-operation override,
// the auth rules in specs/overrides.yaml (admin paths, admin security schemes), then the spec's own `security`.
// Older spec versions carry no admin scheme at all, which is why the path rule exists.
import type { AuthKind } from '../../runtime/types.js';
import type { OperationModel } from './model.js';
import { overrideOf, underPrefix, type Overrides } from '../load/overrides.js';

export interface RoutedOperation extends OperationModel {
  auth: AuthKind;
}

export interface AuthResult {
  ops: RoutedOperation[];
  /** Operations whose text asks for an admin key that no rule gives them. */
  warnings: string[];
}

/** OpenAI sometimes says "requires an admin API key" in prose while leaving `security` at the project key. */
export function mentionsAdminKey(op: OperationModel): boolean {
  return /requires an \[?admin API\s+key/i.test(`${op.summary}\n${op.description}`);
}

export function authOf(op: OperationModel, ov: Overrides): AuthKind {
  const forced = overrideOf(ov, op.operationId).admin;
  if (forced !== undefined) return forced ? 'admin' : 'project';
  if (ov.auth.adminPaths.some((p) => underPrefix(op.path, p))) return 'admin';
  return op.securitySchemes.some((s) => ov.auth.adminSchemes.includes(s)) ? 'admin' : 'project';
}

export function routeAuth(ops: OperationModel[], ov: Overrides): AuthResult {
  const routed = ops.map((op) => ({ ...op, auth: authOf(op, ov) }));
  const warnings = routed
    .filter((op) => op.auth !== 'admin' && mentionsAdminKey(op))
    .map(
      (op) =>
        `${op.operationId} (${op.verb} ${op.pathKey}): the spec's text says it needs an admin API key, but its security does not; ` +
        `set operations.${op.operationId}.admin in specs/overrides.yaml`,
    );
  return { ops: routed, warnings };
}
