// What one `execute_code` run may use. Every limit is configurable; a bad value fails at construction,
// not on the first call.

import { DEFAULT_MAX_TEXT_CHARS } from '../../toolkit.js';

export interface CodeLimits {
  /** QuickJS heap per execution, in bytes. Default 64 MiB. */
  memoryBytes: number;
  /** QuickJS stack per execution, in bytes; deep recursion fails with a stack overflow. Default 256 KiB: about 1,300 frames of
   * plain recursion, and below the point where the host's own stack would run out first. */
  stackBytes: number;
  /** Wall time per execution, including time spent waiting on OpenAI. Default 30 000 ms. */
  timeoutMs: number;
  /** `openai.*` calls per execution (each page of `openai.paginate` is one). Default 50. */
  maxCalls: number;
  /**
   * UTF-8 bytes of the answer (return value plus log). Bytes rather than characters: an o200k token is at least one
   * byte, so this also bounds the answer's tokens. Default 100 000.
   */
  maxResultBytes: number;
  /** UTF-8 bytes of JSON arguments one `openai.*` call may carry; a bigger call is refused inside the sandbox. Default 1 MiB. */
  maxCallArgBytes: number;
  /** UTF-8 bytes of JSON arguments all of a run's calls may carry together; past it the run's calls are refused. Default 4 MiB. */
  maxRunArgBytes: number;
  /**
   * UTF-8 bytes of one call's result handed to the program. A program gets whole pages (never cut to the text cap);
   * a bigger result fails that call with `result_too_large`. Default 4 MiB.
   */
  maxCallResultBytes: number;
  /** Characters of captured `console` output kept; the rest is dropped with a note. Default 20 000. */
  maxLogChars: number;
  /** Characters of submitted code accepted. Default 100 000. */
  maxCodeChars: number;
}

export const DEFAULT_CODE_LIMITS: CodeLimits = {
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 256 * 1024,
  timeoutMs: 30_000,
  maxCalls: 50,
  maxResultBytes: DEFAULT_MAX_TEXT_CHARS,
  maxCallArgBytes: 1024 * 1024,
  maxRunArgBytes: 4 * 1024 * 1024,
  maxCallResultBytes: 4 * 1024 * 1024,
  maxLogChars: 20_000,
  maxCodeChars: 100_000,
};

const MAX_MEMORY_BYTES = 2048 * 1024 * 1024;

/** Defaults overridden by `partial`; throws a RangeError naming the first invalid limit. */
export function resolveLimits(partial: Partial<CodeLimits> = {}): CodeLimits {
  const limits = { ...DEFAULT_CODE_LIMITS };
  for (const [key, value] of Object.entries(partial) as Array<[keyof CodeLimits, unknown]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_CODE_LIMITS)) throw new RangeError(`Unknown code-mode limit: ${key}`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`Code-mode limit ${key} must be a positive integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  // QuickJS runs in 32-bit WebAssembly: a heap limit above what it can address would never be reached.
  if (limits.memoryBytes > MAX_MEMORY_BYTES) {
    throw new RangeError(`Code-mode limit memoryBytes must be at most ${MAX_MEMORY_BYTES / 1048576} MiB`);
  }
  return limits;
}

/** Limits in the units people set them in: the server config's `code_limits` and the `--code-*` flags. */
export interface CodeLimitUnits {
  timeout_seconds?: number;
  memory_mib?: number;
  max_calls?: number;
  max_result_bytes?: number;
  /** The name `max_result_bytes` had when the cap counted characters; read as bytes (configs stored before). */
  max_result_chars?: number;
}

/** {@link CodeLimitUnits} in the sandbox's own units; absent ones stay absent. */
export function limitsFromUnits(units: CodeLimitUnits): Partial<CodeLimits> {
  return {
    timeoutMs: units.timeout_seconds === undefined ? undefined : units.timeout_seconds * 1000,
    memoryBytes: units.memory_mib === undefined ? undefined : units.memory_mib * 1024 * 1024,
    maxCalls: units.max_calls,
    maxResultBytes: units.max_result_bytes ?? units.max_result_chars,
  };
}

/** `base` with each limit that `narrower` sets lowered to it; a limit is never raised this way. */
export function tightenLimits(base: CodeLimits, narrower: Partial<CodeLimits>): CodeLimits {
  const out = { ...base };
  for (const key of Object.keys(base) as Array<keyof CodeLimits>) {
    const value = narrower[key];
    if (value !== undefined) out[key] = Math.min(out[key], value);
  }
  return out;
}

/** `limits` in the units people set them in (the inverse of {@link limitsFromUnits}). */
export function unitsOf(limits: CodeLimits): Required<Omit<CodeLimitUnits, 'max_result_chars'>> {
  return {
    timeout_seconds: limits.timeoutMs / 1000,
    memory_mib: limits.memoryBytes / (1024 * 1024),
    max_calls: limits.maxCalls,
    max_result_bytes: limits.maxResultBytes,
  };
}
