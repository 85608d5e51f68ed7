// Plugging a toolkit into the SDK's two server flavours.
//
// McpServer insists on a zod schema per tool and converts it to JSON Schema for every tools/list. We hand it a
// permissive object whose zod metadata *is* the precomputed inputSchema: zod's JSON Schema output merges metadata
// over the generated schema, so clients see exactly the catalog's schema while ajv (in the toolkit) does the
// real validation with better messages.

import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolRequest,
  type CallToolResult,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { CallContext, OpenAiToolkit } from './toolkit.js';

// The two server shapes below are structural on purpose. A CommonJS TypeScript project resolves the SDK's CJS
// declarations while this package's own declarations use the ESM ones: two declarations of the same class, which
// TypeScript never treats as one (private members), so naming the classes here made the caller's own
// `new McpServer(...)` fail with TS2345. Only the methods this file calls are required.

/** What registration needs of the SDK's `McpServer` (any copy, ESM or CommonJS). */
export interface McpServerLike {
  registerTool(
    name: string,
    config: {
      title?: string;
      description?: string;
      inputSchema?: z.ZodType<Record<string, unknown>>;
      annotations?: ToolAnnotations;
    },
    cb: (args: Record<string, unknown>, extra: CallContext) => CallToolResult | Promise<CallToolResult>,
  ): unknown;
}

/** What registration needs of the SDK's low-level `Server` (any copy, ESM or CommonJS). */
export interface LowLevelServerLike {
  registerCapabilities(capabilities: { tools?: Record<string, unknown> }): void;
  setRequestHandler(schema: typeof ListToolsRequestSchema, handler: () => { tools: unknown[] }): void;
  setRequestHandler(
    schema: typeof CallToolRequestSchema,
    handler: (request: CallToolRequest, extra: CallContext) => Promise<CallToolResult>,
  ): void;
}

/** Either SDK server class, `McpServer` or low-level `Server`. */
export type AnyMcpServer = McpServerLike | LowLevelServerLike;

function isMcpServer(server: AnyMcpServer): server is McpServerLike {
  // Duck-typed: `instanceof` breaks when the host app resolves its own copy of the SDK.
  return typeof (server as McpServerLike).registerTool === 'function';
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
        (args, extra) => kit.callTool(tool.name, args, extra),
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
