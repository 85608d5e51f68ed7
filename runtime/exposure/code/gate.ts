// What a run's `openai.*` calls may carry, checked where the program runs (the sandbox's worker) before anything
// crosses to the main thread: the number of calls, one call's argument bytes and the run's total. A refused call
// crosses as a short preview and a `Refusal`; the main thread's bridge records it and answers the program.

import type { ToolError } from '../../contract/errors.js';
import type { CodeLimits } from './limits.js';

/** Characters of a refused call's JSON arguments kept for the error report. */
export const PREVIEW_CHARS = 300;

/** Why the sandbox refused a call without sending it on. */
export type Refusal =
  /**
   * One call's arguments are over `maxCallArgBytes` (`size` as measured: characters when that already decides it,
   * else bytes); `path` names the top-level argument that weighs most.
   */
  | { kind: 'too_large'; size: string; limit: number; path?: string }
  /** A run-wide budget is spent (calls, argument bytes); every later call of the run is refused the same way. */
  | { kind: 'limit'; message: string };

/** Every run-wide budget message starts so (the answer's `call_limit` code keys on it). */
export const LIMIT_PREFIX = 'Call limit reached: ';

export const callLimitMessage = (maxCalls: number) =>
  `${LIMIT_PREFIX}at most ${maxCalls} openai.* calls per execution (each poll of a wait_for_* tool counts); no request was sent.`;

export const argBudgetMessage = (maxRunArgBytes: number) =>
  `${LIMIT_PREFIX}a run's calls may carry at most ${maxRunArgBytes} bytes of arguments in all; no request was sent.`;

/** The reply a program gets for a call refused by a run-wide budget (the prelude then refuses later calls itself). */
export function limitReply(tool: string, message: string): string {
  const error: ToolError = { type: 'call_limit', message };
  return JSON.stringify({ ok: false, error: { tool, message, error } });
}

export type Verdict =
  | { ok: true; argsJson: string }
  /** `forward`: the main thread has not heard of this refusal yet (later run-wide refusals are answered locally). */
  | { ok: false; refusal: Refusal; forward: boolean };

/** One run's call accounting, inside the worker. */
export class CallGate {
  private calls = 0;
  private argBytes = 0;
  private spent: string | undefined;

  constructor(private readonly limits: Pick<CodeLimits, 'maxCalls' | 'maxCallArgBytes' | 'maxRunArgBytes'>) {}

  /**
   * Decides one call. `length` is the JSON's length in UTF-16 units, known without copying the string out of the
   * sandbox; a UTF-8 byte is never fewer, so a length over the cap refuses the call uncopied. `read` copies it.
   */
  check(length: number, read: () => string): Verdict {
    if (this.spent) return { ok: false, refusal: { kind: 'limit', message: this.spent }, forward: false };
    if (this.calls >= this.limits.maxCalls) return this.spend(callLimitMessage(this.limits.maxCalls));
    this.calls++;
    const cap = this.limits.maxCallArgBytes;
    if (length > cap) return tooLarge(`${length} characters`, cap);
    const argsJson = read();
    const bytes = Buffer.byteLength(argsJson);
    if (bytes > cap) return tooLarge(`${bytes} bytes`, cap);
    if (this.argBytes + bytes > this.limits.maxRunArgBytes)
      return this.spend(argBudgetMessage(this.limits.maxRunArgBytes));
    this.argBytes += bytes;
    return { ok: true, argsJson };
  }

  private spend(message: string): Verdict {
    this.spent = message;
    return { ok: false, refusal: { kind: 'limit', message }, forward: true };
  }
}

function tooLarge(size: string, limit: number): Verdict {
  return { ok: false, refusal: { kind: 'too_large', size, limit }, forward: true };
}

/** A too-large refusal as the validation issue the program's error carries. */
export function tooLargeIssue(r: Extract<Refusal, { kind: 'too_large' }>): { path: string; message: string } {
  const over = `${r.size} of JSON, over the ${r.limit}-byte limit for one call's arguments; no request was sent`;
  return r.path
    ? { path: r.path, message: `makes the arguments ${over}` }
    : { path: '(arguments)', message: `are ${over}` };
}
