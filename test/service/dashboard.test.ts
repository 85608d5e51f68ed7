// The dashboard's sessions and scope over plain HTTP (the browser tests are dashboard-browser.test.ts): session ids
// are stored hashed and expire (idle, lifetime, the token's own expiry); revoking the token that logged in ends its
// sessions at once; a client token cannot log in; a scoped token sees only its accounts, and the dashboard's changes
// land in the operator audit log under the token's id, like the REST API's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiAdminOptions } from '../../cli/serve.js';
import { Sessions } from '../../service/http/ui/sessions.js';
import { startHttpService } from '../../service/serve.js';
import { openSqliteStore } from '../../service/store/sqlite.js';
import { tempDataDir } from './helpers.js';
import { type OAuthEnv, startOAuthService } from './oauth-helpers.js';

let env: OAuthEnv;
beforeAll(async () => {
  env = await startOAuthService();
});
afterAll(async () => {
  await env?.close();
});

/** The login form's CSRF pair: the pre-session cookie and the hidden field the form echoes. */
async function loginForm() {
  const res = await fetch(`${env.url}/ui/login`, { redirect: 'manual' });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  return { cookie, csrf };
}
async function postLogin(fields: Record<string, string>, cookie: string) {
  return fetch(`${env.url}/ui/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}
async function login(token: string) {
  const form = await loginForm();
  const res = await postLogin({ token, csrf: form.csrf }, form.cookie);
  // The session cookie (the login form's own pre-session cookie is cleared alongside it).
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('omcp_ui=')) ?? '';
  return { res, cookie: setCookie.split(';')[0] ?? '', setCookie };
}
/** The stored sessions of a principal, read through the store as another process would. */
async function sessionRows(principal: string) {
  const store = await openSqliteStore(env.dataDir);
  try {
    return await store.ui.ofPrincipal(principal);
  } finally {
    await store.close();
  }
}
const page = (cookie: string, p = '/ui') => fetch(`${env.url}${p}`, { headers: { cookie }, redirect: 'manual' });
const rest = (method: string, p: string, token: string, body?: unknown) =>
  fetch(`${env.url}/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('dashboard sessions', () => {
  it('stores only hashes of session ids, and expires sessions when idle, at their lifetime and the token expiry', async () => {
    const store = await openSqliteStore(tempDataDir());
    try {
      let now = 1_000_000;
      const s = new Sessions(store.ui, { idleMs: 1000, lifetimeMs: 5000, now: () => now });
      const { id } = await s.create({ kind: 'token', principal: 'tok_a', expiresAt: null });
      const stored = JSON.stringify(await store.ui.ofPrincipal('tok_a'));
      expect(stored).not.toContain(id);
      expect(stored).not.toContain(id.slice(0, 10));
      expect((await s.get(id))?.principal).toBe('tok_a');
      now += 999;
      expect(await s.get(id)).toBeDefined(); // touched: idle restarts
      now += 999;
      expect(await s.get(id)).toBeDefined();
      now += 1000;
      expect(await s.get(id)).toBeUndefined(); // idle
      expect(await store.ui.ofPrincipal('tok_a')).toEqual([]); // and deleted
      const b = await s.create({ kind: 'token', principal: 'tok_b', expiresAt: null });
      for (let i = 0; i < 6; i++) {
        now += 900;
        await s.get(b.id);
      }
      expect(await s.get(b.id)).toBeUndefined(); // lifetime, though never idle
      const c = await s.create({ kind: 'token', principal: 'tok_c', expiresAt: now + 500 });
      now += 600;
      expect(await s.get(c.id)).toBeUndefined(); // the token's expiry
    } finally {
      await store.close();
    }
  });

  it('bounds the number of sessions per principal', async () => {
    const store = await openSqliteStore(tempDataDir());
    try {
      let now = 1_000_000;
      const s = new Sessions(store.ui, { maxPerPrincipal: 3, now: () => now++ });
      const first = await s.create({ kind: 'token', principal: 't', expiresAt: null });
      const other = await s.create({ kind: 'token', principal: 'u', expiresAt: null });
      for (let i = 0; i < 5; i++) await s.create({ kind: 'token', principal: 't', expiresAt: null });
      expect(await store.ui.ofPrincipal('t')).toHaveLength(3);
      expect(await s.get(first.id)).toBeUndefined();
      expect(await s.get(other.id)).toBeDefined(); // another principal's are not touched
    } finally {
      await store.close();
    }
  });

  it('sets an httpOnly, SameSite=Strict, expiring cookie, and refuses client tokens and junk', async () => {
    const ok = await login(env.apiToken);
    expect(ok.res.status).toBe(303);
    expect(ok.setCookie).toMatch(/HttpOnly/i);
    expect(ok.setCookie).toMatch(/SameSite=Strict/i);
    expect(ok.setCookie).toMatch(/Max-Age=\d+/i);
    expect(ok.setCookie).toMatch(/Path=\/ui/);
    expect(ok.setCookie).not.toMatch(/Secure/); // plain-HTTP loopback; Secure (and __Host-) under an https public URL
    expect((await page(ok.cookie)).status).toBe(200);

    // A real client token (it opens MCP servers, administers nothing) cannot log in.
    const server = (await (
      await rest('POST', `/accounts/${env.accountId}/mcp`, env.apiToken, {
        name: 'for a client',
        config: { tags: ['models'] },
      })
    ).json()) as { id: string };
    const client = (await (
      await rest('POST', '/client-tokens', env.apiToken, { name: 'c', servers: [server.id] })
    ).json()) as { token: string };
    const refused = await login(client.token);
    expect(refused.res.status).toBe(401);
    expect(await refused.res.text()).toContain('needs a management token');
    for (const token of ['omcpadm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'nonsense', '']) {
      const r = await login(token);
      expect(r.res.status).toBe(401);
      expect(r.setCookie).toBe('');
    }
  });

  it('ends the sessions of a revoked token at once', async () => {
    const minted = (await (
      await rest('POST', '/management-tokens', env.apiToken, { name: 'short', accounts: '*', actions: ['read'] })
    ).json()) as { id: string; token: string };
    const { cookie } = await login(minted.token);
    await login(minted.token); // a second browser
    expect((await page(cookie)).status).toBe(200);
    expect(await sessionRows(minted.id)).toHaveLength(2);
    expect((await rest('DELETE', `/management-tokens/${minted.id}`, env.apiToken)).status).toBe(200);
    // Gone from the store in the revoking write (so from every replica), not only refused on the next request.
    expect(await sessionRows(minted.id)).toEqual([]);
    const after = await page(cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/ui/login');
  });

  it('keeps sessions in the store: another process on the same data dir honours them, and logout deletes the row', async () => {
    const { cookie } = await login(env.apiToken);
    const rows = await sessionRows(env.apiTokenId);
    expect(rows.length).toBeGreaterThan(0);
    // Only hashes are stored.
    expect(JSON.stringify(rows)).not.toContain(cookie.split('=')[1]!);
    // A second service on the same store (a replica, or this one after a restart) knows the session.
    const other = await startHttpService({ dataDir: env.dataDir, port: 0, allowPrivateBaseUrls: true, log: () => {} });
    try {
      const there = await fetch(`${other.url}/ui`, { headers: { cookie }, redirect: 'manual' });
      expect(there.status).toBe(200);
      expect(await there.text()).toContain('Acme');
      const csrf = /name="csrf" value="([^"]+)"/.exec(await (await page(cookie)).text())?.[1] ?? '';
      const out = await fetch(`${other.url}/ui/logout`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf }).toString(),
        redirect: 'manual',
      });
      expect(out.status).toBe(303);
      expect((await sessionRows(env.apiTokenId)).length).toBe(rows.length - 1);
      // Logged out there, so logged out here.
      expect((await page(cookie)).status).toBe(303);
    } finally {
      await other.close();
    }
  });

  it("a scoped token sees only its accounts; the dashboard's changes are audited under its id", async () => {
    const other = (await (
      await rest('POST', '/accounts', env.apiToken, {
        name: 'Other Tenant',
        api_key: 'sk-proj-OTHERkey0123456789abcdefghij',
      })
    ).json()) as { id: string };
    const scoped = (await (
      await rest('POST', '/management-tokens', env.apiToken, {
        name: 'acme only',
        accounts: [env.accountId],
        actions: ['read', 'servers:write'],
      })
    ).json()) as { id: string; token: string };
    const { cookie } = await login(scoped.token);
    const list = await (await page(cookie)).text();
    expect(list).toContain('Acme');
    expect(list).not.toContain('Other Tenant');
    // Outside the scope: the same 404 as a missing account.
    expect((await page(cookie, `/ui/accounts/${other.id}`)).status).toBe(404);
    expect((await page(cookie, '/ui/accounts/acc_missing')).status).toBe(404);

    // A change through the dashboard: CSRF token from the form, then the operator audit log names the token.
    const form = await (await page(cookie, `/ui/accounts/${env.accountId}/servers/new`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
    expect(csrf).not.toBe('');
    const created = await fetch(`${env.url}/ui/accounts/${env.accountId}/servers`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['csrf', csrf],
        ['name', 'from the dashboard'],
        ['methods', 'read'],
        ['tags', 'models'],
        ['exposure', 'all'],
        ['auth', 'url'],
        ['expires_in', '7d'],
      ]).toString(),
    });
    expect(created.status).toBe(201);
    const html = await created.text();
    expect(html).toMatch(/\/mcp\/omcp_/);
    // Validation is the REST API's: an unknown tag is a 400 naming it, and nothing is stored.
    const bad = await fetch(`${env.url}/ui/accounts/${env.accountId}/servers`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['csrf', csrf],
        ['name', 'bad'],
        ['tags', 'no-such-tag'],
      ]).toString(),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('no-such-tag');
    // Adding an account needs all accounts: refused for this token, as over REST.
    const refused = await fetch(`${env.url}/ui/accounts`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, name: 'sneaky', api_key: 'sk-proj-SNEAKYkey0123456789abcdefgh' }).toString(),
    });
    expect(refused.status).toBe(403);

    const log = (await (await rest('GET', '/audit-log', env.apiToken)).json()) as {
      data: { actor: string; action: string; result: string }[];
    };
    expect(log.data).toContainEqual(
      expect.objectContaining({ actor: scoped.id, action: 'servers.create', result: 'ok' }),
    );
    expect(log.data).toContainEqual(
      expect.objectContaining({ actor: scoped.id, action: 'accounts.create', result: 'denied' }),
    );
    expect(log.data).toContainEqual(
      expect.objectContaining({ actor: scoped.id, action: 'accounts.get', result: 'denied' }),
    );
    expect(log.data).toContainEqual(expect.objectContaining({ actor: scoped.id, action: 'ui.login', result: 'ok' }));
  });

  it("refuses a login post without the login form's CSRF token (login CSRF)", async () => {
    // A cross-site post carries neither the pre-session cookie nor the form's token: no session for it.
    const bare = await postLogin({ token: env.apiToken }, '');
    expect(bare.status).toBe(403);
    expect(bare.headers.get('set-cookie') ?? '').not.toMatch(/omcp_ui=/);
    // A forged token with a real cookie is refused too.
    const form = await loginForm();
    expect(form.csrf).not.toBe('');
    const forged = await postLogin({ token: env.apiToken, csrf: 'x'.repeat(43) }, form.cookie);
    expect(forged.status).toBe(403);
    expect((await login(env.apiToken)).res.status).toBe(303);
  });
});

