// The resource side: a request to an `oauth` server's `/mcp/<id>` must carry an access token this service issued
// for exactly that resource. Checked before the body is used, on every request (every transport and protocol era:
// 2026-07-28, the 2025 stateless path and the legacy SSE pair all admit through service/auth/modes.ts), from the
// token's row: revoked, expired, another server's, or a server gone or moved off `oauth` all fail here.

import type { Admission, AuthRequest } from '../modes.js';
import type { OAuthResourceVerifier } from '../credentials.js';
import { bearerOf } from '../credentials.js';
import type { ServerRow } from '../../store/store.js';
import type { AuthExtra } from './provider.js';
import type { OAuthService } from './router.js';
import { resourceUrl } from './resource-url.js';
import type { OAuthScope } from './scopes.js';

/**
 * A quoted-string for WWW-Authenticate parameters (RFC 9110 §5.6.4; RFC 6750 allows only printable ASCII without
 * quotes or backslashes in error_description).
 */
const quoted = (s: string) => `"${s.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '')}"`;

/** RFC 6750 §3 challenge pointing at the server's RFC 9728 metadata (RFC 9728 §5.1). */
export function challenge(oauth: OAuthService, row: ServerRow, error?: string, description?: string): string {
  const scope = oauth.provider.offered(row).join(' ');
  return [
    'Bearer realm="openai-mcp"',
    `resource_metadata=${quoted(oauth.resourceMetadataUrl(row.id))}`,
    ...(scope ? [`scope=${quoted(scope)}`] : []),
    ...(error ? [`error=${quoted(error)}`] : []),
    ...(description ? [`error_description=${quoted(description)}`] : []),
  ].join(', ');
}

const header = (req: AuthRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export class OAuthResource implements OAuthResourceVerifier {
  constructor(private readonly oauth: OAuthService) {}

  grantLive(row: ServerRow, grantId: string): Promise<boolean> {
    return this.oauth.grantLive(row, grantId);
  }

  async admit(req: AuthRequest, found: ServerRow): Promise<Admission> {
    const { oauth } = this;
    // The same checks the authorization server makes (live, `oauth` mode), by the resource URL it issues tokens for.
    const row = await oauth.provider.serverForResource(resourceUrl(oauth.issuer, found.id));
    if (!row) return { ok: false, status: 404, message: 'Unknown or expired MCP server URL', headers: {} };
    const token = bearerOf(header(req, 'authorization'));
    if (!token)
      return {
        ok: false,
        status: 401,
        message: `This server requires OAuth: Authorization: Bearer <access token>. Its metadata: ${oauth.resourceMetadataUrl(row.id)}`,
        headers: { 'WWW-Authenticate': challenge(oauth, row) },
      };
    let info: Awaited<ReturnType<typeof oauth.provider.verifyAccessToken>>;
    try {
      info = await oauth.provider.verifyAccessToken(token);
    } catch {
      return {
        ok: false,
        status: 401,
        message: 'Invalid, revoked or expired access token',
        headers: { 'WWW-Authenticate': challenge(oauth, row, 'invalid_token', 'invalid or expired access token') },
      };
    }
    const extra = info.extra as AuthExtra;
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
    // Who logged in must still be allowed now: off the allow-list, or a management token revoked, expired or
    // narrowed, ends the access at the next request, not at the next refresh.
    if (!(await oauth.provider.subjectStillAllowed(row, extra.grantSubject))) {
      await oauth.provider.event({
        event: 'refused',
        server_id: row.id,
        subject: extra.subject,
        client_id: info.clientId,
        detail: 'resource: subject no longer allowed',
      });
      return {
        ok: false,
        status: 401,
        message: 'Access to this server has been withdrawn from whoever logged in; log in again',
        headers: { 'WWW-Authenticate': challenge(oauth, row, 'invalid_token', 'access withdrawn') },
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
    return {
      ok: true,
      row,
      principal: { kind: 'oauth', subject: extra.subject, clientId: info.clientId, grantId: extra.grantId, scopes },
    };
  }
}
