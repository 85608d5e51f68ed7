// Attack matrix of issue 15, the low findings of REST, the store and the CLI: each one a request or a command an
// operator or an attacker ran against a real `serve --http` and its data dir.

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { BIN, cleanEnv, cli, cliJson, restClient, type Service, startService, tempDataDir } from './helpers.js';

const KEY = 'sk-proj-LOWSprojectKEY0123456789abcd';
let stub: CaptureServer;
let service: Service;
let dataDir: string;
let token: string;
let accountId: string;
let rest: ReturnType<typeof restClient>;
const answers: string[] = [];

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
  dataDir = tempDataDir();
  accountId = cliJson(['accounts', 'add', '--name', 'acme', '--base-url', stub.baseUrl, '--data-dir', dataDir], {
    env: { OPENAI_API_KEY: KEY },
  }).id;
  token = cliJson(['api-tokens', 'create', '--name', 'ops', '--data-dir', dataDir]).token;
  service = await startService(dataDir);
  rest = restClient(service.url, answers);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await stub?.close();
});

const createServer = async (name: string) => {
  const r = await rest('POST', `/v1/accounts/${accountId}/mcp`, { token, body: { name } });
  expect(r.status, r.text).toBe(201);
  return r;
};

describe('REST', () => {
  it('GET /v1/accounts/:id answers one account, keys masked; an unknown id is a 404', async () => {
    const one = await rest('GET', `/v1/accounts/${accountId}`, { token });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: accountId, name: 'acme', api_key: `…${KEY.slice(-4)}` });
    expect(one.text).not.toContain(KEY);
    expect((await rest('GET', '/v1/accounts/acc_nope', { token })).status).toBe(404);
  });

  it('the answer that shows a server URL is Cache-Control: no-store', async () => {
    const created = await createServer('cached?');
    expect(created.headers.get('cache-control')).toBe('no-store');
  });

  it('an empty PATCH changes nothing, updated_at included', async () => {
    const created = await createServer('steady');
    await new Promise((r) => setTimeout(r, 5));
    const patched = await rest('PATCH', `/v1/mcp-servers/${created.body.id}`, { token, body: {} });
    expect(patched.status).toBe(200);
    expect(patched.body.updated_at).toBe(created.body.updated_at);
  });

  it.each(['0', '-1', '1e3', '0x10', '1.5', '', '99999'])('limit=%s is a 400 naming limit', async (limit) => {
    for (const p of ['/v1/mcp-servers', `/v1/mcp-servers/srv_x/calls`]) {
      const r = await rest('GET', `${p}?limit=${limit}`, { token });
      expect([r.status, r.body?.error?.field], `${p} ${limit}`).toEqual([400, 'limit']);
    }
  });

  it('deleting the row a cursor names does not break paging', async () => {
    for (const n of ['p1', 'p2', 'p3']) await createServer(n);
    const first = await rest('GET', '/v1/mcp-servers?limit=2', { token });
    expect(first.body.has_more).toBe(true);
    const cursor = first.body.next_cursor as string;
    expect((await rest('DELETE', `/v1/mcp-servers/${cursor}`, { token })).status).toBe(200);
    const next = await rest('GET', `/v1/mcp-servers?limit=2&after=${cursor}`, { token });
    expect(next.status, next.text).toBe(200);
    const seen = new Set(first.body.data.map((s: { id: string }) => s.id));
    for (const s of next.body.data) expect(seen.has(s.id)).toBe(false);
  });

  it.each([
    ['/v1/accounts', 'GET, POST'],
    ['/v1/mcp-servers/srv_x', 'GET, PATCH, DELETE'],
  ])('PUT %s answers 405 with Allow', async (p, allow) => {
    const r = await rest('PUT', p, { token, body: { name: 'x' } });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe(allow);
  });

  it("a deleted server's audit rows stay readable by its id", async () => {
    const created = await createServer('short-lived');
    const url = created.body.url as string;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'nope', arguments: {} } }),
    });
    await res.text();
    expect((await rest('DELETE', `/v1/mcp-servers/${created.body.id}`, { token })).status).toBe(200);
    const calls = await rest('GET', `/v1/mcp-servers/${created.body.id}/calls`, { token });
    expect(calls.status, calls.text).toBe(200);
    expect(calls.body.data).toEqual([expect.objectContaining({ tool: 'nope', server_id: created.body.id })]);
    const viaCli = cliJson(['servers', 'logs', created.body.id, '--data-dir', dataDir]);
    expect(viaCli).toHaveLength(1);
  });

  it.each([
    ['line separator', 'a\u2028b'],
    ['paragraph separator', 'a\u2029b'],
    ['Hangul filler', 'admin\u3164'],
    ['Hangul choseong filler', '\u115Fadmin'],
    ['zero-width space', 'ad\u200Bmin'],
    ['halfwidth Hangul filler', 'ad\uFFA0min'],
    ['Cyrillic a in a Latin name', 'p\u0430yroll'],
    ['Greek omicron in a Latin name', 'pr\u03BFd'],
    ['no-break space', 'a\u00A0b'],
  ])('a name with a %s is refused', async (_what, name) => {
    const r = await rest('POST', `/v1/accounts/${accountId}/mcp`, { token, body: { name } });
    expect([r.status, r.body.error?.field]).toEqual([400, 'name']);
  });

  it.each(['Zahlungen – Überblick', 'Продажи', '請求 書', 'ファイル一覧 v2', 'billing 2026 (read)'])(
    'a name in one script (%s) is kept',
    async (name) => {
      const r = await rest('POST', `/v1/accounts/${accountId}/mcp`, { token, body: { name } });
      expect(r.status, r.text).toBe(201);
    },
  );
});

