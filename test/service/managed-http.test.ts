// The managed-server service end to end: a real `openai-mcp serve --http` process with a temp data dir, operated
// through its CLI and REST API, reached by the SDK's Streamable HTTP and SSE clients, calling a loopback stub
// that stands in for OpenAI and records every request.

import { readFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../runtime/catalog.js';
import { selectTools } from '../../runtime/filter.js';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { cli, cliJson, connect, restClient, type Service, startService, tempDataDir, textOf } from './helpers.js';
import { describeWithPrism } from '../helpers/prism.js';

const prismDescribe = describeWithPrism();

const ACME = {
  OPENAI_API_KEY: 'sk-proj-ACMEprojectKEY0123456789abcd',
  OPENAI_ADMIN_KEY: 'sk-admin-ACMEadminKEY0123456789wxyz',
  OPENAI_ORG_ID: 'org-acme',
};
const BETA = { api_key: 'sk-proj-BETAprojectKEY9876543210zyxw', admin_key: 'sk-admin-BETAadminKEY9876543210mnop' };
const SECRETS = [ACME.OPENAI_API_KEY, ACME.OPENAI_ADMIN_KEY, BETA.api_key, BETA.admin_key];

const dataDir = tempDataDir();
const answers: string[] = [];
const tokens: string[] = [];
const stderrs: string[] = [];
let stub: CaptureServer;
let service: Service;
let apiToken: string;
let acmeId: string;
let rest: ReturnType<typeof restClient>;

const names = (tools: { name: string }[]) => tools.map((t) => t.name).sort();
const expected = (filter: Parameters<typeof selectTools>[1]) => names(selectTools(defaultCatalog, filter));
const db = () => new Database(path.join(dataDir, 'openai-mcp.sqlite'));

/** A raw HTTP request, for headers fetch will not let us forge (Host). */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const listRequest = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
  const token = cliJson([
    ...['management-tokens', 'create', '--name', 'ci', '--accounts', 'all', '--actions', 'all'],
    ...['--data-dir', dataDir],
  ]);
  apiToken = token.token;
  tokens.push(apiToken);
  acmeId = cliJson(['accounts', 'add', '--name', 'acme', '--base-url', stub.baseUrl, '--data-dir', dataDir], {
    env: ACME,
  }).id;
  service = await startService(dataDir);
  rest = restClient(service.url, answers);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await stub?.close();
});

