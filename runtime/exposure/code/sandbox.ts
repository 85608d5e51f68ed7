// Runs one stripped program in a fresh QuickJS instance with the limits applied: heap and stack caps,
// an interrupt handler for wall time (so `while(true){}` stops), and a host-side deadline for time spent
// waiting on OpenAI. The program talks to the host only through the prelude's string-only functions, and every
// string read out of the instance is measured first: a program can hold hundreds of megabytes, none of which may
// be copied into the host unasked (see gate.ts for what its calls may carry).

import type { QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import { CallGate, limitReply, PREVIEW_CHARS, type Refusal } from './gate.js';
import type { CodeLimits } from './limits.js';
import { PRELUDE, PRELUDE_FILE, PROGRAM_FILE } from './prelude.js';
import { reachedOffset, takeQuickJs } from './quickjs.js';

/** The host side of the prelude's `call` and `log`. */
export interface SandboxHost {
  /**
   * One `openai.*` call; resolves to the prelude's reply envelope as JSON. Must not reject. With `refused`, the
   * sandbox has refused the call itself and `argsJson` is only a preview of its arguments.
   */
  call(name: string, argsJson: string, refused?: Refusal): Promise<string>;
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

/**
 * A thrown `null`: what QuickJS throws when the heap is so full it cannot even make its "out of memory" error, and
 * also what `throw null` throws. How far the heap reached tells the two apart (see runInSandbox).
 */
function isThrownNull(e: ThrownError): boolean {
  return e.name === 'Thrown' && (e.message === 'null' || e.message.endsWith('non-Error value: null'));
}

/** Longest tool name read out of the sandbox (the catalog's are under 100 characters). */
const MAX_NAME_CHARS = 200;
/** Longest error name, message or stack read out of the sandbox. */
const MAX_ERROR_CHARS = 4000;

/**
 * Helpers for the host, evaluated in the instance before the prelude and the program, so they hold the pristine
 * built-ins whatever the program replaces later.
 */
const HELPERS = `(function () {
  'use strict';
  const apply = Reflect.apply, slice = String.prototype.slice, keys = Object.keys, stringify = JSON.stringify;
  return {
    head: function (s, n) { return apply(slice, s, [0, n]); },
    // The top-level argument with the longest JSON, to name it when a call is refused as too large.
    heaviest: function (args) {
      let best, size = -1;
      try {
        const names = keys(args);
        for (let i = 0; i < names.length; i++) {
          let n = 0;
          try {
            const v = args[names[i]];
            if (typeof v === 'string') n = v.length;
            else { const j = stringify(v); n = j === undefined ? 0 : j.length; }
          } catch (e) {}
          if (n > size) { size = n; best = names[i]; }
        }
      } catch (e) {}
      return best;
    },
  };
})()`;

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

const tooLarge = (size: string): SandboxOutcome => ({
  ok: false,
  kind: 'too_large',
  error: { name: 'RangeError', message: size, stack: '' },
});

export async function runInSandbox(
  js: string,
  host: SandboxHost,
  config: SandboxConfig,
  limits: CodeLimits,
  signal?: AbortSignal,
): Promise<SandboxOutcome> {
  const started = Date.now();
  const deadline = started + limits.timeoutMs;
  const instance = await takeQuickJs(limits.memoryBytes);
  const rt: QuickJSRuntime = instance.module.newRuntime();
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
  const pending = new Set<QuickJSDeferredPromise>();
  const gate = new CallGate(limits);
  // The heap reached its limit: QuickJS counts what it allocates, and its allocator lays the heap out upwards from
  // below the limit's offset in linear memory, so only a heap that hit the limit ever wrote above it.
  const exhausted = () => reachedOffset(instance.memory, limits.memoryBytes);

  // A job that fails outside any promise (an interrupt, or memory exhausted while resolving) ends the run.
  let fail!: (o: SandboxOutcome) => void;
  const failed = new Promise<SandboxOutcome>((resolve) => {
    fail = resolve;
  });
  const failure = (e: ThrownError, otherwise: 'internal' | 'thrown'): Exclude<SandboxOutcome, { ok: true }> => {
    if (timedOut || Date.now() > deadline) return { ok: false, kind: 'timeout', error: e };
    if (isOutOfMemory(e) || (isThrownNull(e) && exhausted())) return { ok: false, kind: 'memory', error: e };
    return { ok: false, kind: otherwise, error: e };
  };
  const classify = (e: ThrownError) => failure(e, 'internal');

  let helpers: { head: QuickJSHandle; heaviest: QuickJSHandle } | undefined;
  const lengthOf = (h: QuickJSHandle): number => {
    if (ctx.typeof(h) !== 'string') return 0;
    const length = ctx.getProp(h, 'length');
    try {
      return ctx.getNumber(length);
    } finally {
      length.dispose();
    }
  };
  /** At most `max` characters of a string in the instance, without copying the rest. */
  const readString = (h: QuickJSHandle, max: number): string => {
    if (ctx.typeof(h) !== 'string') return '';
    if (lengthOf(h) <= max) return ctx.getString(h);
    if (!helpers) return '';
    const n = ctx.newNumber(max);
    const r = ctx.callFunction(helpers.head, ctx.undefined, h, n);
    n.dispose();
    if (r.error) {
      r.error.dispose();
      return '';
    }
    try {
      return ctx.getString(r.value);
    } finally {
      r.value.dispose();
    }
  };
  const heaviest = (args: QuickJSHandle | undefined): string | undefined => {
    if (!helpers || !args) return undefined;
    const r = ctx.callFunction(helpers.heaviest, ctx.undefined, args);
    if (r.error) {
      r.error.dispose();
      return undefined;
    }
    try {
      return ctx.typeof(r.value) === 'string' ? readString(r.value, MAX_NAME_CHARS) : undefined;
    } finally {
      r.value.dispose();
    }
  };
  /** A thrown value as name, message and stack, each read with a bound (a message may be hundreds of megabytes). */
  const describe = (h: QuickJSHandle): ThrownError => {
    try {
      const type = ctx.typeof(h);
      if (type === 'object' && !ctx.sameValue(h, ctx.null)) {
        const field = (key: string) => {
          try {
            const v = ctx.getProp(h, key);
            try {
              return readString(v, MAX_ERROR_CHARS);
            } finally {
              v.dispose();
            }
          } catch {
            return '';
          }
        };
        return { name: field('name') || 'Error', message: field('message'), stack: field('stack') };
      }
      if (type === 'string') return { name: 'Thrown', message: readString(h, MAX_ERROR_CHARS), stack: '' };
      // null, undefined, numbers, booleans: small by nature.
      return { name: 'Thrown', message: String(ctx.dump(h)), stack: '' };
    } catch (err) {
      return { name: 'InternalError', message: String((err as Error)?.message ?? err), stack: '' };
    }
  };

  const pump = () => {
    if (closed) return;
    try {
      const r = rt.executePendingJobs();
      if (r.error) {
        const e = describe(r.error);
        r.error.dispose();
        fail(classify(e));
      }
    } catch (err) {
      fail(hostFailure(err, timedOut));
    }
  };

  try {
    const helpersR = ctx.evalCode(HELPERS, PRELUDE_FILE);
    if (helpersR.error) {
      const e = describe(helpersR.error);
      helpersR.error.dispose();
      return classify(e);
    }
    helpers = { head: ctx.getProp(helpersR.value, 'head'), heaviest: ctx.getProp(helpersR.value, 'heaviest') };
    helpersR.value.dispose();

    const callFn = ctx.newFunction('call', (nameH, argsH, valueH) => {
      const name = readString(nameH, MAX_NAME_CHARS);
      const verdict = gate.check(lengthOf(argsH), () => ctx.getString(argsH));
      let reply: Promise<string>;
      if (verdict.ok) reply = host.call(name, verdict.argsJson);
      else if (!verdict.forward && verdict.refusal.kind === 'limit')
        reply = Promise.resolve(limitReply(name, verdict.refusal.message));
      else {
        const refusal: Refusal =
          verdict.refusal.kind === 'too_large' ? { ...verdict.refusal, path: heaviest(valueH) } : verdict.refusal;
        reply = host.call(name, readString(argsH, PREVIEW_CHARS), refusal);
      }
      const deferred = ctx.newPromise();
      pending.add(deferred);
      reply.then((text) => {
        pending.delete(deferred);
        if (closed) return;
        try {
          const s = ctx.newString(text);
          deferred.resolve(s);
          s.dispose();
          deferred.dispose();
        } catch (err) {
          return fail(hostFailure(err, timedOut));
        }
        pump();
      });
      return deferred.handle;
    });
    const logFn = ctx.newFunction('log', (levelH, textH) => {
      const length = lengthOf(textH);
      // A line longer than the whole log cap would be dropped anyway: it is counted, never copied.
      if (length > limits.maxLogChars) return host.logDropped?.(length);
      host.log(readString(levelH, 20), ctx.getString(textH));
    });

    const installR = ctx.evalCode(PRELUDE, PRELUDE_FILE);
    if (installR.error) {
      const e = describe(installR.error);
      installR.error.dispose();
      return classify(e);
    }
    const configH = ctx.newString(JSON.stringify(config));
    const runR = ctx.callFunction(installR.value, ctx.undefined, callFn, logFn, configH);
    if (runR.error) {
      const e = describe(runR.error);
      runR.error.dispose();
      return classify(e);
    }

    const programR = ctx.evalCode(js, PROGRAM_FILE);
    if (programR.error) {
      const e = describe(programR.error);
      programR.error.dispose();
      if (timedOut) return { ok: false, kind: 'timeout', error: e };
      return e.name === 'SyntaxError' ? { ok: false, kind: 'syntax', error: e } : failure(e, 'thrown');
    }
    const promiseR = ctx.callFunction(runR.value, ctx.undefined, programR.value);
    if (promiseR.error) {
      const e = describe(promiseR.error);
      promiseR.error.dispose();
      return classify(e);
    }
    const settled = ctx.resolvePromise(promiseR.value).then((r): SandboxOutcome => {
      // The interrupt is uncatchable by the program, but the async function still rejects with it.
      if (timedOut) return { ok: false, kind: 'timeout', error: { name: 'TimeoutError', message: '', stack: '' } };
      if (r.error) {
        // `run` turns every program failure into an envelope; a rejection means describing the error failed.
        const e = describe(r.error);
        r.error.dispose();
        return failure(e, 'thrown');
      }
      // The envelope quotes the return value's JSON once more, which at most sextuples a character: past this length
      // the value is over the cap whatever it holds, and it is not copied out of the instance.
      const length = lengthOf(r.value);
      if (length > 6 * limits.maxResultBytes + 1000) {
        r.value.dispose();
        return tooLarge(`more than ${limits.maxResultBytes} bytes`);
      }
      const text = ctx.typeof(r.value) === 'string' ? ctx.getString(r.value) : '';
      r.value.dispose();
      const envelope = JSON.parse(text) as { ok: boolean; json?: string | null; error?: ThrownError };
      if (envelope.ok) {
        const json = envelope.json ?? null;
        const bytes = json === null ? 0 : Buffer.byteLength(json);
        // Over the cap: the size is all the answer needs, so the value stays in the worker.
        if (bytes > limits.maxResultBytes) return tooLarge(`${bytes} bytes`);
        return { ok: true, json };
      }
      return failure(envelope.error ?? { name: 'Error', message: 'unknown failure', stack: '' }, 'thrown');
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
    // The instance is dropped, never freed: it is this run's alone, so it is garbage as a whole once unreferenced,
    // and freeing runs QuickJS's leak assertions, which a program that ran out of memory trips (printing to stderr).
    closed = true;
  }
}
