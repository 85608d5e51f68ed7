// Size fitting: the text copy kept under the character cap (pages cut at an item boundary, the cursor moved to the
// last item kept), whole-result callers refused past their byte cap, and the advice on how to ask for less.

import type { ToolDef } from '../contract/catalog.js';
import { toolErrorResult } from '../contract/errors.js';
import { LIST_PAGE, USAGE_PAGE } from '../contract/pages.js';
import type { RawResponse } from '../execute.js';
import type { CallToolResult } from '../protocol.js';
import { cutText } from '../redact.js';
import type { Json, ShapeOptions } from './options.js';

function narrowHint(tool: ToolDef): string {
  const ways: string[] = [];
  if (tool.pagination?.limitArg) ways.push(`a smaller \`${tool.pagination.limitArg}\``);
  if (tool.usageBuckets) ways.push('a shorter time range, a wider `bucket_width` or fewer `group_by` fields');
  const filters = Object.keys((tool.inputSchema.properties as object | undefined) ?? {}).filter(
    (k) => k !== tool.pagination?.limitArg && k !== tool.pagination?.cursorArg,
  );
  if (filters.length && !tool.usageBuckets) ways.push(`filters (${filters.slice(0, 6).join(', ')})`);
  return ways.length ? ` Narrow the request with ${ways.join(' or ')}.` : '';
}

export function tooLargeResult(tool: ToolDef, raw: RawResponse, cap: number): CallToolResult {
  const size = raw.size !== undefined ? `${raw.size}+ bytes` : 'too large';
  return toolErrorResult(
    `OpenAI answered HTTP ${raw.status}, but the response (${size}) exceeds the ${cap}-byte cap and was not returned.${narrowHint(tool)}`,
    { type: 'result_too_large', limit_bytes: cap },
  );
}

/** A result that a whole-result caller cannot take: the size, and how to ask for less. */
export function wholeTooLarge(tool: ToolDef, bytes: number, cap: number): CallToolResult {
  return toolErrorResult(
    `${tool.name}'s result is ${bytes} bytes, which exceeds the ${cap}-byte cap on one call's result inside a program, so none of it was returned.${narrowHint(tool)}`,
    { type: 'result_too_large', bytes, limit_bytes: cap },
  );
}

/**
 * Keeps the text copy under the cap. Pages are cut at an item boundary (and for cursor lists the cursor is moved
 * to the last item kept, so paging loses nothing); anything else is cut as text and `structuredContent` is dropped
 * so that clients reading either field stay within the cap.
 */
export function fitJson(
  tool: ToolDef,
  structured: Json,
  cap: number,
  opaqueCursor = false,
): { structured?: Json; text: string; note?: string } {
  const full = JSON.stringify(structured);
  if (full.length <= cap) return { structured, text: full };
  const arrayKey = Array.isArray(structured[LIST_PAGE.items])
    ? LIST_PAGE.items
    : Array.isArray(structured[USAGE_PAGE.rows])
      ? USAGE_PAGE.rows
      : undefined;
  if (arrayKey) {
    const items = structured[arrayKey] as unknown[];
    let lo = 0;
    let hi = items.length;
    const build = (n: number): Json => {
      const out: Json = { ...structured, [arrayKey]: items.slice(0, n) };
      // Only a list paged by item id can resume from the last item kept; others just report the cut.
      if (arrayKey === LIST_PAGE.items && tool.pagination?.style === 'cursor' && !opaqueCursor && n < items.length) {
        const last = items[n - 1] as Json | undefined;
        if (last && typeof last.id === 'string') {
          out[LIST_PAGE.cursor] = last.id;
          out[LIST_PAGE.more] = true;
        }
      }
      return out;
    };
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (JSON.stringify(build(mid)).length <= cap) lo = mid;
      else hi = mid - 1;
    }
    if (lo > 0) {
      const fitted = build(lo);
      const cursor = LIST_PAGE.cursor;
      const cursorMoved = fitted[cursor] !== structured[cursor];
      const skips =
        opaqueCursor && lo < items.length
          ? ` ${cursor} continues after the whole page, so ask for a smaller limit to see the items not shown.`
          : '';
      const note = `[Showing ${lo} of ${items.length} ${arrayKey === USAGE_PAGE.rows ? 'rows' : 'items'}: the full response is ${full.length} characters, over the ${cap}-character cap.${cursorMoved ? ` ${cursor} points at the last item shown, so paging continues from there.` : ''}${skips}${narrowHint(tool)}]`;
      return { structured: fitted, text: JSON.stringify(fitted), note };
    }
  }
  return {
    text: cutText(full, cap, ''),
    note: `[Truncated: the response is ${full.length} characters, over the ${cap}-character cap; structuredContent omitted.${narrowHint(tool)}]`,
  };
}

export function textResult(raw: string, tool: ToolDef, opts: ShapeOptions): CallToolResult {
  const text = opts.redact(raw);
  if (opts.wholeBytes !== undefined) {
    const bytes = Buffer.byteLength(text);
    return bytes > opts.wholeBytes
      ? wholeTooLarge(tool, bytes, opts.wholeBytes)
      : { content: [{ type: 'text', text }] };
  }
  const cap = opts.maxTextChars;
  if (text.length <= cap) return { content: [{ type: 'text', text }] };
  return {
    content: [
      { type: 'text', text: cutText(text, cap, '') },
      {
        type: 'text',
        text: `[Truncated: ${text.length} characters, over the ${cap}-character cap.${narrowHint(tool)}]`,
      },
    ],
  };
}
