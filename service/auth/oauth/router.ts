// The OAuth 2.1 authorization server of the HTTP service, for its `oauth` servers' MCP resources:
//
//   /.well-known/oauth-authorization-server          RFC 8414 metadata
//   /.well-known/oauth-protected-resource/mcp/<id>   RFC 9728 metadata of one server (named in its 401s)
//   /oauth/authorize, /oauth/token, /oauth/register, /oauth/revoke   the SDK's handlers over OAuthProvider
//   /oauth/login, /oauth/login/oidc, /oauth/callback, /oauth/login/token, /oauth/consent   the pages people see
//
// Mounted by app.ts with one line; the resource check on /mcp/<id> is in resource.ts.

import {
  authorizationHandler,
  clientRegistrationHandler,
  revocationHandler,
  tokenHandler,
} from '@modelcontextprotocol/server-legacy/auth';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Management } from '../../manage/index.js';
import { storedConfig } from '../../manage/index.js';
import type { ServerRow, Store } from '../../store/store.js';
import type { Credentials } from '../credentials.js';
import { mayLogInTo } from '../principals.js';
import { hashOf, randomSecret, tokenMatches } from '../../tokens.js';
import { CimdFetcher, type CimdPolicy } from './cimd.js';
import { consentPage, errorPage, loginPage } from './pages.js';
import { allowedByPolicy, BROWSER_COOKIE, type GrantSubject, OAuthProvider } from './provider.js';
import { resourcePath } from './resource-url.js';
import { OAUTH_SCOPES, parseScopes } from './scopes.js';
import type { OAuthPendingRow } from './store.js';
import { UpstreamOidc, type UpstreamOidcOptions } from './upstream.js';

export interface OAuthOptions {
  /** The upstream OpenID Connect provider people log in with; absent: operator token login only. */
  oidc?: UpstreamOidcOptions;
  /** Whether a management token may log in at /oauth/authorize (default: only when no IdP is configured). */
  tokenLogin?: boolean;
  cimd?: CimdPolicy;
  accessTokenSeconds?: number;
  refreshTokenSeconds?: number;
}

export interface OAuthServiceDeps {
  store: Store;
  manage: Management;
  credentials: Credentials;
  publicUrl: string;
  log: (line: string) => void;
  now?: () => number;
}

