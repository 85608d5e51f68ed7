// OpenAI reports limits in its own `x-ratelimit-*` headers with Go-style durations;
// clients reason better about one normalized shape (the IETF RateLimit fields, reset in seconds).
// Observation only: the runtime never retries, throttles or backs off.

import type { HeaderLookup } from './http-request.js';

/** One limit (requests or tokens) in IETF RateLimit field names; `ratelimit-reset` is in seconds. */
export interface RateLimitWindow {
  'ratelimit-limit'?: number;
  'ratelimit-remaining'?: number;
  'ratelimit-reset'?: number;
}

/** What `_meta["openai/ratelimit"]` carries on a tool result. */
export interface RateLimitInfo {
  requests?: RateLimitWindow;
  tokens?: RateLimitWindow;
  /** Seconds to wait before retrying, from `retry-after` / `retry-after-ms` (mostly on 429). */
  'retry-after'?: number;
}

/** Key of the rate-limit block in a result's `_meta`. */
export const RATE_LIMIT_META_KEY = 'openai/ratelimit';

const UNIT_SECONDS: Record<string, number> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
  us: 0.000001,
  µs: 0.000001,
  ns: 0.000000001,
};

/**
 * Parses OpenAI's reset durations (`6m0s`, `1s`, `20ms`, `1h2m3.5s`) into seconds.
 * A bare number is taken as seconds. Returns undefined for anything else rather than guessing.
 */
export function parseDuration(text: string | null | undefined): number | undefined {
  if (text == null) return undefined;
  const s = text.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  // `ms` must be tried before `m`, otherwise "20ms" reads as 20 minutes and a stray "s".
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 0);
    consumed = re.lastIndex;
  }
  if (consumed !== s.length) return undefined;
  return Math.round(total * 1000) / 1000;
}

function num(v: string | null): number | undefined {
  if (v == null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function window(headers: HeaderLookup, kind: 'requests' | 'tokens'): RateLimitWindow | undefined {
  const w: RateLimitWindow = {};
  const limit = num(headers.get(`x-ratelimit-limit-${kind}`));
  const remaining = num(headers.get(`x-ratelimit-remaining-${kind}`));
  const reset = parseDuration(headers.get(`x-ratelimit-reset-${kind}`));
  if (limit !== undefined) w['ratelimit-limit'] = limit;
  if (remaining !== undefined) w['ratelimit-remaining'] = remaining;
  if (reset !== undefined) w['ratelimit-reset'] = reset;
  return Object.keys(w).length ? w : undefined;
}

/** Reads rate-limit headers; undefined when the response carries none. */
export function readRateLimits(headers: HeaderLookup): RateLimitInfo | undefined {
  const info: RateLimitInfo = {};
  const requests = window(headers, 'requests');
  const tokens = window(headers, 'tokens');
  if (requests) info.requests = requests;
  if (tokens) info.tokens = tokens;
  const retryMs = num(headers.get('retry-after-ms'));
  const retryAfter = retryMs !== undefined ? retryMs / 1000 : retryAfterSeconds(headers.get('retry-after'));
  // A negative wait (clock skew, a broken proxy) means "now", not "in the past".
  if (retryAfter !== undefined) info['retry-after'] = Math.max(0, retryAfter);
  return Object.keys(info).length ? info : undefined;
}

function retryAfterSeconds(v: string | null): number | undefined {
  const n = num(v);
  if (n !== undefined) return n;
  if (!v) return undefined;
  // RFC 9110 also allows an HTTP date.
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - Date.now()) / 1000));
}

/** One line for the text content, so a model that never reads `_meta` still sees its budget. */
export function describeRateLimits(info: RateLimitInfo): string {
  const parts: string[] = [];
  for (const kind of ['requests', 'tokens'] as const) {
    const w = info[kind];
    if (!w) continue;
    const remaining = w['ratelimit-remaining'];
    const limit = w['ratelimit-limit'];
    const used =
      remaining !== undefined && limit !== undefined
        ? `${remaining}/${limit} remaining`
        : remaining !== undefined
          ? `${remaining} remaining`
          : limit !== undefined
            ? `limit ${limit}`
            : '';
    const reset = w['ratelimit-reset'] !== undefined ? `resets in ${w['ratelimit-reset']}s` : '';
    parts.push(`${kind} ${[used, reset].filter(Boolean).join(', ')}`);
  }
  if (info['retry-after'] !== undefined) parts.push(`retry after ${info['retry-after']}s`);
  return `Rate limits: ${parts.join('; ')}`;
}

/** Below this share of a window left, the budget is worth a line of text (code mode's answers carry it only then). */
export const NEAR_LIMIT_SHARE = 0.1;

/** Whether the budget matters now: a retry-after, or a window with at most 10% (or, limit unknown, 10) left. */
export function nearLimit(info: RateLimitInfo): boolean {
  if (info['retry-after'] !== undefined) return true;
  return [info.requests, info.tokens].some((w) => {
    const remaining = w?.['ratelimit-remaining'];
    if (remaining === undefined) return false;
    const limit = w?.['ratelimit-limit'];
    return limit ? remaining <= limit * NEAR_LIMIT_SHARE : remaining <= 10;
  });
}
