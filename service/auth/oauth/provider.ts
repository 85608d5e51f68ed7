// The authorization server behind the MCP SDK's OAuth endpoint handlers (`@modelcontextprotocol/server-legacy/auth`,
// the v2 SDK line's copy of them, which parse and validate the requests, check PKCE S256 and format errors): client
// lookup and registration, the start of an authorization, and the issue, rotation, verification and revocation of
// tokens. Every token is
// opaque, random, bound to one server's resource URL, and stored as a hash; its row is the truth on each use, so
// a revocation or a server's expiry takes effect on the next request.

import type {
  OAuthClientInformationFull,
  OAuthTokenRevocationRequest,
  OAuthTokens,
} from '@modelcontextprotocol/server';
import {
  type AuthInfo,
  type AuthorizationParams,
  InvalidClientMetadataError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
  type OAuthRegisteredClientsStore,
  type OAuthServerProvider,
  ServerError,
} from '@modelcontextprotocol/server-legacy/auth';
import type { Response } from 'express';
import { isExpired } from '../../expiry.js';
import { type Management, oauthPolicyOf } from '../../manage/index.js';
import type { ServerRow, Store } from '../../store/store.js';
import { hashOf, issueToken, lookupOf, looksLikeToken, newId, randomSecret, tokenMatches } from '../../tokens.js';
import { CimdError, type CimdFetcher, isCimdClientId } from './cimd.js';
import { errorPage } from './pages.js';
import { looksLikeServerId, resourceUrl } from './resource-url.js';
import { checkRedirectUris, RedirectUriError, redirectRegistered } from './redirects.js';
import { formatScopes, grantScopes, type OAuthScope, parseScopes, ScopeRefused, scopesOffered } from './scopes.js';
import type { NewAuthEvent, OAuthTokenRow } from './store.js';

export const ACCESS_TOKEN_SECONDS = 600;
export const REFRESH_TOKEN_SECONDS = 30 * 86_400;
export const CODE_SECONDS = 60;
export const PENDING_SECONDS = 600;
export const BROWSER_COOKIE = 'omcp_oauth_';

/** Who a grant was given to, kept with it so a refresh re-checks the server's current allow-list. */
export interface GrantSubject {
  /** `oidc:<issuer>#<sub>` or `token:<id>`. */
  id: string;
  email?: string;
  groups?: string[];
}

export interface OAuthProviderOptions {
  store: Store;
  manage: Management;
  /** The issuer: this service's public origin. */
  issuer: string;
  cimd: CimdFetcher;
  /** Whether a management token may still use a server (for `token:` subjects, on refresh and every request). */
  operatorMayUse: (tokenId: string, row: ServerRow) => Promise<boolean>;
  /** Whether an OIDC identity may use a server. */
  allowed: (row: ServerRow, subject: GrantSubject) => boolean;
  accessTokenSeconds?: number;
  refreshTokenSeconds?: number;
  log: (line: string) => void;
  now?: () => number;
}

export interface AuthExtra extends Record<string, unknown> {
  serverId: string;
  subject: string;
  grantId: string;
  /** Who the grant is for, as the allow-list checks see it. */
  grantSubject: GrantSubject;
}

export class OAuthProvider implements OAuthServerProvider {
  readonly clientsStore: OAuthRegisteredClientsStore;
  private readonly now: () => number;

