// Discovery mode over stdio (the listing, its token cost, ranking, scope) and the single-user `/mcp` endpoint of a
// bare `serve --http`.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { BIN, cleanEnv, cliJson, connect, startService, tempDataDir, textOf } from './helpers.js';

const KEY = 'sk-proj-SINGLEuserKEY0123456789abcdef';
let stub: CaptureServer;

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) =>
    json(res, 200, { object: 'list', data: [{ id: 'ftjob-1', object: 'fine_tuning.job' }], has_more: false }),
  );
});
afterAll(() => stub.close());

describe('discovery mode over stdio', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ name: 'discovery-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'serve', '--exposure', 'discovery', '--methods', 'read', '--base-url', stub.baseUrl],
        env: cleanEnv({ OPENAI_API_KEY: KEY }) as Record<string, string>,
        stderr: 'pipe',
      }),
    );
  });
  afterAll(() => client.close());

  it('lists exactly three tools in at most 1,000 o200k tokens', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['call_tool', 'get_tool_schema', 'search_tools']);
    const tokens = encode(JSON.stringify(tools)).length;
    console.log(`discovery tools/list: ${tokens} o200k tokens`);
    expect(tokens).toBeLessThanOrEqual(1000);
  });

  it.each([
    ['fine tuning jobs', 'list_all_open_ai_fine_tuning_jobs'],
    ['vector stores', 'list_all_open_ai_vector_stores'],
    ['organization costs', 'list_all_open_ai_costs'],
    ['project api keys', 'list_all_open_ai_project_api_keys'],
  ])('ranks the obvious tool for %j first', async (query, top) => {
    const r = await client.callTool({ name: 'search_tools', arguments: { query } });
    const results = (r.structuredContent as { results: { name: string; access: string }[] }).results;
    expect(results[0]?.name).toBe(top);
    for (const hit of results) expect(hit.access).toBe('read');
  });

  it('gets a schema and calls through call_tool; hidden and unknown tools look the same', async () => {
    const schema = await client.callTool({
      name: 'get_tool_schema',
      arguments: { name: 'list_all_open_ai_fine_tuning_jobs' },
    });
    expect((schema.structuredContent as { inputSchema: { type: string } }).inputSchema.type).toBe('object');
    const before = stub.requests.length;
    const r = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'list_all_open_ai_fine_tuning_jobs', arguments: { limit: 2 } },
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(stub.requests.slice(before).map((q) => `${q.method} ${q.path} ${q.headers.authorization}`)).toEqual([
      `GET /v1/fine_tuning/jobs Bearer ${KEY}`,
    ]);
    const hidden = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'create_a_open_ai_vector_store', arguments: {} },
    });
    const unknown = await client.callTool({ name: 'call_tool', arguments: { name: 'no_such_tool', arguments: {} } });
    // The closest names depend only on the name asked for and the scope (tools in it), never on hidden tools.
    const masked = (text: string, name: string) => text.replace(name, 'X').replace(/ Closest names: [^.]*\./, '');
    expect(masked(textOf(hidden), 'create_a_open_ai_vector_store')).toBe(masked(textOf(unknown), 'no_such_tool'));
    expect(textOf(hidden)).not.toMatch(/Closest names: [^.]*create_/);
    const hiddenSchema = await client.callTool({
      name: 'get_tool_schema',
      arguments: { name: 'create_a_open_ai_vector_store' },
    });
    expect(hiddenSchema.isError).toBe(true);
    expect(stub.requests.length).toBe(before + 1);
  });

  it('names the bad argument of a meta-tool', async () => {
    const r = await client.callTool({ name: 'search_tools', arguments: { query: 'x', limit: 500 } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/limit/);
    const c = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'list_all_open_ai_fine_tuning_jobs', arguments: [1] },
    });
    expect(textOf(c)).toMatch(/arguments: must be an object/);
  });
});

