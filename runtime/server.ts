// A ready-to-connect low-level MCP server. Low-level on purpose: tools/list returns precomputed JSON,
// so start-up and listing never touch zod conversion or the validation bundle.

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { registerToolkit } from './register.js';
import type { OpenAiToolkit } from './toolkit.js';

/** Reported to clients in `initialize`; kept in step with package.json. */
export const SERVER_VERSION = '0.1.0';
export const SERVER_NAME = 'openai-mcp';

/** A `Server` exposing the toolkit's tools; connect it to any transport. */
export function createServerForToolkit(kit: OpenAiToolkit): Server {
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        'OpenAI REST API tools. Results include rate-limit state; this server never retries, so on HTTP 429 wait retry-after seconds.',
    },
  );
  registerToolkit(server, kit);
  return server;
}
