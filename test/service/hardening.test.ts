// Holes found by attacking a running `serve --http` from outside, each kept closed: a first start on a fresh data
// dir, the token-less single-user endpoint behind a proxy, a legacy SSE session after a scope change, client text in
// the audit log and on stderr, account fields that would only fail later, and configs a newer catalog outgrew.

import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { cli, cliJson, connect, restClient, startService, tempDataDir, textOf } from './helpers.js';

const KEY = 'sk-proj-HARDENINGkey0123456789abcdef';
let stub: CaptureServer;

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
});
afterAll(() => stub.close());

const mcpPost = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

describe('start-up', () => {
  it('serve --http on a data dir that does not exist yet creates it (0700) and starts', async () => {
    const dataDir = path.join(tempDataDir(), 'nested', 'fresh');
    const service = await startService(dataDir);
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      await service.stop();
    }
  });
});

describe('the single-user /mcp endpoint', () => {
  it('is off when --public-url says the service is reached through a proxy', async () => {
    const service = await startService(tempDataDir(), ['--public-url', 'https://mcp.example.com'], {
      OPENAI_API_KEY: KEY,
    });
    try {
      expect(service.stderr()).toMatch(/single-user \/mcp endpoint is off because --public-url or --allowed-hosts/);
      const before = stub.requests.length;
      const res = await mcpPost(`${service.url}/mcp`, listTools, { host: 'mcp.example.com' });
      expect(res.status).toBe(404);
      expect(stub.requests.length).toBe(before);
    } finally {
      await service.stop();
    }
  });

  it('answers only requests made on this machine, and stays closed once a managed server has existed', async () => {
    const dataDir = tempDataDir();
    const service = await startService(dataDir, ['--base-url', stub.baseUrl], { OPENAI_API_KEY: KEY });
    try {
      expect((await mcpPost(`${service.url}/mcp`, listTools)).status).toBe(200);
      // A proxy on the same machine connects from 127.0.0.1 too, but says so in its headers.
      for (const header of ['x-forwarded-for', 'forwarded', 'x-forwarded-host']) {
        expect((await mcpPost(`${service.url}/mcp`, listTools, { [header]: '203.0.113.9' })).status).toBe(404);
      }
      const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dataDir], { env: { OPENAI_API_KEY: KEY } });
      const server = cliJson(['servers', 'create', '--account', acc.id, '--name', 's', '--data-dir', dataDir]);
      expect((await mcpPost(`${service.url}/mcp`, listTools)).status).toBe(404);
      cliJson(['servers', 'delete', server.id, '--data-dir', dataDir]);
      // Deleting the last server does not silently reopen a token-less endpoint.
      expect((await mcpPost(`${service.url}/mcp`, listTools)).status).toBe(404);
    } finally {
      await service.stop();
    }
  });
});

