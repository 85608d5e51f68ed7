// OAuth 2.1 for managed servers over real HTTP on loopback: the service as authorization server (metadata,
// registration, authorize, login, consent, token, refresh, revocation) and as resource server (`/mcp/srv_…`),
// plus the attack matrix. Every refusal is also checked to have sent nothing to the stand-in for OpenAI.

import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CimdFetcher } from '../../service/auth/oauth/cimd.js';
import { DATABASE_FILE } from '../../service/store/sqlite.js';
import {
  authorizeUrl,
  type OAuthEnv,
  pkce,
  register,
  listWith,
  startOAuthService,
  tokenLoginFlow,
  tokenRequest,
  Jar,
  csrfOf,
} from './oauth-helpers.js';
import { cli, cliJson } from './helpers.js';

let env: OAuthEnv;
let base: string;
let serverA: { id: string; url: string };
let serverB: { id: string; url: string };
let readOnly: { id: string; url: string };
let client: { client_id: string };
const REDIRECT = 'http://127.0.0.1:53999/callback';
const db = () => new Database(path.join(env.dataDir, DATABASE_FILE));

/** Runs a full token-login authorization and exchanges the code; returns the token answer. */
async function authorizeAndExchange(resource: string, options: { scope?: string; clientId?: string } = {}) {
  const { verifier, challenge } = pkce();
  const flow = await tokenLoginFlow(
    base,
    {
      clientId: options.clientId ?? client.client_id,
      redirectUri: REDIRECT,
      resource,
      challenge,
      state: 'st',
      scope: options.scope,
    },
    env.apiToken,
  );
  expect(flow.code, JSON.stringify(flow.steps.map((s) => [s.status, s.location, s.text.slice(0, 200)]))).toBeTruthy();
  const answer = await tokenRequest(base, {
    grant_type: 'authorization_code',
    code: flow.code!,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
    client_id: options.clientId ?? client.client_id,
    resource,
  });
  return { ...answer, code: flow.code!, verifier };
}

/** The upstream must see nothing from a refused request. */
async function noUpstream<T>(fn: () => Promise<T>): Promise<T> {
  const before = env.stub.requests.length;
  const out = await fn();
  expect(env.stub.requests.length).toBe(before);
  return out;
}

beforeAll(async () => {
  env = await startOAuthService({ oauth: { cimd: { allowCidrs: ['127.0.0.1/32'] } } });
  base = env.url;
  const made = await env.manage(async (m) => ({
    a: await m.servers.createServer(
      env.accountId,
      { name: 'Files A', auth: 'oauth', config: { tags: ['Files'] } },
      base,
    ),
    b: await m.servers.createServer(
      env.accountId,
      { name: 'Files B', auth: 'oauth', config: { tags: ['Files'] } },
      base,
    ),
    ro: await m.servers.createServer(
      env.accountId,
      { name: 'RO', auth: 'oauth', config: { tags: ['Files'], methods: ['read'] } },
      base,
    ),
  }));
  serverA = { id: made.a.id, url: made.a.url! };
  serverB = { id: made.b.id, url: made.b.url! };
  readOnly = { id: made.ro.id, url: made.ro.url! };
  const reg = await register(base, {
    client_name: 'Test client',
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
  });
  expect(reg.status).toBe(201);
  client = reg.body as { client_id: string };
});

afterAll(async () => {
  await env?.close();
});

