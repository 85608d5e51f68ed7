// Runs one stripped program in a fresh QuickJS instance with the limits applied: heap and stack caps,
// an interrupt handler for wall time (so `while(true){}` stops), and a host-side deadline for time spent
// waiting on OpenAI. The program talks to the host only through the prelude's string-only functions.

import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { CodeLimits } from './limits.js';
import { PRELUDE, PRELUDE_FILE, PROGRAM_FILE } from './prelude.js';
import { newQuickJs } from './quickjs.js';

/** The host side of the prelude's `call` and `log`. */
export interface SandboxHost {
  /** One `openai.*` call; resolves to the prelude's reply envelope as JSON. Must not reject. */
  call(name: string, argsJson: string): Promise<string>;
  log(level: string, text: string): void;
  /** Console output not relayed because the log cap was reached, in characters. */
  logDropped?(chars: number): void;
}

export interface ThrownError {
  name: string;
  message: string;
  /** QuickJS stack text; frames in the program name `program.ts:line:column`. */
  stack: string;
  tool?: string;
  /** Sequence number of the failed `openai.*` call an `OpenAiToolError` came from. */
  seq?: number;
  serialization?: boolean;
}

export type SandboxOutcome =
  | { ok: true; json: string | null }
  | { ok: false; kind: 'thrown' | 'syntax' | 'timeout' | 'memory' | 'too_large' | 'internal'; error: ThrownError };

export interface SandboxConfig {
  /** Cursor argument of each paginated tool, for `openai.paginate`. */
  cursorArgs: Record<string, string>;
}

function isOutOfMemory(e: ThrownError): boolean {
  return /out of memory/i.test(e.message);
}

function dumpError(ctx: QuickJSContext, handle: QuickJSHandle): ThrownError {
  try {
    const d = ctx.dump(handle) as Record<string, unknown> | string | null;
    if (d && typeof d === 'object') {
      return { name: String(d.name ?? 'Error'), message: String(d.message ?? ''), stack: String(d.stack ?? '') };
    }
    return { name: 'Thrown', message: String(d), stack: '' };
  } catch (err) {
    return { name: 'InternalError', message: String((err as Error)?.message ?? err), stack: '' };
  }
}

/**
 * An exception from the WebAssembly side: the host stack exhausted by recursion (QuickJS's own limit did not
 * trip first, e.g. inside JSON.stringify of a deeply nested value), a trap, or a bug here. The instance is dropped.
 */
function hostFailure(err: unknown, timedOut: boolean): Exclude<SandboxOutcome, { ok: true }> {
  const message = String((err as Error)?.message ?? err);
  if (timedOut) return { ok: false, kind: 'timeout', error: { name: 'TimeoutError', message, stack: '' } };
  if (err instanceof RangeError && /call stack/i.test(message)) {
    return { ok: false, kind: 'thrown', error: { name: 'InternalError', message: 'stack overflow', stack: '' } };
  }
  if (/out of memory|memory access|grow/i.test(message))
    return { ok: false, kind: 'memory', error: { name: 'InternalError', message, stack: '' } };
  return { ok: false, kind: 'internal', error: { name: 'InternalError', message, stack: '' } };
}