describe('base_url', () => {
  // A service as an operator runs it: without the switch the tests' loopback fakes need.
  let strict: Service;
  let strictRest: ReturnType<typeof restClient>;
  let strictToken: string;
  beforeAll(async () => {
    const dir = tempDataDir();
    const env = { OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: undefined };
    strictToken = cliJson(
      ['management-tokens', 'create', '--name', 'ops', '--accounts', 'all', '--actions', 'all', '--data-dir', dir],
      { env },
    ).token;
    strict = await startService(dir, [], env);
    strictRest = restClient(strict.url, answers);
  });
  afterAll(() => strict?.stop());

  it.each([
    'http://127.0.0.1:9/v1',
    'http://localhost/v1',
    'http://127.1/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.5/',
    'http://172.16.3.4/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://metadata.localhost/',
  ])('%s is refused unless the operator allows private base URLs', async (baseUrl) => {
    const r = await strictRest('POST', '/v1/accounts', {
      token: strictToken,
      body: { name: 'ssrf', api_key: 'sk-proj-x1234', base_url: baseUrl },
    });
    expect([r.status, r.body.error?.field], r.text).toEqual([400, 'base_url']);
    expect(r.body.error.message).toMatch(/--allow-private-base-urls|OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS/);
  });

  it('a public base URL is kept, and an account update is checked the same way', async () => {
    const ok = await strictRest('POST', '/v1/accounts', {
      token: strictToken,
      body: { name: 'gw', api_key: 'sk-proj-x1234', base_url: 'https://gateway.example.com/v1' },
    });
    expect(ok.status, ok.text).toBe(201);
    const moved = await strictRest('PATCH', `/v1/accounts/${ok.body.id}`, {
      token: strictToken,
      body: { base_url: 'http://169.254.169.254/' },
    });
    expect([moved.status, moved.body.error?.field]).toEqual([400, 'base_url']);
  });

  it('the CLI refuses it too without the switch, and takes it with --allow-private-base-url', () => {
    const dir = tempDataDir();
    const env = { OPENAI_API_KEY: KEY, OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: undefined };
    const refused = cli(['accounts', 'add', '--name', 'x', '--base-url', 'http://10.1.2.3/', '--data-dir', dir], {
      env,
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/base_url/);
    const allowed = cli(
      [
        'accounts',
        'add',
        '--name',
        'x',
        '--base-url',
        'http://10.1.2.3/',
        '--allow-private-base-url',
        '--data-dir',
        dir,
      ],
      { env },
    );
    expect(allowed.status, allowed.stderr).toBe(0);
  });
});

describe('the store', () => {
  it('database, -wal and -shm files are 0600 in an existing data dir', () => {
    const files = ['openai-mcp.sqlite', 'openai-mcp.sqlite-wal', 'openai-mcp.sqlite-shm'];
    for (const f of files) expect((statSync(path.join(dataDir, f)).mode & 0o777).toString(8), f).toBe('600');
  });

  it('parallel first starts on one fresh data dir all succeed (migrations are serialized)', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 4; round++) {
      const dir = path.join(tempDataDir(), 'fresh');
      const runs = await Promise.all(
        Array.from(
          { length: 6 },
          () =>
            new Promise<{ code: number | null; err: string }>((resolve) => {
              const child = spawn(process.execPath, [BIN, 'servers', 'list', '--data-dir', dir], { env: cleanEnv() });
              let err = '';
              child.stderr.on('data', (c) => (err += c));
              child.on('exit', (code) => resolve({ code, err }));
            }),
        ),
      );
      for (const r of runs) if (r.code !== 0) failures.push(r.err.trim());
    }
    expect(failures).toEqual([]);
  });

  it('a data dir that cannot be created fails fast with a clear error', () => {
    const started = Date.now();
    const r = cli(['accounts', 'list', '--data-dir', '/proc/nope'], { timeoutMs: 15_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/proc\/nope/);
    expect(r.stderr).toMatch(/cannot create the data dir/i);
  });
});
