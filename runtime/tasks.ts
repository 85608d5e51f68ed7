// Long calls as MCP Tasks. A wait tool or a long upload called by a client that declares the Tasks extension gets a
// task handle at once; the work runs on here, its progress lands in the task's status message, and the client polls
// `tasks/get` (any request, any connection: the task id is the handle) until the result is there. Two wire
// generations are served from one record: the `io.modelcontextprotocol/tasks` extension of MCP 2026-07-28
// (`tasks/get` carries the result, `tasks/update`, `tasks/cancel`) and the 2025-11-25 tasks (`params.task` on the
// call, `tasks/get`, `tasks/result`, `tasks/cancel`). Wire shapes are typed by the official ext-tasks package.
//
// Records live in a `TaskStore`: in memory for stdio, in the service's database for managed servers, so a poll that
// lands on another replica still finds the task. The process that started a task runs it; a cancel made anywhere
// marks the record `cancelled` at once, and the runner sees that before its next upstream request.

import { isoOfMs } from './results/pages.js';
import { randomBytes } from 'node:crypto';
import type { CreateTaskResultV1, TaskV1 } from '@modelcontextprotocol/ext-tasks/core/v1';
import type {
  CompletedTaskV2,
  CreateTaskResultV2,
  DetailedTaskV2,
  TaskV2,
} from '@modelcontextprotocol/ext-tasks/core/v2';
import type { CallToolResult } from './protocol.js';
import type { CallContext } from './call-context.js';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
/** Where a 2025-11-25 result names the task it came from. */
export const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);
export const isTerminal = (status: TaskStatus) => TERMINAL.has(status);

/** A task as stored: what `tasks/get` answers from, whichever process or connection asks. */
export interface TaskRecord {
  id: string;
  /** The server the task belongs to (a managed server's id, or the stdio session's); other scopes never see it. */
  scope: string;
  tool: string;
  status: TaskStatus;
  statusMessage: string | null;
  /** ms since the epoch. */
  createdAt: number;
  /** Last change of status or message, or the runner's last heartbeat while working. */
  updatedAt: number;
  /** Lifetime from `createdAt`; after it the task is gone (not found). */
  ttlMs: number;
  pollIntervalMs: number;
  /** The call's result once `completed` (an `isError` result is a completed call too). */
  result: CallToolResult | null;
  /** The JSON-RPC error once `failed`. */
  error: { code: number; message: string } | null;
}

export type TaskPatch = Partial<Pick<TaskRecord, 'status' | 'statusMessage' | 'result' | 'error' | 'updatedAt'>>;

/** Persistence for task records. Implementations never return a task of another scope or one past its lifetime. */
export interface TaskStore {
  insert(task: TaskRecord): Promise<void>;
  get(scope: string, id: string, now: number): Promise<TaskRecord | undefined>;
  /** Applies `patch` only while the task is `working` (a terminal state never changes); returns whether it did. */
  updateWorking(scope: string, id: string, patch: TaskPatch): Promise<boolean>;
  countWorking(scope: string, now: number): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

/** Tasks of one process (stdio): a bounded map, oldest dropped first once over `maxTasks`. */
export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  constructor(private readonly maxTasks = 1000) {}

  async insert(task: TaskRecord) {
    if (this.tasks.size >= this.maxTasks) await this.deleteExpired(Date.now());
    for (const [id, t] of this.tasks) {
      if (this.tasks.size < this.maxTasks) break;
      if (isTerminal(t.status)) this.tasks.delete(id);
    }
    this.tasks.set(task.id, { ...task });
  }
  async get(scope: string, id: string, now: number) {
    const t = this.tasks.get(id);
    if (!t || t.scope !== scope || t.createdAt + t.ttlMs <= now) return undefined;
    return { ...t };
  }
  async updateWorking(scope: string, id: string, patch: TaskPatch) {
    const t = this.tasks.get(id);
    if (!t || t.scope !== scope || t.status !== 'working') return false;
    Object.assign(t, patch);
    return true;
  }
  async countWorking(scope: string, now: number) {
    let n = 0;
    for (const t of this.tasks.values())
      if (t.scope === scope && t.status === 'working' && t.createdAt + t.ttlMs > now) n++;
    return n;
  }
  async deleteExpired(now: number) {
    let n = 0;
    for (const [id, t] of this.tasks)
      if (t.createdAt + t.ttlMs <= now) {
        this.tasks.delete(id);
        n++;
      }
    return n;
  }
}