describe('managed servers over HTTP', () => {
  let billingUrl: string;
  let billingId: string;

  it('a server created with the CLI lists exactly its filter, over Streamable HTTP and SSE, and calls use the account key', async () => {
    const created = cliJson([
      'servers',
      'create',
      '--account',
      acmeId,
      '--name',
      'billing',
      '--methods',
      'read',
      '--tags',
      'billing',
      '--data-dir',
      dataDir,
    ]);
    expect(created).toMatchObject({
      name: 'billing',
      config: { methods: ['read'], tags: ['billing'], tool_exposure: 'all' },
      expires_at: null,
      auth: 'url',
      require_api_token_auth: false,
    });
    expect(created.url).toMatch(new RegExp(`^${service.url}/mcp/omcp_[A-Za-z0-9_-]{43}$`));
    billingUrl = created.url;
    billingId = created.id;
    tokens.push(billingUrl.split('/').pop()!);

    for (const kind of ['streamable', 'sse'] as const) {
      const client = await connect(billingUrl, kind);
      const { tools } = await client.listTools();
      expect(names(tools)).toEqual(expected({ methods: ['read'], tags: ['billing'] }));
      const before = stub.requests.length;
      const r = await client.callTool({ name: 'list_all_open_ai_costs', arguments: { start_time: 1_700_000_000 } });
      expect(r.isError, textOf(r)).toBeFalsy();
      const seen = stub.requests.slice(before);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.path).toBe('/v1/organization/costs');
      expect(seen[0]!.headers.authorization).toBe(`Bearer ${ACME.OPENAI_ADMIN_KEY}`);
      expect(seen[0]!.headers['openai-organization']).toBe('org-acme');
      await client.close();
    }
  });

  it("a server created through REST for another account uses that account's keys", async () => {
    const acc = await rest('POST', '/v1/accounts', {
      token: apiToken,
      body: { name: 'beta', base_url: stub.baseUrl, ...BETA },
    });
    expect(acc.status).toBe(201);
    expect(acc.body).toMatchObject({
      name: 'beta',
      api_key: `…${BETA.api_key.slice(-4)}`,
      admin_key: `…${BETA.admin_key.slice(-4)}`,
    });
    const created = await rest('POST', `/v1/accounts/${acc.body.id}/mcp`, {
      token: apiToken,
      body: {
        name: 'files reader',
        config: { methods: ['read'], tags: ['files'] },
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        require_api_token_auth: false,
      },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(
      expect.arrayContaining(['id', 'name', 'config', 'expires_at', 'auth', 'require_api_token_auth', 'url']),
    );
    tokens.push(created.body.url.split('/').pop());

    const client = await connect(created.body.url);
    expect(names((await client.listTools()).tools)).toEqual(expected({ methods: ['read'], tags: ['files'] }));
    const before = stub.requests.length;
    const r = await client.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 5 } });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(stub.requests.slice(before).map((q) => q.headers.authorization)).toEqual([`Bearer ${BETA.api_key}`]);
    await client.close();

    const listed = await rest('GET', '/v1/mcp-servers', { token: apiToken });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining([billingId, created.body.id]),
    );
    expect(listed.text).not.toContain('omcp_');
  });

  it('CLI and REST updates reach a running server on its next request', async () => {
    const client = await connect(billingUrl);
    cliJson(['servers', 'update', billingId, '--tags', 'fine-tuning', '--data-dir', dataDir]);
    expect(names((await client.listTools()).tools)).toEqual(expected({ methods: ['read'], tags: ['fine-tuning'] }));
    const patched = await rest('PATCH', `/v1/mcp-servers/${billingId}`, {
      token: apiToken,
      body: { config: { tags: ['billing'] } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.config).toEqual({ methods: ['read'], tags: ['billing'], tool_exposure: 'all' });
    expect(names((await client.listTools()).tools)).toEqual(expected({ methods: ['read'], tags: ['billing'] }));
    const got = await rest('GET', `/v1/mcp-servers/${billingId}`, { token: apiToken });
    expect(got.body.url).toBeUndefined();
    await client.close();
  });

  it('records every tools/call in the audit log, without argument values', async () => {
    const client = await connect(billingUrl);
    await client.callTool({ name: 'list_all_open_ai_costs', arguments: { start_time: 1_234_567_890 } });
    await client.callTool({ name: 'create_a_open_ai_vector_store', arguments: { name: 'secret-project-name' } });
    await client.close();
    const calls = await rest('GET', `/v1/mcp-servers/${billingId}/calls?limit=10`, { token: apiToken });
    expect(calls.status).toBe(200);
    const [outOfScope, costs] = calls.body.data;
    expect(outOfScope).toMatchObject({
      tool: 'create_a_open_ai_vector_store',
      is_error: true,
      http_status: null,
      server_id: billingId,
    });
    expect(costs).toMatchObject({ tool: 'list_all_open_ai_costs', is_error: false, http_status: 200 });
    expect(typeof costs.duration_ms).toBe('number');
    expect(calls.text).not.toContain('1234567890');
    expect(calls.text).not.toContain('secret-project-name');
    const logs = cliJson(['servers', 'logs', billingId, '--data-dir', dataDir]);
    expect(logs.length).toBeGreaterThanOrEqual(4);
    expect(logs[0].tool).toBe('create_a_open_ai_vector_store');
  });

  it('second-layer auth: a client token bound to the server is required besides the URL', async () => {
    const created = cliJson([
      'servers',
      'create',
      '--account',
      acmeId,
      '--name',
      'guarded',
      '--methods',
      'read',
      '--auth',
      'url+client-token',
      '--data-dir',
      dataDir,
    ]);
    expect(created.auth).toBe('url+client-token');
    tokens.push(created.url.split('/').pop());
    const noAuth = await fetch(created.url, { method: 'POST', headers: MCP_HEADERS, body: listRequest });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toMatch(/^Bearer /);
    // The management token administers; it opens no server.
    const withManagement = await fetch(created.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${apiToken}` },
      body: listRequest,
    });
    expect(withManagement.status).toBe(401);
    const clientToken = cliJson([
      'client-tokens',
      'create',
      '--name',
      'laptop',
      '--server',
      created.id,
      '--data-dir',
      dataDir,
    ]);
    tokens.push(clientToken.token);
    const client = await connect(created.url, 'streamable', { authorization: `Bearer ${clientToken.token}` });
    expect((await client.listTools()).tools.length).toBe(expected({ methods: ['read'] }).length);
    await client.close();
    const sse = await connect(created.url, 'sse', { authorization: `Bearer ${clientToken.token}` });
    expect((await sse.listTools()).tools.length).toBeGreaterThan(0);
    await sse.close();
  });

  it('discovery mode lists three tools and still honours the scope', async () => {
    const created = await rest('POST', `/v1/accounts/${acmeId}/mcp`, {
      token: apiToken,
      body: { name: 'capped host', config: { methods: ['read'], tags: ['billing'], tool_exposure: 'discovery' } },
    });
    expect(created.status).toBe(201);
    tokens.push(created.body.url.split('/').pop());
    const client = await connect(created.body.url);
    expect(names((await client.listTools()).tools)).toEqual(['call_tool', 'get_tool_schema', 'search_tools']);
    const found = await client.callTool({ name: 'search_tools', arguments: { query: 'organization costs', limit: 5 } });
    const results = (found.structuredContent as { results: { name: string }[] }).results.map((r) => r.name);
    expect(results).toContain('list_all_open_ai_costs');
    for (const n of results) expect(expected({ methods: ['read'], tags: ['billing'] })).toContain(n);
    const before = stub.requests.length;
    const hidden = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'list_all_open_ai_files', arguments: {} },
    });
    expect(hidden.isError).toBe(true);
    expect(textOf(hidden)).toMatch(/Unknown tool/);
    const ok = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'list_all_open_ai_costs', arguments: { start_time: 1_700_000_000 } },
    });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    expect(stub.requests.length).toBe(before + 1);
    await client.close();
  });

  it('attack matrix: every hostile request is refused with its documented status and nothing reaches OpenAI', async () => {
    const guarded = cliJson([
      'servers',
      'create',
      '--account',
      acmeId,
      '--name',
      'guarded2',
      '--require-api-token-auth',
      '--data-dir',
      dataDir,
    ]);
    const readOnly = cliJson([
      'servers',
      'create',
      '--account',
      acmeId,
      '--name',
      'ro',
      '--methods',
      'read',
      '--data-dir',
      dataDir,
    ]);
    const doomed = cliJson(['servers', 'create', '--account', acmeId, '--name', 'doomed', '--data-dir', dataDir]);
    const expiring = cliJson([
      'servers',
      'create',
      '--account',
      acmeId,
      '--name',
      'expiring',
      '--expires-at',
      new Date(Date.now() + 120_000).toISOString(),
      '--data-dir',
      dataDir,
    ]);
    tokens.push(...[guarded, readOnly, doomed, expiring].map((s) => s.url.split('/').pop()));
    cli(['servers', 'delete', doomed.id, '--data-dir', dataDir]);
    // Time passing, simulated: the row's expiry moves into the past as the clock would have.
    const conn = db();
    conn.prepare('update mcp_servers set expires_at = ? where id = ?').run(Date.now() - 1000, expiring.id);
    conn.close();
    const revoked = cliJson([
      ...['management-tokens', 'create', '--name', 'soon revoked', '--accounts', 'all', '--actions', 'all'],
      ...['--data-dir', dataDir],
    ]);
    tokens.push(revoked.token);
    cli(['management-tokens', 'revoke', revoked.id, '--data-dir', dataDir]);
    // The spawnSync calls above block this process's event loop; under load they outlast the service's 5 s
    // keep-alive timeout, and fetch would reuse a socket the service already closed ("other side closed").
    // One turn of the loop lets fetch see the close first.
    await new Promise((r) => setTimeout(r, 20));
    // Through REST, which is quicker than more CLI processes in this already long case.
    const issueClient = async (server: string) =>
      (await rest('POST', '/v1/client-tokens', { token: apiToken, body: { name: 'c', servers: [server] } })).body;
    const guardedClient = await issueClient(guarded.id);
    tokens.push(guardedClient.token);
    const revokedClient = await issueClient(guarded.id);
    tokens.push(revokedClient.token);
    await rest('DELETE', `/v1/client-tokens/${revokedClient.id}`, { token: apiToken });
    const otherClient = await issueClient(readOnly.id);
    tokens.push(otherClient.token);

    const origin = service.url;
    const mcpPost = (url: string, headers: Record<string, string> = {}, body = listRequest) =>
      fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body }).then((r) => r.status);
    const callVia = async (url: string, name: string) => {
      const c = await connect(url);
      const r = await c.callTool({ name, arguments: {} });
      await c.close();
      return r.isError && /Unknown tool/.test(textOf(r)) ? 'unknown-tool' : 'allowed';
    };
    const createServer = (body: unknown, raw?: string) =>
      rest('POST', `/v1/accounts/${acmeId}/mcp`, { token: apiToken, body, raw }).then((r) => r.status);

    const cases: [string, () => Promise<number | string>, number | string][] = [
      ['no token', () => mcpPost(`${origin}/mcp/`), 404],
      ['wrong token', () => mcpPost(`${origin}/mcp/omcp_${'A'.repeat(43)}`), 404],
      ['malformed token', () => mcpPost(`${origin}/mcp/%27%20or%201%3D1--`), 404],
      ['API token used as a server URL', () => mcpPost(`${origin}/mcp/${apiToken}`), 404],
      ['deleted server', () => mcpPost(doomed.url), 404],
      ['expired server', () => mcpPost(expiring.url), 404],
      ['expired server over SSE', () => fetch(expiring.url.replace('/mcp/', '/sse/')).then((r) => r.status), 404],
      ['tool outside the scope, by name', () => callVia(billingUrl, 'list_all_open_ai_files'), 'unknown-tool'],
      ['write method on a read server', () => callVia(readOnly.url, 'create_a_open_ai_vector_store'), 'unknown-tool'],
      ['delete method on a read server', () => callVia(readOnly.url, 'delete_a_open_ai_file_by_id'), 'unknown-tool'],
      ['foreign Origin', () => mcpPost(readOnly.url, { origin: 'https://evil.example' }), 403],
      ['Origin null', () => mcpPost(readOnly.url, { origin: 'null' }), 403],
      ["another local program's Origin", () => mcpPost(readOnly.url, { origin: 'http://localhost:9' }), 403],
      ["this service's own Origin", () => mcpPost(readOnly.url, { origin: service.url }), 200],
      [
        'rebinding Host',
        () => raw(readOnly.url, { headers: { ...MCP_HEADERS, host: 'evil.example:80' }, body: listRequest }),
        403,
      ],
      [
        'rebinding Host on REST',
        () =>
          raw(`${origin}/v1/accounts`, {
            method: 'GET',
            headers: { host: 'attacker.test', authorization: `Bearer ${apiToken}` },
          }),
        403,
      ],
      [
        'oversized MCP body',
        () =>
          mcpPost(
            readOnly.url,
            {},
            JSON.stringify({
              jsonrpc: '2.0',
              id: 1,
              method: 'tools/list',
              params: { pad: 'x'.repeat(5 * 1024 * 1024) },
            }),
          ),
        413,
      ],
      [
        'oversized REST body',
        () => createServer(undefined, JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) })),
        413,
      ],
      ['missing second-layer token', () => mcpPost(guarded.url), 401],
      [
        'wrong second-layer token',
        () => mcpPost(guarded.url, { authorization: `Bearer omcpapi_${'B'.repeat(43)}` }),
        401,
      ],
      [
        'server token as second-layer token',
        () => mcpPost(guarded.url, { authorization: `Bearer ${guarded.url.split('/').pop()}` }),
        401,
      ],
      [
        'revoked second-layer token',
        () => mcpPost(guarded.url, { authorization: `Bearer ${revokedClient.token}` }),
        401,
      ],
      [
        'management token as second-layer token',
        () => mcpPost(guarded.url, { authorization: `Bearer ${apiToken}` }),
        401,
      ],
      [
        "another server's client token",
        () => mcpPost(guarded.url, { authorization: `Bearer ${otherClient.token}` }),
        401,
      ],
      ['valid second-layer token', () => mcpPost(guarded.url, { authorization: `Bearer ${guardedClient.token}` }), 200],
      [
        'REST with a client token',
        () => rest('GET', '/v1/accounts', { token: guardedClient.token }).then((r) => r.status),
        403,
      ],
      ['REST without a token', () => rest('GET', '/v1/accounts').then((r) => r.status), 401],
      [
        'REST with a revoked token',
        () => rest('GET', '/v1/accounts', { token: revoked.token }).then((r) => r.status),
        401,
      ],
      [
        'REST with a server token',
        () => rest('GET', '/v1/accounts', { token: readOnly.url.split('/').pop() }).then((r) => r.status),
        401,
      ],
      [
        'REST with a wrong token',
        () => rest('GET', '/v1/mcp-servers', { token: `omcpapi_${'C'.repeat(43)}` }).then((r) => r.status),
        401,
      ],
      [
        'REST with a wrong management token',
        () => rest('GET', '/v1/mcp-servers', { token: `omcpadm_${'C'.repeat(43)}` }).then((r) => r.status),
        401,
      ],
      ['PUT on REST', () => rest('PUT', '/v1/accounts', { token: apiToken, body: {} }).then((r) => r.status), 405],
      ['malformed JSON (REST)', () => createServer(undefined, '{"name": '), 400],
      ['malformed JSON (MCP)', () => mcpPost(readOnly.url, {}, '{"jsonrpc": '), 400],
      ['1 MB name', () => createServer({ name: 'n'.repeat(1024 * 1024) }), 400],
      ['control characters in a name', () => createServer({ name: 'a\u001b[2Jb' }), 400],
      ['unknown top-level key', () => createServer({ name: 'x', admin: true }), 400],
      ['unknown config key', () => createServer({ name: 'x', config: { methods: ['read'], sql: 'drop' } }), 400],
      ['__proto__ key', () => createServer(undefined, '{"name":"x","__proto__":{"require_api_token_auth":true}}'), 400],
      [
        'unknown method',
        () => createServer({ name: 'x', config: { methods: ["read'; DROP TABLE mcp_servers;--"] } }),
        400,
      ],
      ['unknown tag', () => createServer({ name: 'x', config: { tags: ['billing', 'nope'] } }), 400],
      ['unknown tool', () => createServer({ name: 'x', config: { tools: ['x'.repeat(1024 * 1024)] } }), 400],
      [
        'config matching no tool',
        () => createServer({ name: 'x', config: { methods: ['write'], tools: ['list_all_open_ai_files'] } }),
        400,
      ],
      ['unknown exposure', () => createServer({ name: 'x', config: { tool_exposure: 'everything' } }), 400],
      [
        'expiry 10 s ahead',
        () => createServer({ name: 'x', expires_at: new Date(Date.now() + 10_000).toISOString() }),
        400,
      ],
      ['expiry in the past', () => createServer({ name: 'x', expires_at: '2001-01-01T00:00:00Z' }), 400],
      ['expiry not ISO', () => createServer({ name: 'x', expires_at: 'tomorrow' }), 400],
      ['body is an array', () => createServer([{ name: 'x' }]), 400],
      ['require_api_token_auth as a string', () => createServer({ name: 'x', require_api_token_auth: 'yes' }), 400],
      [
        'server of an unknown account',
        () => rest('POST', '/v1/accounts/acc_nope/mcp', { token: apiToken, body: { name: 'x' } }).then((r) => r.status),
        404,
      ],
      [
        'PATCH an unknown server',
        () => rest('PATCH', '/v1/mcp-servers/srv_nope', { token: apiToken, body: { name: 'y' } }).then((r) => r.status),
        404,
      ],
      [
        'PATCH an expired server',
        () =>
          rest('PATCH', `/v1/mcp-servers/${expiring.id}`, { token: apiToken, body: { expires_at: null } }).then(
            (r) => r.status,
          ),
        404,
      ],
      [
        'path traversal in an id',
        () => rest('DELETE', '/v1/mcp-servers/..%2F..%2Faccounts', { token: apiToken }).then((r) => r.status),
        404,
      ],
      [
        'account without keys',
        () => rest('POST', '/v1/accounts', { token: apiToken, body: { name: 'empty' } }).then((r) => r.status),
        400,
      ],
      [
        'account with a file: base URL',
        () =>
          rest('POST', '/v1/accounts', {
            token: apiToken,
            body: { name: 'f', api_key: 'sk-x', base_url: 'file:///etc/passwd' },
          }).then((r) => r.status),
        400,
      ],
    ];

    const before = stub.requests.length;
    const escapes: string[] = [];
    for (const [name, run, want] of cases) {
      const got = await run();
      if (got !== want) escapes.push(`${name}: expected ${want}, got ${got}`);
    }
    console.log(`attack matrix: ${cases.length} cases tried, ${escapes.length} escapes`);
    expect(escapes).toEqual([]);
    expect(stub.requests.length).toBe(before);

    // SQL metacharacters are data, not code: stored and shown as given, tables intact.
    const sqlName = `x'); DROP TABLE mcp_servers; --`;
    const odd = await rest('POST', `/v1/accounts/${acmeId}/mcp`, {
      token: apiToken,
      body: { name: sqlName, config: { methods: ['read'] } },
    });
    expect(odd.status).toBe(201);
    tokens.push(odd.body.url.split('/').pop());
    expect((await rest('GET', `/v1/mcp-servers/${odd.body.id}`, { token: apiToken })).body.name).toBe(sqlName);
    // The server survived every case: a valid client still works.
    const client = await connect(readOnly.url);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
    // Dozens of cases and CLI processes: on a shared two-core machine this outlasts the default minute.
  }, 180_000);

  it('errors are JSON {error: {code, message, field?}}', async () => {
    const r = await rest('POST', `/v1/accounts/${acmeId}/mcp`, {
      token: apiToken,
      body: { name: 'x', config: { tags: ['nope'] } },
    });
    expect(r.body.error).toMatchObject({ code: 'invalid_request', field: 'config.tags' });
    expect(r.body.error.message).toMatch(/Unknown tag: nope\. Valid tags: .*billing/);
    const u = await rest('POST', `/v1/accounts/${acmeId}/mcp`, { token: apiToken, body: { name: 'x', colour: 'red' } });
    expect(u.body.error).toMatchObject({ code: 'unknown_field', field: 'colour' });
    const zero = await rest('POST', `/v1/accounts/${acmeId}/mcp`, {
      token: apiToken,
      body: { name: 'x', config: { tool_exposure: 'code', code_limits: { max_calls: 0 } } },
    });
    expect(zero.status).toBe(400);
    expect(zero.body.error).toMatchObject({ code: 'invalid_request', field: 'config.code_limits.max_calls' });
    const odd = await rest('POST', `/v1/accounts/${acmeId}/mcp`, {
      token: apiToken,
      body: { name: 'x', config: { tool_exposure: 'code', code_limits: { cpu: 1 } } },
    });
    expect(odd.body.error).toMatchObject({ code: 'unknown_field', field: 'config.code_limits.cpu' });
  });

  it('state survives a restart, and an expired server is purged at start-up', async () => {
    const keeper = cliJson([
      'servers',
      'create',
      '--account',
      acmeId,
      '--name',
      'keeper',
      '--methods',
      'read',
      '--data-dir',
      dataDir,
    ]);
    const lapsing = cliJson([
      'servers',
      'create',
      '--account',
      acmeId,
      '--name',
      'lapsing',
      '--expires-at',
      new Date(Date.now() + 120_000).toISOString(),
      '--data-dir',
      dataDir,
    ]);
    tokens.push(keeper.url.split('/').pop(), lapsing.url.split('/').pop());
    await service.stop();
    stderrs.push(service.stderr());
    const conn = db();
    conn.prepare('update mcp_servers set expires_at = ? where id = ?').run(Date.now() - 1000, lapsing.id);
    conn.close();

    service = await startService(dataDir);
    const restarted = restClient(service.url, answers);
    // The port changed; the token did not: same path on the new origin.
    const url = `${service.url}/mcp/${keeper.url.split('/').pop()}`;
    const client = await connect(url);
    expect(names((await client.listTools()).tools)).toEqual(expected({ methods: ['read'] }));
    await client.close();
    const accounts = await restarted('GET', '/v1/accounts', { token: apiToken });
    expect(accounts.status).toBe(200);
    expect(accounts.body.data.map((a: { name: string }) => a.name)).toEqual(['acme', 'beta']);
    expect(service.stderr()).toContain(`purged expired server ${lapsing.id}`);
    const check = db();
    expect(check.prepare('select count(*) n from mcp_servers where id = ?').get(lapsing.id)).toEqual({ n: 0 });
    check.close();
  });

  it('no OpenAI key or full token in stderr, the database files or any REST answer', async () => {
    await service.stop();
    stderrs.push(service.stderr());
    const files = ['openai-mcp.sqlite', 'openai-mcp.sqlite-wal', 'openai-mcp.sqlite-shm']
      .map((f) => path.join(dataDir, f))
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'));
    // Answers that create a token show it once, by design; every other answer must not.
    const otherAnswers = answers.filter((a) => !/"url":"http|"token":"omcp(adm|cli)_/.test(a));
    const haystacks = { stderr: stderrs.join('\n'), database: files.join('\n'), rest: otherAnswers.join('\n') };
    expect(tokens.length).toBeGreaterThan(10);
    const hits: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of [...SECRETS, ...tokens])
        if (text.includes(secret)) hits.push(`${where}: ${secret.slice(0, 12)}…`);
    }
    expect(hits).toEqual([]);
    expect(haystacks.stderr).toContain('/mcp/:token');
    service = await startService(dataDir); // for afterAll's stop
  });
});