describe('bare serve --http', () => {
  it('serves the environment keys at /mcp on loopback while no managed server exists', async () => {
    const dataDir = tempDataDir();
    const service = await startService(dataDir, ['--methods', 'read', '--base-url', stub.baseUrl], {
      OPENAI_API_KEY: KEY,
    });
    try {
      expect(service.stderr()).toMatch(/serving the environment's keys at \/mcp \(loopback only/);
      const client = await connect(`${service.url}/mcp`);
      const before = stub.requests.length;
      const r = await client.callTool({ name: 'list_all_open_ai_fine_tuning_jobs', arguments: {} });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(stub.requests[before]?.headers.authorization).toBe(`Bearer ${KEY}`);
      await client.close();

      // Once a managed server exists, the unauthenticated endpoint closes.
      const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dataDir], { env: { OPENAI_API_KEY: KEY } });
      cliJson(['servers', 'create', '--account', acc.id, '--name', 's', '--data-dir', dataDir]);
      const res = await fetch(`${service.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(res.status).toBe(404);
      expect(service.stderr()).not.toContain(KEY);
    } finally {
      await service.stop();
    }
  });
});

describe('code-mode servers under the operator limits of serve --http --code-*', () => {
  it("states and enforces the service's limits, which a server's code_limits can only tighten", async () => {
    const dataDir = tempDataDir();
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dataDir], { env: { OPENAI_API_KEY: KEY } });
    const create = (name: string, extra: string[] = []) =>
      cliJson([
        ...['servers', 'create', '--account', acc.id, '--name', name, '--exposure', 'code'],
        ...['--methods', 'read', '--data-dir', dataDir, ...extra],
      ]);
    const plain = create('plain');
    const tight = create('tight', ['--code-max-calls', '1', '--code-timeout', '10']);
    expect(tight.config.code_limits).toEqual({ max_calls: 1, timeout_seconds: 10 });
    const service = await startService(dataDir, [
      ...['--base-url', stub.baseUrl, '--code-max-calls', '3', '--code-timeout', '3'],
    ]);
    const limitsLine = async (url: string) => {
      const client = await connect(url.replace(/^http:\/\/[^/]+/, service.url));
      const { tools } = await client.listTools();
      await client.close();
      expect(tools.map((t) => t.name)).toEqual(['search_docs', 'execute_code']);
      return /Limits per run: [^.]*\./.exec(tools[1]?.description ?? '')?.[0];
    };
    try {
      expect(await limitsLine(plain.url)).toBe('Limits per run: 3 s, 64 MiB, 3 calls, 100000 bytes of result.');
      // 10 s asked, 3 s allowed by the service; 1 call asked, below the service's 3.
      expect(await limitsLine(tight.url)).toBe('Limits per run: 3 s, 64 MiB, 1 call, 100000 bytes of result.');

      const client = await connect(tight.url.replace(/^http:\/\/[^/]+/, service.url));
      const before = stub.requests.length;
      const r = await client.callTool({
        name: 'execute_code',
        arguments: {
          code: 'await openai.list_all_open_ai_fine_tuning_jobs({});\nawait openai.list_all_open_ai_fine_tuning_jobs({});',
        },
      });
      await client.close();
      expect(r.isError).toBe(true);
      expect((r.structuredContent as { error: { code: string } }).error.code).toBe('call_limit');
      expect(stub.requests.length).toBe(before + 1);
      expect(stub.requests[before]?.headers.authorization).toBe(`Bearer ${KEY}`);

      // An update merges key by key and reaches the running service; clearing restores the service's limits.
      const updated = cliJson(['servers', 'update', tight.id, '--code-memory', '32', '--data-dir', dataDir]);
      expect(updated.config.code_limits).toEqual({ max_calls: 1, timeout_seconds: 10, memory_mib: 32 });
      await new Promise((r) => setTimeout(r, 1100));
      expect(await limitsLine(tight.url)).toBe('Limits per run: 3 s, 32 MiB, 1 call, 100000 bytes of result.');
      const cleared = cliJson(['servers', 'update', tight.id, '--clear-code-limits', '--data-dir', dataDir]);
      expect(cleared.config).not.toHaveProperty('code_limits');
      await new Promise((r) => setTimeout(r, 1100));
      expect(await limitsLine(tight.url)).toBe('Limits per run: 3 s, 64 MiB, 3 calls, 100000 bytes of result.');
      expect(service.stderr()).not.toContain(KEY);
    } finally {
      await service.stop();
    }
  });
});