/** How long a task and its result are kept after it is created. */
export const DEFAULT_TASK_TTL_MS = 2 * 60 * 60 * 1000;
/** How long a wait tool waits as a task when the call does not say (`timeout_seconds`); a blocking wait says 600 s at most. */
export const DEFAULT_TASK_WAIT_SECONDS = 60 * 60;
export const DEFAULT_TASK_POLL_MS = 2000;
/** Working tasks one server may have; the next long call is refused until one ends. */
export const DEFAULT_MAX_WORKING_TASKS = 16;
/** How often a runner looks for a cancel made elsewhere (another replica), and refreshes its heartbeat. */
const CANCEL_CHECK_MS = 1000;
const HEARTBEAT_MS = 10_000;
/** A working task whose heartbeat is older than this, and that no runner here holds, was orphaned by a restart. */
const ORPHANED_AFTER_MS = 60_000;

export interface TaskRunnerOptions {
  store: TaskStore;
  ttlMs?: number;
  pollIntervalMs?: number;
  waitSeconds?: number;
  maxWorkingPerScope?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export type Work = (ctx: CallContext) => Promise<CallToolResult>;

/** Starts, watches and cancels the tasks of one process, over any store. */
export class TaskRunner {
  readonly store: TaskStore;
  readonly waitSeconds: number;
  private readonly ttlMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxWorking: number;
  private readonly now: () => number;
  /** Tasks running in this process; aborting one stops its work (a wait stops before its next poll). */
  private readonly running = new Map<string, { scope: string; abort: AbortController; done: Promise<void> }>();
  private readonly settledListeners = new Map<string, Set<() => void>>();