export async function runInSandbox(
  js: string,
  host: SandboxHost,
  config: SandboxConfig,
  limits: CodeLimits,
  signal?: AbortSignal,
): Promise<SandboxOutcome> {
  const started = Date.now();
  const deadline = started + limits.timeoutMs;
  const qjs = await newQuickJs(limits.memoryBytes);
  const rt: QuickJSRuntime = qjs.newRuntime();
  let closed = false;
  let timedOut = false;
  rt.setMemoryLimit(limits.memoryBytes);
  rt.setMaxStackSize(limits.stackBytes);
  rt.setInterruptHandler(() => {
    if (closed || signal?.aborted || Date.now() > deadline) {
      timedOut = true;
      return true;
    }
    return false;
  });
  const ctx = rt.newContext();
  const handles: QuickJSHandle[] = [];
  const keep = <T extends QuickJSHandle>(h: T): T => {
    handles.push(h);
    return h;
  };
  const pending = new Set<QuickJSDeferredPromise>();

  // A job that fails outside any promise (an interrupt, or memory exhausted while resolving) ends the run.
  let fail!: (o: SandboxOutcome) => void;
  const failed = new Promise<SandboxOutcome>((resolve) => {
    fail = resolve;
  });
  const classify = (e: ThrownError): Exclude<SandboxOutcome, { ok: true }> =>
    timedOut || Date.now() > deadline
      ? { ok: false, kind: 'timeout', error: e }
      : { ok: false, kind: isOutOfMemory(e) ? 'memory' : 'internal', error: e };
  const pump = () => {
    if (closed) return;
    try {
      const r = rt.executePendingJobs();
      if (r.error) {
        const e = dumpError(ctx, r.error);
        r.error.dispose();
        fail(classify(e));
      }
    } catch (err) {
      fail(hostFailure(err, timedOut));
    }
  };

  const cleanup = () => {
    closed = true;
    // With calls still in flight the instance is dropped rather than freed: their handles are still owned.
    if (pending.size) return;
    try {
      for (const h of handles.reverse()) if (h.alive) h.dispose();
      ctx.dispose();
      rt.dispose();
    } catch {
      // A damaged instance (out of memory, stack exhausted) cannot always be freed; it is garbage now anyway.
    }
  };

  try {
    const callFn = keep(
      ctx.newFunction('call', (nameH, argsH) => {
        const name = ctx.getString(nameH);
        const argsJson = ctx.getString(argsH);
        const deferred = ctx.newPromise();
        pending.add(deferred);
        host.call(name, argsJson).then((reply) => {
          pending.delete(deferred);
          if (closed) {
            if (!pending.size) cleanup();
            return;
          }
          try {
            const s = ctx.newString(reply);
            deferred.resolve(s);
            s.dispose();
            deferred.dispose();
          } catch (err) {
            return fail(hostFailure(err, timedOut));
          }
          pump();
        });
        return deferred.handle;
      }),
    );
    const logFn = keep(
      ctx.newFunction('log', (levelH, textH) => {
        host.log(ctx.getString(levelH), ctx.getString(textH));
      }),
    );

    const installR = ctx.evalCode(PRELUDE, PRELUDE_FILE);
    if (installR.error) {
      const e = dumpError(ctx, installR.error);
      installR.error.dispose();
      return classify(e);
    }
    const install = keep(installR.value);
    const configH = keep(ctx.newString(JSON.stringify(config)));
    const runR = ctx.callFunction(install, ctx.undefined, callFn, logFn, configH);
    if (runR.error) {
      const e = dumpError(ctx, runR.error);
      runR.error.dispose();
      return classify(e);
    }
    const run = keep(runR.value);

    const programR = ctx.evalCode(js, PROGRAM_FILE);
    if (programR.error) {
      const e = dumpError(ctx, programR.error);
      programR.error.dispose();
      if (timedOut) return { ok: false, kind: 'timeout', error: e };
      return {
        ok: false,
        kind: e.name === 'SyntaxError' ? 'syntax' : isOutOfMemory(e) ? 'memory' : 'thrown',
        error: e,
      };
    }
    const program = keep(programR.value);
    const promiseR = ctx.callFunction(run, ctx.undefined, program);
    if (promiseR.error) {
      const e = dumpError(ctx, promiseR.error);
      promiseR.error.dispose();
      return classify(e);
    }
    const promise = keep(promiseR.value);
    const settled = ctx.resolvePromise(promise).then((r): SandboxOutcome => {
      // The interrupt is uncatchable by the program, but the async function still rejects with it.
      if (timedOut) return { ok: false, kind: 'timeout', error: { name: 'TimeoutError', message: '', stack: '' } };
      if (r.error) {
        // `run` turns every program failure into an envelope; a rejection means describing the error failed.
        const e = dumpError(ctx, r.error);
        r.error.dispose();
        const o = classify(e);
        return !o.ok && o.kind === 'internal' ? { ok: false, kind: 'thrown', error: e } : o;
      }
      const text = ctx.typeof(r.value) === 'string' ? ctx.getString(r.value) : '';
      r.value.dispose();
      const envelope = JSON.parse(text) as { ok: boolean; json?: string | null; error?: ThrownError };
      if (envelope.ok) {
        const json = envelope.json ?? null;
        // Far over the cap: not worth copying out of the worker; the size is all the answer needs.
        if (json !== null && json.length > limits.maxResultChars)
          return {
            ok: false,
            kind: 'too_large',
            error: { name: 'RangeError', message: String(json.length), stack: '' },
          };
        return { ok: true, json };
      }
      const e = envelope.error ?? { name: 'Error', message: 'unknown failure', stack: '' };
      if (isOutOfMemory(e)) return { ok: false, kind: 'memory', error: e };
      return { ok: false, kind: 'thrown', error: e };
    });
    pump();

    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<SandboxOutcome>((resolve) => {
      timer = setTimeout(
        () => {
          timedOut = true;
          resolve({ ok: false, kind: 'timeout', error: { name: 'TimeoutError', message: '', stack: '' } });
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    const aborted = new Promise<SandboxOutcome>((resolve) => {
      const onAbort = () =>
        resolve({
          ok: false,
          kind: 'internal',
          error: { name: 'AbortError', message: 'the request was cancelled', stack: '' },
        });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([settled, failed, expired, aborted]);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    return hostFailure(err, timedOut);
  } finally {
    cleanup();
  }
}
