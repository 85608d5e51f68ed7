// Runs programs on worker threads. The interrupt handler stops busy loops, but QuickJS polls it only every
// few thousand operations, so a loop of slow built-ins (huge string or array operations) can overrun the
// limit by a lot, and on the main thread it would freeze every other session meanwhile. On a worker, the
// parent's event loop stays free, and a run still going past its deadline plus a grace period is ended by
// terminating the worker. Idle workers are kept warm (and unref'd, so they never hold the process open).
//
// Fairness on few cores: one account may hold half the workers, more than a small machine has cores, and a busy
// loop takes a whole core until its deadline. Two things keep another tenant's run quick then: a run still going
// after LOWER_AFTER_MS has its worker thread's scheduling priority lowered (Linux: the nice value is per thread), so
// short runs and the main thread (every session's I/O) go first; and more warm workers are kept than one share may
// take (plus a spare started after a run), so another tenant's run does not wait for a worker to start on a machine
// whose cores are busy (that start took ~1 s under 8 loops on 2 cores).

import { existsSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CodeLimits } from './limits.js';
import { runInSandbox, type SandboxConfig, type SandboxHost, type SandboxOutcome } from './sandbox.js';
import type { FromWorker, ToWorker } from './worker.js';

/** Time after the deadline in which the worker's own interrupt handler may still end the run cleanly. */
const GRACE_MS = 500;
/** A run going longer than this runs at LOW_PRIORITY: trivial programs and tool-call round trips take less. */
export const LOWER_AFTER_MS = 200;
/** The nice value of a long run's thread (19: the kernel's lowest priority; a nice-0 thread gets ~98% against it). */
const LOW_PRIORITY = 19;
/** Programs running at once per process; more wait their turn (their time limit starts when they start). */
export const MAX_WORKERS = 8;
/**
 * Workers beyond MAX_WORKERS kept for a run whose shares hold none: two accounts at their half each fill the regular
 * workers, and a third tenant's run would otherwise wait for one of their programs to end (up to its time limit).
 * Bounded, so a crowd of new tenants cannot grow the process past MAX_WORKERS + RESERVED_WORKERS sandboxes.
 */
export const RESERVED_WORKERS = 2;
/**
 * Programs waiting per share (a managed server, an account, a stdio or /mcp session). Past it a run is refused at
 * once rather than queued behind minutes of someone's busy loops.
 */
export const MAX_QUEUED_PER_OWNER = 32;

/**
 * Whose a run is, as the keys it counts against: each key may hold at most half the workers. A code exposure passes
 * its server and its account (so one account's servers share one half), or an object of its own (one session).
 */
export type PoolShare = object | string;
const DEFAULT_SHARES: readonly PoolShare[] = [{}];

/** Why a run did not start: refused at the door, or abandoned by its caller while it waited. */
type Admission = 'started' | 'full' | 'aborted';

