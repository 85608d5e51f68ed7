// Who is asking: the principals of the service and what each may do. One owner for the action names and the scope
// rules, so REST, the CLI and the token checks agree.
//
// - A management token (`omcpadm_…`) administers the accounts in its scope, with the actions it was given, until it
//   expires. What it mints is never broader than itself.
// - The CLI on this machine (`local`) has the data dir and the key: it can do everything, and its changes are
//   audited under `cli:<user>`.
// - A client token (`omcpcli_…`) opens the servers it is bound to, with `auth: "url+client-token"`, and administers
//   nothing: the REST API refuses it.
// - An OAuth access token (`omcpat_…`) opens the one `auth: "oauth"` server it was issued for, with at most that
//   server's tools (its scopes can narrow them), on behalf of the subject who logged in; it administers nothing.

import { ServiceError } from '../errors.js';

export const ACTIONS = ['read', 'servers:write', 'accounts:write', 'tokens:write'] as const;
export type Action = (typeof ACTIONS)[number];

export const ACTION_HELP: Record<Action, string> = {
  read: 'list and read accounts, servers, tokens and audit logs',
  'servers:write': 'create, update and delete servers',
  'accounts:write': 'add, update and remove accounts (adding needs all accounts)',
  'tokens:write': 'issue and revoke management and client tokens, never broader than itself',
};

/** Everything, or a list. */
export type Scope<T extends string> = '*' | readonly T[];

export interface ManagementPrincipal {
  kind: 'management';
  tokenId: string;
  accounts: Scope<string>;
  actions: Scope<Action>;
  expiresAt: number | null;
}

export interface LocalPrincipal {
  kind: 'local';
  user: string;
}

export interface ClientPrincipal {
  kind: 'client';
  tokenId: string;
}

/** The holder of an OAuth access token: who logged in, through which client, with which scopes (read, write). */
export interface OAuthPrincipal {
  kind: 'oauth';
  /** `oidc:<issuer>#<sub>` or `token:<management token id>`; never a token. */
  subject: string;
  clientId: string;
  /** The authorization the token descends from (one login and consent); revoking it ends every token of it. */
  grantId: string;
  scopes: readonly ('read' | 'write')[];
}

/** Whoever may call the management operations. */
export type Operator = ManagementPrincipal | LocalPrincipal;

/** The audit log's "who": a token id, or `cli:<user>`; never a token. */
export function actorOf(op: Operator): string {
  return op.kind === 'local' ? `cli:${op.user}` : op.tokenId;
}

export function scopeIncludes<T extends string>(scope: Scope<T>, item: T): boolean {
  return scope === '*' || scope.includes(item);
}

/** Whether `inner` asks for nothing outside `outer`. */
export function scopeCovers<T extends string>(outer: Scope<T>, inner: Scope<T>): boolean {
  if (outer === '*') return true;
  if (inner === '*') return false;
  return inner.every((i) => outer.includes(i));
}

/**
 * Whether a management token may log in to an `oauth` server of this account and so use its tools: it must be able
 * to create such a server itself (`servers:write` on the account), so a login never grants more than the token has.
 */
export function mayLogInTo(principal: ManagementPrincipal, accountId: string): boolean {
  return scopeIncludes(principal.accounts, accountId) && scopeIncludes(principal.actions, 'servers:write');
}

export function accountsOf(op: Operator): Scope<string> {
  return op.kind === 'local' ? '*' : op.accounts;
}

export function actionsOf(op: Operator): Scope<Action> {
  return op.kind === 'local' ? '*' : op.actions;
}

/** The accounts an operator's listings are narrowed to; undefined for all. */
export function accountFilter(op: Operator): readonly string[] | undefined {
  const scope = accountsOf(op);
  return scope === '*' ? undefined : scope;
}

/** Throws 403 naming the missing action. */
export function requireAction(op: Operator, action: Action): void {
  if (!scopeIncludes(actionsOf(op), action))
    throw new ServiceError('forbidden', `This management token lacks the ${action} action (${ACTION_HELP[action]})`);
}

/**
 * Throws 404 when the account is outside the operator's scope: the same answer as for an account that does not
 * exist, so a scoped token learns nothing about other tenants. The audit log records it as denied.
 */
export function requireAccount(op: Operator, accountId: string, notFound: string): void {
  if (!scopeIncludes(accountsOf(op), accountId)) throw outOfScope(notFound);
}

export function outOfScope(message: string): ServiceError {
  const err = new ServiceError('not_found', message);
  err.denied = true;
  return err;
}

/** Stored form of a scope: `*` or a JSON array. */
export function scopeToColumn(scope: Scope<string>): string {
  return scope === '*' ? '*' : JSON.stringify(scope);
}

export function scopeFromColumn<T extends string>(value: string | null): Scope<T> {
  if (value === null || value === '*') return '*';
  return JSON.parse(value) as T[];
}

/**
 * The scopes a principal narrows a server's tools to (an OAuth login's consent); undefined for a credential that
 * opens the whole server.
 */
export function accessOf(
  principal: ClientPrincipal | OAuthPrincipal | undefined,
): OAuthPrincipal['scopes'] | undefined {
  return principal && 'scopes' in principal ? principal.scopes : undefined;
}
