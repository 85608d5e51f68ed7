// Attack matrix of issue 15, credentials: a client's token administers nothing, management tokens are scoped to
// accounts and actions, expire, cannot mint broader tokens, and every REST change lands in the operator audit log
// under the token's id (never the token). A real `serve --http`, driven over REST as an attacker holding each kind of
// credential would.

import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { cli, cliJson, restClient, type Service, startService, tempDataDir } from './helpers.js';

const A_KEY = 'sk-proj-ALPHAprojectKEY0123456789abcd';
const B_KEY = 'sk-admin-BRAVOadminKEY0123456789wxyz';
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const listRequest = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

let stub: CaptureServer;
let service: Service;
let dataDir: string;
let rest: ReturnType<typeof restClient>;
const answers: string[] = [];
const secrets: string[] = [A_KEY, B_KEY];
let rootToken: string;
let alpha: string;
let bravo: string;
let alphaServer: { id: string; url: string };
let bravoServer: { id: string; url: string };

const mcpPost = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: listRequest });

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
  dataDir = tempDataDir();
  alpha = cliJson(['accounts', 'add', '--name', 'alpha', '--base-url', stub.baseUrl, '--data-dir', dataDir], {
    env: { OPENAI_API_KEY: A_KEY },
  }).id;
  bravo = cliJson(['accounts', 'add', '--name', 'bravo', '--base-url', stub.baseUrl, '--data-dir', dataDir], {
    env: { OPENAI_ADMIN_KEY: B_KEY },
  }).id;
  const root = cliJson([
    ...['management-tokens', 'create', '--name', 'root', '--accounts', 'all', '--actions', 'all'],
    ...['--data-dir', dataDir],
  ]);
  rootToken = root.token;
  secrets.push(rootToken);
  service = await startService(dataDir);
  rest = restClient(service.url, answers);
  const server = async (account: string, name: string, auth: string) => {
    const r = await rest('POST', `/v1/accounts/${account}/mcp`, { token: rootToken, body: { name, auth } });
    expect(r.status, r.text).toBe(201);
    secrets.push(r.body.url.split('/').pop());
    return r.body as { id: string; url: string };
  };
  alphaServer = await server(alpha, 'alpha guarded', 'url+client-token');
  bravoServer = await server(bravo, 'bravo guarded', 'url+client-token');
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await stub?.close();
});

async function managementToken(body: Record<string, unknown>, token = rootToken) {
  const r = await rest('POST', '/v1/management-tokens', { token, body });
  if (r.status === 201) secrets.push(r.body.token);
  return r;
}

async function clientToken(servers: string[], token = rootToken) {
  const r = await rest('POST', '/v1/client-tokens', { token, body: { name: 'laptop', servers } });
  expect(r.status, r.text).toBe(201);
  expect(r.body.token).toMatch(/^omcpcli_[A-Za-z0-9_-]{43}$/);
  secrets.push(r.body.token);
  return r.body as { id: string; token: string };
}

