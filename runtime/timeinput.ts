// Human time inputs. Usage, cost and audit-log windows are unix seconds on the wire; models say "2026-11-01" or
// "the last 7 days". Arguments the catalog marks as `timeArgs` are converted here, before validation, so the
// full schema still sees integer seconds and a value nobody can read never reaches OpenAI.

import type { CallToolResult } from './protocol.js';
import { DateTime, Duration, type DurationLikeObject } from 'luxon';
import type { ToolDef } from './contract/catalog.js';
import { isoOf } from './results/pages.js';
import type { ArgumentIssue } from './validation.js';

export const TIME_FORMS =
  'unix seconds (1763424000), an ISO date or datetime (2026-11-01, 2026-11-01T09:30:00Z), a relative time ' +
  '(-7d, -24h, -30m, -2w, -3mo, or an ISO duration like -P7D), now, today, yesterday, or "start of day|week|month|quarter|year" ' +
  '(also "start of last month"); dates without a zone are UTC';

const UNITS: Record<string, keyof DurationLikeObject> = {
  s: 'seconds',
  sec: 'seconds',
  m: 'minutes',
  min: 'minutes',
  h: 'hours',
  d: 'days',
  w: 'weeks',
  mo: 'months',
  y: 'years',
};
const RELATIVE = /^([+-])\s*(\d+)\s*(s|sec|min|m|h|d|w|mo|y)$/;
const START_OF = /^start of (this |last |previous )?(day|week|month|quarter|year)$/;

/** Unix seconds for one human time, or undefined when it is none of the accepted forms. */
export function parseTime(value: string | number, now: DateTime = DateTime.utc()): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const s = value.trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  if (s === 'now') return Math.floor(now.toSeconds());
  if (s === 'today') return now.startOf('day').toSeconds();
  if (s === 'yesterday') return now.minus({ days: 1 }).startOf('day').toSeconds();
  const start = START_OF.exec(s);
  if (start) {
    const unit = start[2] as 'day' | 'week' | 'month' | 'quarter' | 'year';
    const base = start[1] && start[1] !== 'this ' ? now.minus({ [`${unit}s`]: 1 }) : now;
    return base.startOf(unit).toSeconds();
  }
  const rel = RELATIVE.exec(s);
  if (rel) {
    const d = Duration.fromObject({ [UNITS[rel[3]!]!]: Number(rel[2]) });
    return Math.floor((rel[1] === '-' ? now.minus(d) : now.plus(d)).toSeconds());
  }
  const iso = /^([+-])(p.+)$/.exec(s);
  if (iso) {
    const d = Duration.fromISO(iso[2]!.toUpperCase());
    if (d.isValid) return Math.floor((iso[1] === '-' ? now.minus(d) : now.plus(d)).toSeconds());
    return undefined;
  }
  const dt = DateTime.fromISO(value.trim(), { zone: 'utc' });
  return dt.isValid ? Math.floor(dt.toSeconds()) : undefined;
}

/** Unix seconds past this are year 5138 or later: a number this big is a millisecond timestamp. */
const MAX_SECONDS = 1e11;

/**
 * Why a resolved time cannot be what the caller meant, or undefined when it can. OpenAI takes both kinds without
 * complaint and answers for the wrong window (or nothing), so they are refused here.
 */
function unusable(value: string | number, seconds: number): string | undefined {
  // A relative time of a hundred billion days leaves the calendar: the date library answers with an invalid date.
  if (!Number.isFinite(seconds)) return 'is out of the range of dates; give a date or a relative time such as -7d';
  if (seconds < 0)
    return 'is before 1970 (a negative unix time); for a time in the past give a relative time such as -7d, or a date';
  if (seconds > MAX_SECONDS) {
    const digits = typeof value === 'number' || /^\d+$/.test(value.trim());
    return digits
      ? 'looks like milliseconds; divide by 1000 (unix seconds have 10 digits)'
      : 'is after the year 5138; give a date or a relative time such as -7d';
  }
  return undefined;
}

export interface ResolvedTimes {
  /** Arguments with every time converted to unix seconds (a copy; the caller's object is untouched). */
  args: Record<string, unknown>;
  /** Each time argument given, as seconds and ISO, e.g. `{start_time: 1763424000, start_iso: "…"}`. */
  resolved?: Record<string, number | string>;
  issues: ArgumentIssue[];
}

const isoKey = (key: string) => `${key.replace(/_time$/, '').replace(/_at$/, '')}_iso`;

/** Converts the tool's `timeArgs` in `args`; values of other types are left for the validator to report. */
export function resolveTimeArgs(
  tool: ToolDef,
  args: Record<string, unknown>,
  now: DateTime = DateTime.utc(),
): ResolvedTimes {
  if (!tool.timeArgs?.length) return { args, issues: [] };
  const out: Record<string, unknown> = { ...args };
  const resolved: Record<string, number | string> = {};
  const issues: ArgumentIssue[] = [];
  const convert = (path: string, value: unknown, key: string): unknown => {
    if (typeof value !== 'string' && typeof value !== 'number') return value;
    const seconds = parseTime(value, now);
    if (seconds === undefined) {
      issues.push({ path, message: `${JSON.stringify(value)} is not a time this server can read; use ${TIME_FORMS}` });
      return value;
    }
    const why = unusable(value, seconds);
    if (why) {
      issues.push({ path, message: `${JSON.stringify(value)} ${why}` });
      return value;
    }
    resolved[key] = seconds;
    resolved[isoKey(key)] = isoOf(seconds);
    return seconds;
  };
  for (const spec of tool.timeArgs) {
    if (spec.endsWith('.*')) {
      const name = spec.slice(0, -2);
      const obj = out[name];
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
      out[name] = Object.fromEntries(
        Object.entries(obj as Record<string, unknown>).map(([k, v]) => [
          k,
          convert(`${name}.${k}`, v, `${name}[${k}]`),
        ]),
      );
    } else if (out[spec] !== undefined) {
      out[spec] = convert(spec, out[spec], spec);
    }
  }
  return { args: out, resolved: Object.keys(resolved).length ? resolved : undefined, issues };
}

/** Adds the resolved window to a successful result, so the model sees which dates it actually asked for. */
export function echoResolved(
  result: CallToolResult,
  resolved: Record<string, number | string> | undefined,
): CallToolResult {
  if (!resolved || result.isError) return result;
  const structured = result.structuredContent ? { ...result.structuredContent, resolved } : undefined;
  return {
    ...result,
    content: [...result.content, { type: 'text', text: `Resolved time window: ${JSON.stringify(resolved)}` }],
    ...(structured ? { structuredContent: structured } : {}),
  };
}
