// Registration into the four server shapes a user may have: the v2 SDK's McpServer and Server and the 1.x SDK's
// McpServer and Server, each driven by the real Client of its own SDK line over that line's in-memory transport.

import { LIST_PAGE, listPage } from '../../runtime/contract/pages.js';
import { Client as ClientV2, InMemoryTransport as InMemoryV2 } from '@modelcontextprotocol/client';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Server as ServerV1 } from '@modelcontextprotocol/sdk/server/index.js';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer as McpServerV2, Server as ServerV2 } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import { createDiscoveryExposure } from '../../runtime/exposure/discovery.js';
import type { CallToolResult, Tool } from '../../runtime/protocol.js';
import { type AnyMcpServer, registerTools } from '../../runtime/register.js';
import { createServerForToolkit } from '../../runtime/server.js';
import { fixtureCatalog } from '../fixtures/catalog.js';
import { fixtureKit, json, textOf, useCaptureServer } from './helpers.js';

const srv = useCaptureServer((_q, res) =>
  json(res, 200, { object: 'list', data: [{ id: 'gpt-4o' }], has_more: false }),
);

type CallOptions = { signal?: AbortSignal; onprogress?: (p: { progress: number; message?: string }) => void };

/** What the tests need of either Client line (whose `callTool` signatures differ). */
interface AnyClient {
  listTools(): Promise<{ tools: Tool[] }>;
  callTool(
    params: { name: string; arguments?: Record<string, unknown> },
    options?: CallOptions,
  ): Promise<CallToolResult>;
  close(): Promise<void>;
}