describe('discovery', () => {
  it('an oauth server has a non-secret resource URL, and its 401 names its protected resource metadata', async () => {
    expect(serverA.url).toBe(`${base}/mcp/${serverA.id}`);
    const r = await noUpstream(() => listWith(serverA.url));
    expect(r.status).toBe(401);
    expect(r.challenge).toContain(`resource_metadata="${base}/.well-known/oauth-protected-resource/mcp/${serverA.id}"`);
    const prm = (await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp/${serverA.id}`)).json()) as any;
    expect(prm.resource).toBe(serverA.url);
    expect(prm.authorization_servers).toEqual([base]);
    expect(prm.scopes_supported).toEqual(['read', 'write']);
    const ro = (await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp/${readOnly.id}`)).json()) as any;
    expect(ro.scopes_supported).toEqual(['read']);
    const asm = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as any;
    expect(asm.issuer).toBe(base);
    expect(asm.code_challenge_methods_supported).toEqual(['S256']);
    expect(asm.client_id_metadata_document_supported).toBe(true);
    expect(asm.registration_endpoint).toBe(`${base}/oauth/register`);
  });

  it('the REST object says auth oauth and who may log in; the listing shows the resource URL', async () => {
    const got = await env.manage((m) => m.servers.getServer(serverA.id));
    expect(got.auth).toBe('oauth');
    expect(got.oauth).toEqual({ resource_path: `/mcp/${serverA.id}`, allow_emails: [], allow_groups: [] });
    const res = await fetch(`${base}/v1/mcp-servers/${serverA.id}`, {
      headers: { authorization: `Bearer ${env.apiToken}` },
    });
    const body = (await res.json()) as any;
    expect(body.url).toBe(serverA.url);
    expect(body.require_api_token_auth).toBe(false);
  });
});

describe('the flow', () => {
  it('authorize → login → consent → token → tools/list, and the token narrows to the server (files tools only)', async () => {
    const t = await authorizeAndExchange(serverA.url);
    expect(t.status).toBe(200);
    expect(t.body.token_type).toBe('Bearer');
    expect(t.body.access_token).toMatch(/^omcpat_/);
    expect(t.body.refresh_token).toMatch(/^omcprt_/);
    expect(t.body.scope).toBe('read write');
    expect(t.body.expires_in).toBeLessThanOrEqual(600);
    const r = await listWith(serverA.url, t.body.access_token);
    expect(r.status).toBe(200);
    expect(r.tools.length).toBeGreaterThan(0);
    // The stored rows hold hashes only.
    const d = db();
    const dump =
      JSON.stringify(d.prepare('select * from oauth_tokens').all()) +
      JSON.stringify(d.prepare('select * from oauth_codes').all());
    d.close();
    expect(dump).not.toContain(t.body.access_token);
    expect(dump).not.toContain(t.body.refresh_token);
    expect(dump).not.toContain(t.code);
  });

  it('a token asked with scope read lists only read tools; write cannot be asked of a read-only server', async () => {
    const all = await authorizeAndExchange(serverA.url);
    const read = await authorizeAndExchange(serverA.url, { scope: 'read' });
    expect(read.body.scope).toBe('read');
    const allTools = (await listWith(serverA.url, all.body.access_token)).tools;
    const readTools = (await listWith(serverA.url, read.body.access_token)).tools;
    expect(readTools.length).toBeGreaterThan(0);
    expect(readTools.length).toBeLessThan(allTools.length);
    expect(readTools.every((n) => allTools.includes(n))).toBe(true);
    const { challenge } = pkce();
    const widen = await noUpstream(() =>
      tokenLoginFlow(
        base,
        {
          clientId: client.client_id,
          redirectUri: REDIRECT,
          resource: readOnly.url,
          challenge,
          scope: 'read write',
          state: 'x',
        },
        env.apiToken,
      ),
    );
    expect(widen.code).toBeUndefined();
    expect(widen.redirect?.searchParams.get('error')).toBe('invalid_scope');
  });

  it('refresh rotates the refresh token; the old one replayed ends the grant', async () => {
    const t = await authorizeAndExchange(serverA.url);
    const r1 = await tokenRequest(base, {
      grant_type: 'refresh_token',
      refresh_token: t.body.refresh_token,
      client_id: client.client_id,
    });
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(t.body.refresh_token);
    expect((await listWith(serverA.url, r1.body.access_token)).status).toBe(200);
    const replay = await tokenRequest(base, {
      grant_type: 'refresh_token',
      refresh_token: t.body.refresh_token,
      client_id: client.client_id,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // The whole grant is gone, including what the rotation issued.
    expect((await listWith(serverA.url, r1.body.access_token)).status).toBe(401);
    const next = await tokenRequest(base, {
      grant_type: 'refresh_token',
      refresh_token: r1.body.refresh_token,
      client_id: client.client_id,
    });
    expect(next.status).toBe(400);
  });

  it('revocation: a revoked refresh token refreshes nothing, and its access tokens stop at once', async () => {
    const t = await authorizeAndExchange(serverA.url);
    const res = await fetch(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.body.refresh_token, client_id: client.client_id }).toString(),
    });
    expect(res.status).toBe(200);
    const after = await noUpstream(() =>
      tokenRequest(base, {
        grant_type: 'refresh_token',
        refresh_token: t.body.refresh_token,
        client_id: client.client_id,
      }),
    );
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');
    expect((await noUpstream(() => listWith(serverA.url, t.body.access_token))).status).toBe(401);
  });

  it('the audit log has the authorization, the refresh, the revocation and refusals, with the subject and no token', async () => {
    const d = db();
    const rows = d.prepare('select * from auth_events where server_id = ?').all(serverA.id) as any[];
    d.close();
    const kinds = new Set(rows.map((r) => r.event));
    for (const k of ['authorized', 'token_issued', 'refreshed', 'revoked', 'refused']) expect(kinds).toContain(k);
    expect(rows.find((r) => r.event === 'authorized').subject).toContain(`token:${env.apiTokenId}`);
    expect(JSON.stringify(rows)).not.toMatch(/omcp(at|rt|ac|api)?_[A-Za-z0-9_-]{20}/);
  });
});

