// Tool calls a managed server is running, whatever the transport (Streamable HTTP, SSE): bounded per server, and
// stopped when the server is revoked. Deleting, expiring or changing a server's scope (or removing its account, which
// deletes its servers) may happen in another process (the CLI) or on another replica, so running calls are checked
// against the store every `intervalMs`; a revoked call's signal aborts (its upstream request, a wait tool's polling,
// a code-mode run and its calls all stop) and the client gets an error at once. Nothing more is sent upstream: the
// runtime sends no request on an aborted signal.

import type { CallToolResult } from '../runtime/protocol.js';
import { toolErrorResult } from '../runtime/contract/errors.js';
import type { ExposedTools } from '../runtime/exposure/types.js';
import { printableName, type RecordCall } from './audit.js';
import { isExpired } from './expiry.js';
import type { ServerRow, Store } from './store/store.js';

export const DEFAULT_REVOCATION_CHECK_MS = 250;

/**
 * What a running call was admitted under. A rename or a later expiry leaves it alone; another scope, account, token or
 * authentication requirement stops it (a changed scope could be wider, but the call was not admitted under it).
 */
const admittedUnder = (row: ServerRow) =>
  JSON.stringify([row.account_id, row.config, row.token_hash, row.require_api_token_auth]);

interface Running {
  admitted: string;
  controller: AbortController;
  revoked?: string;
  onRevoke?: () => void;
}

export interface RunningCallsOptions {
  store: Pick<Store, 'getServer'>;
  maxConcurrentPerServer: number;
  /** False while audit rows cannot be kept: calls are then refused rather than run unaudited. */
  auditAccepting?: () => boolean;
  record?: RecordCall;
  log: (line: string) => void;
  intervalMs?: number;
  now?: () => number;
}

const refusal = (type: 'audit_unavailable' | 'too_many_calls' | 'revoked', text: string): CallToolResult =>
  toolErrorResult(text, { type, message: text });

export class RunningCalls {
  private readonly running = new Map<string, Set<Running>>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: RunningCallsOptions) {}

  /** `tools` (built for `row`) with each call counted, bounded and revocable. */
  guard(row: ServerRow, tools: ExposedTools): ExposedTools {
    const admitted = admittedUnder(row);
    return {
      listTools: () => tools.listTools(),
      // Kept: without it a managed server's long calls would never be served as tasks.
      ...(tools.taskEligible ? { taskEligible: tools.taskEligible.bind(tools) } : {}),
      callTool: async (name, args, ctx) => {
        if (this.options.auditAccepting && !this.options.auditAccepting())
          return refusal(
            'audit_unavailable',
            'The audit log cannot be written right now (see the service log), so calls are refused until it can; try again later.',
          );
        let set = this.running.get(row.id);
        if (!set) {
          set = new Set();
          this.running.set(row.id, set);
        }
        if (set.size >= this.options.maxConcurrentPerServer) {
          this.options.record?.({
            server_id: row.id,
            at: Date.now(),
            tool: printableName(name),
            http_status: null,
            duration_ms: 0,
            is_error: 1,
          });
          return refusal(
            'too_many_calls',
            `Too many calls in flight on this MCP server (at most ${this.options.maxConcurrentPerServer} at once); retry when one has finished.`,
          );
        }
        const entry: Running = { admitted, controller: new AbortController() };
        const onClient = () => entry.controller.abort();
        if (ctx?.signal?.aborted) entry.controller.abort();
        else ctx?.signal?.addEventListener('abort', onClient, { once: true });
        set.add(entry);
        this.start();
        const revoked = new Promise<undefined>((resolve) => {
          entry.onRevoke = () => resolve(undefined);
        });
        try {
          const result = await Promise.race([
            tools.callTool(name, args, { ...ctx, signal: entry.controller.signal }),
            revoked,
          ]);
          if (entry.revoked || !result)
            return refusal(
              'revoked',
              `Stopped: this MCP server was ${entry.revoked ?? 'revoked'} while the call ran; nothing more was sent to OpenAI.`,
            );
          return result;
        } finally {
          ctx?.signal?.removeEventListener('abort', onClient);
          set.delete(entry);
          if (!set.size) this.running.delete(row.id);
        }
      },
    };
  }

  /** Calls running now, over all servers. */
  get size(): number {
    let n = 0;
    for (const s of this.running.values()) n += s.size;
    return n;
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? DEFAULT_REVOCATION_CHECK_MS);
    this.timer.unref();
  }

  /** Compares every server with running calls against the store; aborts the calls it no longer admits. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      if (!this.running.size) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      const now = (this.options.now ?? Date.now)();
      for (const [serverId, set] of [...this.running]) {
        let row: ServerRow | undefined;
        try {
          row = await this.options.store.getServer(serverId);
        } catch {
          continue; // A store that cannot be read now is read again on the next tick.
        }
        const why = !row ? 'deleted (or its account removed)' : isExpired(row, now) ? 'expired' : undefined;
        const current = row && admittedUnder(row);
        for (const entry of set) {
          const reason =
            why ?? (entry.admitted !== current ? 'changed (its scope, account or authentication)' : undefined);
          if (!reason || entry.revoked) continue;
          entry.revoked = reason;
          entry.controller.abort();
          entry.onRevoke?.();
          this.options.log(`stopped a call in flight on ${serverId}: the server was ${reason}`);
        }
      }
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