// Its own service: the lock-out covers every request from loopback, which would lock the other tests out too.
describe('dashboard login rate limit', () => {
  let own: OAuthEnv;
  beforeAll(async () => {
    own = await startOAuthService();
  });
  afterAll(async () => {
    await own?.close();
  });

  it('rate-limits failed logins per client address with a clear message', async () => {
    const formRes = await fetch(`${own.url}/ui/login`);
    const cookie = (formRes.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(await formRes.text())?.[1] ?? '';
    const post = (token: string) =>
      fetch(`${own.url}/ui/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ token, csrf }).toString(),
        redirect: 'manual',
      });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await post('omcpadm_wrong');
      statuses.push(last.status);
    }
    // Ten failures are answered as failures; the eleventh try waits.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(last?.status).toBe(429);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await last?.text()).toContain('Too many failed logins');
    // Even the right token waits out the lock-out from this address.
    expect((await post(own.apiToken)).status).toBe(429);
    expect(own.logs.some((l) => l.includes(own.apiToken))).toBe(false);
  });
});

describe('dashboard admin list flags', () => {
  const base = { exposure: 'all' as const, oidcIssuer: 'https://idp.example.com' };
  it('lets nobody in by default, lower-cases emails, and keeps tokens:write out unless named', () => {
    expect(uiAdminOptions(base)).toEqual({
      emails: [],
      groups: [],
      accounts: '*',
      actions: ['read', 'servers:write', 'accounts:write'],
    });
    expect(
      uiAdminOptions({
        ...base,
        uiAdminEmail: ['Alice@Example.com'],
        uiAdminGroup: ['platform'],
        uiAdminAccounts: ['acc_1'],
        uiAdminActions: ['read'],
      }),
    ).toEqual({ emails: ['alice@example.com'], groups: ['platform'], accounts: ['acc_1'], actions: ['read'] });
    expect(uiAdminOptions({ ...base, uiAdminActions: ['all'] })?.actions).toBe('*');
    expect(uiAdminOptions({ exposure: 'all' })).toBeUndefined();
  });
  it('refuses a list without an identity provider, an unknown action and a malformed email, naming the flag', () => {
    expect(() => uiAdminOptions({ exposure: 'all', uiAdminEmail: ['a@b.c'] })).toThrow(/--oidc-issuer/);
    expect(() => uiAdminOptions({ ...base, uiAdminActions: ['read', 'root'] })).toThrow(/--ui-admin-actions: "root"/);
    expect(() => uiAdminOptions({ ...base, uiAdminEmail: ['alice'] })).toThrow(/--ui-admin-email: "alice"/);
  });
});
