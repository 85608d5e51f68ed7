// List and usage bodies as the contract's pages (runtime/contract/pages.ts): one list shape for every list tool,
// usage buckets flattened into rows with totals.

import type { ToolDef } from '../contract/catalog.js';
import { LIST_PAGE, type ListPage, listPage, USAGE_PAGE, type UsagePage } from '../contract/pages.js';
import type { Json } from './options.js';

/** The cursor a list hands out in `next` (role and group lists), which only the server can interpret. */
export function opaqueCursorOf(body: unknown): string | undefined {
  const next = body && typeof body === 'object' ? (body as Json).next : undefined;
  return typeof next === 'string' && next ? next : undefined;
}

/** A `ListPage` for list endpoints; its cursor goes back in as the cursor argument. */
export function shapeList(tool: ToolDef, body: unknown): ListPage<unknown> {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Json;
  const items = Array.isArray(body) ? body : Array.isArray(b.data) ? (b.data as unknown[]) : undefined;
  const result = items ?? body;
  let nextCursor: unknown = null;
  let hasMore: boolean;
  if (tool.pagination?.style === 'page') {
    nextCursor = b.next_page ?? null;
    hasMore = typeof b.has_more === 'boolean' ? b.has_more : nextCursor !== null;
  } else {
    hasMore = b.has_more === true;
    if (hasMore) {
      // Most lists page by the last item's id (`last_id`); the role and group lists hand out an opaque `next`
      // cursor instead, and their items may have no `id` at all.
      const last = items?.[items.length - 1] as Json | undefined;
      nextCursor = opaqueCursorOf(body) ?? b.last_id ?? last?.id ?? null;
    }
  }
  // OpenAI's cursors are strings; anything else is passed on as the page has it (a bad cursor fails upstream).
  return listPage(result as unknown[], nextCursor as string | null, hasMore);
}

function addNumbers(totals: Record<string, number>, value: unknown, prefix: string): void {
  if (typeof value === 'number' && Number.isFinite(value)) {
    totals[prefix] = (totals[prefix] ?? 0) + value;
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) addNumbers(totals, v, prefix ? `${prefix}.${k}` : k);
  }
}

/** Unix seconds as an ISO 8601 UTC time. Here, not in timeinput.ts: that module loads luxon, which start-up must not. */
/** An OpenAI timestamp (Unix seconds) in ISO form. */
export const isoOf = (seconds: number) => isoOfMs(seconds * 1000);
/** Epoch milliseconds (our own timestamps: tasks, the store) in ISO form. */
export const isoOfMs = (ms: number) => new Date(ms).toISOString();
const iso = (seconds: unknown): string | null => (typeof seconds === 'number' ? isoOf(seconds) : null);

/**
 * Usage/cost pages: `data[].results[]` buckets → one row per result with ISO times, plus totals of every numeric
 * field (nested ones as `amount.value`). Totals cover this page only.
 */
export function flattenUsage(body: unknown): UsagePage<Json> {
  const b = (body && typeof body === 'object' ? body : {}) as Json;
  const buckets = Array.isArray(b.data) ? (b.data as Json[]) : [];
  const rows: Json[] = [];
  const totals: Record<string, number> = {};
  for (const bucket of buckets) {
    const results = Array.isArray(bucket?.results) ? (bucket.results as Json[]) : [];
    for (const r of results) {
      const { object: _object, ...fields } = (r ?? {}) as Json;
      rows.push({ start_time_iso: iso(bucket.start_time), end_time_iso: iso(bucket.end_time), ...fields });
      for (const [k, v] of Object.entries(fields)) {
        if (k !== 'start_time' && k !== 'end_time') addNumbers(totals, v, k);
      }
    }
  }
  for (const [k, v] of Object.entries(totals)) totals[k] = Math.round(v * 1e9) / 1e9;
  const nextCursor = b.next_page ?? null;
  return {
    [USAGE_PAGE.rows]: rows as UsagePage<Json>['rows'],
    [USAGE_PAGE.totals]: totals,
    [USAGE_PAGE.buckets]: buckets.length,
    [LIST_PAGE.cursor]: nextCursor as string | null,
    [LIST_PAGE.more]: typeof b.has_more === 'boolean' ? b.has_more : nextCursor !== null,
  };
}
