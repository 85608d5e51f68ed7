// The library examples in examples/ (v2 SDK servers, run from the repo as their headers say), each started over
// stdio and driven by the v2 SDK's Client: the listing they promise and a call that reaches the stand-in for OpenAI.

import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, describe, expect, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import type { Catalog } from '../../runtime/types.js';
import { ADMIN_KEY, json, PROJECT_KEY, textOf as textOfResult, useCaptureServer } from './helpers.js';

const textOf = (r: unknown) => textOfResult(r as Parameters<typeof textOfResult>[0]);

const catalog = catalogJson as unknown as Catalog;
const root = path.resolve(import.meta.dirname, '../..');
const srv = useCaptureServer((req, res) =>
  req.path === '/v1/models'
    ? json(res, 200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' }] })
    : json(res, 200, { object: 'list', data: [], has_more: false }),
);

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

async function start(example: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(root, 'examples', example)],
    cwd: root,
    env: {
      ...getDefaultEnvironment(),
      OPENAI_API_KEY: PROJECT_KEY,
      OPENAI_ADMIN_KEY: ADMIN_KEY,
      OPENAI_BASE_URL: srv.baseUrl,
    },
    stderr: 'pipe',
  });
  client = new Client({ name: 'examples-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

const names = (pick: (t: Catalog['tools'][number]) => boolean) => catalog.tools.filter(pick).map((t) => t.name);

describe('library examples on the v2 SDK', () => {
  it('mcp-server.ts: its own ping next to the read-only fine-tuning and files tools', async () => {
    const c = await start('mcp-server.ts');
    const { tools } = await c.listTools();
    const expected = names((t) => t.access === 'read' && (t.tags.includes('fine-tuning') || t.tags.includes('files')));
    expect(tools.map((t) => t.name).sort()).toEqual(['ping', ...expected].sort());
    const pong = await c.callTool({ name: 'ping', arguments: { word: 'x' } });
    expect(textOf(pong)).toBe('pong');
    const files = await c.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 2 } });
    expect(files.isError, textOf(files)).toBeFalsy();
    expect(srv.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual(['GET /v1/files?limit=2']);
    expect(srv.requests[0]!.headers.authorization).toBe(`Bearer ${PROJECT_KEY}`);
  });

  it('low-level-server.ts: a v2 Server with only the read-only billing tools; a bad argument sends nothing', async () => {
    const c = await start('low-level-server.ts');
    const { tools } = await c.listTools();
    const billing = names((t) => t.access === 'read' && t.tags.includes('billing'));
    expect(billing.length).toBeGreaterThan(0);
    expect(tools.map((t) => t.name).sort()).toEqual([...billing].sort());
    const bad = await c.callTool({ name: billing[0]!, arguments: { limit: 'many' } });
    expect(bad.isError).toBe(true);
    expect(srv.requests).toHaveLength(0);
  });

  it('own-handlers.ts: its own tools/list and tools/call handlers merge the OpenAI tools', async () => {
    const c = await start('own-handlers.ts');
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_single_open_ai_model_by_id',
      'hello',
      'list_all_open_ai_models',
    ]);
    expect(textOf(await c.callTool({ name: 'hello', arguments: {} }))).toBe('hi');
    const models = await c.callTool({ name: 'list_all_open_ai_models', arguments: {} });
    expect(models.isError, textOf(models)).toBeFalsy();
    expect(JSON.stringify(models.structuredContent)).toContain('gpt-4o');
    expect(srv.requests.map((r) => r.path)).toEqual(['/v1/models']);
  });
});
