// The dashboard at /ui: server-rendered pages over the same `Operations` the REST API calls (so the same validation,
// scope checks and operator audit, under the logged-in management token's id), with a session instead of a bearer
// header. Order per request, cheapest first: security headers → session cookie → (POST) a small form body → CSRF
// token → the operation.

import { randomBytes } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Catalog } from '../../../runtime/contract/catalog.js';
import { LIST_PAGE, USAGE_PAGE, type UsagePage } from '../../../runtime/contract/pages.js';
import { EXPOSURES } from '../../../runtime/exposure/registry.js';
import { selectTools } from '../../../runtime/filter.js';
import type { Credentials } from '../../auth/credentials.js';
import { authModeNames } from '../../auth/modes.js';
import { UpstreamOidc, type UpstreamIdentity, type UpstreamOidcOptions } from '../../auth/oauth/upstream.js';
import type { ManagementPrincipal } from '../../auth/principals.js';
import type { UiSessionStore } from '../../store/ui-sessions.js';
import { ServiceError } from '../../errors.js';
import type { PublicServer } from '../../manage/index.js';
import type { Operations } from '../../operations.js';
import type { Scopes } from '../../scope.js';
import { ASSETS } from './assets.js';
import { LoginLimiter } from './login-limit.js';
import { type NewSession, type Session, type Sessions, sameSecret, sessionHash } from './sessions.js';
import { nobody, type UiAdminPolicy, uiAdminAllows, uiAdminPrincipal } from './admins.js';
import * as v from './views.js';

export interface UiOptions {
  ops: Operations;
  credentials: Credentials;
  scopes: Scopes;
  catalog: Catalog;
  publicUrl: string;
  sessions: Sessions;
  /** Pending identity-provider logins (the store's, so any replica finishes one another started). */
  store: Pick<UiSessionStore, 'insertLogin' | 'takeLogin'>;
  /** Login through the identity provider, for the people on the admin list. */
  oidc?: { upstream: UpstreamOidcOptions; admins: UiAdminPolicy };
  /** Failed logins per client address (default: 10 per 15 minutes). */
  loginLimiter?: LoginLimiter;
  log: (line: string) => void;
}

/** Every page: scripts and styles from this origin only (no inline ones), never framed, never cached. */
export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const FORM_LIMIT = '64kb';
/** How long a started identity-provider login may take. */
const OIDC_LOGIN_MS = 10 * 60_000;
const PAGE = 50;
const DAY = 86_400_000;
const WINDOWS: Record<string, { ms: number; bucket: number }> = {
  '1h': { ms: 3_600_000, bucket: 60_000 },
  '24h': { ms: DAY, bucket: 1_800_000 },
  '7d': { ms: 7 * DAY, bucket: 6 * 3_600_000 },
  '30d': { ms: 30 * DAY, bucket: DAY },
};
const RELATIVE: Record<string, number> = {
  '1h': 3_600_000,
  '1d': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
  '90d': 90 * DAY,
};

interface Local {
  session: Session;
  sid: string;
  op: ManagementPrincipal;
}

const one = (body: Record<string, unknown>, key: string): string | undefined => {
  const x = body[key];
  if (typeof x === 'string') return x;
  if (Array.isArray(x) && typeof x[0] === 'string') return x[0];
  return undefined;
};
const many = (body: Record<string, unknown>, key: string): string[] => {
  const x = body[key];
  if (typeof x === 'string') return [x];
  return Array.isArray(x) ? x.filter((e): e is string => typeof e === 'string') : [];
};
const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

