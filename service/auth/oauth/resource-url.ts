// The resource of an `oauth` server: its MCP endpoint `/mcp/<server id>`, which is no secret (it is shown in
// listings and pasted into hosts). One owner for its shape, so the authorization server, the MCP endpoint, the
// management answers and the 401 challenge agree on it.

/** The path of an `oauth` server's resource. */
export function resourcePath(serverId: string): string {
  return `/mcp/${serverId}`;
}

/** The resource URL (RFC 8707 `resource`, the audience of its tokens) under the service's public origin. */
export function resourceUrl(publicUrl: string, serverId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${resourcePath(serverId)}`;
}

/** Server ids, as they appear in a resource path: the shape is the id's owner's (service/tokens.ts). */
export { looksLikeServerId } from '../../tokens.js';
