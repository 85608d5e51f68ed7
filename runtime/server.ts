// A ready-to-serve low-level MCP server on the v2 SDK, built per request (HTTP) or per connection (stdio) by the
// SDK's serving entries, which answer both protocol eras from it: MCP 2026-07-28 (no handshake, `server/discover`,
// cache hints on lists) and the 2025 revisions (`initialize`). Low-level on purpose: tools/list returns precomputed
// JSON, so building one per request and listing never touch schema conversion or the validation bundle.

import {
  type CacheHint,
  type ListToolsResult,
  type McpServerFactory,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { looseObject, string } from 'zod';
import { serveAppResources } from './apps/serve.js';
import { toolErrorResult } from './contract/errors.js';
import type { ExposedTools } from './exposure/types.js';
import {
  DEFAULT_LIST_CACHE_HINT,
  INSTRUCTIONS,
  SERVER_NAME,
  SERVER_VERSION,
  serverCapabilities,
  toolListing,
} from './lean.js';
import { CLIENT_CAPABILITIES_META_KEY, type CallToolResult } from './protocol.js';
import {
  createTaskResultV1,
  createTaskResultV2,
  detailedTaskV2,
  isTerminal,
  RELATED_TASK_META_KEY,
  TASKS_EXTENSION,
  type TaskRecord,
  type TaskRunner,
  taskV1,
} from './tasks.js';
import type { CallContext, OpenAiToolkit } from './toolkit.js';

export { DEFAULT_LIST_CACHE_HINT, SERVER_NAME, SERVER_VERSION } from './lean.js';

export interface ServeOptions {
  /** What the server tells clients it is for; default: the OpenAI tools' (the admin server says its own). */
  instructions?: string;
  /**
   * The 2026-07-28 cache hint for `tools/list` and `server/discover`, read for every served instance (a managed
   * server's changes with its configuration). Default {@link DEFAULT_LIST_CACHE_HINT}.
   */
  cacheHint?: () => CacheHint;
  /** Serve long calls as tasks to clients that take them, in this scope (the server the tasks belong to). */
  tasks?: { runner: TaskRunner; scope: string };
}

/** What a handler of the v2 SDK receives, as the toolkit's call context (signal, progress token, notifications). */
export function callContextOf(ctx: ServerContext): CallContext {
  const req = ctx.mcpReq;
  return {
    signal: req.signal,
    _meta: req._meta as CallContext['_meta'],
    sendNotification: (n) => req.notify(n),
  };
}

/** Whether the request's 2026-07-28 `_meta` envelope declares the Tasks extension. */
function declaresTasks(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const caps = envelope?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return !!caps?.extensions && Object.hasOwn(caps.extensions, TASKS_EXTENSION);
}

const isModern = (ctx: ServerContext) => ctx.mcpReq.envelope !== undefined;

function unknownTask(): ProtocolError {
  // One answer for a task that never existed, expired, or belongs to another server: an id reveals nothing.
  return new ProtocolError(ProtocolErrorCode.InvalidParams, 'Unknown or expired task id');
}

/** A `Server` answering tools/list and tools/call from any exposure (the toolkit itself, discovery, code). */
export function createServerForTools(tools: ExposedTools, options: ServeOptions = {}): Server {
  const tasks = options.tasks;
  const hint = options.cacheHint?.() ?? DEFAULT_LIST_CACHE_HINT;
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: serverCapabilities(!!tasks),
      instructions: options.instructions ?? INSTRUCTIONS,
      cacheHints: { 'tools/list': hint, 'server/discover': hint },
    },
  );
  server.setRequestHandler('tools/list', (_request, ctx) => ({
    // The SDK types schema properties as any JSON value; ours are always objects, a narrower type of the same wire.
    tools: toolListing(tools, { tasks: !!tasks, modern: isModern(ctx) }) as unknown as ListToolsResult['tools'],
  }));
  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { name, arguments: args } = request.params;
    if (tasks) {
      const modern = isModern(ctx);
      // 2026-07-28: the server decides, for clients declaring the extension. 2025-11-25: the client asks (`task`).
      const asTask = modern
        ? declaresTasks(ctx) && !!tools.taskEligible?.(name, args ?? {})
        : typeof (request.params as { task?: unknown }).task === 'object';
      if (asTask) {
        const task = await tasks.runner.start(tasks.scope, name, (c) => tools.callTool(name, args, c));
        if (!task) return tooManyTasksResult(name);
        // The v2 SDK types tools/call as CallToolResult only; a task result is the extension's polymorphic answer.
        return (modern ? createTaskResultV2(task) : createTaskResultV1(task)) as unknown as CallToolResult;
      }
    }
    return tools.callTool(name, args, callContextOf(ctx));
  });
  if (tasks) registerTaskMethods(server, tasks);
  serveAppResources(server, tools);
  return server;
}

