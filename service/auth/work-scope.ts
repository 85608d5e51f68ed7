// The scope of work running for a request: the server it was admitted to, and for an OAuth principal also its grant
// (one login and consent). Tasks, in-flight requests and SSE sessions are kept per scope, so one login's tasks are
// private to it, and revocation can find and stop exactly the work a deleted server or a revoked grant started.

import type { ClientPrincipal, OAuthPrincipal } from './principals.js';

const SEPARATOR = '/';

export function workScope(serverId: string, principal?: ClientPrincipal | OAuthPrincipal): string {
  return principal?.kind === 'oauth' ? `${serverId}${SEPARATOR}${principal.grantId}` : serverId;
}

export function parseWorkScope(scope: string): { serverId: string; grantId?: string } {
  const at = scope.indexOf(SEPARATOR);
  return at < 0 ? { serverId: scope } : { serverId: scope.slice(0, at), grantId: scope.slice(at + 1) };
}