  constructor(private readonly o: OAuthProviderOptions) {
    this.now = o.now ?? Date.now;
    const oauth = o.store.oauth;
    this.clientsStore = {
      getClient: async (clientId) => {
        if (clientId.length > 2000) return undefined;
        if (isCimdClientId(clientId)) {
          try {
            return await o.cimd.client(clientId, this.now());
          } catch (err) {
            if (!(err instanceof CimdError)) throw err;
            await this.event({ event: 'refused', client_id: clientId.slice(0, 300), detail: `client: ${err.message}` });
            return undefined;
          }
        }
        const row = await oauth.getClient(clientId);
        // The secret is checked by clientAuth.ts (hashed, constant time) before the SDK's handlers run, so the
        // SDK sees every client as public and never compares secrets itself.
        return row
          ? { ...(JSON.parse(row.metadata) as OAuthClientInformationFull), client_id: row.client_id }
          : undefined;
      },
      registerClient: async (client) => {
        try {
          checkRedirectUris(client.redirect_uris);
        } catch (err) {
          if (err instanceof RedirectUriError) throw new InvalidClientMetadataError(err.message);
          throw err;
        }
        const method = client.token_endpoint_auth_method ?? 'client_secret_basic';
        if (!['none', 'client_secret_post', 'client_secret_basic'].includes(method))
          throw new InvalidClientMetadataError(`token_endpoint_auth_method "${method}" is not supported`);
        const grants = client.grant_types ?? ['authorization_code'];
        if (grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token'))
          throw new InvalidClientMetadataError('grant_types: only authorization_code and refresh_token');
        const clientId = newId('cli');
        // The SDK generated a hex secret for a confidential client; ours is a prefixed token, stored as a hash.
        const secret = method === 'none' ? undefined : issueToken('oauth_secret');
        const { client_secret: _drop, client_secret_expires_at: _exp, ...metadata } = client;
        const info: OAuthClientInformationFull = {
          ...metadata,
          token_endpoint_auth_method: method,
          client_id: clientId,
          client_id_issued_at: Math.floor(this.now() / 1000),
        };
        await oauth.insertClient({
          client_id: clientId,
          metadata: JSON.stringify(info),
          secret_hash: secret ? secret.hash : null,
          created_at: this.now(),
        });
        return secret ? { ...info, client_secret: secret.token, client_secret_expires_at: 0 } : info;
      },
    };
  }

  /** Audit row; never fails the request it describes. */
  async event(e: Omit<NewAuthEvent, 'at' | 'server_id' | 'subject' | 'client_id'> & Partial<NewAuthEvent>) {
    try {
      await this.o.store.oauth.recordEvent({
        at: this.now(),
        server_id: e.server_id ?? null,
        subject: e.subject ?? null,
        client_id: e.client_id ?? null,
        event: e.event,
        detail: e.detail.slice(0, 500),
      });
    } catch (err) {
      this.o.log(`auth audit write failed: ${(err as Error).message}`);
    }
  }

  /** The live `oauth` server a resource URL names exactly, or undefined. */
  async serverForResource(resource: string | undefined): Promise<ServerRow | undefined> {
    if (!resource) return undefined;
    const prefix = resourceUrl(this.o.issuer, '');
    if (!resource.startsWith(prefix)) return undefined;
    const id = resource.slice(prefix.length);
    if (!looksLikeServerId(id) || resource !== resourceUrl(this.o.issuer, id)) return undefined;
    const row = await this.o.store.getServer(id);
    if (!row || isExpired(row, this.now()) || row.auth !== 'oauth') return undefined;
    return row;
  }

  /** Cached per server version: selecting tools from the catalog costs more than the rest of a token check. */
  private readonly offeredCache = new Map<string, { updatedAt: number; scopes: OAuthScope[] }>();

  offered(row: ServerRow): OAuthScope[] {
    const hit = this.offeredCache.get(row.id);
    if (hit && hit.updatedAt === row.updated_at) return hit.scopes;
    const scopes = scopesOffered(this.o.manage.servers.toolsOf(row));
    if (this.offeredCache.size >= 1000) this.offeredCache.delete(this.offeredCache.keys().next().value!);
    this.offeredCache.set(row.id, { updatedAt: row.updated_at, scopes });
    return scopes;
  }

  // Authorization ---------------------------------------------------------------------------------------------

  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response): Promise<void> {
    // The SDK lets a loopback redirect URI differ in port (RFC 8252); this service wants the exact URI registered,
    // and answers a mismatch itself: redirecting to an unregistered URI is what an attacker would want.
    if (!redirectRegistered(params.redirectUri, client.redirect_uris)) {
      await this.event({
        event: 'refused',
        client_id: client.client_id,
        detail: 'authorize: redirect_uri not registered exactly',
      });
      return errorPage(
        res,
        400,
        'Authorization refused',
        'redirect_uri is not one this client registered (it must match exactly).',
      );
    }
    // RFC 8707: the resource names the one server the token is for; MCP clients always send it.
    const resource = params.resource?.href;
    const row = await this.serverForResource(resource);
    if (!row) {
      await this.event({
        event: 'refused',
        client_id: client.client_id,
        detail: `authorize: unknown resource ${String(resource).slice(0, 200)}`,
      });
      throw new InvalidTargetError('resource must be the URL of a live OAuth server of this service');
    }
    let scopes: OAuthScope[];
    try {
      scopes = grantScopes(params.scopes, this.offered(row));
    } catch (err) {
      if (!(err instanceof ScopeRefused)) throw err;
      await this.event({
        event: 'refused',
        server_id: row.id,
        client_id: client.client_id,
        detail: `authorize: ${err.message}`,
      });
      throw new InvalidScopeError(err.message);
    }
    const id = newId('oar');
    const browser = randomSecret();
    const now = this.now();
    await this.o.store.oauth.insertPending({
      id,
      browser_hash: hashOf(browser),
      csrf_hash: hashOf(randomSecret()),
      client_id: client.client_id,
      redirect_uri: params.redirectUri,
      code_challenge: params.codeChallenge,
      client_state: params.state ?? null,
      server_id: row.id,
      scopes: formatScopes(scopes),
      upstream_state_hash: null,
      upstream_nonce: null,
      upstream_verifier: null,
      subject: null,
      subject_label: null,
      created_at: now,
      expires_at: now + PENDING_SECONDS * 1000,
    });
    // The cookie proves the login and consent pages are seen by the browser that started this authorization.
    res.cookie(`${BROWSER_COOKIE}${id}`, browser, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.o.issuer.startsWith('https:'),
      path: '/oauth',
      maxAge: PENDING_SECONDS * 1000,
    });
    res.redirect(302, `${this.o.issuer}/oauth/login?request=${encodeURIComponent(id)}`);
  }

  /** After consent: the one-time code, bound to everything the token request must repeat. */
  async issueCode(p: {
    clientId: string;
    redirectUri: string;
    codeChallenge: string;
    row: ServerRow;
    scopes: string;
    subject: GrantSubject;
  }): Promise<string> {
    const code = issueToken('oauth_code');
    await this.o.store.oauth.insertCode({
      lookup: code.lookup,
      hash: code.hash,
      client_id: p.clientId,
      redirect_uri: p.redirectUri,
      code_challenge: p.codeChallenge,
      server_id: p.row.id,
      resource: resourceUrl(this.o.issuer, p.row.id),
      scopes: p.scopes,
      subject: JSON.stringify(p.subject),
      grant_id: newId('grt'),
      expires_at: this.now() + CODE_SECONDS * 1000,
      used_at: null,
    });
    return code.token;
  }

  private async codeRow(client: OAuthClientInformationFull, code: string) {
    if (!looksLikeToken('oauth_code', code)) throw new InvalidGrantError('invalid authorization code');
    const row = await this.o.store.oauth.getCode(lookupOf(code));
    if (!row || !tokenMatches(code, row.hash) || row.client_id !== client.client_id)
      throw new InvalidGrantError('invalid authorization code');
    return row;
  }

  async challengeForAuthorizationCode(client: OAuthClientInformationFull, code: string): Promise<string> {
    return (await this.codeRow(client, code)).code_challenge;
  }

  async exchangeAuthorizationCode(
    client: OAuthClientInformationFull,
    code: string,
    _verifier?: string,
    redirectUri?: string,
    resource?: URL,
  ): Promise<OAuthTokens> {
    // PKCE was verified by the SDK's handler (S256 only) before this is called.
    const c = await this.codeRow(client, code);
    const subject = JSON.parse(c.subject) as GrantSubject;
    const refuse = async (detail: string) =>
      this.event({
        event: 'refused',
        server_id: c.server_id,
        subject: subject.id,
        client_id: c.client_id,
        detail: `token: ${detail}`,
      });
    if (!(await this.o.store.oauth.useCode(c.lookup, this.now()))) {
      // A replayed code: whoever holds it is not to be trusted, nor are the tokens the first use got (RFC 9700).
      await this.o.store.oauth.revokeGrant(c.grant_id, this.now());
      await refuse('authorization code reused; its grant is revoked');
      throw new InvalidGrantError('authorization code already used');
    }
    if (c.expires_at <= this.now()) {
      await refuse('authorization code expired');
      throw new InvalidGrantError('authorization code expired');
    }
    if (redirectUri !== undefined && redirectUri !== c.redirect_uri) {
      await refuse('redirect_uri differs from the authorization request');
      throw new InvalidGrantError('redirect_uri does not match the authorization request');
    }
    if (resource !== undefined && resource.href !== c.resource) {
      await refuse('resource differs from the authorization request');
      throw new InvalidTargetError('resource does not match the authorization request');
    }
    const row = await this.serverForResource(c.resource);
    if (!row) {
      await refuse('server deleted, expired or no longer OAuth');
      throw new InvalidGrantError('the server is no longer available');
    }
    const tokens = await this.issueTokens(c.grant_id, c.client_id, row, parseScopes(c.scopes), subject);
    await this.event({
      event: 'token_issued',
      server_id: row.id,
      subject: subject.id,
      client_id: c.client_id,
      detail: `scopes: ${tokens.scope}`,
    });
    return tokens;
  }

  private async issueTokens(
    grantId: string,
    clientId: string,
    row: ServerRow,
    scopes: OAuthScope[],
    subject: GrantSubject,
  ): Promise<OAuthTokens> {
    const now = this.now();
    const accessSeconds = this.o.accessTokenSeconds ?? ACCESS_TOKEN_SECONDS;
    // Never past the server's own expiry: a token outliving its server would be a promise the server can't keep.
    const cap = (ms: number) => (row.expires_at === null ? ms : Math.min(ms, row.expires_at));
    const access = issueToken('oauth_access');
    const refresh = issueToken('oauth_refresh');
    const base = {
      grant_id: grantId,
      client_id: clientId,
      server_id: row.id,
      resource: resourceUrl(this.o.issuer, row.id),
      scopes: formatScopes(scopes),
      subject: JSON.stringify(subject),
      created_at: now,
      revoked_at: null,
      used_at: null,
    };
    const accessExpires = cap(now + accessSeconds * 1000);
    const rows: OAuthTokenRow[] = [
      { ...base, lookup: access.lookup, hash: access.hash, kind: 'access', expires_at: accessExpires },
      {
        ...base,
        lookup: refresh.lookup,
        hash: refresh.hash,
        kind: 'refresh',
        expires_at: cap(now + (this.o.refreshTokenSeconds ?? REFRESH_TOKEN_SECONDS) * 1000),
      },
    ];
    await this.o.store.oauth.insertTokens(rows);
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: Math.max(1, Math.floor((accessExpires - now) / 1000)),
      refresh_token: refresh.token,
      scope: formatScopes(scopes),
    };
  }

  private async tokenRow(token: string): Promise<OAuthTokenRow | undefined> {
    const kind = looksLikeToken('oauth_access', token)
      ? 'access'
      : looksLikeToken('oauth_refresh', token)
        ? 'refresh'
        : undefined;
    if (!kind) return undefined;
    const row = await this.o.store.oauth.getToken(lookupOf(token));
    return row && row.kind === kind && tokenMatches(token, row.hash) ? row : undefined;
  }

  async exchangeRefreshToken(
    client: OAuthClientInformationFull,
    refreshToken: string,
    scopes?: string[],
    resource?: URL,
  ): Promise<OAuthTokens> {
    const t = await this.tokenRow(refreshToken);
    if (t?.kind !== 'refresh' || t.client_id !== client.client_id) throw new InvalidGrantError('invalid refresh token');
    const subject = JSON.parse(t.subject) as GrantSubject;
    const refuse = async (detail: string) =>
      this.event({
        event: 'refused',
        server_id: t.server_id,
        subject: subject.id,
        client_id: t.client_id,
        detail: `refresh: ${detail}`,
      });
    const now = this.now();
    if (t.revoked_at !== null) {
      await refuse('refresh token revoked');
      throw new InvalidGrantError('refresh token revoked');
    }
    if (t.expires_at <= now) {
      await refuse('refresh token expired');
      throw new InvalidGrantError('refresh token expired');
    }
    if (resource !== undefined && resource.href !== t.resource) {
      await refuse('resource differs from the grant');
      throw new InvalidTargetError('resource does not match the grant');
    }
    const row = await this.serverForResource(t.resource);
    if (!row) {
      await refuse('server deleted, expired or no longer OAuth');
      throw new InvalidGrantError('the server is no longer available');
    }
    if (!(await this.subjectStillAllowed(row, subject))) {
      await this.o.store.oauth.revokeGrant(t.grant_id, now);
      await refuse('subject no longer allowed; grant revoked');
      throw new InvalidGrantError('access has been withdrawn');
    }
    // Never more than the grant had, nor more than the server allows now.
    const had = parseScopes(t.scopes).filter((s) => this.offered(row).includes(s));
    let granted: OAuthScope[];
    try {
      granted = scopes?.length ? grantScopes(scopes, had) : had;
      if (!granted.length) throw new ScopeRefused('the server allows none of the scopes granted');
    } catch (err) {
      if (!(err instanceof ScopeRefused)) throw err;
      await refuse(err.message);
      throw new InvalidScopeError(err.message);
    }
    if (!(await this.o.store.oauth.useRefreshToken(t.lookup, now))) {
      // Presented twice: one of the two holders is not the client (RFC 9700 §4.14.2). End the grant.
      await this.o.store.oauth.revokeGrant(t.grant_id, now);
      await refuse('refresh token reused; grant revoked');
      throw new InvalidGrantError('refresh token already used');
    }
    const tokens = await this.issueTokens(t.grant_id, t.client_id, row, granted, subject);
    await this.event({
      event: 'refreshed',
      server_id: row.id,
      subject: subject.id,
      client_id: t.client_id,
      detail: `scopes: ${tokens.scope}`,
    });
    return tokens;
  }

  async subjectStillAllowed(row: ServerRow, subject: GrantSubject): Promise<boolean> {
    if (subject.id.startsWith('token:')) return this.o.operatorMayUse(subject.id.slice('token:'.length), row);
    return this.o.allowed(row, subject);
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const t = await this.tokenRow(token);
    if (t?.kind !== 'access' || t.revoked_at !== null || t.expires_at <= this.now())
      throw new InvalidTokenError('invalid or expired access token');
    const grantSubject = JSON.parse(t.subject) as GrantSubject;
    const extra: AuthExtra = { serverId: t.server_id, subject: grantSubject.id, grantId: t.grant_id, grantSubject };
    return {
      token,
      clientId: t.client_id,
      scopes: parseScopes(t.scopes),
      expiresAt: Math.floor(t.expires_at / 1000),
      resource: new URL(t.resource),
      extra,
    };
  }

  async revokeToken(client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest): Promise<void> {
    const t = await this.tokenRow(request.token);
    // RFC 7009: an unknown token, or another client's, is answered 200 all the same and changes nothing.
    if (!t || t.client_id !== client.client_id) return;
    const now = this.now();
    const subject = (JSON.parse(t.subject) as GrantSubject).id;
    if (t.kind === 'refresh') await this.o.store.oauth.revokeGrant(t.grant_id, now);
    else await this.o.store.oauth.revokeToken(t.lookup, now);
    await this.event({
      event: 'revoked',
      server_id: t.server_id,
      subject,
      client_id: t.client_id,
      detail: t.kind === 'refresh' ? 'refresh token revoked with its grant' : 'access token revoked',
    });
  }
}

/** Whether an OIDC identity is on a server's allow-list: a verified email listed, or a listed group. */
export function allowedByPolicy(row: ServerRow, subject: GrantSubject): boolean {
  const policy = oauthPolicyOf(row);
  if (subject.email && policy.allow_emails.includes(subject.email.toLowerCase())) return true;
  return (subject.groups ?? []).some((g) => policy.allow_groups.includes(g));
}

export { InvalidRequestError, ServerError };
