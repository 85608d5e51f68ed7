// Plugging a toolkit into the SDK's two server flavours.
//
// McpServer insists on a zod schema per tool and converts it to JSON Schema for every tools/list. We hand it a
// permissive object whose zod metadata *is* the precomputed inputSchema: zod's JSON Schema output merges metadata
// over the generated schema, so clients see exactly the catalog's schema while ajv (in the toolkit) does the
// real validation with better messages.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { OpenAiToolkit } from './toolkit.js';

/** Either SDK server class. */
export type AnyMcpServer = McpServer | Server;

function isMcpServer(server: AnyMcpServer): server is McpServer {
  // Duck-typed: `instanceof` breaks when the host app resolves its own copy of the SDK.
  return typeof (server as McpServer).registerTool === 'function';
}

function permissiveSchema(inputSchema: Record<string, unknown>) {
  const names = Object.keys((inputSchema.properties as object | undefined) ?? {});
  // zod 4 treats a bare `z.unknown()` key as required; requiredness is ajv's job.
  const shape = Object.fromEntries(names.map((n) => [n, z.unknown().optional()]));
  const { $schema: _s, ...meta } = inputSchema;
  return z.looseObject(shape).meta(meta);
}

/**
 * Registers every tool of `kit` on an `McpServer` (via `registerTool`) or on a low-level `Server`
 * (by installing `tools/list` and `tools/call` handlers; call this before `connect`).
 */
export function registerToolkit(server: AnyMcpServer, kit: OpenAiToolkit): void {
  if (isMcpServer(server)) {
    for (const tool of kit.tools) {
      server.registerTool(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          inputSchema: permissiveSchema(tool.inputSchema),
          annotations: { ...tool.annotations },
        },
        (args: Record<string, unknown>, extra) => kit.callTool(tool.name, args, extra),
      );
    }
    return;
  }
  server.registerCapabilities({ tools: {} });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: kit.listTools() }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    kit.callTool(request.params.name, request.params.arguments, extra),
  );
}