prismDescribe('a managed server against Prism (the pinned spec)', () => {
  it('sends requests the spec accepts, with the account key', async () => {
    const { inject } = await import('vitest');
    const prismUrl = inject('prismUrl');
    const dir = tempDataDir();
    const account = cliJson(['accounts', 'add', '--name', 'prism', '--base-url', prismUrl, '--data-dir', dir], {
      env: { OPENAI_API_KEY: ACME.OPENAI_API_KEY, OPENAI_ADMIN_KEY: ACME.OPENAI_ADMIN_KEY },
    });
    const svc = await startService(dir);
    try {
      const created = cliJson([
        'servers',
        'create',
        '--account',
        account.id,
        '--name',
        'ft',
        '--methods',
        'read',
        '--tags',
        'fine-tuning',
        '--data-dir',
        dir,
      ]);
      const client = await connect(created.url);
      for (const [name, args] of [
        ['list_all_open_ai_fine_tuning_jobs', { limit: 2 }],
        ['get_single_open_ai_fine_tuning_job_by_id', { fine_tuning_job_id: 'ftjob-abc123' }],
      ] as const) {
        const r = await client.callTool({ name, arguments: args });
        expect(r.isError, `${name}: ${textOf(r)}`).toBeFalsy();
      }
      await client.close();
      const calls = cliJson(['servers', 'logs', created.id, '--data-dir', dir]);
      expect(calls.map((c: { http_status: number }) => c.http_status)).toEqual([200, 200]);
    } finally {
      await svc.stop();
    }
  });
});