  constructor(private readonly options: TaskRunnerOptions) {
    this.store = options.store;
    this.ttlMs = options.ttlMs ?? DEFAULT_TASK_TTL_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_TASK_POLL_MS;
    this.waitSeconds = options.waitSeconds ?? DEFAULT_TASK_WAIT_SECONDS;
    this.maxWorking = options.maxWorkingPerScope ?? DEFAULT_MAX_WORKING_TASKS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Creates the task (durably: a `tasks/get` for it succeeds once this resolves) and starts `work` detached from
   * the request that asked for it. Undefined when `scope` already has its maximum of working tasks.
   */
  async start(scope: string, tool: string, work: Work): Promise<TaskRecord | undefined> {
    const now = this.now();
    if ((await this.store.countWorking(scope, now)) >= this.maxWorking) return undefined;
    const task: TaskRecord = {
      id: `task_${randomBytes(18).toString('base64url')}`,
      scope,
      tool,
      status: 'working',
      statusMessage: `${tool}: started`,
      createdAt: now,
      updatedAt: now,
      ttlMs: this.ttlMs,
      pollIntervalMs: this.pollIntervalMs,
      result: null,
      error: null,
    };
    await this.store.insert(task);
    const abort = new AbortController();
    const done = this.run(task, work, abort).finally(() => {
      this.running.delete(task.id);
      for (const notify of this.settledListeners.get(task.id) ?? []) notify();
      this.settledListeners.delete(task.id);
    });
    this.running.set(task.id, { scope, abort, done });
    return task;
  }

  private async run(task: TaskRecord, work: Work, abort: AbortController): Promise<void> {
    const { store } = this;
    let lastMessage = task.statusMessage;
    let lastBeat = task.updatedAt;
    // A cancel through another process only reaches the store: look for it between the work's steps.
    const watch = setInterval(() => {
      void store.get(task.scope, task.id, this.now()).then(
        async (t) => {
          if (t?.status !== 'working') return abort.abort();
          if (this.now() - lastBeat >= HEARTBEAT_MS) {
            lastBeat = this.now();
            await store.updateWorking(task.scope, task.id, { updatedAt: lastBeat });
          }
        },
        () => {},
      );
    }, CANCEL_CHECK_MS);
    watch.unref();
    // Lifetime reached while still working: nobody can read the outcome any more.
    const expiry = setTimeout(() => abort.abort(), task.ttlMs);
    expiry.unref();
    const ctx: CallContext = {
      signal: abort.signal,
      waitSeconds: this.waitSeconds,
      // Progress (each poll's status and figures) becomes the task's status message.
      _meta: { progressToken: task.id },
      sendNotification: async (n) => {
        const message = n.params.message;
        if (!message || message === lastMessage || abort.signal.aborted) return;
        lastMessage = message;
        lastBeat = this.now();
        await store.updateWorking(task.scope, task.id, {
          statusMessage: `${task.tool}: ${message}`.slice(0, 500),
          updatedAt: lastBeat,
        });
      },
    };
    try {
      const result = await work(ctx);
      if (abort.signal.aborted) return;
      await store.updateWorking(task.scope, task.id, {
        status: 'completed',
        statusMessage: result.isError ? `${task.tool}: finished with an error` : `${task.tool}: done`,
        result,
        updatedAt: this.now(),
      });
    } catch (err) {
      this.options.log?.(`task ${task.id} (${task.tool}) failed: ${(err as Error)?.message ?? String(err)}`);
      await store
        .updateWorking(task.scope, task.id, {
          status: 'failed',
          statusMessage: `${task.tool}: failed`,
          error: { code: -32603, message: `Internal error in ${task.tool}` },
          updatedAt: this.now(),
        })
        .catch(() => {});
    } finally {
      clearInterval(watch);
      clearTimeout(expiry);
    }
  }

  /** The task as `tasks/get` sees it; undefined for unknown, expired and other scopes' tasks alike. */
  async get(scope: string, id: string): Promise<TaskRecord | undefined> {
    const now = this.now();
    const task = await this.store.get(scope, id, now);
    if (task?.status === 'working' && !this.running.has(id) && now - task.updatedAt > ORPHANED_AFTER_MS) {
      const patch: TaskPatch = {
        status: 'failed',
        statusMessage: `${task.tool}: the process running this task stopped before it finished`,
        error: { code: -32603, message: 'The server process running this task stopped before it finished' },
        updatedAt: now,
      };
      if (await this.store.updateWorking(scope, id, patch)) return { ...task, ...patch } as TaskRecord;
      return this.store.get(scope, id, now);
    }
    return task;
  }

  /**
   * Marks a working task `cancelled` and stops its work here at once (elsewhere within a second, before that
   * runner's next upstream request). Returns the task after the attempt, undefined when not found.
   */
  async cancel(scope: string, id: string): Promise<TaskRecord | undefined> {
    const local = this.running.get(id);
    if (local && local.scope === scope) local.abort.abort();
    const now = this.now();
    await this.store.updateWorking(scope, id, {
      status: 'cancelled',
      statusMessage: 'Cancelled by the client; no further requests were sent',
      updatedAt: now,
    });
    return this.store.get(scope, id, now);
  }

  /** Resolves with the task once it is terminal (or gone), or when `signal` aborts. */
  async settled(scope: string, id: string, signal?: AbortSignal): Promise<TaskRecord | undefined> {
    for (;;) {
      const task = await this.get(scope, id);
      if (!task || isTerminal(task.status) || signal?.aborted) return task;
      await new Promise<void>((resolve) => {
        const listeners = this.settledListeners.get(id) ?? new Set();
        const done = () => {
          clearTimeout(timer);
          listeners.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        // Woken by this process's runner at once; a task running elsewhere is re-read every poll interval.
        const timer = setTimeout(done, task.pollIntervalMs);
        listeners.add(done);
        this.settledListeners.set(id, listeners);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** The scopes with tasks running in this process (for a revocation check). */
  runningScopes(): string[] {
    return [...new Set([...this.running.values()].map((r) => r.scope))];
  }

  /**
   * Stops every task of `scope` running here, as a cancel does, with `reason` as the status message: what
   * revocation does to work already started (a deleted server, a revoked login).
   */
  async cancelScope(scope: string, reason: string): Promise<number> {
    const mine = [...this.running.entries()].filter(([, r]) => r.scope === scope);
    for (const [id, r] of mine) {
      r.abort.abort();
      await this.store
        .updateWorking(scope, id, { status: 'cancelled', statusMessage: reason, updatedAt: this.now() })
        .catch(() => {});
    }
    return mine.length;
  }

  /** Tasks running in this process. */
  get active(): number {
    return this.running.size;
  }

  /** Stops every task running here (shutdown); their records say `cancelled`. */
  async close(): Promise<void> {
    const all = [...this.running.entries()];
    await Promise.all(all.map(([id, r]) => this.cancel(r.scope, id).catch(() => undefined)));
    await Promise.all(all.map(([, r]) => r.done));
  }
}

// The wire shapes below are `@internal`: the build strips them from the published declarations, so ext-tasks' types
// (which fail a strict consumer's type-check) never reach a user of the package.

/** 2026-07-28 extension: the `Task` fields. @internal */
export function taskV2(t: TaskRecord): TaskV2 {
  return {
    taskId: t.id,
    status: t.status,
    ...(t.statusMessage ? { statusMessage: t.statusMessage } : {}),
    createdAt: isoOfMs(t.createdAt),
    lastUpdatedAt: isoOfMs(t.updatedAt),
    ttlMs: t.ttlMs,
    pollIntervalMs: t.pollIntervalMs,
  };
}

/** 2026-07-28 extension: what `tools/call` returns instead of its result. @internal */
export function createTaskResultV2(t: TaskRecord): CreateTaskResultV2 {
  return { ...taskV2(t), resultType: 'task' };
}

/** 2026-07-28 extension: `tasks/get`, with the result or error inline once terminal. @internal */
export function detailedTaskV2(t: TaskRecord): DetailedTaskV2 {
  const base = taskV2(t);
  switch (t.status) {
    case 'completed':
      // The inlined result is a 2026-07-28 CallToolResult, whose `resultType` is required (a Tasks client refuses
      // the result without it); the stored result is era-neutral and has none.
      return {
        ...base,
        status: 'completed',
        result: { ...(t.result ?? { content: [] }), resultType: 'complete' } as unknown as CompletedTaskV2['result'],
      };
    case 'failed':
      return { ...base, status: 'failed', error: t.error ?? { code: -32603, message: 'Task failed' } };
    case 'cancelled':
      return { ...base, status: 'cancelled' };
    default:
      return { ...base, status: 'working' };
  }
}

/** 2025-11-25: the `Task` object. @internal */
export function taskV1(t: TaskRecord): TaskV1 {
  return {
    taskId: t.id,
    status: t.status,
    ...(t.statusMessage ? { statusMessage: t.statusMessage } : {}),
    createdAt: isoOfMs(t.createdAt),
    lastUpdatedAt: isoOfMs(t.updatedAt),
    ttl: t.ttlMs,
    pollInterval: t.pollIntervalMs,
  };
}

/**
 * 2025-11-25: what a task-augmented `tools/call` returns. The text block is for clients that read it as an ordinary
 * result (the v2 SDK also requires `content` next to `task` on that wire).
 * @internal
 */
export function createTaskResultV1(t: TaskRecord): CreateTaskResultV1 & Pick<CallToolResult, 'content'> {
  return {
    task: taskV1(t),
    content: [
      {
        type: 'text',
        text: `Started task ${t.id} for ${t.tool}; poll tasks/get, then tasks/result for the outcome.`,
      },
    ],
  };
}
