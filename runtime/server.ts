// A ready-to-connect low-level MCP server. Low-level on purpose: tools/list returns precomputed JSON,
// so start-up and listing never touch zod conversion or the validation bundle.

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ExposedTools } from './exposure/types.js';
import type { OpenAiToolkit } from './toolkit.js';

/** Reported to clients in `initialize`; kept in step with package.json. */
export const SERVER_VERSION = '0.1.0';
export const SERVER_NAME = 'openai-mcp';

const INSTRUCTIONS =
  'OpenAI REST API tools. Results include rate-limit state; this server never retries, so on HTTP 429 wait retry-after seconds.';

/** A `Server` answering tools/list and tools/call from any exposure (the toolkit itself, discovery, code). */
export function createServerForTools(tools: ExposedTools): Server {
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.listTools() }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    tools.callTool(request.params.name, request.params.arguments, extra),
  );
  return server;
}

/** A `Server` exposing the toolkit's tools; connect it to any transport. */
export function createServerForToolkit(kit: OpenAiToolkit): Server {
  return createServerForTools(kit);
}