describe('finding 1: the credential a client holds administers nothing', () => {
  it('a client token opens its server, and /v1 refuses it for every read and change', async () => {
    const client = await clientToken([alphaServer.id]);
    expect((await mcpPost(alphaServer.url, { authorization: `Bearer ${client.token}` })).status).toBe(200);
    const before = stub.requests.length;
    // What the attacker did with the second-layer token: list orgs, open a URL on another org, delete things.
    const tries = await Promise.all([
      rest('GET', '/v1/accounts', { token: client.token }),
      rest('GET', `/v1/accounts/${bravo}`, { token: client.token }),
      rest('GET', '/v1/mcp-servers', { token: client.token }),
      rest('POST', `/v1/accounts/${bravo}/mcp`, { token: client.token, body: { name: 'pwn', auth: 'url' } }),
      rest('POST', '/v1/client-tokens', { token: client.token, body: { name: 'x', servers: [bravoServer.id] } }),
      rest('PATCH', `/v1/mcp-servers/${alphaServer.id}`, { token: client.token, body: { name: 'mine' } }),
      rest('DELETE', `/v1/mcp-servers/${bravoServer.id}`, { token: client.token }),
      rest('DELETE', `/v1/accounts/${bravo}`, { token: client.token }),
    ]);
    expect(tries.map((t) => t.status)).toEqual(tries.map(() => 403));
    for (const t of tries) expect(t.body.error.message).toMatch(/client token.*management token/i);
    expect(stub.requests.length).toBe(before);
    expect((await rest('GET', `/v1/mcp-servers/${bravoServer.id}`, { token: rootToken })).status).toBe(200);
  });

  it('a client token opens only the servers it is bound to; management and URL tokens are no client tokens', async () => {
    const client = await clientToken([alphaServer.id]);
    const two = await clientToken([alphaServer.id, bravoServer.id]);
    const statuses = await Promise.all([
      mcpPost(bravoServer.url, { authorization: `Bearer ${client.token}` }),
      mcpPost(bravoServer.url, { authorization: `Bearer ${two.token}` }),
      mcpPost(alphaServer.url, { authorization: `Bearer ${two.token}` }),
      mcpPost(alphaServer.url, { authorization: `Bearer ${rootToken}` }),
      mcpPost(alphaServer.url, { authorization: `Bearer ${alphaServer.url.split('/').pop()}` }),
      mcpPost(alphaServer.url, { authorization: `Bearer omcpcli_${'Z'.repeat(43)}` }),
    ]).then((rs) => rs.map((r) => r.status));
    expect(statuses).toEqual([401, 200, 200, 401, 401, 401]);
  });

  it('the 401 says what to send and where client tokens come from, in the body and WWW-Authenticate', async () => {
    const res = await mcpPost(alphaServer.url);
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="openai-mcp"/);
    expect(challenge).toContain('omcpcli_');
    expect(challenge).toContain('openai-mcp client-tokens create');
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('Authorization: Bearer omcpcli_');
    expect(body.error.message).toContain(`openai-mcp client-tokens create --server ${alphaServer.id}`);
    const wrong = await mcpPost(alphaServer.url, { authorization: `Bearer omcpcli_${'Q'.repeat(43)}` });
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('revoked and expired client tokens stop opening their server', async () => {
    const revoked = await clientToken([alphaServer.id]);
    const expiring = await clientToken([alphaServer.id]);
    expect((await rest('DELETE', `/v1/client-tokens/${revoked.id}`, { token: rootToken })).status).toBe(200);
    const conn = new Database(path.join(dataDir, 'openai-mcp.sqlite'));
    conn.prepare('update api_tokens set expires_at = ? where id = ?').run(Date.now() - 1000, expiring.id);
    conn.close();
    for (const t of [revoked, expiring])
      expect((await mcpPost(alphaServer.url, { authorization: `Bearer ${t.token}` })).status).toBe(401);
  });
});

describe('finding 1: a management token scoped to account A cannot touch account B', () => {
  let scoped: string;
  let scopedId: string;

  beforeAll(async () => {
    const r = await managementToken({
      name: 'alpha ops',
      accounts: [alpha],
      actions: ['read', 'servers:write', 'tokens:write'],
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.token).toMatch(/^omcpadm_[A-Za-z0-9_-]{43}$/);
    scoped = r.body.token;
    scopedId = r.body.id;
  });

  it('lists, reads and changes only account A', async () => {
    const accounts = await rest('GET', '/v1/accounts', { token: scoped });
    expect(accounts.body.data.map((a: { id: string }) => a.id)).toEqual([alpha]);
    const servers = await rest('GET', '/v1/mcp-servers', { token: scoped });
    expect(servers.body.data.map((s: { account_id: string }) => s.account_id)).not.toContain(bravo);
    expect(servers.body.data.map((s: { id: string }) => s.id)).toContain(alphaServer.id);
    const before = stub.requests.length;
    const cases: [string, () => Promise<{ status: number }>, number][] = [
      ['read account B', () => rest('GET', `/v1/accounts/${bravo}`, { token: scoped }), 404],
      ['filter by account B', () => rest('GET', `/v1/mcp-servers?account_id=${bravo}`, { token: scoped }), 404],
      ["read B's server", () => rest('GET', `/v1/mcp-servers/${bravoServer.id}`, { token: scoped }), 404],
      ["read B's calls", () => rest('GET', `/v1/mcp-servers/${bravoServer.id}/calls`, { token: scoped }), 404],
      [
        'create a server on B',
        () => rest('POST', `/v1/accounts/${bravo}/mcp`, { token: scoped, body: { name: 'pwn' } }),
        404,
      ],
      [
        "rename B's server",
        () => rest('PATCH', `/v1/mcp-servers/${bravoServer.id}`, { token: scoped, body: { name: 'x' } }),
        404,
      ],
      ["delete B's server", () => rest('DELETE', `/v1/mcp-servers/${bravoServer.id}`, { token: scoped }), 404],
      ['delete account B', () => rest('DELETE', `/v1/accounts/${bravo}`, { token: scoped }), 403],
      [
        'delete account A without accounts:write',
        () => rest('DELETE', `/v1/accounts/${alpha}`, { token: scoped }),
        403,
      ],
      [
        'create an account',
        () => rest('POST', '/v1/accounts', { token: scoped, body: { name: 'c', api_key: 'sk-proj-x1234' } }),
        403,
      ],
      [
        "client token for B's server",
        () => rest('POST', '/v1/client-tokens', { token: scoped, body: { name: 'x', servers: [bravoServer.id] } }),
        404,
      ],
      [
        'a token for all accounts',
        () => managementToken({ name: 'up', accounts: '*', actions: ['read'] }, scoped),
        403,
      ],
      [
        'a token for account B',
        () => managementToken({ name: 'up', accounts: [bravo], actions: ['read'] }, scoped),
        403,
      ],
      [
        'a token with more actions',
        () => managementToken({ name: 'up', accounts: [alpha], actions: ['accounts:write'] }, scoped),
        403,
      ],
      [
        'a token that outlives its maker',
        () => managementToken({ name: 'up', accounts: [alpha], actions: ['read'], expires_at: null }, scoped),
        403,
      ],
      ['revoke the root token', () => rest('DELETE', `/v1/management-tokens/${rootId()}`, { token: scoped }), 404],
    ];
    const escapes: string[] = [];
    for (const [name, run, want] of cases) {
      const got = (await run()).status;
      if (got !== want) escapes.push(`${name}: expected ${want}, got ${got}`);
    }
    expect(escapes).toEqual([]);
    expect(stub.requests.length).toBe(before);
    // B is intact, seen through the root token.
    expect((await rest('GET', `/v1/mcp-servers/${bravoServer.id}`, { token: rootToken })).body.name).toBe(
      'bravo guarded',
    );
    // Within A it works, and what it mints is bounded by it.
    const created = await rest('POST', `/v1/accounts/${alpha}/mcp`, { token: scoped, body: { name: 'a2' } });
    expect(created.status).toBe(201);
    secrets.push(created.body.url.split('/').pop());
    const narrower = await managementToken({ name: 'ro', accounts: [alpha], actions: ['read'] }, scoped);
    expect(narrower.status, narrower.text).toBe(201);
    expect(Date.parse(narrower.body.expires_at)).toBeLessThanOrEqual(Date.now() + 86_400_000);
  });

  it('a read-only token changes nothing, and an expired token is refused', async () => {
    const ro = await managementToken({ name: 'ro', accounts: '*', actions: ['read'] });
    expect((await rest('GET', '/v1/accounts', { token: ro.body.token })).status).toBe(200);
    const write = await rest('POST', `/v1/accounts/${alpha}/mcp`, { token: ro.body.token, body: { name: 'x' } });
    expect([write.status, write.body.error.code]).toEqual([403, 'forbidden']);
    expect(write.body.error.message).toMatch(/servers:write/);
    const conn = new Database(path.join(dataDir, 'openai-mcp.sqlite'));
    conn.prepare('update api_tokens set expires_at = ? where id = ?').run(Date.now() - 1000, ro.body.id);
    conn.close();
    const expired = await rest('GET', '/v1/accounts', { token: ro.body.token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
  });

  it('every REST change is in the operator audit log by token id and target, denials included, no token', async () => {
    const log = await rest('GET', '/v1/audit-log?limit=200', { token: rootToken });
    expect(log.status).toBe(200);
    const rows = log.body.data as {
      actor: string;
      action: string;
      target: string | null;
      result: string;
      account_id: string | null;
    }[];
    expect(rows).toContainEqual(
      expect.objectContaining({ actor: scopedId, action: 'servers.create', account_id: alpha, result: 'ok' }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ actor: scopedId, action: 'accounts.delete', target: bravo, result: 'denied' }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ actor: scopedId, action: 'servers.delete', target: bravoServer.id, result: 'denied' }),
    );
    // The scoped token sees its account's rows only.
    const mine = await rest('GET', '/v1/audit-log?limit=200', { token: scoped });
    expect(mine.status).toBe(200);
    for (const row of mine.body.data) expect(row.account_id).toBe(alpha);
    const viaCli = cliJson(['audit-log', '--limit', '500', '--data-dir', dataDir]);
    expect(viaCli.length).toBeGreaterThanOrEqual(rows.length);
    expect(cli(['audit-log', '--data-dir', dataDir]).stdout).toContain('servers.create');
  });
});

describe('migration of API tokens', () => {
  it('an omcpapi_ token of an older data dir keeps working as a full-scope management token', async () => {
    // The data dir as the previous release left it: migration 0001 only, one API token, one guarded server.
    const { Kysely, Migrator, SqliteDialect } = await import('kysely');
    const { migrationProvider } = await import('../../service/store/migrations.js');
    const { issueToken } = await import('../../service/tokens.js');
    const dir = tempDataDir();
    const sqlite = new Database(path.join(dir, 'openai-mcp.sqlite'));
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    const all = await migrationProvider.getMigrations();
    const first = { '0001_initial': all['0001_initial']! };
    const r = await new Migrator({ db, provider: { getMigrations: async () => first } }).migrateToLatest();
    expect(r.error).toBeUndefined();
    const old = `omcpapi_${issueToken('server').token.slice(5)}`;
    const { lookupOf } = await import('../../service/tokens.js');
    const { createHash } = await import('node:crypto');
    await db
      .insertInto('api_tokens')
      .values({
        id: 'tok_legacy',
        name: 'ci',
        token_lookup: lookupOf(old),
        token_hash: createHash('sha256').update(old).digest('hex'),
        created_at: Date.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    await db.destroy();
    const svc = await startService(dir);
    try {
      const r2 = restClient(svc.url, answers);
      const created = await r2('POST', '/v1/accounts', { token: old, body: { name: 'n', api_key: 'sk-proj-x1234' } });
      expect(created.status, created.text).toBe(201);
      const listed = await r2('GET', '/v1/management-tokens', { token: old });
      expect(listed.body.data).toContainEqual(
        expect.objectContaining({ id: 'tok_legacy', accounts: '*', actions: '*', expires_at: null }),
      );
    } finally {
      await svc.stop();
    }
  });
});

let rootIdCache: string | undefined;
function rootId(): string {
  if (!rootIdCache) {
    const list = cliJson(['management-tokens', 'list', '--data-dir', dataDir]) as { id: string; name: string }[];
    rootIdCache = list.find((t) => t.name === 'root')!.id;
  }
  return rootIdCache;
}

describe('leaks', () => {
  it('no key or token in any answer that did not create it, nor in stderr', () => {
    const others = answers.filter((a) => !/"token":"omcp|"url":"http/.test(a));
    for (const text of [...others, service.stderr()]) for (const s of secrets) expect(text).not.toContain(s);
  });
});