describe('a running service with one account', () => {
  let dataDir: string;
  let service: Awaited<ReturnType<typeof startService>>;
  let accountId: string;
  let apiToken: string;
  const answers: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    accountId = cliJson(['accounts', 'add', '--name', 'acme', '--data-dir', dataDir], {
      env: { OPENAI_API_KEY: KEY },
    }).id;
    apiToken = cli(['api-tokens', 'create', '--name', 'ops', '--data-dir', dataDir]).stdout.split('\n')[1]!.trim();
    service = await startService(dataDir, ['--base-url', stub.baseUrl]);
  });
  afterAll(() => service?.stop());

  const create = (name: string, extra: string[] = []) =>
    cliJson([
      ...['servers', 'create', '--account', accountId, '--name', name, '--data-dir', dataDir],
      ...['--public-url', service.url, ...extra],
    ]);

  it('a legacy SSE session cannot run one more call under a scope that was just narrowed', async () => {
    const server = create('sse-all');
    const client = await connect(server.url, 'sse');
    try {
      expect((await client.listTools()).tools.some((t) => t.name === 'delete_a_open_ai_vector_store_by_id')).toBe(true);
      cliJson(['servers', 'update', server.id, '--methods', 'read', '--data-dir', dataDir]);
      const before = stub.requests.length;
      const outcome = await client
        .callTool({ name: 'delete_a_open_ai_vector_store_by_id', arguments: { vector_store_id: 'vs_1' } })
        .then(
          (r) => `result: ${textOf(r)}`,
          (e: Error) => `error: ${e.message}`,
        );
      expect(outcome).toMatch(/error: .*(404|configuration changed)/);
      expect(stub.requests.length).toBe(before);
    } finally {
      await client.close().catch(() => undefined);
    }
  });

  it('a tool name full of control characters is stored and printed escaped', async () => {
    const server = create('logs');
    const forged = 'x\u001b[2J\u001b[1;31mALL GOOD\nTIME 2026 list_all_open_ai_models 200 5 no\r';
    const res = await mcpPost(server.url, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: forged, arguments: {} },
    });
    expect(res.status).toBe(200);
    await res.text();
    const logs = cli(['servers', 'logs', server.id, '--data-dir', dataDir]);
    expect(logs.status).toBe(0);
    expect(logs.stdout).not.toMatch(/[\u001b\r]/);
    expect(logs.stdout).toContain('x\\u001b[2J');
    // Header, one row, the count: the newline in the name did not start a forged row.
    expect(logs.stdout.trim().split('\n')).toHaveLength(3);
    expect(logs.stdout).toContain('1 call');
  });

  it('a client cannot write megabytes of its own text to stderr', async () => {
    const server = create('noisy');
    const before = service.stderr().length;
    const res = await mcpPost(server.url, { jsonrpc: '2.0', id: 99, result: { p: 'x'.repeat(1_000_000) } });
    await res.text();
    await new Promise((r) => setTimeout(r, 200));
    const grown = service.stderr().length - before;
    expect(grown).toBeGreaterThan(0);
    expect(grown).toBeLessThan(5_000);
  });

  it('refuses account fields that would only fail later: a password in base_url, a header-breaking org id', async () => {
    const rest = restClient(service.url, answers);
    const withPassword = await rest('POST', '/v1/accounts', {
      token: apiToken,
      body: { name: 'w', api_key: 'sk-proj-x0123456789', base_url: 'http://user:hunter2pass@127.0.0.1:1/' },
    });
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.error).toMatchObject({ field: 'base_url' });
    expect(withPassword.text).not.toContain('hunter2pass');
    const crlf = await rest('POST', '/v1/accounts', {
      token: apiToken,
      body: { name: 'h', api_key: 'sk-proj-x0123456789', organization_id: 'org-1\r\nX-Injected: yes' },
    });
    expect(crlf.status).toBe(400);
    expect(crlf.body.error).toMatchObject({ field: 'organization_id' });
    const viaCli = cli(['accounts', 'add', '--name', 'c', '--base-url', 'https://u:p@api.openai.com/v1'], {
      env: { OPENAI_API_KEY: KEY },
    });
    expect(viaCli.status).not.toBe(0);
    expect(viaCli.stderr).toMatch(/credentials/);
  });

  it('a config an updated catalog no longer matches: listings still work, its URL says why, updates fix it', async () => {
    const server = create('stale', ['--tools', 'list_all_open_ai_models,get_single_open_ai_model_by_id']);
    // What a spec update that drops a tool leaves behind, written the way another replica would.
    const db = new Database(path.join(dataDir, 'openai-mcp.sqlite'));
    try {
      const row = db.prepare('select config, updated_at from mcp_servers where id = ?').get(server.id) as {
        config: string;
        updated_at: number;
      };
      const config = JSON.parse(row.config);
      config.tools = ['list_all_open_ai_models', 'get_single_open_ai_model_by_id_removed_upstream'];
      db.prepare('update mcp_servers set config = ?, updated_at = ? where id = ?').run(
        JSON.stringify(config),
        row.updated_at + 1,
        server.id,
      );
    } finally {
      db.close();
    }
    const rest = restClient(service.url, answers);
    const list = await rest('GET', '/v1/mcp-servers', { token: apiToken });
    expect(list.status).toBe(200);
    expect(list.body.data.find((s: { id: string }) => s.id === server.id)).toMatchObject({ tool_count: 0 });

    const res = await mcpPost(server.url, listTools);
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/no longer matches the tool catalog/);

    const renamed = await rest('PATCH', `/v1/mcp-servers/${server.id}`, { token: apiToken, body: { name: 'renamed' } });
    expect(renamed.status).toBe(200);
    const fixed = await rest('PATCH', `/v1/mcp-servers/${server.id}`, {
      token: apiToken,
      body: { config: { tools: ['list_all_open_ai_models'] } },
    });
    expect(fixed.body).toMatchObject({ tool_count: 1 });
    expect((await mcpPost(server.url, listTools)).status).toBe(200);
  });

  it('REST listing: paged with has_more, one account_id only, names without bidi overrides', async () => {
    const rest = restClient(service.url, answers);
    const page = await rest('GET', '/v1/mcp-servers?limit=1', { token: apiToken });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ has_more: true });
    expect(page.body.data).toHaveLength(1);
    const next = await rest('GET', `/v1/mcp-servers?limit=1&after=${page.body.next_cursor}`, { token: apiToken });
    expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
    const twice = await rest('GET', `/v1/mcp-servers?account_id=${accountId}&account_id=x`, { token: apiToken });
    expect([twice.status, twice.body.error?.field]).toEqual([400, 'account_id']);
    const bidi = await rest('POST', `/v1/accounts/${accountId}/mcp`, {
      token: apiToken,
      body: { name: 'invoice\u202Efdp.exe' },
    });
    expect([bidi.status, bidi.body.error?.field]).toEqual([400, 'name']);
  });

  it("REST bodies must be JSON (415 otherwise); the CLI can drop a server's filters", async () => {
    const rest = restClient(service.url, answers);
    const plain = await rest('POST', `/v1/accounts/${accountId}/mcp`, {
      token: apiToken,
      raw: JSON.stringify({ name: 'x' }),
      headers: { 'content-type': 'text/plain' },
    });
    expect([plain.status, plain.body.error?.code]).toEqual([415, 'unsupported_media_type']);
    const server = create('filtered', ['--methods', 'read', '--tags', 'billing']);
    const all = cliJson(['servers', 'update', server.id, '--clear-filters', '--data-dir', dataDir]);
    expect(all.tool_count).toBeGreaterThan(server.tool_count);
    expect(all.config.methods ?? []).toEqual([]);
    const narrowed = cliJson([
      'servers',
      'update',
      server.id,
      '--clear-filters',
      '--tags',
      'fine-tuning',
      '--data-dir',
      dataDir,
    ]);
    expect(narrowed.config).toMatchObject({ methods: [], tags: ['fine-tuning'] });
  });

  it('no key or token in anything it answered or logged', () => {
    for (const text of [...answers, service.stderr()]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(apiToken);
    }
  });
});
