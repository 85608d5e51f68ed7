import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { describe, expect, it } from 'vitest';
import { registerToolkit } from '../../runtime/register.js';
import { createServerForToolkit } from '../../runtime/server.js';
import { fixtureCatalog } from '../fixtures/catalog.js';
import { fixtureKit, json, useCaptureServer, textOf } from './helpers.js';

const srv = useCaptureServer((_q, res) =>
  json(res, 200, { object: 'list', data: [{ id: 'gpt-4o' }], has_more: false }),
);

async function connect(server: McpServer | Server): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

const flavours = {
  McpServer: () => new McpServer({ name: 't', version: '0' }),
  Server: () => new Server({ name: 't', version: '0' }, { capabilities: {} }),
};

for (const [label, make] of Object.entries(flavours)) {
  describe(`registration into ${label}`, () => {
    it('lists exactly the catalog schemas and passes Client strict validation', async () => {
      const kit = fixtureKit(srv.baseUrl);
      const server = make();
      registerToolkit(server, kit);
      const client = await connect(server);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(fixtureCatalog.tools.map((t) => t.name).sort());
      const files = tools.find((t) => t.name === 'files_create')!;
      const def = fixtureCatalog.tools.find((t) => t.name === 'files_create')!;
      expect(files.inputSchema.properties).toEqual(def.inputSchema.properties);
      expect(files.inputSchema.required).toEqual(['file', 'purpose']);
      expect(files.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
      expect(files.description).toBe(def.description);
      await client.close();
    });

    it('calls through to the wire and returns the shaped result', async () => {
      const server = make();
      registerToolkit(server, fixtureKit(srv.baseUrl));
      const client = await connect(server);
      const r = await client.callTool({ name: 'models_list', arguments: {} });
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toEqual({ result: [{ id: 'gpt-4o' }], next_cursor: null, has_more: false });
      expect(srv.requests).toHaveLength(1);
      expect(srv.requests[0]!.path).toBe('/v1/models');
      await client.close();
    });

    it('validates with ajv (not zod) and sends nothing on bad arguments', async () => {
      const server = make();
      registerToolkit(server, fixtureKit(srv.baseUrl));
      const client = await connect(server);
      const r = await client.callTool({
        name: 'fine_tuning_jobs_create',
        arguments: { model: 'm', training_file: 'f', hyperparameters: { n_epochs: 0 } },
      });
      expect(r.isError).toBe(true);
      expect(textOf(r as never)).toContain('hyperparameters.n_epochs');
      expect(srv.requests).toHaveLength(0);
      await client.close();
    });

    it('answers a hidden tool exactly like a nonexistent one', async () => {
      const server = make();
      registerToolkit(server, fixtureKit(srv.baseUrl, { methods: ['read'] }));
      const client = await connect(server);
      const hidden = await client.callTool({ name: 'models_delete', arguments: { model: 'x' } });
      const missing = await client.callTool({ name: 'no_such_tool', arguments: { model: 'x' } });
      expect(hidden.isError).toBe(true);
      expect(textOf(hidden as never).replace('models_delete', 'NAME')).toBe(
        textOf(missing as never).replace('no_such_tool', 'NAME'),
      );
      expect(srv.requests).toHaveLength(0);
      await client.close();
    });
  });
}

describe('low-level server', () => {
  it('cancelling the MCP request aborts the upstream fetch', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((r) => (closed = r));
    srv.respond((_q, res) => {
      res.on('close', () => closed());
    });
    const server = createServerForToolkit(fixtureKit(srv.baseUrl));
    const client = await connect(server);
    const ac = new AbortController();
    const call = client.callTool({ name: 'models_list', arguments: {} }, undefined, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await expect(call).rejects.toThrow();
    await upstreamClosed; // the server side hung up because fetch was aborted
    expect(srv.requests).toHaveLength(1);
    await client.close();
  });

  it('sends progress notifications when the client asks for them', async () => {
    const server = createServerForToolkit(fixtureKit(srv.baseUrl));
    const client = await connect(server);
    const seen: Array<{ progress: number; message?: string }> = [];
    await client.callTool({ name: 'models_list', arguments: {} }, undefined, { onprogress: (p) => seen.push(p) });
    expect(seen.map((p) => p.progress)).toEqual([0, 1]);
    expect(seen[1]!.message).toBe('HTTP 200');
    await client.close();
  });
});
