// Plugging tools (a toolkit, or the discovery/code exposures in front of one) into someone else's MCP server, of
// either SDK line and either flavour: the v2 SDK's `McpServer` and `Server` (@modelcontextprotocol/server), and the
// 1.x SDK's `McpServer` and `Server` (@modelcontextprotocol/sdk).
//
// An `McpServer` wants a schema object per tool. The v2 one takes a Standard Schema: we give it the catalog's
// precomputed JSON Schema through the SDK's `fromJsonSchema`, with a validator that accepts everything, because
// the toolkit validates against the full spec schema itself (ajv, better messages) and must see the arguments as
// sent. The 1.x one takes zod: a permissive object whose metadata *is* the precomputed schema (zod's JSON Schema
// output merges metadata over the generated schema, so clients see exactly the catalog's schema).

import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/core';
import { fromJsonSchema, type jsonSchemaValidator, type ServerContext } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { registerAppResources } from './apps/register.js';
import type { ExposedTools } from './exposure/types.js';
import type { CallToolResult, Tool } from './protocol.js';
import { callContextOf } from './server.js';
import type { CallContext } from './call-context.js';

// The server shapes below are structural and loose on purpose: the caller's SDK may be either line, loaded as ESM
// or CommonJS, and TypeScript never treats two declarations of one class as the same type (private members), so
// naming the classes here would make the caller's own `new McpServer(...)` fail to type-check. Only the methods
// called here are required; which SDK a server is from is told by what it has (see below).

/** What registration needs of an `McpServer` (v2 or 1.x, any copy). */
export interface McpServerLike {
  registerTool: (...args: never[]) => unknown;
}

/** What registration needs of a low-level `Server` (v2 or 1.x, any copy). */
export interface LowLevelServerLike {
  registerCapabilities(capabilities: { tools?: Record<string, unknown> }): void;
  setRequestHandler: (...args: never[]) => unknown;
}

/** Either SDK line's `McpServer` or low-level `Server`. */
export type AnyMcpServer = McpServerLike | LowLevelServerLike;

type ToolCallback = (args: Record<string, unknown> | undefined, extra: unknown) => Promise<CallToolResult>;
type RegisterTool = (name: string, config: Record<string, unknown>, cb: ToolCallback) => unknown;
type ListHandler = (request: unknown, extra: unknown) => { tools: Tool[] };
type CallHandler = (
  request: { params: { name: string; arguments?: Record<string, unknown> } },
  extra: unknown,
) => Promise<CallToolResult>;

function isMcpServer(server: AnyMcpServer): server is McpServerLike {
  // Duck-typed: `instanceof` breaks when the host app resolves its own copy of the SDK.
  return typeof (server as McpServerLike).registerTool === 'function';
}

/** The 1.x `McpServer` still has the `tool()` shorthand that v2 removed. */
const isV1McpServer = (server: McpServerLike) => typeof (server as { tool?: unknown }).tool === 'function';

/** A v2 handler's context (`ctx.mcpReq`) or a 1.x handler's `extra` (signal, `_meta`, `sendNotification`). */
export function toCallContext(extra: unknown): CallContext | undefined {
  if (!extra || typeof extra !== 'object') return undefined;
  if ('mcpReq' in extra) return callContextOf(extra as ServerContext);
  return extra as CallContext;
}

const acceptAll: jsonSchemaValidator = {
  getValidator: () => (input) => ({ valid: true, data: input as never, errorMessage: undefined }),
};

function v1Schema(inputSchema: Tool['inputSchema']) {
  const names = Object.keys(inputSchema.properties ?? {});
  // zod 4 treats a bare `z.unknown()` key as required; requiredness is ajv's job.
  const shape = Object.fromEntries(names.map((n) => [n, z.unknown().optional()]));
  const { $schema: _s, ...meta } = inputSchema;
  return z.looseObject(shape).meta(meta);
}

/**
 * Registers every tool `tools` lists on an `McpServer` (one `registerTool` each) or on a low-level `Server`
 * (`tools/list` and `tools/call` handlers; call this before `connect`), of either SDK line.
 */
export function registerTools(server: AnyMcpServer, tools: ExposedTools): void {
  if (isMcpServer(server)) {
    const register = (server.registerTool as unknown as RegisterTool).bind(server);
    const v1 = isV1McpServer(server);
    for (const tool of tools.listTools()) {
      register(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          inputSchema: v1
            ? v1Schema(tool.inputSchema)
            : fromJsonSchema(tool.inputSchema as Record<string, unknown>, acceptAll),
          annotations: { ...tool.annotations },
          // MCP Apps: the view that draws this tool's results (`ui.resourceUri`), when one does.
          ...(tool._meta ? { _meta: tool._meta } : {}),
        },
        (args, extra) => tools.callTool(tool.name, args, toCallContext(extra)),
      );
    }
    registerAppResources(server, tools);
    return;
  }
  server.registerCapabilities({ tools: {} });
  const setHandler = server.setRequestHandler.bind(server) as unknown as (
    method: unknown,
    handler: ListHandler | CallHandler,
  ) => void;
  const list: ListHandler = () => ({ tools: tools.listTools() });
  const call: CallHandler = (request, extra) =>
    tools.callTool(request.params.name, request.params.arguments, toCallContext(extra));
  try {
    // v2: handlers are keyed by method name.
    setHandler('tools/list', list);
  } catch {
    // 1.x refuses a method name ("missing a method literal") before changing anything: it keys handlers by the
    // request's zod schema, and takes the official schemas of either line.
    setHandler(ListToolsRequestSchema, list);
    setHandler(CallToolRequestSchema, call);
    registerAppResources(server, tools);
    return;
  }
  setHandler('tools/call', call);
  registerAppResources(server, tools);
}
