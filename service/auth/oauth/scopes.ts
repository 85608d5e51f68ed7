// OAuth scopes of a managed server: `read` and `write`, the two kinds of tool (ToolDef.access). A server offers
// the kinds its own config selects; a token holds a subset, so it can narrow what the server allows, never widen
// it. Checked again on every request against the server's current config, so narrowing a server narrows every
// token already issued for it.

import type { Access, ToolDef } from '../../../runtime/types.js';

export const OAUTH_SCOPES = ['read', 'write'] as const satisfies readonly Access[];
export type OAuthScope = (typeof OAUTH_SCOPES)[number];

/** The scopes a server's tools allow, in canonical order. */
export function scopesOffered(tools: readonly Pick<ToolDef, 'access'>[]): OAuthScope[] {
  return OAUTH_SCOPES.filter((s) => tools.some((t) => t.access === s));
}

export class ScopeRefused extends Error {}

/**
 * The scopes to grant for a request: everything offered when none are asked for, else the ones asked for, all of
 * which must be offered (RFC 6749 §3.3 lets a server narrow silently; refusing says clearly what was wrong).
 */
export function grantScopes(requested: readonly string[] | undefined, offered: readonly OAuthScope[]): OAuthScope[] {
  const asked = [...new Set((requested ?? []).filter(Boolean))];
  if (!asked.length) {
    if (!offered.length) throw new ScopeRefused('this server exposes no tools');
    return [...offered];
  }
  for (const s of asked) {
    if (!(OAUTH_SCOPES as readonly string[]).includes(s))
      throw new ScopeRefused(`unknown scope "${s.slice(0, 50)}" (scopes are ${OAUTH_SCOPES.join(', ')})`);
    if (!(offered as readonly string[]).includes(s))
      throw new ScopeRefused(`scope "${s}" is more than this server allows (${offered.join(' ') || 'nothing'})`);
  }
  return OAUTH_SCOPES.filter((s) => asked.includes(s));
}

export function parseScopes(stored: string): OAuthScope[] {
  const parts = stored.split(' ');
  return OAUTH_SCOPES.filter((s) => parts.includes(s));
}

export function formatScopes(scopes: readonly OAuthScope[]): string {
  return scopes.join(' ');
}