export function uiRouter(options: UiOptions): Router {
  const { ops } = options;
  const { sessions } = options;
  const upstream = options.oidc
    ? new UpstreamOidc(options.oidc.upstream, `${options.publicUrl.replace(/\/$/, '')}/ui/login/callback`)
    : undefined;
  const secure = new URL(options.publicUrl).protocol === 'https:';
  // `__Host-` binds the cookie to this origin (Secure, Path=/, no Domain), which only HTTPS allows.
  const COOKIE = secure ? '__Host-omcp_ui' : 'omcp_ui';
  const cookiePath = secure ? '/' : '/ui';
  // Login CSRF (double submit): GET /login sets a random pre-session cookie and puts the same value in the form; a
  // login post must carry both, so another site cannot log a browser in under the attacker's token.
  const LOGIN_COOKIE = secure ? '__Host-omcp_login' : 'omcp_login';
  const loginLimiter = options.loginLimiter ?? new LoginLimiter();
  const r = express.Router();
  const form = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 2000 });

  r.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': UI_CSP,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    next();
  });

  for (const a of Object.values(ASSETS))
    r.get(a.path.slice('/ui'.length), (_req, res) => {
      res.set({ 'Content-Type': a.type, 'Cache-Control': 'public, max-age=31536000, immutable' }).send(a.body);
    });

  r.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  const page = (
    res: Response,
    status: number,
    title: string,
    body: v.Html | ReturnType<typeof v.loginPage>,
    ctx: v.PageContext = {},
  ) =>
    res
      .status(status)
      .type('html')
      .send(v.layout(ctx, title, body));

  const sidOf = (req: Request) => {
    const header = req.headers.cookie;
    if (!header || header.length > 8192) return undefined;
    try {
      return parseCookie(header)[COOKIE];
    } catch {
      return undefined;
    }
  };
  const setCookie = (res: Response, value: string, maxAgeMs: number) =>
    res.cookie(COOKIE, value, { httpOnly: true, sameSite: 'strict', secure, path: cookiePath, maxAge: maxAgeMs });
  const clearCookie = (res: Response) =>
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: cookiePath });

  // Login ----------------------------------------------------------------------------------------------------------
  const cookieOf = (req: Request, name: string) => {
    const header = req.headers.cookie;
    if (!header || header.length > 8192) return undefined;
    try {
      const value = parseCookie(header)[name];
      return value && value.length <= 100 ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const loginCsrfOf = (req: Request) => cookieOf(req, LOGIN_COOKIE);
  const loginForm = (res: Response, status: number, error?: string, reuse?: string) => {
    const csrf = reuse ?? randomBytes(32).toString('base64url');
    if (!reuse)
      res.cookie(LOGIN_COOKIE, csrf, {
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: cookiePath,
        maxAge: 3_600_000,
      });
    page(res, status, 'Log in', v.loginPage(error, csrf, upstream?.label));
  };
  /** Starts a session and sends the browser into the dashboard. */
  const startSession = async (req: Request, res: Response, s: NewSession) => {
    await sessions.destroy(sidOf(req));
    res.clearCookie(LOGIN_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: cookiePath });
    const { id, session } = await sessions.create(s);
    setCookie(res, id, Math.min(sessions.lifetimeMs, session.endsAt - Date.now()));
    options.log(`dashboard login by ${s.principal}`);
  };
  /** The login form's CSRF pair (double submit); answers the refusal itself and returns undefined when it fails. */
  const loginPair = (req: Request, res: Response): string | undefined => {
    const pair = loginCsrfOf(req);
    if (!pair || !sameSecret(one((req.body ?? {}) as Record<string, unknown>, 'csrf') ?? '', pair)) {
      options.log('dashboard: a login post without a valid login CSRF token was refused');
      loginForm(res, 403, 'This login form is stale or did not come from this dashboard: try again.');
      return undefined;
    }
    return pair;
  };
  r.get('/login', async (req, res) => {
    if (await sessions.get(sidOf(req))) return res.redirect(303, '/ui');
    loginForm(res, 200);
  });
  const loginBody = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  r.post('/login', loginBody, async (req, res) => {
    // The cheapest checks first: the form's CSRF pair, then the address's failure count, then the token.
    const pair = loginPair(req, res);
    if (!pair) return;
    const ip = req.socket.remoteAddress ?? 'unknown';
    const wait = loginLimiter.blockedFor(ip);
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      return loginForm(
        res,
        429,
        `Too many failed logins from this address: try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`,
        pair,
      );
    }
    const token = one((req.body ?? {}) as Record<string, unknown>, 'token')?.trim();
    const check = await options.credentials.management(token ? `Bearer ${token}` : undefined);
    if (!check.ok) {
      loginLimiter.fail(ip);
      const why =
        check.reason === 'expired'
          ? 'This management token has expired.'
          : check.reason === 'client'
            ? 'A client token opens MCP servers; the dashboard needs a management token (omcpadm_…).'
            : 'Not a valid management token.';
      return loginForm(res, 401, why, pair);
    }
    await startSession(req, res, {
      kind: 'token',
      principal: check.principal.tokenId,
      expiresAt: check.principal.expiresAt,
    });
    await ops.recordLogin(check.principal, 'ok', 200);
    res.redirect(303, '/ui');
  });

  // Login through the identity provider: GET /login/oidc starts it; the state is random and
  // single use, stored hashed with the PKCE verifier and nonce (any replica can finish it), and bound to this browser
  // by a cookie the callback must bring. SameSite=Lax: the callback is a top-level navigation from the provider.
  const OIDC_COOKIE = secure ? '__Host-omcp_oidc' : 'omcp_oidc';
  const oidcCookie = { httpOnly: true, sameSite: 'lax' as const, secure, path: cookiePath };
  // A link, not a form: the page's `form-action 'self'` would stop a form post that redirects to the provider. Starting
  // a login is harmless to force: the provider asks the person in front of the browser, and only that browser (its
  // binding cookie) can finish it.
  r.get('/login/oidc', async (_req, res) => {
    if (!upstream || !options.oidc) return loginForm(res, 404, 'No identity provider is configured.');
    const state = randomBytes(32).toString('base64url');
    const browser = randomBytes(32).toString('base64url');
    let start: Awaited<ReturnType<typeof upstream.start>>;
    try {
      start = await upstream.start(state);
    } catch (err) {
      options.log(`dashboard oidc: discovery at ${upstream.options.issuer} failed: ${(err as Error).message}`);
      return loginForm(
        res,
        502,
        'The identity provider cannot be reached right now: try again, or log in with a token.',
      );
    }
    await options.store.insertLogin({
      state_hash: sessionHash(state),
      browser_hash: sessionHash(browser),
      verifier: start.verifier,
      nonce: start.nonce,
      expires_at: Date.now() + OIDC_LOGIN_MS,
    });
    res.cookie(OIDC_COOKIE, browser, { ...oidcCookie, maxAge: OIDC_LOGIN_MS });
    res.redirect(303, start.url.href);
  });
  r.get('/login/callback', async (req, res) => {
    if (!upstream || !options.oidc) return loginForm(res, 404, 'No identity provider is configured.');
    res.clearCookie(OIDC_COOKIE, oidcCookie);
    const state = typeof req.query.state === 'string' && req.query.state.length <= 100 ? req.query.state : '';
    const pending = state ? await options.store.takeLogin(sessionHash(state), Date.now()) : undefined;
    const browser = cookieOf(req, OIDC_COOKIE);
    if (!pending || !browser || !sameSecret(sessionHash(browser), pending.browser_hash)) {
      options.log('dashboard oidc: a callback with an unknown, used or foreign state was refused');
      return loginForm(res, 400, 'This sign-in is stale or was started in another browser: start it again.');
    }
    if (typeof req.query.error === 'string') return loginForm(res, 403, 'The identity provider did not sign you in.');
    let who: UpstreamIdentity;
    try {
      who = await upstream.finish(new URL(req.originalUrl, `${options.publicUrl}/`), {
        state,
        nonce: pending.nonce,
        verifier: pending.verifier,
      });
    } catch (err) {
      options.log(`dashboard oidc: callback refused: ${(err as Error).message.slice(0, 200)}`);
      return loginForm(res, 403, 'The identity provider did not confirm the sign-in.');
    }
    const subject = `oidc:${who.issuer}#${who.sub}`;
    const claims = { ...(who.email && who.emailVerified ? { email: who.email } : {}), groups: who.groups };
    const shown = who.email ?? who.sub;
    if (!uiAdminAllows(options.oidc.admins, claims)) {
      await ops.recordLogin(nobody(subject, Date.now()), 'denied', 403, `not on the dashboard admin list (${shown})`);
      options.log(`dashboard oidc: ${subject} is not on the dashboard admin list`);
      return loginForm(
        res,
        403,
        `${shown} signed in at ${upstream.label}, but is not a dashboard admin here. An operator can add you with --ui-admin-email or --ui-admin-group.`,
      );
    }
    await startSession(req, res, { kind: 'oidc', principal: subject, label: shown, claims, expiresAt: null });
    await ops.recordLogin(
      uiAdminPrincipal(options.oidc.admins, subject, Date.now() + sessions.lifetimeMs),
      'ok',
      200,
      shown,
    );
    // A page, not a redirect: the session cookie is SameSite=Strict, and a redirect chain that began at the identity
    // provider is cross-site, so the browser would not send it on the next hop.
    res.set('Refresh', '0; url=/ui');
    page(res, 200, 'Signed in', v.signedInPage(shown));
  });

  /** The principal a session acts as now: the token re-read, or the allow-list re-checked; undefined when ended. */
  const principalOf = async (session: Session): Promise<ManagementPrincipal | undefined> => {
    if (session.kind === 'token') return options.credentials.managementById(session.principal);
    if (!options.oidc || !session.claims || !uiAdminAllows(options.oidc.admins, session.claims)) return undefined;
    return uiAdminPrincipal(options.oidc.admins, session.principal, session.endsAt);
  };

  // Everything below needs a live session whose principal is still valid.
  r.use(async (req: Request, res: Response, next: NextFunction) => {
    const sid = sidOf(req);
    const session = await sessions.get(sid);
    const op = session ? await principalOf(session) : undefined;
    if (!session || !sid || !op) {
      if (session && sid) await sessions.destroy(sid);
      if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, '/ui/login');
      return loginForm(res, 401, 'Your session has ended: log in again.');
    }
    res.locals.ui = { session, sid, op } satisfies Local;
    next();
  });

  // State changes: a small form body, then the session's CSRF token, compared in constant time.
  r.post('*splat', form, (req, res, next) => {
    const { session } = res.locals.ui as Local;
    const sent = one((req.body ?? {}) as Record<string, unknown>, 'csrf') ?? '';
    if (!sameSecret(sent, session.csrf)) {
      options.log('dashboard: a form post without a valid CSRF token was refused');
      return page(
        res,
        403,
        'Refused',
        v.errorBody('This form is stale or did not come from this dashboard: reload the page and try again.'),
        ctxOf(res),
      );
    }
    next();
  });

  const ctxOf = (res: Response): v.PageContext => {
    const ui = res.locals.ui as Local | undefined;
    return ui ? { csrf: ui.session.csrf, actor: ui.session.label ?? ui.op.tokenId } : {};
  };
  const local = (res: Response) => res.locals.ui as Local;
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
  const param = (req: Request) => String(req.params.id);
  /** Renders a refusal from the operations as a page, with its status. */
  const fail = (res: Response, err: unknown) => {
    if (!(err instanceof ServiceError)) throw err;
    page(res, err.status, err.status === 404 ? 'Not found' : 'Refused', v.errorBody(err.message), ctxOf(res));
  };
  /** A route whose refusals (ServiceError) are answered as a page; anything else goes on to Express 5's error path. */
  const guarded =
    (handler: (req: Request, res: Response) => Promise<unknown>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await handler(req, res);
      } catch (err) {
        fail(res, err);
      }
    };

  r.post('/logout', async (_req, res) => {
    await sessions.destroy(local(res).sid);
    clearCookie(res);
    res.redirect(303, '/ui/login');
  });

  // Accounts -------------------------------------------------------------------------------------------------------
  r.get('/', async (_req, res) => {
    page(res, 200, 'Accounts', v.accountsPage(ctxOf(res), await ops.listAccounts(local(res).op)), ctxOf(res));
  });
  r.post('/accounts', async (req, res) => {
    const b = body(req);
    const input: Record<string, string> = {};
    for (const k of ['name', 'api_key', 'admin_key', 'organization_id', 'project_id', 'base_url']) {
      const x = nonEmpty(one(b, k));
      if (x !== undefined) input[k] = x;
    }
    try {
      const a = await ops.createAccount(local(res).op, input);
      res.redirect(303, `/ui/accounts/${encodeURIComponent(a.id)}`);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      // The keys are never sent back: the form is re-rendered without them.
      const accounts = await ops.listAccounts(local(res).op).catch(() => []);
      const { api_key: _k, admin_key: _a, ...kept } = input;
      page(res, err.status, 'Accounts', v.accountsPage(ctxOf(res), accounts, err.message, kept), ctxOf(res));
    }
  });
  r.get(
    '/accounts/:id',
    guarded(async (req, res) => {
      const op = local(res).op;
      const a = await ops.getAccount(op, param(req));
      const servers = await ops.listServers(op, { accountId: a.id });
      page(res, 200, a.name, v.accountPage(ctxOf(res), a, servers.data), ctxOf(res));
    }),
  );
  r.get(
    '/accounts/:id/remove',
    guarded(async (req, res) => {
      const op = local(res).op;
      const a = await ops.getAccount(op, param(req));
      const servers = await ops.listServers(op, { accountId: a.id });
      page(res, 200, 'Remove account', v.removeAccountPage(ctxOf(res), a, servers.data), ctxOf(res));
    }),
  );
  r.post(
    '/accounts/:id/remove',
    guarded(async (req, res) => {
      const op = local(res).op;
      const servers = await ops.listServers(op, { accountId: param(req) });
      await ops.removeAccount(op, param(req));
      for (const s of servers.data) options.scopes.forget(s.id);
      res.redirect(303, '/ui');
    }),
  );

  // Servers --------------------------------------------------------------------------------------------------------
  const choices: v.ScopeChoices = {
    tools: options.catalog.tools,
    exposures: EXPOSURES,
    authModes: authModeNames(),
  };
  const countOf = (f: Pick<v.ScopeForm, 'methods' | 'tags' | 'tools'>) => {
    try {
      return selectTools(options.catalog, {
        methods: f.methods.length ? f.methods : undefined,
        tags: f.tags.length ? f.tags : undefined,
        tools: f.tools.length ? f.tools : undefined,
      }).length;
    } catch {
      return 0;
    }
  };
  const formOf = (b: Record<string, unknown>): v.ScopeForm => ({
    name: one(b, 'name')?.trim() ?? '',
    methods: many(b, 'methods'),
    tags: many(b, 'tags'),
    tools: many(b, 'tools'),
    exposure: one(b, 'exposure') ?? 'all',
    auth: one(b, 'auth') ?? 'url',
    expires_at: null,
  });
  /** The form as the operations' input; `editing`: absent fields leave the stored values. */
  const inputOf = (b: Record<string, unknown>, f: v.ScopeForm, editing: boolean) => {
    const config = {
      methods: f.methods.length ? f.methods : editing ? [] : undefined,
      tags: f.tags.length ? f.tags : editing ? [] : undefined,
      tools: f.tools.length ? f.tools : editing ? [] : undefined,
      tool_exposure: f.exposure,
    };
    const input: Record<string, unknown> = { name: f.name, config, auth: f.auth };
    const rel = nonEmpty(one(b, 'expires_in'));
    const on = nonEmpty(one(b, 'expires_on'));
    if (rel !== undefined) {
      const ms = RELATIVE[rel];
      if (ms === undefined)
        throw new ServiceError('invalid_request', 'expires_in: choose one of the listed intervals', 'expires_in');
      input.expires_at = new Date(Date.now() + ms).toISOString();
    } else if (on !== undefined) {
      // A datetime-local value has no zone: the form says UTC.
      input.expires_at = /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(on) ? `${on}:00Z` : on;
    } else if (editing && one(b, 'no_expiry') === '1') input.expires_at = null;
    return input;
  };
  const formFromServer = (s: PublicServer): v.ScopeForm => ({
    name: s.name,
    methods: s.config.methods ?? [],
    tags: s.config.tags ?? [],
    tools: s.config.tools ?? [],
    exposure: s.config.tool_exposure,
    auth: s.auth,
    expires_at: s.expires_at,
  });

  r.get(
    '/accounts/:id/servers/new',
    guarded(async (req, res) => {
      const a = await ops.getAccount(local(res).op, param(req));
      const f: v.ScopeForm = {
        name: '',
        methods: [],
        tags: [],
        tools: [],
        exposure: 'all',
        auth: 'url',
        expires_at: null,
      };
      const action = `/ui/accounts/${encodeURIComponent(a.id)}/servers`;
      page(
        res,
        200,
        'New server',
        v.scopeForm(ctxOf(res), action, choices, f, 'Create server', countOf(f), false),
        ctxOf(res),
      );
    }),
  );
  r.post('/accounts/:id/servers', async (req, res) => {
    const f = formOf(body(req));
    const action = `/ui/accounts/${encodeURIComponent(param(req))}/servers`;
    try {
      const created = await ops.createServer(
        local(res).op,
        param(req),
        inputOf(body(req), f, false),
        options.publicUrl,
      );
      options.log(`created server ${created.id} for account ${created.account_id} (dashboard)`);
      page(res, 201, 'Server created', v.createdPage(created), ctxOf(res));
    } catch (err) {
      if (!(err instanceof ServiceError) || err.status === 404) return fail(res, err);
      page(
        res,
        err.status,
        'New server',
        v.html`<div class="notice err" role="alert">${err.message}</div>${v.scopeForm(ctxOf(res), action, choices, f, 'Create server', countOf(f), false)}`,
        ctxOf(res),
      );
    }
  });

  const activity = async (req: Request, res: Response, id: string): Promise<v.ActivityView> => {
    const q = req.query as Record<string, unknown>;
    const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '');
    const windowName = WINDOWS[str('window')] ? str('window') : '24h';
    const w = WINDOWS[windowName]!;
    const now = Date.now();
    const since = now - w.ms;
    const tool = str('tool').trim().slice(0, 200);
    const status = ['ok', 'error'].includes(str('status')) ? str('status') : '';
    const before = /^[0-9]{1,15}$/.test(str('before')) ? Number(str('before')) : undefined;
    const filter = { tool: tool || undefined, since, isError: status === '' ? undefined : status === 'error' };
    const op = local(res).op;
    const [calls, errors, buckets] = await Promise.all([
      ops.calls(op, id, { ...filter, limit: PAGE + 1, before }),
      status === 'ok' || before !== undefined
        ? Promise.resolve([])
        : ops.calls(op, id, { ...filter, isError: true, limit: 10 }),
      ops.callStats(op, id, { tool: filter.tool, since, bucketMs: w.bucket }),
    ]);
    const more = calls.length > PAGE;
    const shown = calls.slice(0, PAGE);
    return {
      calls: shown,
      errors,
      buckets,
      bucketMs: w.bucket,
      since,
      now,
      filter: { tool, status, window: windowName },
      next: more ? shown[shown.length - 1]?.id : undefined,
    };
  };

  r.get(
    '/servers/:id',
    guarded(async (req, res) => {
      const op = local(res).op;
      const s = await ops.getServer(op, param(req));
      const a = await ops.getAccount(op, s.account_id);
      const act = await activity(req, res, s.id);
      const saved =
        req.query.saved === '1' ? 'Saved. Connected clients see the new scope on their next request.' : undefined;
      page(res, 200, s.name, v.serverPage(ctxOf(res), s, a.name, act, saved), ctxOf(res));
    }),
  );
  r.get(
    '/servers/:id/edit',
    guarded(async (req, res) => {
      const s = await ops.getServer(local(res).op, param(req));
      const f = formFromServer(s);
      const action = `/ui/servers/${encodeURIComponent(s.id)}`;
      page(res, 200, 'Edit scope', v.scopeForm(ctxOf(res), action, choices, f, 'Save', countOf(f), true), ctxOf(res));
    }),
  );
  r.post('/servers/:id', async (req, res) => {
    const f = formOf(body(req));
    try {
      const updated = await ops.updateServer(local(res).op, param(req), inputOf(body(req), f, true), options.publicUrl);
      options.scopes.forget(updated.id);
      // Moving a server off `oauth` mints a new secret URL: shown once, like at creation.
      if (updated.url?.includes('/mcp/')) return page(res, 200, 'Server updated', v.createdPage(updated), ctxOf(res));
      res.redirect(303, `/ui/servers/${encodeURIComponent(updated.id)}?saved=1`);
    } catch (err) {
      if (!(err instanceof ServiceError) || err.status === 404) return fail(res, err);
      const action = `/ui/servers/${encodeURIComponent(param(req))}`;
      page(
        res,
        err.status,
        'Edit scope',
        v.html`<div class="notice err" role="alert">${err.message}</div>${v.scopeForm(ctxOf(res), action, choices, f, 'Save', countOf(f), true)}`,
        ctxOf(res),
      );
    }
  });
  r.get(
    '/servers/:id/revoke',
    guarded(async (req, res) => {
      const s = await ops.getServer(local(res).op, param(req));
      page(res, 200, 'Revoke server', v.revokePage(ctxOf(res), s), ctxOf(res));
    }),
  );
  r.post(
    '/servers/:id/revoke',
    guarded(async (req, res) => {
      const op = local(res).op;
      const s = await ops.getServer(op, param(req));
      await ops.deleteServer(op, s.id);
      options.scopes.forget(s.id);
      res.redirect(303, `/ui/accounts/${encodeURIComponent(s.account_id)}`);
    }),
  );

  // Usage at a glance: the costs tool of one of the account's servers, called as a client would call it (the
  // server's scope, its account's admin key, its audit log), never the stored key directly.
  const COSTS_TOOL = 'list_all_open_ai_costs';
  const servesCosts = (s: PublicServer) => {
    if (s.config.tool_exposure !== 'all') return false;
    try {
      return selectTools(options.catalog, {
        methods: s.config.methods?.length ? s.config.methods : undefined,
        tags: s.config.tags?.length ? s.config.tags : undefined,
        tools: s.config.tools?.length ? s.config.tools : undefined,
      }).some((t) => t.name === COSTS_TOOL);
    } catch {
      return false;
    }
  };
  r.get(
    '/accounts/:id/usage',
    guarded(async (req, res) => {
      const op = local(res).op;
      const a = await ops.getAccount(op, param(req));
      if (!a.admin_key)
        return page(
          res,
          200,
          'Usage',
          v.usageSetupPage(
            ctxOf(res),
            a,
            'Costs need an admin key: add one to this account (the REST API or the CLI: accounts update --admin-key).',
            false,
          ),
          ctxOf(res),
        );
      const servers = (await ops.listServers(op, { accountId: a.id })).data.filter(servesCosts);
      const wanted = typeof req.query.server === 'string' ? req.query.server : undefined;
      const server = servers.find((s) => s.id === wanted) ?? servers[0];
      if (!server)
        return page(
          res,
          200,
          'Usage',
          v.usageSetupPage(
            ctxOf(res),
            a,
            `Costs are fetched through a server of this account that offers ${COSTS_TOOL} (exposure "all"), so its scope and audit log apply; this account has none.`,
            true,
          ),
          ctxOf(res),
        );
      const days = req.query.days === '30' ? 30 : 7;
      const row = await options.credentials.serverById(server.id);
      const view: v.UsageView = { days, server: { id: server.id, name: server.name }, rows: [] };
      if (!row) view.error = 'That server has just expired or been revoked.';
      else {
        const tools = await options.scopes.toolsFor(row);
        let cursor: string | undefined;
        // At most 4 pages: 30 daily buckets grouped by project and line item fit in one or two.
        for (let i = 0; i < 4; i++) {
          const result = await tools.callTool(COSTS_TOOL, {
            start_time: `-${days}d`,
            bucket_width: '1d',
            limit: days + 1,
            group_by: ['project_id', 'line_item'],
            ...(cursor ? { page: cursor } : {}),
          });
          const sc = result.structuredContent as Partial<UsagePage<Record<string, unknown>>> | undefined;
          if (result.isError || !sc) {
            const text = (result.content as { type: string; text?: string }[]).find((c) => c.type === 'text')?.text;
            view.error = `The costs tool answered with an error: ${(text ?? 'no details').slice(0, 300)}`;
            break;
          }
          for (const r of sc[USAGE_PAGE.rows] ?? []) {
            const amount = r.amount as { value?: unknown; currency?: unknown } | undefined;
            view.rows.push({
              day: String(r.start_time_iso ?? '').slice(0, 10),
              project: typeof r.project_id === 'string' ? r.project_id : '(no project)',
              lineItem: typeof r.line_item === 'string' ? r.line_item : '(no line item)',
              amount: Number(amount?.value ?? 0) || 0,
              currency: typeof amount?.currency === 'string' ? amount.currency : 'usd',
            });
          }
          const next = sc[LIST_PAGE.cursor];
          if (!sc[LIST_PAGE.more] || !next) break;
          cursor = next;
        }
      }
      page(res, 200, `Usage · ${a.name}`, v.usagePage(a, view), ctxOf(res));
    }),
  );
  r.post(
    '/accounts/:id/usage-server',
    guarded(async (req, res) => {
      const op = local(res).op;
      const modes = authModeNames();
      await ops.createServer(
        op,
        param(req),
        {
          name: 'usage (dashboard)',
          config: { tools: [COSTS_TOOL], tool_exposure: 'all' },
          auth: modes.includes('url+client-token') ? 'url+client-token' : 'url',
          expires_at: new Date(Date.now() + 90 * DAY).toISOString(),
        },
        options.publicUrl,
      );
      res.redirect(303, `/ui/accounts/${encodeURIComponent(param(req))}/usage`);
    }),
  );

  r.use((_req, res) => {
    page(res, 404, 'Not found', v.errorBody('No such page.'), ctxOf(res));
  });
  return r;
}
