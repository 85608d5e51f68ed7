// The resource side: a request to an `oauth` server's `/mcp/<id>` must carry an access token this service issued
// for exactly that resource. Checked before the body is used, on every request (stateless transport), from the
// token's row: revoked, expired, another server's, or a server gone or moved off `oauth` all fail here.

import type { Request } from 'express';
import type { ServerRow } from '../../store/store.js';
import { resourceUrl } from '../modes.js';
import type { OAuthService } from './router.js';
import type { OAuthScope } from './scopes.js';

export type ResourceCheck =
  | { ok: true; row: ServerRow; scopes: OAuthScope[]; subject: string }
  | { ok: false; status: 401 | 403 | 404; message: string; headers: Record<string, string> };

/** RFC 6750 §3 challenge pointing at the server's RFC 9728 metadata. */
export function challenge(oauth: OAuthService, row: ServerRow, error?: string, description?: string): string {
  const scope = oauth.provider.offered(row).join(' ');
  return [
    'Bearer realm="openai-mcp"',
    `resource_metadata="${oauth.resourceMetadataUrl(row.id)}"`,
    ...(scope ? [`scope="${scope}"`] : []),
    ...(error ? [`error="${error}"`] : []),
    ...(description ? [`error_description="${description}"`] : []),
  ].join(', ');
}

export async function checkResource(oauth: OAuthService, req: Request, serverId: string): Promise<ResourceCheck> {
  const row = await oauth.provider.serverForResource(resourceUrl(oauth.issuer, serverId));
  if (!row) return { ok: false, status: 404, message: 'Unknown or expired MCP server URL', headers: {} };
  const header = req.headers.authorization;
  const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (!token)
    return {
      ok: false,
      status: 401,
      message: 'This server requires OAuth: Authorization: Bearer <access token>',
      headers: { 'WWW-Authenticate': challenge(oauth, row) },
    };
  let info: Awaited<ReturnType<typeof oauth.provider.verifyAccessToken>>;
  try {
    info = await oauth.provider.verifyAccessToken(token);
  } catch {
    return {
      ok: false,
      status: 401,
      message: 'Invalid or expired access token',
      headers: { 'WWW-Authenticate': challenge(oauth, row, 'invalid_token', 'invalid or expired access token') },
    };
  }
  const extra = info.extra as { serverId: string; subject: string };
  // The audience: a token is for one server's resource URL, and this is checked on every request.
  if (extra.serverId !== row.id || info.resource?.href !== resourceUrl(oauth.issuer, row.id)) {
    await oauth.provider.event({
      event: 'refused',
      server_id: row.id,
      subject: extra.subject,
      client_id: info.clientId,
      detail: `resource: token issued for another resource (${extra.serverId})`,
    });
    return {
      ok: false,
      status: 401,
      message: 'This access token was not issued for this server',
      headers: { 'WWW-Authenticate': challenge(oauth, row, 'invalid_token', 'token not issued for this resource') },
    };
  }
  // The server may have been narrowed since the token was issued: the token keeps only what it still allows.
  const offered = oauth.provider.offered(row);
  const scopes = (info.scopes as OAuthScope[]).filter((s) => offered.includes(s));
  if (!scopes.length)
    return {
      ok: false,
      status: 403,
      message: 'This access token allows none of what the server now offers',
      headers: { 'WWW-Authenticate': challenge(oauth, row, 'insufficient_scope', 'server narrowed') },
    };
  return { ok: true, row, scopes, subject: extra.subject };
}
