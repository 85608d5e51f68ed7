// Code mode in the managed service across tenants: one account's server URLs share one fair share of the sandbox
// workers, and a server's code_limits can only lower the service's (refused above them, shown as they apply).

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { cliJson, connect, restClient, type Service, startService, tempDataDir } from './helpers.js';

const KEYS = { api_key: 'sk-proj-TENANTtestKEY0123456789abcd', admin_key: 'sk-admin-TENANTtestKEY0123456789ab' };
const dataDir = tempDataDir();
const answers: string[] = [];
let stub: CaptureServer;
let service: Service;
let apiToken: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
  apiToken = cliJson(['api-tokens', 'create', '--name', 'ci', '--data-dir', dataDir]).token;
  service = await startService(dataDir, ['--code-timeout', '60', '--code-memory', '32']);
  rest = restClient(service.url, answers);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await stub?.close();
});

const account = async (name: string) =>
  (await rest('POST', '/v1/accounts', { token: apiToken, body: { name, base_url: stub.baseUrl, ...KEYS } })).body
    .id as string;
const codeServer = async (accountId: string, name: string, extra: Record<string, unknown> = {}) =>
  rest('POST', `/v1/accounts/${accountId}/mcp`, {
    token: apiToken,
    body: { name, config: { tool_exposure: 'code', methods: ['read'], ...extra } },
  });

it("one account's server URLs together take at most half the workers: another account's run goes first", async () => {
  const a = await account('tenant a');
  const b = await account('tenant b');
  const aUrls = [(await codeServer(a, 'a1')).body.url, (await codeServer(a, 'a2')).body.url] as string[];
  const bUrl = (await codeServer(b, 'b1')).body.url as string;
  const clients: Client[] = await Promise.all(aUrls.map((u) => connect(u)));
  const order: string[] = [];
  const cancels: AbortController[] = [];
  try {
    // Eight programs of account A that wait forever (they end only when cancelled), four on each of its URLs.
    const waiting = clients.flatMap((c) =>
      Array.from({ length: 4 }, () => {
        const ac = new AbortController();
        cancels.push(ac);
        return c
          .callTool({ name: 'execute_code', arguments: { code: 'await new Promise(() => {});' } }, undefined, {
            signal: ac.signal,
            timeout: 120_000,
          })
          .catch(() => undefined)
          .finally(() => order.push('a'));
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const bClient = await connect(bUrl);
    const quick = await bClient.callTool({ name: 'execute_code', arguments: { code: 'return 1 + 1' } }, undefined, {
      timeout: 120_000,
    });
    order.push('b');
    await bClient.close();
    expect((quick.structuredContent as { result?: number }).result).toBe(2);
    for (const ac of cancels) ac.abort();
    await Promise.all(waiting);
    expect(order[0]).toBe('b');
    // Cancelled runs, queued or running, leave nothing behind: the account's next run starts.
    const again = await clients[0]!.callTool({ name: 'execute_code', arguments: { code: 'return 3' } });
    expect((again.structuredContent as { result?: number }).result).toBe(3);
  } finally {
    for (const ac of cancels) ac.abort();
    for (const c of clients) await c.close();
  }
}, 120_000);

it("refuses code_limits above the service's, naming the limit, and lists stored ones as they apply", async () => {
  const acc = await account('limits');
  const above = await codeServer(acc, 'greedy', { code_limits: { memory_mib: 512 } });
  expect(above.status).toBe(400);
  expect(above.body.error).toMatchObject({ code: 'invalid_request', field: 'config.code_limits.memory_mib' });
  expect(above.body.error.message).toMatch(/512 is above this service's 32/);
  const fine = await codeServer(acc, 'modest', { code_limits: { memory_mib: 16, max_result_chars: 5000 } });
  expect(fine.status).toBe(201);
  // The earlier name of the result cap is stored under its new one.
  expect(fine.body.config.code_limits).toEqual({ memory_mib: 16, max_result_bytes: 5000 });
  const patched = await rest('PATCH', `/v1/mcp-servers/${fine.body.id}`, {
    token: apiToken,
    body: { config: { code_limits: { timeout_seconds: 600 } } },
  });
  expect(patched.body.error).toMatchObject({ field: 'config.code_limits.timeout_seconds' });
  // Stored through the CLI, which does not know the running service's limits: listed as they apply.
  const viaCli = cliJson([
    ...['servers', 'create', '--account', acc, '--name', 'cli', '--exposure', 'code'],
    ...['--code-memory', '256', '--code-timeout', '10', '--data-dir', dataDir],
  ]);
  expect(viaCli.config.code_limits).toEqual({ memory_mib: 256, timeout_seconds: 10 });
  const listed = await rest('GET', `/v1/mcp-servers/${viaCli.id}`, { token: apiToken });
  expect(listed.body.config.code_limits).toEqual({ memory_mib: 32, timeout_seconds: 10 });
});