export function tooManyTasksResult(name: string): CallToolResult {
  const message = `${name} was not started: this server already has its maximum of running tasks`;
  return toolErrorResult(`${message}. Wait for one to finish or cancel one (tasks/cancel), then call again.`, {
    type: 'too_many_tasks',
    message,
  });
}

/**
 * Only the id is read from every tasks/* request. A local schema, not ext-tasks' at run time: that package exports
 * its subpaths for `import` only, so a CommonJS consumer (require of this package) could not load it. Built once: a
 * server is built per HTTP request, and building a zod schema there was a measurable part of each call's CPU.
 */
const taskId = looseObject({ taskId: string() });

function registerTaskMethods(server: Server, { runner, scope }: NonNullable<ServeOptions['tasks']>): void {
  const find = async (taskId: string, ctx: ServerContext): Promise<TaskRecord> => {
    // 2026-07-28: tasks/* belong to the extension; a request that does not declare it gets -32021 (before any lookup).
    if (isModern(ctx) && !declaresTasks(ctx)) {
      throw new MissingRequiredClientCapabilityError(
        { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
        `${TASKS_EXTENSION} must be declared in params._meta["${CLIENT_CAPABILITIES_META_KEY}"].extensions`,
      );
    }
    const task = await runner.get(scope, taskId);
    if (!task) throw unknownTask();
    return task;
  };
  server.setRequestHandler('tasks/get', { params: taskId }, async (params, ctx) => {
    const task = await find(params.taskId, ctx);
    return (isModern(ctx) ? detailedTaskV2(task) : taskV1(task)) as Record<string, unknown>;
  });
  // 2026-07-28: the client answers input requests here; these tasks never ask for input, so only the id matters.
  server.setRequestHandler('tasks/update', { params: taskId }, async (params, ctx) => {
    await find(params.taskId, ctx);
    return {};
  });
  server.setRequestHandler('tasks/cancel', { params: taskId }, async (params, ctx) => {
    const before = await find(params.taskId, ctx);
    if (isModern(ctx)) {
      // Cooperative and acknowledged either way: a finished task keeps its outcome.
      await runner.cancel(scope, params.taskId);
      return {};
    }
    if (isTerminal(before.status)) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot cancel a task that is already ${before.status}`);
    }
    return taskV1((await runner.cancel(scope, params.taskId)) ?? before) as Record<string, unknown>;
  });
  // 2025-11-25: blocks until the task is terminal, then answers what the call would have.
  server.setRequestHandler('tasks/result', { params: taskId }, async (params, ctx) => {
    await find(params.taskId, ctx);
    const task = await runner.settled(scope, params.taskId, ctx.mcpReq.signal);
    if (!task) throw unknownTask();
    const related = { [RELATED_TASK_META_KEY]: { taskId: task.id } };
    if (task.status === 'completed' && task.result) {
      return { ...task.result, _meta: { ...task.result._meta, ...related } } as Record<string, unknown>;
    }
    if (task.status === 'failed') {
      throw new ProtocolError(
        task.error?.code ?? ProtocolErrorCode.InternalError,
        task.error?.message ?? 'Task failed',
      );
    }
    if (task.status === 'cancelled') throw new ProtocolError(ProtocolErrorCode.InternalError, 'The task was cancelled');
    throw new ProtocolError(ProtocolErrorCode.InternalError, 'The request ended before the task finished');
  });
}

/** The factory the SDK's serving entries call for each request (HTTP) or connection (stdio). */
export function serverFactory(tools: ExposedTools, options: ServeOptions = {}): McpServerFactory {
  return () => createServerForTools(tools, options);
}

/** A `Server` exposing the toolkit's tools; connect it to any transport. */
export function createServerForToolkit(kit: OpenAiToolkit, options: ServeOptions = {}): Server {
  return createServerForTools(kit, options);
}
