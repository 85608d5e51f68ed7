// Worker-thread side of the sandbox: runs one program at a time with runInSandbox and relays its
// `openai.*` calls and console lines to the parent, which owns the toolkit. Only strings cross the boundary.

import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { Refusal } from './gate.js';
import type { CodeLimits } from './limits.js';
import { prepareQuickJs } from './quickjs.js';
import { runInSandbox, type SandboxConfig } from './sandbox.js';

export type ToWorker =
  | { type: 'run'; js: string; config: SandboxConfig; limits: CodeLimits }
  | { type: 'reply'; callId: number; reply: string };

export type FromWorker =
  /** `tid`: this thread's id in the kernel (Linux), for the pool to lower a long run's scheduling priority. */
  | { type: 'ready'; tid?: number }
  /** `argsJson` is at most the call's argument cap; with `refused`, only a preview (see gate.ts). */
  | { type: 'call'; callId: number; name: string; argsJson: string; refused?: Refusal }
  | { type: 'log'; level: string; text: string }
  | { type: 'done'; outcome: Awaited<ReturnType<typeof runInSandbox>>; logDropped: number };

const port = parentPort;
if (port) {
  // Emscripten reports a QuickJS abort (an assertion in an instance a program damaged) on console.error before
  // throwing it, and the run already reports the failure: what a program can trigger stays off the host's stderr.
  const print = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Aborted(')) return;
    print(...args);
  };
  const waiting = new Map<number, (reply: string) => void>();
  let nextCallId = 0;
  const send = (m: FromWorker) => port.postMessage(m);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'reply') {
      waiting.get(m.callId)?.(m.reply);
      waiting.delete(m.callId);
      return;
    }
    // Console output past the cap is counted here rather than posted line by line.
    let logChars = 0;
    let logDropped = 0;
    const host = {
      call: (name: string, argsJson: string, refused?: Refusal) =>
        new Promise<string>((resolve) => {
          const callId = nextCallId++;
          waiting.set(callId, resolve);
          send({ type: 'call', callId, name, argsJson, ...(refused ? { refused } : {}) });
        }),
      log: (level: string, text: string) => {
        if (logDropped || logChars + text.length > m.limits.maxLogChars) {
          logDropped += text.length;
          return;
        }
        logChars += text.length;
        send({ type: 'log', level, text });
      },
      logDropped: (chars: number) => {
        logDropped += chars;
      },
    };
    runInSandbox(m.js, host, m.config, m.limits)
      .then(
        (outcome) => send({ type: 'done', outcome, logDropped }),
        (err: unknown) =>
          send({
            type: 'done',
            outcome: {
              ok: false,
              kind: 'internal',
              error: { name: 'InternalError', message: String((err as Error)?.message ?? err), stack: '' },
            },
            logDropped,
          }),
      )
      .finally(() => {
        waiting.clear();
        // The next run most likely has the same limits: its instance is made now, while this worker is idle.
        prepareQuickJs(m.limits.memoryBytes);
      });
  });
  send({ type: 'ready', ...threadId() });
}

/** The kernel's id of this thread (`/proc/thread-self` → `<pid>/task/<tid>`), where there is one. */
function threadId(): { tid?: number } {
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isSafeInteger(tid) && tid > 0 ? { tid } : {};
  } catch {
    return {};
  }
}
