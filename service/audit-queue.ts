// The audit log's writer. Rows are queued in memory and written in batches off the request path, retried while the
// database is locked or its disk is full, and never dropped silently: the queue holds at most `maxQueued` rows, and
// while it is full the service refuses tool calls (fail closed: no call runs unaudited) and says why on /healthz.
//
// Growth from one URL is bounded here too: calls that fail without reaching OpenAI (an unknown or out-of-scope tool,
// invalid arguments, a refusal) are itemized up to `refusedPerWindow` per server per window; the rest of the window's
// are counted in one summary row. Calls that reach OpenAI are bounded by the per-server rate limit instead.

import type { NewToolCall, Store } from './store/store.js';

export const DEFAULT_AUDIT_QUEUE = 10_000;
export const REFUSED_PER_WINDOW = 10;
export const REFUSED_WINDOW_MS = 60_000;

export interface AuditQueueOptions {
  store: Pick<Store, 'recordCalls'>;
  log: (line: string) => void;
  maxQueued?: number;
  refusedPerWindow?: number;
  windowMs?: number;
  now?: () => number;
}

/** A call that failed before any upstream request: no HTTP status, an error. */
const isRefused = (row: NewToolCall) => row.http_status === null && row.is_error === 1;

interface Window {
  start: number;
  itemized: number;
  more: number;
}

export class AuditQueue {
  private readonly queue: NewToolCall[] = [];
  /** Beside each queued row: who waits for it to be written (the call it records, before it answers). */
  private readonly waiting: ((() => void) | undefined)[] = [];
  private readonly windows = new Map<string, Window>();
  private readonly maxQueued: number;
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  /** The failure's error code, for /healthz (which anyone on an allowed Host can read: no paths there). */
  private failureCode: string | undefined;
  private failures = 0;
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: AuditQueueOptions) {
    this.maxQueued = options.maxQueued ?? DEFAULT_AUDIT_QUEUE;
    this.perWindow = options.refusedPerWindow ?? REFUSED_PER_WINDOW;
    this.windowMs = options.windowMs ?? REFUSED_WINDOW_MS;
    this.now = options.now ?? Date.now;
    // Summary rows of windows nobody adds to any more.
    this.sweeper = setInterval(() => this.closeWindows(false), Math.min(this.windowMs, 10_000));
    this.sweeper.unref();
  }

  /** Whether a new call may run: false while the queue is full (its rows could not be kept). */
  get accepting(): boolean {
    return this.queue.length < this.maxQueued;
  }

  /** What /healthz shows: rows waiting, and why they wait. */
  get state(): { queued: number; accepting: boolean; failing?: string } {
    return {
      queued: this.queue.length,
      accepting: this.accepting,
      ...(this.failureCode ? { failing: this.failureCode } : {}),
    };
  }

  /**
   * Queues one row (the recorder of `audit.ts`). Answers a promise settled when the batch holding it is written (or
   * its write failed: the row stays queued and is retried), so a call can hold its answer until its row is durable:
   * batching keeps one write per batch, and a replica killed after answering has lost no answered call's row.
   */
  record = (row: NewToolCall): Promise<void> | undefined => {
    if (isRefused(row)) {
      const now = this.now();
      let w = this.windows.get(row.server_id);
      if (w && now - w.start >= this.windowMs) {
        this.summarize(row.server_id, w);
        w = undefined;
      }
      if (!w) {
        w = { start: now, itemized: 0, more: 0 };
        this.windows.set(row.server_id, w);
      }
      if (w.itemized >= this.perWindow) {
        w.more++;
        return undefined;
      }
      w.itemized++;
    }
    return new Promise<void>((resolve) => this.push(row, resolve));
  };

  private push(row: NewToolCall, onWritten?: () => void): void {
    // Past the bound a row is still kept (the call already ran); the guard refuses new calls until there is room.
    this.queue.push(row);
    this.waiting.push(onWritten);
    if (this.queue.length === this.maxQueued)
      this.options.log(
        `audit log: ${this.queue.length} rows waiting (${this.failure ?? 'writes are slow'}); tool calls are refused until they are written`,
      );
    this.schedule(this.failure ? Math.min(1000, 50 * 2 ** this.failures) : 0);
  }

  private summarize(serverId: string, w: Window): void {
    this.windows.delete(serverId);
    if (!w.more) return;
    this.push({
      server_id: serverId,
      at: w.start + this.windowMs,
      tool: `(${w.more} more calls refused without reaching OpenAI in ${Math.round(this.windowMs / 1000)} s, not itemized)`,
      http_status: null,
      duration_ms: 0,
      is_error: 1,
    });
  }

  private closeWindows(all: boolean): void {
    const now = this.now();
    for (const [id, w] of this.windows) if (all || now - w.start >= this.windowMs) this.summarize(id, w);
  }

  private schedule(ms: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /** Writes what is queued (one batch at a time); on failure keeps the rows and tries again later. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.slice(0, 500);
      try {
        await this.options.store.recordCalls(batch);
      } catch (err) {
        const why = (err as Error).message;
        if (this.failure !== why)
          this.options.log(`audit log: ${this.queue.length} rows waiting, not yet written: ${why}; retrying`);
        this.failure = why;
        this.failureCode = String((err as { code?: unknown }).code ?? 'error');
        this.failures++;
        this.schedule(Math.min(1000, 50 * 2 ** this.failures));
        // Calls do not wait for a retry: their rows stay queued (and /healthz says why).
        this.release(this.waiting.length);
        return;
      }
      this.queue.splice(0, batch.length);
      this.release(batch.length, true);
      if (this.failure) {
        this.options.log(`audit log: writing again (${this.failure} is over); ${this.queue.length} rows still waiting`);
        this.failure = undefined;
        this.failureCode = undefined;
        this.failures = 0;
      }
    }
  }

  /** Lets the first `n` rows' calls answer; with `written`, those rows leave the waiting list with the queue's. */
  private release(n: number, written = false): void {
    const done = written ? this.waiting.splice(0, n) : this.waiting.slice(0, n);
    if (!written) for (let i = 0; i < n; i++) this.waiting[i] = undefined;
    for (const resolve of done) resolve?.();
  }

  /** Writes the summaries and everything queued, trying until `deadlineMs`; says how many rows could not be kept. */
  async close(deadlineMs = 5_000): Promise<void> {
    clearInterval(this.sweeper);
    this.closeWindows(true);
    clearTimeout(this.timer);
    this.timer = undefined;
    const until = Date.now() + deadlineMs;
    while (this.queue.length && Date.now() < until) {
      await this.flush();
      if (this.queue.length) await new Promise((r) => setTimeout(r, 100));
    }
    this.closed = true;
    this.release(this.waiting.length);
    if (this.queue.length)
      this.options.log(
        `audit log: ${this.queue.length} rows could not be written before shutdown (${this.failure ?? 'unknown'}); they are lost`,
      );
  }
}
