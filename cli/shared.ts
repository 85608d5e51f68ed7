// What every subcommand shares: the stderr logger (redacted), list-valued flags, the data dir, output helpers.

import envPaths from 'env-paths';
import type { CodeLimitUnits } from '../runtime/exposure/code/limits.js';
import { cutText, escapeControls, makeRedactor } from '../runtime/redact.js';
import { redactTokens } from '../service/tokens.js';

// Server URLs and tokens must never reach a log, even if a message quotes one.
const redactKeys = makeRedactor([process.env.OPENAI_API_KEY, process.env.OPENAI_ADMIN_KEY]);

export function redactLine(text: string): string {
  return redactTokens(redactKeys(text));
}

/** A log line may quote what a client sent: at most this long, and with no terminal control characters. */
const MAX_LOG_LINE = 2000;

/**
 * Lines logged during this turn of the event loop, written together when it ends: the HTTP service logs a line per
 * request, and a write to stderr (a pipe or a file: synchronous) per line was a system call on every tools/call.
 * Written at exit too, so a line logged just before `process.exit` is not lost.
 */
let pending = '';
function flushLog(): void {
  if (!pending) return;
  const out = pending;
  pending = '';
  process.stderr.write(out);
}
process.on('exit', flushLog);

export function log(message: string): void {
  // Redact first, then cut: a secret straddling the cut must not survive as a prefix.
  const line = escapeControls(cutText(redactLine(message), MAX_LOG_LINE), true);
  if (!pending) setImmediate(flushLog);
  pending += `openai-mcp: ${line}\n`;
}

/** Comma-separated and repeated values, trimmed; undefined when empty. */
export function collect(value: string, previous: string[] | undefined): string[] {
  const next = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...next];
}

export function nonEmpty(list: string[] | undefined): string[] | undefined {
  return list?.length ? list : undefined;
}

/** `--data-dir`, then `$OPENAI_MCP_DATA_DIR`, then the per-user data folder (XDG on Linux). */
export function resolveDataDir(flag: string | undefined): string {
  return flag || process.env.OPENAI_MCP_DATA_DIR || envPaths('openai-mcp', { suffix: '' }).data;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The `--code-*` flags, shared by `serve` and `servers create|update`. */
export interface CodeLimitFlags {
  codeTimeout?: number;
  codeMemory?: number;
  codeMaxCalls?: number;
  codeMaxResultBytes?: number;
  /** `--code-max-result-chars`, the flag's earlier name; read as bytes. */
  codeMaxResultChars?: number;
}

/** The `--code-*` flags given, in the units they were given in. */
export function codeLimitUnits(flags: CodeLimitFlags): CodeLimitUnits {
  const units: CodeLimitUnits = {};
  if (flags.codeTimeout !== undefined) units.timeout_seconds = flags.codeTimeout;
  if (flags.codeMemory !== undefined) units.memory_mib = flags.codeMemory;
  if (flags.codeMaxCalls !== undefined) units.max_calls = flags.codeMaxCalls;
  const resultBytes = flags.codeMaxResultBytes ?? flags.codeMaxResultChars;
  if (resultBytes !== undefined) units.max_result_bytes = resultBytes;
  return units;
}

/** A plain table: columns padded, the last one free. */
export function printTable(header: string[], rows: string[][]): void {
  // Cells come from stored data (names, audit rows); a control character must not reach the terminal as one.
  rows = rows.map((r) => r.map((c) => escapeControls(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${[fmt(header), ...rows.map(fmt)].join('\n')}\n`);
}

/** A usage error: the message, exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
      throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** 0 asks the OS for a free port (the bound URL is logged). */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`--port must be 0–65535, got ${JSON.stringify(value)}`);
  return n;
}

export function httpUrl(flag: string) {
  return (value: string): string => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      throw new UsageError(`${flag} must be an absolute http(s) URL, got ${JSON.stringify(value.slice(0, 200))}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new UsageError(`${flag} must use http or https, got ${u.protocol}`);
    return value;
  };
}
