// The dashboard's sessions and scope over plain HTTP (the browser tests are dashboard-browser.test.ts): session ids
// are stored hashed and expire (idle, lifetime, the token's own expiry); revoking the token that logged in ends its
// sessions at once; a client token cannot log in; a scoped token sees only its accounts, and the dashboard's changes
// land in the operator audit log under the token's id, like the REST API's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sessions } from '../../service/http/ui/sessions.js';
import { type OAuthEnv, startOAuthService } from './oauth-helpers.js';

let env: OAuthEnv;
beforeAll(async () => {
  env = await startOAuthService();
});
afterAll(async () => {
  await env?.close();
});

async function login(token: string) {
  const res = await fetch(`${env.url}/ui/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { res, cookie, setCookie: res.headers.get('set-cookie') ?? '' };
}
const page = (cookie: string, p = '/ui') => fetch(`${env.url}${p}`, { headers: { cookie }, redirect: 'manual' });
const rest = (method: string, p: string, token: string, body?: unknown) =>
  fetch(`${env.url}/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('dashboard sessions', () => {
  it('stores only hashes of session ids, and expires sessions when idle, at their lifetime and the token expiry', () => {
    let now = 1_000_000;
    const s = new Sessions({ idleMs: 1000, lifetimeMs: 5000, now: () => now });
    const { id } = s.create('tok_a', null);
    expect(s.storedKeys()).not.toContain(id);
    expect(s.storedKeys().join()).not.toContain(id.slice(0, 10));
    expect(s.get(id)?.tokenId).toBe('tok_a');
    now += 999;
    expect(s.get(id)).toBeDefined(); // touched: idle restarts
    now += 999;
    expect(s.get(id)).toBeDefined();
    now += 1000;
    expect(s.get(id)).toBeUndefined(); // idle
    const b = s.create('tok_b', null);
    for (let i = 0; i < 6; i++) {
      now += 900;
      s.get(b.id);
    }
    expect(s.get(b.id)).toBeUndefined(); // lifetime, though never idle
    const c = s.create('tok_c', now + 500);
    now += 600;
    expect(s.get(c.id)).toBeUndefined(); // the token's expiry
  });

  it('bounds the number of sessions', () => {
    const s = new Sessions({ max: 3 });
    const first = s.create('t', null);
    for (let i = 0; i < 5; i++) s.create('t', null);
    expect(s.size).toBe(3);
    expect(s.get(first.id)).toBeUndefined();
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
    expect((await page(cookie)).status).toBe(200);
    expect((await rest('DELETE', `/management-tokens/${minted.id}`, env.apiToken)).status).toBe(200);
    const after = await page(cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/ui/login');
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
  });
});
