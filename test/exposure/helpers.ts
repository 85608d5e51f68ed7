// An MCP client connected in-process (InMemoryTransport) to a low-level Server whose handlers are an
// exposure's listTools/callTool, and a toolkit pointed at the stateful fake.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ExposedTools } from '../../runtime/exposure/types.js';
import { createOpenAiToolkit, type OpenAiToolsOptions } from '../../runtime/index.js';
import type { FakeOpenAi } from '../../testing/fake-openai/index.js';

export async function connect(exposed: ExposedTools): Promise<{ client: Client; close: () => Promise<void> }> {
  const server = new Server({ name: 'test', version: '0.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: exposed.listTools() }));
  server.setRequestHandler(CallToolRequestSchema, (req, extra) =>
    exposed.callTool(req.params.name, req.params.arguments, extra),
  );
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '0.0.0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export function fakeKit(fake: FakeOpenAi, options: OpenAiToolsOptions = {}) {
  return createOpenAiToolkit({
    baseUrl: fake.baseUrl,
    credentials: { adminKey: fake.adminKey, apiKey: fake.projectKey },
    env: {},
    ...options,
  });
}

export const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

export async function run(client: Client, code: string, options: { timeout?: number } = {}) {
  return (await client.callTool({ name: 'execute_code', arguments: { code } }, undefined, {
    timeout: options.timeout ?? 60_000,
  })) as CallToolResult;
}