// Compiled (tsc: worker.js beside this file), bundled (the bin: code-worker.mjs beside the chunk or one level
// up) or source (tests, tsx: worker.ts, loaded through tsx's loader).
function locateWorker(): { entry: string; tsx?: string } | undefined {
  for (const rel of ['./worker.js', './code-worker.mjs', '../code-worker.mjs']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return { entry: file };
  }
  const source = fileURLToPath(new URL('./worker.ts', import.meta.url));
  if (existsSync(source)) {
    try {
      // tsx's ESM API entry, read from its package exports (the CommonJS one cannot register ESM hooks here).
      const require = createRequire(import.meta.url);
      const pkgFile = require.resolve('tsx/package.json');
      const pkg = require(pkgFile) as { exports: Record<string, { import: { default: string } }> };
      return { entry: source, tsx: path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
(async () => {
  if (workerData.tsx) (await import(pathToFileURL(workerData.tsx).href)).register();
  await import(pathToFileURL(workerData.entry).href);
})().catch((err) => { throw err; });
`;

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  exited: boolean;
  /** The worker thread's kernel id (Linux), when it said. */
  tid?: number;
  /** The nice value to restore after a run that was lowered. */
  lowered?: number;
}

export class WorkerPool {
  private readonly idle: Slot[] = [];
  /** Workers running a program now. */
  private readonly busy = new Set<Slot>();
  private readonly target = locateWorker();
  private active = 0;
  private spawned = 0;
  private readonly running = new Map<PoolShare, number>();
  private readonly queue: Array<{ shares: readonly PoolShare[]; start: () => void }> = [];
  /**
   * One share may hold at most half the workers, so one server's or one account's programs spinning until their
   * deadline cannot make every other tenant's programs wait for them.
   */
  private readonly perShare: number;
  /**
   * Warm workers kept: one more than a share may take, so after one account's programs took every idle worker,
   * another tenant's run still finds one started (starting one while busy loops hold the cores took ~1 s).
   */
  private readonly maxIdle: number;

  constructor(
    private readonly maxWorkers = MAX_WORKERS,
    private readonly reserved = RESERVED_WORKERS,
  ) {
    this.perShare = Math.max(1, Math.floor(maxWorkers / 2));
    this.maxIdle = Math.min(maxWorkers, this.perShare + 1);
  }

  /** What the pool is doing now (tests, metrics). */
  stats(): { active: number; queued: number; idle: number; spawned: number; lowered: number } {
    const lowered = [...this.busy].filter((s) => s.lowered !== undefined).length;
    return { active: this.active, queued: this.queue.length, idle: this.idle.length, spawned: this.spawned, lowered };
  }

  private canStart(shares: readonly PoolShare[]): boolean {
    if (this.active < this.maxWorkers) return shares.every((s) => (this.running.get(s) ?? 0) < this.perShare);
    // The regular workers are all taken: a tenant with nothing running may still start one, up to the reserve.
    return this.active < this.maxWorkers + this.reserved && shares.every((s) => !this.running.has(s));
  }

  private take(shares: readonly PoolShare[]): void {
    this.active++;
    for (const s of shares) this.running.set(s, (this.running.get(s) ?? 0) + 1);
  }

  private async acquire(shares: readonly PoolShare[], signal: AbortSignal | undefined): Promise<Admission> {
    if (signal?.aborted) return 'aborted';
    if (this.canStart(shares)) {
      this.take(shares);
      return 'started';
    }
    if (shares.some((s) => this.queue.filter((q) => q.shares.includes(s)).length >= MAX_QUEUED_PER_OWNER))
      return 'full';
    return new Promise<Admission>((resolve) => {
      const entry = {
        shares,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve('started');
        },
      };
      // A caller that cancels or disconnects leaves the queue at once; its place goes to the runs behind it.
      const onAbort = () => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        resolve('aborted');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  private release(shares: readonly PoolShare[]): void {
    this.active--;
    for (const s of shares) {
      const left = (this.running.get(s) ?? 1) - 1;
      if (left > 0) this.running.set(s, left);
      else this.running.delete(s);
    }
    // The longest-waiting run whose shares are all under their limit goes next.
    for (let i = 0; i < this.queue.length && this.active < this.maxWorkers + this.reserved; ) {
      const q = this.queue[i]!;
      if (this.canStart(q.shares)) {
        this.queue.splice(i, 1);
        this.take(q.shares);
        q.start();
      } else i++;
    }
  }

  /**
   * After a run, while others are going, one started worker waits idle, so the next run (most likely another
   * tenant's: one share is capped) does not pay a worker start on cores that busy loops hold. Only up to the pool's
   * size.
   */
  private keepSpare(): void {
    if (this.idle.some((s) => !s.exited) || this.active + this.idle.length >= this.maxWorkers) return;
    this.idle.push(this.spawn());
  }

  /** False when no worker entry could be found (an unusual bundle); runs then happen on this thread. */
  get available(): boolean {
    return this.target !== undefined;
  }

  private spawn(): Slot {
    // The worker's own JavaScript heap only carries strings in and out (QuickJS lives in capped WebAssembly
    // memory); a bound keeps a runaway from growing the process, and a worker that hits it just exits.
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: this.target,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.unref();
    this.spawned++;
    const slot: Slot = { worker, ready: Promise.resolve(), exited: false };
    slot.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') {
          slot.tid = m.tid;
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    slot.ready.catch(() => {});
    // A worker that dies while idle (killed, out of heap) must not be handed a run it would never answer.
    worker.once('exit', () => {
      slot.exited = true;
      const i = this.idle.indexOf(slot);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return slot;
  }

  async run(
    js: string,
    config: SandboxConfig,
    limits: CodeLimits,
    host: SandboxHost,
    signal?: AbortSignal,
    shares: readonly PoolShare[] = DEFAULT_SHARES,
  ): Promise<SandboxOutcome> {
    if (!this.target) return runInSandbox(js, host, config, limits, signal);
    const admission = await this.acquire(shares, signal);
    if (admission === 'aborted')
      return {
        ok: false,
        kind: 'internal',
        error: { name: 'AbortError', message: 'the request was cancelled', stack: '' },
      };
    if (admission === 'full') {
      return {
        ok: false,
        kind: 'internal',
        error: {
          name: 'BusyError',
          message: `too many programs are running or waiting for this server or account (${MAX_QUEUED_PER_OWNER} waiting); try again when some have finished`,
          stack: '',
        },
      };
    }
    try {
      return await this.runOnWorker(js, config, limits, host, signal);
    } finally {
      this.release(shares);
    }
  }

  private async runOnWorker(
    js: string,
    config: SandboxConfig,
    limits: CodeLimits,
    host: SandboxHost,
    signal?: AbortSignal,
  ): Promise<SandboxOutcome> {
    const cancelled: SandboxOutcome = {
      ok: false,
      kind: 'internal',
      error: { name: 'AbortError', message: 'the request was cancelled', stack: '' },
    };
    if (signal?.aborted) return cancelled;
    let slot = this.idle.pop();
    if (!slot || slot.exited) slot = this.spawn();
    try {
      await slot.ready;
      // Cancelled while the worker started: it has run nothing, so it stays for the next run.
      if (signal?.aborted) {
        if (this.idle.length < this.maxIdle) this.idle.push(slot);
        else void slot.worker.terminate();
        return cancelled;
      }
    } catch (err) {
      void slot.worker.terminate();
      return {
        ok: false,
        kind: 'internal',
        error: {
          name: 'InternalError',
          message: `the sandbox worker did not start: ${String((err as Error)?.message ?? err)}`,
          stack: '',
        },
      };
    }
    const { worker } = slot;
    const running = slot;
    return new Promise<SandboxOutcome>((resolve) => {
      let finished = false;
      const finish = (outcome: SandboxOutcome, reusable: boolean) => {
        if (finished) return;
        finished = true;
        clearTimeout(backstop);
        clearTimeout(lower);
        this.busy.delete(running);
        if (reusable && !restorePriority(running)) reusable = false;
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        if (reusable && this.idle.length < this.maxIdle) this.idle.push(slot);
        else void worker.terminate();
        // Started after the answer, not beside the run: a worker's start would take the cores this run needs.
        this.keepSpare();
        resolve(outcome);
      };
      const post = (m: ToWorker) => worker.postMessage(m);
      const onMessage = (m: FromWorker) => {
        if (m.type === 'call') {
          host.call(m.name, m.argsJson, m.refused).then((reply) => {
            if (!finished) post({ type: 'reply', callId: m.callId, reply });
          });
        } else if (m.type === 'log') {
          host.log(m.level, m.text);
        } else if (m.type === 'done') {
          if (m.logDropped) host.logDropped?.(m.logDropped);
          // An instance that ran out of memory or stack is discarded inside the worker; the worker itself is fine.
          finish(m.outcome, true);
        }
      };
      // Every way a run ends without the worker's own answer discards the worker.
      const abandon = (kind: 'internal' | 'timeout', name: string, message: string) =>
        finish({ ok: false, kind, error: { name, message, stack: '' } }, false);
      const onError = (err: Error) => abandon('internal', 'InternalError', `the sandbox worker failed: ${err.message}`);
      const onExit = () => abandon('internal', 'InternalError', 'the sandbox worker exited');
      const onAbort = () => abandon('internal', 'AbortError', 'the request was cancelled');
      const backstop = setTimeout(
        () => abandon('timeout', 'TimeoutError', 'terminated after the deadline'),
        limits.timeoutMs + GRACE_MS,
      );
      // Still going: the rest of this run yields the cores to short runs and to the main thread.
      const lower = setTimeout(() => lowerPriority(running), LOWER_AFTER_MS);
      this.busy.add(running);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      post({ type: 'run', js, config, limits });
    });
  }
}

function lowerPriority(slot: Slot): void {
  if (slot.tid === undefined || slot.exited) return;
  try {
    const was = getPriority(slot.tid);
    if (was >= LOW_PRIORITY) return;
    setPriority(slot.tid, LOW_PRIORITY);
    slot.lowered = was;
  } catch {
    // Not permitted or not supported here: the run keeps its priority.
  }
}

/** Back to the priority it had, for the next run; false when that is not permitted (the worker is then retired). */
function restorePriority(slot: Slot): boolean {
  if (slot.lowered === undefined) return true;
  try {
    setPriority(slot.tid!, slot.lowered);
    slot.lowered = undefined;
    return true;
  } catch {
    return false;
  }
}

let shared: WorkerPool | undefined;
/** One pool per process, shared by every code exposure. */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}
