// The per-server auth modes: how a client proves it may use a managed server. One owner for the list, so REST,
// the CLI, the store and the MCP endpoints agree on the names.
//
// - `url`: the secret server URL (`/mcp/omcp_…`) is the credential.
// - `url+api-token`: the URL and `Authorization: Bearer <API token>` (the older `require_api_token_auth`).
// - `oauth`: the URL is the non-secret resource `/mcp/srv_<id>`; the credential is an OAuth access token issued
//   by this service for that one server (service/auth/oauth/).

export const AUTH_MODES = ['url', 'url+api-token', 'oauth'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export function authModeOf(row: { auth: string }): AuthMode {
  return (AUTH_MODES as readonly string[]).includes(row.auth) ? (row.auth as AuthMode) : 'url';
}

/** The path of an `oauth` server's resource: non-secret, so it can be shown in listings and pasted into a host. */
export function resourcePath(serverId: string): string {
  return `/mcp/${serverId}`;
}

export function resourceUrl(publicUrl: string, serverId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${resourcePath(serverId)}`;
}

/** Server ids, as they appear in a resource path (`srv_` and 12 base64url characters). */
export function looksLikeServerId(value: string): boolean {
  return /^srv_[A-Za-z0-9_-]{12}$/.test(value);
}