const cookieOf = (req: Request, name: string): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class OAuthService {
  readonly provider: OAuthProvider;
  readonly issuer: string;
  private readonly upstream?: UpstreamOidc;
  private readonly tokenLogin: boolean;
  private readonly now: () => number;

  constructor(
    private readonly deps: OAuthServiceDeps,
    options: OAuthOptions = {},
  ) {
    this.issuer = deps.publicUrl.replace(/\/+$/, '');
    this.now = deps.now ?? Date.now;
    this.upstream = options.oidc ? new UpstreamOidc(options.oidc, `${this.issuer}/oauth/callback`) : undefined;
    this.tokenLogin = options.tokenLogin ?? !options.oidc;
    this.provider = new OAuthProvider({
      store: deps.store,
      manage: deps.manage,
      issuer: this.issuer,
      cimd: new CimdFetcher(options.cimd),
      operatorMayUse: (tokenId, row) => deps.credentials.operatorMayUse(tokenId, row),
      allowed: allowedByPolicy,
      accessTokenSeconds: options.accessTokenSeconds,
      refreshTokenSeconds: options.refreshTokenSeconds,
      log: deps.log,
      now: deps.now,
    });
  }

  /**
   * Whether work started under a grant may go on: the grant has a live token (not revoked, not past its refresh
   * token's expiry) and whoever logged in is still allowed on the server. For revocation of running work.
   */
  async grantLive(row: ServerRow, grantId: string): Promise<boolean> {
    if (row.auth !== 'oauth') return false;
    const subject = await this.deps.store.oauth.liveGrantSubject(grantId, this.now());
    return subject !== undefined && this.provider.subjectStillAllowed(row, JSON.parse(subject) as GrantSubject);
  }

  /** RFC 8414 metadata. */
  metadata() {
    const at = (p: string) => `${this.issuer}${p}`;
    return {
      issuer: this.issuer,
      authorization_endpoint: at('/oauth/authorize'),
      token_endpoint: at('/oauth/token'),
      registration_endpoint: at('/oauth/register'),
      revocation_endpoint: at('/oauth/revoke'),
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      scopes_supported: [...OAUTH_SCOPES],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    };
  }

  /** The RFC 9728 metadata URL of one server, as its 401 challenge names it. */
  resourceMetadataUrl(serverId: string): string {
    return `${this.issuer}/.well-known/oauth-protected-resource${resourcePath(serverId)}`;
  }

  router(): Router {
    const r = express.Router();
    const { provider } = this;

    const noStore: RequestHandler = (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      next();
    };
    r.get(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'], (_req, res) => {
      res.set('Cache-Control', 'max-age=300').json(this.metadata());
    });
    r.get('/.well-known/oauth-protected-resource/mcp/:id', async (req, res) => {
      const row = await provider.serverForResource(`${this.issuer}${resourcePath(String(req.params.id))}`);
      if (!row) {
        res.status(404).json({ error: 'not_found', error_description: 'No OAuth server at this resource' });
        return;
      }
      res.set('Cache-Control', 'no-store').json({
        resource: `${this.issuer}${resourcePath(row.id)}`,
        authorization_servers: [this.issuer],
        scopes_supported: provider.offered(row),
        bearer_methods_supported: ['header'],
        resource_name: `OpenAI MCP server ${row.id}`,
      });
    });

    r.use('/oauth/authorize', authorizationHandler({ provider }));
    const clientAuth = this.clientAuthentication();
    r.use('/oauth/token', clientAuth, tokenHandler({ provider, rateLimit: { max: 300 } }));
    r.use('/oauth/revoke', clientAuth, revocationHandler({ provider }));
    r.use(
      '/oauth/register',
      clientRegistrationHandler({ clientsStore: provider.clientsStore, clientSecretExpirySeconds: 0 }),
    );

    const form = express.urlencoded({ extended: false, limit: 16_384 });
    r.get('/oauth/login', noStore, (req, res) => this.showLogin(req, res));
    r.get('/oauth/login/oidc', noStore, (req, res) => this.startUpstream(req, res));
    r.get('/oauth/callback', noStore, (req, res) => this.finishUpstream(req, res));
    r.post('/oauth/login/token', noStore, form, (req, res) => this.tokenLoginPost(req, res));
    r.get('/oauth/consent', noStore, (req, res) => this.showConsent(req, res));
    r.post('/oauth/consent', noStore, form, (req, res) => this.consentPost(req, res));
    return r;
  }

  /**
   * Client authentication for the token and revocation endpoints, before the SDK's handlers: a confidential
   * client's secret (form or HTTP Basic) against its stored hash, in constant time. The SDK then sees the client
   * as authenticated and public (it would compare plaintext secrets otherwise).
   */
  private clientAuthentication(): RequestHandler[] {
    const invalid = (res: Response, description: string) =>
      res
        .status(401)
        .set('Cache-Control', 'no-store')
        .json({ error: 'invalid_client', error_description: description });
    return [
      express.urlencoded({ extended: false, limit: 16_384 }),
      async (req, res, next) => {
        if (req.method !== 'POST') return next();
        const body = (req.body ?? {}) as Record<string, unknown>;
        let clientId = str(body.client_id);
        let secret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
        const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
        if (basic) {
          const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon < 0) return invalid(res, 'malformed Basic credentials');
          try {
            const id = decodeURIComponent(decoded.slice(0, colon));
            if (clientId && clientId !== id) return invalid(res, 'client_id differs from the Basic credentials');
            clientId = id;
            secret = decodeURIComponent(decoded.slice(colon + 1));
          } catch {
            return invalid(res, 'malformed Basic credentials');
          }
        }
        if (!clientId) return next();
        const row = clientId.length <= 200 ? await this.deps.store.oauth.getClient(clientId) : undefined;
        if (row?.secret_hash) {
          if (!secret || !tokenMatches(secret, row.secret_hash)) return invalid(res, 'client authentication failed');
        }
        req.body = { ...body, client_id: clientId };
        delete (req.body as Record<string, unknown>).client_secret;
        next();
      },
    ];
  }

  // The login and consent pages -------------------------------------------------------------------------------

  /** The pending authorization a page is about, if this browser started it and it is still live. */
  private async pending(req: Request, res: Response, id: string): Promise<OAuthPendingRow | undefined> {
    const row = id.length <= 100 ? await this.deps.store.oauth.getPending(id) : undefined;
    const cookie = cookieOf(req, `${BROWSER_COOKIE}${id}`);
    if (!row || row.expires_at <= this.now() || !cookie || !tokenMatches(cookie, row.browser_hash)) {
      await this.provider.event({
        event: 'refused',
        server_id: row?.server_id ?? null,
        client_id: row?.client_id ?? null,
        detail: `login: ${!row || row.expires_at <= this.now() ? 'unknown or expired authorization request' : 'browser does not hold the request cookie'}`,
      });
      errorPage(
        res,
        400,
        'Authorization expired',
        'This sign-in link is unknown, expired, or was opened in another browser. Start again from your application.',
      );
      return undefined;
    }
    return row;
  }

  /** A fresh CSRF token for the next form of this request (only its hash is kept). */
  private async csrf(row: OAuthPendingRow): Promise<string> {
    const csrf = randomSecret();
    await this.deps.store.oauth.updatePending(row.id, { csrf_hash: hashOf(csrf) });
    return csrf;
  }

  private async serverOf(row: OAuthPendingRow, res: Response) {
    const server = await this.provider.serverForResource(`${this.issuer}${resourcePath(row.server_id)}`);
    if (!server) {
      await this.deps.store.oauth.takePending(row.id);
      await this.provider.event({
        event: 'refused',
        server_id: row.server_id,
        client_id: row.client_id,
        subject: row.subject,
        detail: 'login: server deleted, expired or no longer OAuth',
      });
      errorPage(res, 404, 'Server unavailable', 'This MCP server was deleted or has expired.');
    }
    return server;
  }

  private async clientName(clientId: string): Promise<string> {
    const client = await this.provider.clientsStore.getClient(clientId);
    return client?.client_name?.slice(0, 100) || clientId.slice(0, 100);
  }

  private async showLogin(req: Request, res: Response, error?: string): Promise<void> {
    const row = await this.pending(req, res, str(req.query.request ?? (req.body as Record<string, unknown>)?.request));
    if (!row) return;
    const server = await this.serverOf(row, res);
    if (!server) return;
    loginPage(
      res,
      {
        requestId: row.id,
        csrf: await this.csrf(row),
        serverName: server.name,
        clientName: await this.clientName(row.client_id),
        oidc: this.upstream?.label,
        tokenLogin: this.tokenLogin,
        error,
      },
      error ? 401 : 200,
    );
  }

  private async startUpstream(req: Request, res: Response): Promise<void> {
    if (!this.upstream) return errorPage(res, 404, 'Not available', 'No identity provider is configured.');
    const row = await this.pending(req, res, str(req.query.request));
    if (!row || !(await this.serverOf(row, res))) return;
    const secret = randomSecret();
    let start: Awaited<ReturnType<UpstreamOidc['start']>>;
    try {
      start = await this.upstream.start(`${row.id}.${secret}`);
    } catch (err) {
      this.deps.log(`oidc: discovery at ${this.upstream.options.issuer} failed: ${(err as Error).message}`);
      return errorPage(
        res,
        502,
        'Identity provider unavailable',
        'The identity provider could not be reached. Try again shortly.',
      );
    }
    await this.deps.store.oauth.updatePending(row.id, {
      upstream_state_hash: hashOf(secret),
      upstream_nonce: start.nonce,
      upstream_verifier: start.verifier,
    });
    res.redirect(302, start.url.href);
  }

  private async finishUpstream(req: Request, res: Response): Promise<void> {
    if (!this.upstream) return errorPage(res, 404, 'Not available', 'No identity provider is configured.');
    const state = str(req.query.state);
    const dot = state.indexOf('.');
    const row = await this.pending(req, res, dot > 0 ? state.slice(0, dot) : '');
    if (!row) return;
    const secret = state.slice(dot + 1);
    if (
      !row.upstream_state_hash ||
      !row.upstream_nonce ||
      !row.upstream_verifier ||
      !tokenMatches(secret, row.upstream_state_hash)
    ) {
      await this.provider.event({
        event: 'refused',
        server_id: row.server_id,
        client_id: row.client_id,
        detail: 'callback: state mismatch',
      });
      return errorPage(
        res,
        403,
        'Sign-in refused',
        'The answer from the identity provider does not belong to this sign-in (state mismatch).',
      );
    }
    // One use: a replayed callback finds nothing to check against.
    await this.deps.store.oauth.updatePending(row.id, {
      upstream_state_hash: null,
      upstream_nonce: null,
      upstream_verifier: null,
    });
    const server = await this.serverOf(row, res);
    if (!server) return;
    let who: Awaited<ReturnType<UpstreamOidc['finish']>>;
    try {
      who = await this.upstream.finish(new URL(req.originalUrl, `${this.issuer}/`), {
        state,
        nonce: row.upstream_nonce,
        verifier: row.upstream_verifier,
      });
    } catch (err) {
      await this.provider.event({
        event: 'refused',
        server_id: row.server_id,
        client_id: row.client_id,
        detail: `callback: ${(err as Error).message.slice(0, 200)}`,
      });
      return errorPage(res, 403, 'Sign-in refused', 'The identity provider did not confirm the sign-in.');
    }
    const subject: GrantSubject = {
      id: `oidc:${who.issuer}#${who.sub}`,
      // Only a verified email counts for the allow-list; an unverified one is anyone's to claim.
      ...(who.email && who.emailVerified ? { email: who.email } : {}),
      groups: who.groups,
    };
    const label = `${subject.id}${who.email ? ` (${who.email})` : ''}`;
    if (!allowedByPolicy(server, subject)) {
      await this.deps.store.oauth.takePending(row.id);
      await this.provider.event({
        event: 'refused',
        server_id: server.id,
        client_id: row.client_id,
        subject: label,
        detail: 'login: not on the server allow-list',
      });
      return errorPage(
        res,
        403,
        'Access refused',
        `${who.email ?? who.sub} may not use this server. Ask its operator to add you to its allow-list.`,
      );
    }
    await this.deps.store.oauth.updatePending(row.id, {
      subject: JSON.stringify(subject),
      subject_label: who.email ?? who.sub,
    });
    res.redirect(303, `${this.issuer}/oauth/consent?request=${encodeURIComponent(row.id)}`);
  }

  private async tokenLoginPost(req: Request, res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const row = await this.pending(req, res, str(body.request));
    if (!row) return;
    if (!this.tokenLogin) return errorPage(res, 404, 'Not available', 'Token login is off on this service.');
    if (!(await this.csrfOkOn(req, res, row))) return;
    const server = await this.serverOf(row, res);
    if (!server) return;
    // Management tokens only (a client token administers nothing), checked like the REST API checks them.
    const check = await this.deps.credentials.management(`Bearer ${str(body.token).trim()}`);
    const allowed = check.ok && mayLogInTo(check.principal, server.account_id);
    if (!check.ok || !allowed) {
      await this.provider.event({
        event: 'refused',
        server_id: row.server_id,
        client_id: row.client_id,
        ...(check.ok ? { subject: `token:${check.principal.tokenId}` } : {}),
        detail: check.ok
          ? "login: the management token lacks servers:write on this server's account"
          : `login: management token ${check.reason}`,
      });
      return this.showLogin(
        req,
        res,
        check.ok
          ? "That management token may not use this server (it needs servers:write on the server's account)."
          : check.reason === 'expired'
            ? 'That management token has expired.'
            : 'That is not a valid management token.',
      );
    }
    const subject: GrantSubject = { id: `token:${check.principal.tokenId}` };
    const name = (await this.deps.store.getApiToken(check.principal.tokenId))?.name;
    await this.deps.store.oauth.updatePending(row.id, {
      subject: JSON.stringify(subject),
      subject_label: `management token “${name ?? ''}” (${check.principal.tokenId})`,
    });
    res.redirect(303, `${this.issuer}/oauth/consent?request=${encodeURIComponent(row.id)}`);
  }

  private async csrfOkOn(req: Request, res: Response, row: OAuthPendingRow): Promise<boolean> {
    const given = str((req.body as Record<string, unknown> | undefined)?.csrf);
    if (given && tokenMatches(given, row.csrf_hash)) return true;
    await this.provider.event({
      event: 'refused',
      server_id: row.server_id,
      client_id: row.client_id,
      subject: row.subject_label,
      detail: `${req.path}: CSRF token missing or wrong`,
    });
    errorPage(
      res,
      403,
      'Request refused',
      'This form is not the one this service showed you (CSRF check failed). Start again from your application.',
    );
    return false;
  }

  private async showConsent(req: Request, res: Response): Promise<void> {
    const row = await this.pending(req, res, str(req.query.request));
    if (!row) return;
    if (!row.subject) return void res.redirect(303, `${this.issuer}/oauth/login?request=${encodeURIComponent(row.id)}`);
    const server = await this.serverOf(row, res);
    if (!server) return;
    const account = await this.deps.manage.accounts.accountRow(server.account_id).catch(() => undefined);
    const config = storedConfig(server);
    const scopes = parseScopes(row.scopes);
    const tools = this.deps.manage.servers.toolsOf(server).filter((t) => scopes.includes(t.access as 'read' | 'write'));
    consentPage(res, {
      requestId: row.id,
      csrf: await this.csrf(row),
      serverName: server.name,
      accountName: account?.name ?? server.account_id,
      clientName: await this.clientName(row.client_id),
      redirectHost: new URL(row.redirect_uri).host || row.redirect_uri.slice(0, 100),
      subject: row.subject_label ?? '',
      access: scopes
        .map((s) => (s === 'read' ? 'read (list, get)' : 'write (create, update, delete, cancel)'))
        .join(' and '),
      tags: config.tags?.length ? config.tags.join(', ') : 'all',
      toolCount: tools.length,
      exposure: config.tool_exposure ?? 'all',
      expires: server.expires_at === null ? 'never' : new Date(server.expires_at).toISOString(),
    });
  }

  private async consentPost(req: Request, res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const row = await this.pending(req, res, str(body.request));
    if (!row) return;
    if (!(await this.csrfOkOn(req, res, row))) return;
    if (!row.subject) return errorPage(res, 403, 'Request refused', 'Sign in first.');
    // Taken, not read: a second submission of the same form finds nothing.
    const taken = await this.deps.store.oauth.takePending(row.id);
    res.clearCookie(`${BROWSER_COOKIE}${row.id}`, { path: '/oauth' });
    if (!taken) return errorPage(res, 400, 'Already answered', 'This authorization was already answered.');
    const server = await this.serverOf(row, res);
    if (!server) return;
    const subject = JSON.parse(row.subject) as GrantSubject;
    const back = new URL(row.redirect_uri);
    if (row.client_state !== null) back.searchParams.set('state', row.client_state);
    back.searchParams.set('iss', this.issuer);
    if (body.decision !== 'approve') {
      await this.provider.event({
        event: 'refused',
        server_id: server.id,
        client_id: row.client_id,
        subject: row.subject_label,
        detail: 'consent: denied by the user',
      });
      back.searchParams.set('error', 'access_denied');
      return void res.redirect(303, back.href);
    }
    // The allow-list may have changed since the login; it is the one in force now that counts.
    if (!subject.id.startsWith('token:') && !allowedByPolicy(server, subject)) {
      await this.provider.event({
        event: 'refused',
        server_id: server.id,
        client_id: row.client_id,
        subject: row.subject_label,
        detail: 'consent: not on the server allow-list',
      });
      return errorPage(res, 403, 'Access refused', 'You may not use this server.');
    }
    const code = await this.provider.issueCode({
      clientId: row.client_id,
      redirectUri: row.redirect_uri,
      codeChallenge: row.code_challenge,
      row: server,
      scopes: row.scopes,
      subject,
    });
    await this.provider.event({
      event: 'authorized',
      server_id: server.id,
      client_id: row.client_id,
      subject: `${subject.id}${row.subject_label ? ` (${row.subject_label})` : ''}`,
      detail: `scopes: ${row.scopes}`,
    });
    back.searchParams.set('code', code);
    res.redirect(303, back.href);
  }
}
