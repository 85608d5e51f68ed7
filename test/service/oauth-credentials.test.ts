// OAuth servers among the service's other credentials, over real HTTP on loopback: the 401 challenge on every MCP
// path and protocol era; what an access token, a refresh token, a client token and a management token can and
// cannot do; a management token's login ending with the token; and revocation reaching work already running (a task
// polling OpenAI, an SSE session) when the server is deleted or the login's grant is revoked.

import { TOKEN_PREFIX, issueToken, redactTokens, type TokenKind } from '../../service/tokens.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/capture-server.js';
import {
  listWith,
  type OAuthEnv,
  pkce,
  register,
  startOAuthService,
  tokenLoginFlow,
  tokenRequest,
} from './oauth-helpers.js';

let env: OAuthEnv;
let base: string;
let clientId: string;
const REDIRECT = 'http://127.0.0.1:53998/callback';
const ALL = { accounts: '*', actions: '*', expiresAt: null, issuer: 'cli:test' } as const;
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const WITH_TASKS = {
  ...ENVELOPE,
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
};
const WAIT = {
  name: 'wait_for_open_ai_fine_tuning_job_by_id',
  arguments: { fine_tuning_job_id: 'ftjob-1', poll_interval_seconds: 1 },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createOAuthServer(name: string) {
  const s = await env.manage((m) =>
    m.servers.createServer(env.accountId, { name, auth: 'oauth', config: { tags: ['Fine-tuning'] } }, base),
  );
  return { id: s.id, url: s.url! };
}

/** A login with `token` at the login page, and the code exchanged; the token answer (or why there is none). */
async function login(resource: string, token = env.apiToken) {
  const { verifier, challenge } = pkce();
  const flow = await tokenLoginFlow(base, { clientId, redirectUri: REDIRECT, resource, challenge, state: 's' }, token);
  if (!flow.code) return { flow };
  const answer = await tokenRequest(base, {
    grant_type: 'authorization_code',
    code: flow.code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
    client_id: clientId,
    resource,
  });
  expect(answer.status).toBe(200);
  return { flow, access: answer.body.access_token as string, refresh: answer.body.refresh_token as string };
}

let nextId = 1;
/** A raw MCP 2026-07-28 request (no handshake) to a resource. */
async function rpc(url: string, method: string, params: Record<string, unknown>, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      // The 2026-07-28 routing header: the tool's name, or the task's id.
      ...(typeof (params.name ?? params.taskId) === 'string'
        ? { 'mcp-name': String(params.name ?? params.taskId) }
        : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const text = await res.text();
  let body: { result?: Record<string, any>; error?: { code: number; message: string } } = {};
  try {
    body = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? text);
  } catch {
    // not JSON-RPC
  }
  return { status: res.status, challenge: res.headers.get('www-authenticate'), ...body };
}

const upstreamPolls = () => env.stub.requests.filter((r) => r.path.startsWith('/v1/fine_tuning/jobs/')).length;

beforeAll(async () => {
  env = await startOAuthService();
  base = env.url;
  env.stub.respond((q, res) =>
    q.path.startsWith('/v1/fine_tuning/jobs/')
      ? json(res, 200, { id: 'ftjob-1', object: 'fine_tuning.job', status: 'running', trained_tokens: 1 })
      : json(res, 200, { object: 'list', data: [], has_more: false }),
  );
  const reg = await register(base, {
    client_name: 'Credentials test',
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
  });
  clientId = reg.body.client_id;
});

afterAll(async () => {
  await env?.close();
});

describe('the challenge', () => {
  it('a 401 names the protected resource metadata on the 2026-07-28 path, the 2025 path and the legacy SSE pair', async () => {
    const s = await createOAuthServer('challenge');
    const metadata = `resource_metadata="${base}/.well-known/oauth-protected-resource/mcp/${s.id}"`;
    const before = env.stub.requests.length;
    const modern = await rpc(s.url, 'tools/call', { ...WAIT, _meta: ENVELOPE });
    expect(modern.status).toBe(401);
    expect(modern.challenge).toMatch(/^Bearer /);
    expect(modern.challenge).toContain(metadata);
    const legacy = await listWith(s.url);
    expect(legacy.status).toBe(401);
    expect(legacy.challenge).toContain(metadata);
    const sse = await fetch(`${base}/sse/${s.id}`, { headers: { accept: 'text/event-stream' } });
    expect(sse.status).toBe(401);
    expect(sse.headers.get('www-authenticate')).toContain(metadata);
    const message = await fetch(`${base}/messages/${s.id}?sessionId=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(message.status).toBe(401);
    expect(message.headers.get('www-authenticate')).toContain(metadata);
    // A token that is not one: invalid_token, on the modern path too.
    const bad = await rpc(s.url, 'tools/list', { _meta: ENVELOPE }, `${TOKEN_PREFIX.oauth_access}${'A'.repeat(43)}`);
    expect(bad.status).toBe(401);
    expect(bad.challenge).toContain('error="invalid_token"');
    expect(bad.challenge).toContain(metadata);
    expect(env.stub.requests.length).toBe(before);
  });
});

describe('what each credential can do', () => {
  it('an access token opens its one server only; refresh, client and management tokens open no OAuth server', async () => {
    const a = await createOAuthServer('A');
    const b = await createOAuthServer('B');
    const t = await login(a.url);
    expect((await listWith(a.url, t.access)).status).toBe(200);
    expect((await rpc(a.url, 'tools/list', { _meta: ENVELOPE }, t.access)).result?.tools?.length).toBeGreaterThan(0);
    const before = env.stub.requests.length;
    // Server A's token on server B: every path refuses it (audience checked on each request).
    const onB = await rpc(b.url, 'tools/call', { ...WAIT, _meta: ENVELOPE }, t.access);
    expect(onB.status).toBe(401);
    expect(onB.challenge).toContain('error="invalid_token"');
    expect((await listWith(b.url, t.access)).status).toBe(401);
    const sseB = await fetch(`${base}/sse/${b.id}`, { headers: { authorization: `Bearer ${t.access}` } });
    expect(sseB.status).toBe(401);
    // The refresh token is no access token.
    expect((await listWith(a.url, t.refresh)).status).toBe(401);
    // Nor is an access token a refresh token.
    expect(
      (await tokenRequest(base, { grant_type: 'refresh_token', refresh_token: t.access!, client_id: clientId })).status,
    ).toBe(400);
    // A client token bound to the OAuth server, and the operator's full management token, open nothing there.
    const client = await env.manage((m) => m.tokens.createClientToken({ name: 'c', servers: [a.id] }, ALL));
    expect((await listWith(a.url, client.token!)).status).toBe(401);
    expect((await listWith(a.url, env.apiToken)).status).toBe(401);
    // An access token administers nothing.
    const rest = await fetch(`${base}/v1/accounts`, { headers: { authorization: `Bearer ${t.access}` } });
    expect(rest.status).toBe(401);
    // The server id is no secret URL: the id of a url-mode server opens nothing either.
    const urlServer = await env.manage((m) => m.servers.createServer(env.accountId, { name: 'plain' }, base));
    expect((await listWith(`${base}/mcp/${urlServer.id}`, t.access)).status).toBe(404);
    expect(env.stub.requests.length).toBe(before);
  });

  it('a management token logs in only with servers:write on the account; a client token never; revoking it ends the access at once', async () => {
    const s = await createOAuthServer('operators');
    const other = await env.manage((m) =>
      m.accounts.createAccount({
        name: 'Other',
        api_key: 'sk-proj-OTHERoauthKEY0123456789abcd',
        base_url: env.stub.baseUrl,
      }),
    );
    const readOnly = await env.manage((m) =>
      m.tokens.createManagementToken({ name: 'reader', accounts: '*', actions: ['read'] }, ALL),
    );
    const elsewhere = await env.manage((m) =>
      m.tokens.createManagementToken({ name: 'other', accounts: [other.id], actions: '*' }, ALL),
    );
    const client = await env.manage((m) => m.tokens.createClientToken({ name: 'c', servers: [s.id] }, ALL));
    for (const token of [readOnly.token!, elsewhere.token!, client.token!]) {
      const r = await login(s.url, token);
      expect(r.flow.code, token.slice(0, 8)).toBeUndefined();
      expect(r.flow.steps.at(-1)!.status).toBe(401);
    }
    const writer = await env.manage((m) =>
      m.tokens.createManagementToken({ name: 'writer', accounts: [env.accountId], actions: ['servers:write'] }, ALL),
    );
    const t = await login(s.url, writer.token!);
    expect((await listWith(s.url, t.access)).status).toBe(200);
    await env.manage((m) => m.tokens.revokeToken('management', writer.id));
    const after = await listWith(s.url, t.access);
    expect(after.status).toBe(401);
    expect(after.challenge).toContain('error="invalid_token"');
    const refreshed = await tokenRequest(base, {
      grant_type: 'refresh_token',
      refresh_token: t.refresh!,
      client_id: clientId,
    });
    expect(refreshed.status).toBe(400);
  });

  it('no OAuth token, code or client secret reaches the service log; every prefix is redacted', async () => {
    const log = env.logs.join('\n');
    expect(log).not.toMatch(/omcp(?:at|rt|ac|cs|adm|cli)_[A-Za-z0-9_-]{16,}/);
    for (const kind of Object.keys(TOKEN_PREFIX) as TokenKind[]) {
      const { token } = issueToken(kind);
      const line = redactTokens(`failed for ${token} (quoted)`);
      expect(line, kind).not.toContain(token.slice(TOKEN_PREFIX[kind].length));
      expect(line).toContain(`${TOKEN_PREFIX[kind]}[REDACTED]`);
    }
  });
});

describe('revocation reaches running work', () => {
  it('deleting the server stops its running task (no further polls of OpenAI) and closes its SSE session', async () => {
    const s = await createOAuthServer('deleted');
    const t = await login(s.url);
    const started = await rpc(s.url, 'tools/call', { ...WAIT, _meta: WITH_TASKS }, t.access);
    expect(started.result).toMatchObject({ resultType: 'task', status: 'working' });
    const sse = await fetch(`${base}/sse/${s.id}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${t.access}` },
    });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    await reader.read(); // the endpoint event
    const polled = upstreamPolls();
    for (let i = 0; i < 40 && upstreamPolls() === polled; i++) await sleep(100);
    expect(upstreamPolls()).toBeGreaterThan(polled);
    await env.manage((m) => m.servers.deleteServer(s.id));
    // The revocation check runs every 500 ms; a poll already on the wire may still land.
    await sleep(1500);
    const settled = upstreamPolls();
    await sleep(3000);
    expect(upstreamPolls()).toBe(settled);
    const end = await Promise.race([reader.read(), sleep(2000).then(() => 'open' as const)]);
    expect(end).not.toBe('open');
    expect((await listWith(s.url, t.access)).status).toBe(404);
  }, 30_000);

  it("revoking one login's grant stops that login's task only; another login cannot read it", async () => {
    const s = await createOAuthServer('two logins');
    const one = await login(s.url);
    const two = await login(s.url);
    const first = await rpc(s.url, 'tools/call', { ...WAIT, _meta: WITH_TASKS }, one.access);
    const second = await rpc(s.url, 'tools/call', { ...WAIT, _meta: WITH_TASKS }, two.access);
    const firstId = first.result!.taskId as string;
    const secondId = second.result!.taskId as string;
    // Tasks belong to the login that started them.
    const foreign = await rpc(s.url, 'tasks/get', { taskId: firstId, _meta: WITH_TASKS }, two.access);
    expect(foreign.error?.message).toMatch(/Unknown or expired task id/);
    const revoke = await fetch(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: one.refresh!, client_id: clientId }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect((await listWith(s.url, one.access)).status).toBe(401);
    await sleep(1500);
    expect(env.logs.some((l) => l.startsWith(`revoked ${s.id}/`) && /1 task/.test(l))).toBe(true);
    const still = await rpc(s.url, 'tasks/get', { taskId: secondId, _meta: WITH_TASKS }, two.access);
    expect(still.result).toMatchObject({ status: 'working' });
    await rpc(s.url, 'tasks/cancel', { taskId: secondId, _meta: WITH_TASKS }, two.access);
  }, 30_000);
});
