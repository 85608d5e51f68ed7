/**
 * openai-mcp-kit runtime: every OpenAI REST operation from the generated catalog as an MCP tool.
 *
 * - {@link registerOpenAiTools} puts the tools on an existing `McpServer` or low-level `Server`.
 * - {@link createOpenAiMcpServer} returns a ready low-level `Server` (what the `openai-mcp` bin serves).
 * - {@link listOpenAiTools} / {@link callOpenAiTool} compose into a server that owns its own handlers.
 * - {@link createCodeExposure} serves a toolkit as two tools, `search_docs` and `execute_code` (code mode); the
 *   typed client the programs are written against is `openai-mcp-kit/sdk`.
 *
 * @packageDocumentation
 */

import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { defaultCatalog } from './catalog.js';
import { registerToolkit, type AnyMcpServer } from './register.js';
import { createServerForToolkit } from './server.js';
import { createToolkit, type CallContext, type OpenAiToolkit, type OpenAiToolsOptions } from './toolkit.js';

export type { AnyMcpServer, LowLevelServerLike, McpServerLike } from './register.js';
export { HOST_TOOL_LIMIT, toolCapWarning } from './tool-cap.js';
export type { CallContext, OpenAiCredentials, OpenAiToolkit, OpenAiToolsOptions } from './toolkit.js';
export { DEFAULT_BASE_URL } from './toolkit.js';
export type { ToolFilter } from './filter.js';
export { OptionError, type OptionErrorCode, type OptionName } from './option-error.js';
export { serveStdio, type StdioOptions } from './stdio.js';
export type { RateLimitInfo, RateLimitWindow } from './ratelimit.js';
export { RATE_LIMIT_META_KEY } from './ratelimit.js';
export type { ValidationSource } from './validation.js';
export type * from './types.js';
export type { ExposedTools, Exposure } from './exposure/types.js';
export { createCodeExposure, DEFAULT_CODE_LIMITS } from './exposure/code/index.js';
export type { CodeError, CodeErrorCode, CodeExposureOptions, CodeLimits } from './exposure/code/index.js';

/**
 * Selects tools and binds them to credentials and limits. Reuse one toolkit for many calls.
 * @throws Error when a filter names an unknown method, tag or tool, or leaves no tools.
 */
export function createOpenAiToolkit(options: OpenAiToolsOptions = {}): OpenAiToolkit {
  return createToolkit({ ...options, catalog: options.catalog ?? defaultCatalog });
}

/**
 * Registers the selected OpenAI tools on `server`: an `McpServer` (one `registerTool` per tool) or a low-level
 * `Server` (`tools/list` + `tools/call` handlers; call before `connect`).
 * @returns the toolkit, e.g. to inspect `tools`.
 * @throws Error on an invalid filter (see {@link createOpenAiToolkit}).
 */
export function registerOpenAiTools(server: AnyMcpServer, options: OpenAiToolsOptions = {}): OpenAiToolkit {
  const kit = createOpenAiToolkit(options);
  registerToolkit(server, kit);
  return kit;
}

/** A low-level MCP `Server` serving the selected tools, ready for `connect(transport)`. */
export function createOpenAiMcpServer(options: OpenAiToolsOptions = {}): Server {
  return createServerForToolkit(createOpenAiToolkit(options));
}

/** `tools/list` entries for the selected tools, with the catalog's precomputed input schemas. */
export function listOpenAiTools(options: OpenAiToolsOptions = {}): Tool[] {
  return createOpenAiToolkit(options).listTools();
}

/**
 * Calls one tool by name. Never throws for call failures: missing keys, invalid arguments, HTTP errors, timeouts and
 * network failures come back as `isError` results. Tools outside the filter answer like unknown ones.
 * For many calls prefer {@link createOpenAiToolkit}, which checks the filter once.
 * @param options filter/credentials as elsewhere, plus the MCP request's `signal` (and optional progress context).
 */
export function callOpenAiTool(
  name: string,
  args: Record<string, unknown> | undefined,
  options: OpenAiToolsOptions & CallContext = {},
): Promise<CallToolResult> {
  const { signal, _meta, sendNotification, ...rest } = options;
  return createOpenAiToolkit(rest).callTool(name, args, { signal, _meta, sendNotification });
}