async function connectV1(server: McpServerV1 | ServerV1): Promise<AnyClient> {
  const [clientSide, serverSide] = InMemoryV1.createLinkedPair();
  const client = new ClientV1({ name: 'test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return {
    listTools: () => client.listTools() as Promise<{ tools: Tool[] }>,
    callTool: (params, options) => client.callTool(params, undefined, options) as Promise<CallToolResult>,
    close: () => client.close(),
  };
}

async function connectV2(server: McpServerV2 | ServerV2): Promise<AnyClient> {
  const [clientSide, serverSide] = InMemoryV2.createLinkedPair();
  const client = new ClientV2({ name: 'test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return {
    listTools: () => client.listTools() as Promise<{ tools: Tool[] }>,
    callTool: (params, options) => client.callTool(params, options) as Promise<CallToolResult>,
    close: () => client.close(),
  };
}

/** A call's answer as text: its result's text, or the protocol error it was refused with. */
async function answerOf(client: AnyClient, name: string, args: Record<string, unknown>): Promise<string> {
  try {
    const r = await client.callTool({ name, arguments: args });
    expect(r.isError).toBe(true);
    return textOf(r);
  } catch (err) {
    return `protocol error: ${(err as Error).message}`;
  }
}

/** A server of one flavour and a way to connect a client of its own SDK line. */
const flavours: Record<string, () => { server: AnyMcpServer; connect: () => Promise<AnyClient> }> = {
  'v2 McpServer': () => {
    const server = new McpServerV2({ name: 't', version: '0' });
    return { server, connect: () => connectV2(server) };
  },
  'v2 Server': () => {
    const server = new ServerV2({ name: 't', version: '0' }, { capabilities: {} });
    return { server, connect: () => connectV2(server) };
  },
  '1.x McpServer': () => {
    const server = new McpServerV1({ name: 't', version: '0' });
    return { server, connect: () => connectV1(server) };
  },
  '1.x Server': () => {
    const server = new ServerV1({ name: 't', version: '0' }, { capabilities: {} });
    return { server, connect: () => connectV1(server) };
  },
};

for (const [label, make] of Object.entries(flavours)) {
  describe(`registration into the ${label}`, () => {
    it('lists exactly the catalog schemas and passes Client strict validation', async () => {
      const { server, connect } = make();
      registerTools(server, fixtureKit(srv.baseUrl));
      const client = await connect();
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
      const { server, connect } = make();
      registerTools(server, fixtureKit(srv.baseUrl));
      const client = await connect();
      const r = await client.callTool({ name: 'models_list', arguments: {} });
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toEqual(listPage([{ id: 'gpt-4o' }], null, false));
      expect(srv.requests).toHaveLength(1);
      expect(srv.requests[0]!.path).toBe('/v1/models');
      await client.close();
    });

    it('validates with ajv (not the SDK) and sends nothing on bad arguments', async () => {
      const { server, connect } = make();
      registerTools(server, fixtureKit(srv.baseUrl));
      const client = await connect();
      const r = await client.callTool({
        name: 'fine_tuning_jobs_create',
        arguments: { model: 'm', training_file: 'f', hyperparameters: { n_epochs: 0 } },
      });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain('hyperparameters.n_epochs');
      expect(srv.requests).toHaveLength(0);
      await client.close();
    });

    it('answers a hidden tool exactly like a nonexistent one', async () => {
      const { server, connect } = make();
      registerTools(server, fixtureKit(srv.baseUrl, { methods: ['read'] }));
      const client = await connect();
      // An McpServer answers names it has no registration for itself (the v2 one with a protocol error): alike.
      const hidden = await answerOf(client, 'models_delete', { model: 'x' });
      const missing = await answerOf(client, 'no_such_tool', { model: 'x' });
      expect(hidden.replace('models_delete', 'NAME')).toBe(missing.replace('no_such_tool', 'NAME'));
      expect(srv.requests).toHaveLength(0);
      await client.close();
    });

    it('serves the discovery exposure: search, then call_tool through the scoped toolkit', async () => {
      const { server, connect } = make();
      registerTools(server, createDiscoveryExposure(fixtureKit(srv.baseUrl, { methods: ['read'] })));
      const client = await connect();
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
        'search_tools',
        'get_tool_schema',
        'call_tool',
      ]);
      const found = await client.callTool({ name: 'search_tools', arguments: { query: 'list models' } });
      expect(textOf(found)).toContain('models_list');
      const r = await client.callTool({ name: 'call_tool', arguments: { name: 'models_list', arguments: {} } });
      expect(r.structuredContent).toMatchObject({ [LIST_PAGE.items]: [{ id: 'gpt-4o' }] });
      expect(srv.requests.map((q) => q.path)).toEqual(['/v1/models']);
      await client.close();
    });

    it('serves code mode: execute_code runs a program against the toolkit', async () => {
      const { server, connect } = make();
      registerTools(server, createCodeExposure(fixtureKit(srv.baseUrl, { methods: ['read'] })));
      const client = await connect();
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['execute_code', 'search_docs']);
      const r = await client.callTool({
        name: 'execute_code',
        arguments: {
          code: `const page = await openai.models_list({}); return page.${LIST_PAGE.items}.map((m) => m.id);`,
        },
      });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(textOf(r)).toContain('gpt-4o');
      expect(srv.requests.map((q) => q.path)).toEqual(['/v1/models']);
      await client.close();
    }, 30_000);
  });
}

describe('the low-level v2 server the bin serves', () => {
  it('cancelling the MCP request aborts the upstream fetch', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((r) => (closed = r));
    srv.respond((_q, res) => {
      res.on('close', () => closed());
    });
    const client = await connectV2(createServerForToolkit(fixtureKit(srv.baseUrl)));
    const ac = new AbortController();
    const call = client.callTool({ name: 'models_list', arguments: {} }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await expect(call).rejects.toThrow();
    await upstreamClosed; // the server side hung up because fetch was aborted
    expect(srv.requests).toHaveLength(1);
    await client.close();
  });

  it('sends progress notifications when the client asks for them', async () => {
    const client = await connectV2(createServerForToolkit(fixtureKit(srv.baseUrl)));
    const seen: Array<{ progress: number; message?: string }> = [];
    await client.callTool({ name: 'models_list', arguments: {} }, { onprogress: (p) => seen.push(p) });
    expect(seen.map((p) => p.progress)).toEqual([0, 1]);
    expect(seen[1]!.message).toBe('HTTP 200');
    await client.close();
  });
});
