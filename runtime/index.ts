/**
 * openai-mcp-kit runtime: every OpenAI REST operation from the generated catalog as an MCP tool.
 *
 * - {@link registerOpenAiTools} puts the tools on an existing `McpServer` or low-level `Server`, of the v2 SDK
 *   (`@modelcontextprotocol/server`) or the 1.x SDK (`@modelcontextprotocol/sdk`); {@link registerTools} does the
 *   same for an exposure ({@link createDiscoveryExposure}, {@link createCodeExposure}).
 * - {@link createOpenAiMcpServer} returns a ready low-level v2 `Server` (what the `openai-mcp` bin serves), and
 *   {@link openAiServerFactory} the factory the v2 SDK's `createMcpHandler` and `serveStdio` take.
 * - {@link listOpenAiTools} / {@link callOpenAiTool} compose into a server that owns its own handlers.
 * - {@link createCodeExposure} serves a toolkit as two tools, `search_docs` and `execute_code` (code mode); the
 *   typed client the programs are written against is `openai-mcp-kit/sdk`.
 *
 * @packageDocumentation
 */

import type { McpServerFactory, Server } from '@modelcontextprotocol/server';
import { defaultCatalog } from './catalog.js';
import { DEFAULT_EXPOSURE, type Exposure, type ExposureOptions, exposeToolkit } from './exposure/index.js';
import type { CallToolResult, Tool } from './protocol.js';
import { type AnyMcpServer, registerTools } from './register.js';
import { createServerForTools, type ServeOptions, serverFactory } from './server.js';
import { createToolkit, type CallContext, type OpenAiToolkit, type OpenAiToolsOptions } from './toolkit.js';

export type { AnyMcpServer, LowLevelServerLike, McpServerLike } from './register.js';
export { registerTools } from './register.js';
export type { CallToolResult, Tool } from './protocol.js';
export { MODERN_PROTOCOL_VERSION, SERVED_PROTOCOL_VERSIONS } from './protocol.js';
export { createServerForTools, type ServeOptions, serverFactory } from './server.js';
export { MemoryTaskStore, TaskRunner, type TaskRecord, type TaskRunnerOptions, type TaskStore } from './tasks.js';
export { createDiscoveryExposure } from './exposure/discovery.js';
export { HOST_TOOL_LIMIT, toolCapWarning } from './tool-cap.js';
export type { CallContext, OpenAiCredentials, OpenAiToolkit, OpenAiToolsOptions } from './toolkit.js';
export { DEFAULT_BASE_URL } from './toolkit.js';
export type { ToolFilter } from './filter.js';
export { OptionError, type OptionErrorCode, type OptionName } from './option-error.js';
export { serveStdio, type StdioOptions } from './stdio.js';
export type { RateLimitInfo, RateLimitWindow } from './ratelimit.js';
export { RATE_LIMIT_META_KEY } from './ratelimit.js';
export type { ValidationSource } from './validation.js';
export type * from './contract/catalog.js';
export type {
  ContentResult,
  EmptyResult,
  ListPage,
  UsagePage,
  UsageRow,
  WaitResult,
} from './contract/pages.js';
export { LIST_PAGE, listPage, readPage, USAGE_PAGE } from './contract/pages.js';
export type {
  ArgumentIssueField,
  CodeErrorType,
  FileIssueField,
  ToolError,
  ToolErrorType,
  UpstreamErrorFields,
} from './contract/errors.js';
export { TOOL_ERROR_TYPES } from './contract/errors.js';
export { WAIT_INTERVAL, WAIT_TIMEOUT } from './contract/wait.js';
export type { ExposedTools, ExposureMode } from './exposure/types.js';
export { defineExposure } from './exposure/types.js';
export { EXPOSURES, type Exposure, exposeToolkit } from './exposure/registry.js';
export { createCodeExposure, DEFAULT_CODE_LIMITS } from './exposure/code/index.js';
export type { CodeError, CodeErrorCode, CodeExposureOptions, CodeLimits } from './exposure/code/index.js';

/**
 * Selects tools and binds them to credentials and limits. Reuse one toolkit for many calls.
 * @throws Error when a filter names an unknown method, tag or tool, or leaves no tools.
 */
export function createOpenAiToolkit(options: OpenAiToolsOptions = {}): OpenAiToolkit {
  return createToolkit({ ...options, catalog: options.catalog ?? defaultCatalog });
}

/** Registration and serving options: the tools' options, plus how they are shown (default `all`). */
export interface OpenAiServeOptions extends OpenAiToolsOptions {
  /** `all` (one tool per operation), `discovery` (three meta-tools) or `code` (search_docs + execute_code). */
  exposure?: Exposure;
  /** Code mode's sandbox limits. */
  exposureOptions?: ExposureOptions;
}

function exposed(options: OpenAiServeOptions): { kit: OpenAiToolkit; tools: ReturnType<typeof exposeToolkit> } {
  const { exposure, exposureOptions, ...rest } = options;
  const kit = createOpenAiToolkit(rest);
  return { kit, tools: exposeToolkit(kit, exposure ?? DEFAULT_EXPOSURE, exposureOptions) };
}

/**
 * Registers the selected OpenAI tools on `server`: an `McpServer` (one `registerTool` per tool) or a low-level
 * `Server` (`tools/list` + `tools/call` handlers; call before `connect`), of the v2 or the 1.x SDK. With
 * `exposure: 'discovery' | 'code'`, the meta-tools of that mode instead.
 * @returns the toolkit, e.g. to inspect `tools`.
 * @throws Error on an invalid filter (see {@link createOpenAiToolkit}).
 */
export function registerOpenAiTools(server: AnyMcpServer, options: OpenAiServeOptions = {}): OpenAiToolkit {
  const { kit, tools } = exposed(options);
  registerTools(server, tools);
  return kit;
}

/** A low-level v2 `Server` serving the selected tools, ready for `connect(transport)` (2025-era transports). */
export function createOpenAiMcpServer(options: OpenAiServeOptions = {}, serve: ServeOptions = {}): Server {
  return createServerForTools(exposed(options).tools, serve);
}

/**
 * A server factory for the v2 SDK's serving entries, which serve MCP 2026-07-28 and the 2025 revisions from it:
 * `createMcpHandler(openAiServerFactory(options))` over HTTP, `serveStdio(openAiServerFactory(options))` over stdio.
 * Pass `serve.tasks` to run wait tools and large uploads as tasks for clients that declare the Tasks extension.
 */
export function openAiServerFactory(options: OpenAiServeOptions = {}, serve: ServeOptions = {}): McpServerFactory {
  return serverFactory(exposed(options).tools, serve);
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