describe('attack matrix (each refused, nothing reaching OpenAI)', () => {
  it('a token for server A on server B', async () => {
    const t = await authorizeAndExchange(serverA.url);
    const r = await noUpstream(() => listWith(serverB.url, t.body.access_token));
    expect(r.status).toBe(401);
    expect(r.challenge).toContain('invalid_token');
    // The URL form of the token is no credential either.
    expect((await noUpstream(() => listWith(`${base}/mcp/${t.body.access_token}`))).status).toBe(404);
  });

  it('a wrong resource: at authorize (trailing slash, another host, a url-mode server) and at the token endpoint', async () => {
    for (const resource of [
      `${serverA.url}/`,
      serverA.url.replace('127.0.0.1', 'localhost'),
      `${base}/mcp`,
      undefined,
    ]) {
      const { challenge } = pkce();
      const f = await noUpstream(() =>
        tokenLoginFlow(
          base,
          { clientId: client.client_id, redirectUri: REDIRECT, resource, challenge, state: 's' },
          env.apiToken,
        ),
      );
      expect(f.code, String(resource)).toBeUndefined();
      expect(f.redirect?.searchParams.get('error'), String(resource)).toBe('invalid_target');
    }
    const { verifier, challenge } = pkce();
    const f = await tokenLoginFlow(
      base,
      { clientId: client.client_id, redirectUri: REDIRECT, resource: serverA.url, challenge, state: 's' },
      env.apiToken,
    );
    const t = await tokenRequest(base, {
      grant_type: 'authorization_code',
      code: f.code!,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      resource: serverB.url,
    });
    expect(t.status).toBe(400);
    expect(t.body.error).toBe('invalid_target');
  });

  it('no PKCE, plain PKCE, and a wrong verifier', async () => {
    const noPkce = await tokenLoginFlow(
      base,
      { clientId: client.client_id, redirectUri: REDIRECT, resource: serverA.url, state: 's' },
      env.apiToken,
    );
    expect(noPkce.redirect?.searchParams.get('error')).toBe('invalid_request');
    const { verifier } = pkce();
    const plain = await tokenLoginFlow(
      base,
      {
        clientId: client.client_id,
        redirectUri: REDIRECT,
        resource: serverA.url,
        challenge: verifier,
        method: 'plain',
        state: 's',
      },
      env.apiToken,
    );
    expect(plain.redirect?.searchParams.get('error')).toBe('invalid_request');
    const { challenge } = pkce();
    const f = await tokenLoginFlow(
      base,
      { clientId: client.client_id, redirectUri: REDIRECT, resource: serverA.url, challenge, state: 's' },
      env.apiToken,
    );
    const missing = await tokenRequest(base, {
      grant_type: 'authorization_code',
      code: f.code!,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
    });
    expect(missing.status).toBe(400);
    const wrong = await tokenRequest(base, {
      grant_type: 'authorization_code',
      code: f.code!,
      code_verifier: pkce().verifier,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
    });
    expect(wrong.body.error).toBe('invalid_grant');
  });

  it('a reused code is refused and ends the tokens its first use got', async () => {
    const t = await authorizeAndExchange(serverA.url);
    expect(t.status).toBe(200);
    const again = await tokenRequest(base, {
      grant_type: 'authorization_code',
      code: t.code,
      code_verifier: t.verifier,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
    });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    expect((await noUpstream(() => listWith(serverA.url, t.body.access_token))).status).toBe(401);
  });

  it('redirect URIs differing by a trailing slash, case, port or query, and an open redirect, get an error page, not a redirect', async () => {
    const variants = [
      `${REDIRECT}/`,
      REDIRECT.replace('/callback', '/Callback'),
      REDIRECT.replace('53999', '53998'),
      `${REDIRECT}?next=https://evil.example/`,
      'https://evil.example/callback',
    ];
    for (const redirectUri of variants) {
      const { challenge } = pkce();
      const f = await noUpstream(() =>
        tokenLoginFlow(
          base,
          { clientId: client.client_id, redirectUri, resource: serverA.url, challenge, state: 's' },
          env.apiToken,
        ),
      );
      expect(f.steps[0]!.status, redirectUri).toBe(400);
      expect(f.steps[0]!.location, redirectUri).toBeNull();
    }
    // Registration refuses redirect URIs that could leak a code.
    for (const uri of ['http://evil.example/cb', 'javascript:alert(1)', 'https://app.example/cb#frag']) {
      const r = await register(base, { redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect(r.status, uri).toBe(400);
    }
  });

  it('a CIMD client_id on 169.254.169.254 or 10.0.0.1 is refused without a request; one on allowed loopback works', async () => {
    let opened = 0;
    const fetcher = new CimdFetcher({
      request: ((...args: Parameters<typeof http.request>) => {
        opened++;
        return http.request(...args);
      }) as typeof http.request,
    });
    for (const id of [
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/client.json',
      'https://[::ffff:a00:1]/c',
      'https://127.0.0.1/c',
    ]) {
      await expect(fetcher.client(id), id).rejects.toThrow(/refused|not an IP/);
    }
    expect(opened).toBe(0);
    // Through the service: the authorize endpoint knows no such client.
    const { challenge } = pkce();
    const res = await fetch(
      authorizeUrl(base, {
        clientId: 'https://169.254.169.254/latest/meta-data/client',
        redirectUri: REDIRECT,
        resource: serverA.url,
        challenge,
      }),
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    // A metadata document on loopback, which this service's operator allowed (127.0.0.1/32).
    const doc = http.createServer((req, res) => {
      const id = `http://127.0.0.1:${(doc.address() as { port: number }).port}${req.url}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          client_id: id,
          client_name: 'CIMD client',
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'none',
        }),
      );
    });
    await new Promise<void>((r) => doc.listen(0, '127.0.0.1', r));
    try {
      const cimdId = `http://127.0.0.1:${(doc.address() as { port: number }).port}/client.json`;
      const t = await authorizeAndExchange(serverA.url, { clientId: cimdId });
      expect(t.status).toBe(200);
      expect((await listWith(serverA.url, t.body.access_token)).status).toBe(200);
    } finally {
      doc.close();
    }
  });

  it('a token after its server expired, or was deleted: refused at the resource, at refresh and at authorize', async () => {
    const made = await env.manage((m) =>
      m.servers.createServer(env.accountId, { name: 'Soon gone', auth: 'oauth', config: { tags: ['Files'] } }, base),
    );
    const t = await authorizeAndExchange(made.url!);
    expect((await listWith(made.url!, t.body.access_token)).status).toBe(200);
    const d = db();
    d.prepare('update mcp_servers set expires_at = ? where id = ?').run(Date.now() - 1000, made.id);
    d.close();
    expect((await noUpstream(() => listWith(made.url!, t.body.access_token))).status).toBe(404);
    const refresh = await tokenRequest(base, {
      grant_type: 'refresh_token',
      refresh_token: t.body.refresh_token,
      client_id: client.client_id,
    });
    expect(refresh.body.error).toBe('invalid_grant');
    const { challenge } = pkce();
    const f = await tokenLoginFlow(
      base,
      { clientId: client.client_id, redirectUri: REDIRECT, resource: made.url!, challenge, state: 's' },
      env.apiToken,
    );
    expect(f.redirect?.searchParams.get('error')).toBe('invalid_target');

    const other = await env.manage((m) =>
      m.servers.createServer(env.accountId, { name: 'Deleted', auth: 'oauth', config: { tags: ['Files'] } }, base),
    );
    const t2 = await authorizeAndExchange(other.url!);
    await env.manage((m) => m.servers.deleteServer(other.id));
    expect((await noUpstream(() => listWith(other.url!, t2.body.access_token))).status).toBe(404);
  });

  it('CSRF on consent: a wrong CSRF token, or a POST without the browser cookie, approves nothing', async () => {
    const { challenge } = pkce();
    const tampered = await tokenLoginFlow(
      base,
      { clientId: client.client_id, redirectUri: REDIRECT, resource: serverA.url, challenge, state: 's' },
      env.apiToken,
      { tamperCsrf: true },
    );
    expect(tampered.code).toBeUndefined();
    expect(tampered.steps.at(-1)!.status).toBe(403);
    // A cross-site form post carries no SameSite=Lax cookie: the request is unknown to it.
    const jar = new Jar();
    const first = await fetch(
      authorizeUrl(base, {
        clientId: client.client_id,
        redirectUri: REDIRECT,
        resource: serverA.url,
        challenge,
        state: 's',
      }),
      {
        redirect: 'manual',
      },
    );
    jar.take(first);
    const loginUrl = first.headers.get('location')!;
    const requestId = new URL(loginUrl).searchParams.get('request')!;
    const login = await fetch(loginUrl, { headers: { cookie: jar.header() } });
    const csrf = csrfOf(await login.text());
    const post = await fetch(`${base}/oauth/login/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: requestId, csrf, token: env.apiToken }).toString(),
    });
    expect(post.status).toBe(400);
  });

  it('a wrong API token at the login, and a denied consent, give no code', async () => {
    const { challenge } = pkce();
    const bad = await tokenLoginFlow(
      base,
      { clientId: client.client_id, redirectUri: REDIRECT, resource: serverA.url, challenge, state: 's' },
      'omcpapi_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(bad.code).toBeUndefined();
    expect(bad.steps.at(-1)!.status).toBe(401);
    const denied = await tokenLoginFlow(
      base,
      { clientId: client.client_id, redirectUri: REDIRECT, resource: serverA.url, challenge, state: 'zz' },
      env.apiToken,
      { decision: 'deny' },
    );
    expect(denied.code).toBeUndefined();
    expect(denied.redirect?.searchParams.get('error')).toBe('access_denied');
    expect(denied.redirect?.searchParams.get('state')).toBe('zz');
  });

  it('the secret URL mode stops working when a server moves to oauth, and a server moved off oauth loses its tokens', async () => {
    const made = await env.manage((m) =>
      m.servers.createServer(env.accountId, { name: 'Mover', config: { tags: ['Files'] } }, base),
    );
    expect((await listWith(made.url!)).status).toBe(200);
    const moved = await env.manage((m) => m.servers.updateServer(made.id, { auth: 'oauth' }, base));
    expect(moved.auth).toBe('oauth');
    expect((await noUpstream(() => listWith(made.url!))).status).toBe(404);
    const resource = `${base}/mcp/${made.id}`;
    const t = await authorizeAndExchange(resource);
    expect((await listWith(resource, t.body.access_token)).status).toBe(200);
    const back = await env.manage((m) => m.servers.updateServer(made.id, { auth: 'url' }, base));
    expect(back.url).toMatch(/\/mcp\/omcp_/);
    expect((await listWith(back.url!)).status).toBe(200);
    expect((await noUpstream(() => listWith(resource, t.body.access_token))).status).toBe(404);
    const refresh = await tokenRequest(base, {
      grant_type: 'refresh_token',
      refresh_token: t.body.refresh_token,
      client_id: client.client_id,
    });
    expect(refresh.status).toBe(400);
  });

  it('confidential clients: the secret is checked (form or Basic), stored hashed, and a wrong one refused', async () => {
    const reg = await register(base, {
      client_name: 'Conf',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(reg.status).toBe(201);
    expect(reg.body.client_secret).toMatch(/^omcpcs_/);
    const d = db();
    const stored = JSON.stringify(d.prepare('select * from oauth_clients').all());
    d.close();
    expect(stored).not.toContain(reg.body.client_secret);
    const { verifier, challenge } = pkce();
    const f = await tokenLoginFlow(
      base,
      { clientId: reg.body.client_id, redirectUri: REDIRECT, resource: serverA.url, challenge, state: 's' },
      env.apiToken,
    );
    const basic = (secret: string) => `Basic ${Buffer.from(`${reg.body.client_id}:${secret}`).toString('base64')}`;
    const params = { grant_type: 'authorization_code', code: f.code!, code_verifier: verifier, redirect_uri: REDIRECT };
    const wrong = await tokenRequest(base, params, { authorization: basic('omcpcs_wrong') });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const none = await tokenRequest(base, { ...params, client_id: reg.body.client_id });
    expect(none.status).toBe(401);
    const ok = await tokenRequest(base, params, { authorization: basic(reg.body.client_secret) });
    expect(ok.status).toBe(200);
  });
});

describe('CLI', () => {
  it('servers create|update --auth oauth with allow-lists; serve --oidc-issuer needs the client credentials', () => {
    const created = cliJson([
      'servers',
      'create',
      '--account',
      env.accountId,
      '--name',
      'cli oauth',
      '--tags',
      'Files',
      '--auth',
      'oauth',
      '--oauth-allow-email',
      'Alice@Example.com',
      '--data-dir',
      env.dataDir,
    ]);
    expect(created.auth).toBe('oauth');
    expect(created.url).toBe(`${base}/mcp/${created.id}`);
    expect(created.oauth.allow_emails).toEqual(['alice@example.com']);
    const updated = cliJson([
      'servers',
      'update',
      created.id,
      '--oauth-allow-group',
      'ml-team',
      '--data-dir',
      env.dataDir,
    ]);
    expect(updated.oauth).toMatchObject({ allow_emails: ['alice@example.com'], allow_groups: ['ml-team'] });
    const bad = cli([
      'servers',
      'create',
      '--account',
      env.accountId,
      '--name',
      'x',
      '--oauth-allow-email',
      'a@example.com',
      '--data-dir',
      env.dataDir,
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('oauth: only for servers with auth "oauth"');
    const serve = cli([
      'serve',
      '--http',
      '--port',
      '0',
      '--data-dir',
      env.dataDir,
      '--oidc-issuer',
      'https://idp.example',
    ]);
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain('OPENAI_MCP_OIDC_CLIENT_ID');
  });
});
