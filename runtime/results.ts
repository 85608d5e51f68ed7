// Upstream success bodies → MCP results sized for a model's context: structured JSON plus a compact
// text copy, list pages with a cursor to continue, usage buckets flattened and totalled, bytes as media.

import type { ToolDef } from './contract/catalog.js';
import { toolErrorResult } from './contract/errors.js';
import { LIST_PAGE, type ListPage, USAGE_PAGE, type UsagePage } from './contract/pages.js';
import type { CallToolResult } from './protocol.js';
import type { HeaderLookup, RawResponse } from './execute.js';
import { cutText, redactDeep } from './redact.js';

/** Deepest JSON passed on. OpenAI's answers nest a few levels; a hostile 200k-level body would overflow the stack. */
export const MAX_JSON_DEPTH = 1000;

export interface ShapeOptions {
  /** Cap on the JSON/text copy shown to the model, in characters. */
  maxTextChars: number;
  maxResponseBytes: number;
  /** The request URL, used as the URI of binary resources. */
  url: string;
  /** Largest binary result, counted as the base64 text that goes on the wire. */
  maxBinaryChars: number;
  /** Applied to all text before it is shortened (redact first, then cut). */
  redact: (text: string) => string;
  /**
   * For callers that take whole results (code mode's programs): nothing is cut to `maxTextChars`; a result whose JSON
   * or text is over this many UTF-8 bytes is an error instead, so no reader gets part of a page believing it whole.
   */
  wholeBytes?: number;
}

type Json = Record<string, unknown>;

const bare = (contentType: string) => (contentType.split(';')[0] ?? '').trim().toLowerCase();

function mediaType(headers: HeaderLookup, tool: ToolDef): string {
  return bare(headers.get('content-type') ?? tool.http.responseMediaTypes[0] ?? '');
}

function isJsonType(t: string): boolean {
  return t === 'application/json' || t.endsWith('+json');
}

function isTextType(t: string): boolean {
  return (
    t.startsWith('text/') ||
    isJsonType(t) ||
    /^application\/(jsonl|x-ndjson|ndjson|x-jsonlines|xml|yaml|x-yaml|sdp|csv|javascript)$/.test(t)
  );
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** Labels that say nothing about the bytes. OpenAI sends batch output JSONL and fine-tune result CSV as these. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);
const SNIFF_BYTES = 64 * 1024;

/**
 * The bytes as text when they are text: valid UTF-8 throughout, and no NUL or other control characters but tab and
 * line breaks near the start (binary formats show them in their headers; text files do not have them).
 */
function asText(bytes: Uint8Array): string | undefined {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

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

function tooLargeResult(tool: ToolDef, raw: RawResponse, cap: number): CallToolResult {
  const size = raw.size !== undefined ? `${raw.size}+ bytes` : 'too large';
  return toolErrorResult(
    `OpenAI answered HTTP ${raw.status}, but the response (${size}) exceeds the ${cap}-byte cap and was not returned.${narrowHint(tool)}`,
    { type: 'result_too_large', limit_bytes: cap },
  );
}

/** A result that a whole-result caller cannot take: the size, and how to ask for less. */
function wholeTooLarge(tool: ToolDef, bytes: number, cap: number): CallToolResult {
  return toolErrorResult(
    `${tool.name}'s result is ${bytes} bytes, which exceeds the ${cap}-byte cap on one call's result inside a program, so none of it was returned.${narrowHint(tool)}`,
    { type: 'result_too_large', bytes, limit_bytes: cap },
  );
}

/** True when `value` nests deeper than `max` arrays/objects (checked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const inner of Object.values(v)) if (inner && typeof inner === 'object') stack.push([inner, depth + 1]);
  }
  return false;
}

function tooDeepResult(raw: RawResponse): CallToolResult {
  const message = `OpenAI answered HTTP ${raw.status}, but the JSON nests deeper than ${MAX_JSON_DEPTH} levels and was not returned`;
  return toolErrorResult(`${message}.`, { type: 'result_too_deep', message, max_depth: MAX_JSON_DEPTH });
}

/** The cursor a list hands out in `next` (role and group lists), which only the server can interpret. */
function opaqueCursorOf(body: unknown): string | undefined {
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
  return {
    [LIST_PAGE.items]: result as unknown[],
    [LIST_PAGE.cursor]: nextCursor as string | null,
    [LIST_PAGE.more]: hasMore,
  };
}

function addNumbers(totals: Record<string, number>, value: unknown, prefix: string): void {
  if (typeof value === 'number' && Number.isFinite(value)) {
    totals[prefix] = (totals[prefix] ?? 0) + value;
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) addNumbers(totals, v, prefix ? `${prefix}.${k}` : k);
  }
}

/** Unix seconds as an ISO 8601 UTC time. Here, not in timeinput.ts: that module loads luxon, which start-up must not. */
export const isoOf = (seconds: number) => new Date(seconds * 1000).toISOString();
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

/**
 * Keeps the text copy under the cap. Pages are cut at an item boundary (and for cursor lists the cursor is moved
 * to the last item kept, so paging loses nothing); anything else is cut as text and `structuredContent` is dropped
 * so that clients reading either field stay within the cap.
 */
function fitJson(
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

function textResult(raw: string, tool: ToolDef, opts: ShapeOptions): CallToolResult {
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

function binaryResult(tool: ToolDef, raw: RawResponse, type: string, opts: ShapeOptions): CallToolResult {
  const mimeType = type || 'application/octet-stream';
  const base64Chars = Math.ceil(raw.bytes.byteLength / 3) * 4;
  if (base64Chars > opts.maxBinaryChars) {
    // Over stdio a reply past ~10 MiB ends the session, so big downloads go another way.
    const maxBytes = Math.floor(opts.maxBinaryChars / 4) * 3;
    return toolErrorResult(
      `${tool.name} returned ${raw.bytes.byteLength} bytes of ${mimeType}, over the ${maxBytes}-byte limit for binary results, so the bytes were not returned. ` +
        `Download them directly instead: GET ${opts.redact(opts.url)} with your API key in the Authorization header ` +
        '(e.g. curl -H "Authorization: Bearer $OPENAI_API_KEY" <url> -o <file>), or serve the tools over HTTP (openai-mcp serve --http) with a higher limit.',
      { type: 'binary_too_large', bytes: raw.bytes.byteLength, limit_bytes: maxBytes, media_type: mimeType },
    );
  }
  const data = Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength).toString('base64');
  if (mimeType.startsWith('image/')) return { content: [{ type: 'image', data, mimeType }] };
  if (mimeType.startsWith('audio/')) return { content: [{ type: 'audio', data, mimeType }] };
  return {
    content: [
      { type: 'resource', resource: { uri: opts.redact(opts.url), mimeType, blob: data } },
      { type: 'text', text: `${tool.name} returned ${raw.bytes.byteLength} bytes of ${mimeType}.` },
    ],
  };
}

const IMAGE_FORMATS: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The image type from its first bytes; OpenAI's image models answer PNG, JPEG or WebP. */
function sniffImage(b64: string): string | undefined {
  const head = Buffer.from(b64.slice(0, 24), 'base64');
  const at = (offset: number, ascii: string) =>
    head.subarray(offset, offset + ascii.length).toString('latin1') === ascii;
  if (at(0, '\x89PNG\r\n\x1a\n')) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'image/webp';
  if (at(0, 'GIF8')) return 'image/gif';
  return undefined;
}

function decodedBytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding;
}

function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The arguments of this tool that make an image smaller, as advice for one that did not fit. */
function smallerImageHint(tool: ToolDef, count: number): string {
  const props = (tool.inputSchema.properties as Record<string, unknown> | undefined) ?? {};
  const ways: string[] = [];
  if (count > 1 && 'n' in props) ways.push('fewer images (`n`)');
  if ('size' in props) ways.push('a smaller `size`');
  if ('quality' in props) ways.push('a lower `quality`');
  if ('output_compression' in props)
    ways.push(`${'output_format' in props ? '`output_format` jpeg or webp with ' : ''}a lower \`output_compression\``);
  const ask = ways.length ? `ask again with ${ways.join(', ')}, or ` : '';
  return `${ask}serve the tools over HTTP (openai-mcp serve --http) with a higher limit`;
}

/**
 * Image endpoints answer JSON whose `data[i].b64_json` holds a whole image (often over a megabyte of base64): as
 * text it would blow the text cap, cost the model its context and still not be an image to it. Each one becomes an
 * MCP image block and its JSON field a short note. The blocks share the binary ceiling of one reply, since over stdio
 * a reply past ~10 MiB ends the session: images that do not fit are left out and their note says how to get them.
 */
function extractImages(
  tool: ToolDef,
  body: unknown,
  maxBinaryChars: number,
): { body: unknown; images: CallToolResult['content'] } {
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : undefined;
  if (!b || !Array.isArray(b.data)) return { body, images: [] };
  const items = b.data as unknown[];
  const base64Of = (x: unknown): string | undefined => {
    const v = x && typeof x === 'object' ? (x as Json).b64_json : undefined;
    return typeof v === 'string' && v.length > 0 && BASE64.test(v) ? v : undefined;
  };
  const found = items.map(base64Of);
  const count = found.filter((v) => v !== undefined).length;
  if (!count) return { body, images: [] };
  const declared = typeof b.output_format === 'string' ? IMAGE_FORMATS[b.output_format.toLowerCase()] : undefined;
  const limit = sizeText(Math.floor(maxBinaryChars / 4) * 3);
  const images: CallToolResult['content'] = [];
  let used = 0;
  let nth = 0;
  const data = items.map((item, i) => {
    const b64 = found[i];
    if (b64 === undefined) return item;
    nth += 1;
    const which = `image ${nth} of ${count}`;
    const size = sizeText(decodedBytes(b64));
    const mimeType = declared ?? sniffImage(b64) ?? 'image/png';
    if (used + b64.length > maxBinaryChars) {
      const note = `[${which} not returned: its ${size} of ${mimeType} would take this reply over the ${limit} limit for binary results; ${smallerImageHint(tool, count)}]`;
      return { ...(item as Json), b64_json: note };
    }
    used += b64.length;
    images.push({ type: 'image', data: b64, mimeType });
    return { ...(item as Json), b64_json: `[${which} returned as image content, ${size}]` };
  });
  return { body: { ...b, data }, images };
}

/** Shapes a 2xx response. */
export function shapeSuccess(tool: ToolDef, raw: RawResponse, opts: ShapeOptions): CallToolResult {
  if (raw.truncated) return tooLargeResult(tool, raw, opts.maxResponseBytes);
  const type = mediaType(raw.headers, tool);
  if (raw.bytes.byteLength === 0 || tool.http.response === 'empty' || raw.status === 204) {
    const structured = { ok: true, status: raw.status };
    return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
  }
  if (tool.http.response === 'binary') {
    const header = raw.headers.get('content-type');
    if (header === null || GENERIC_TYPES.has(bare(header))) {
      // No label worth reading, and without a header the spec's type is a guess (file content claims JSON for
      // every file): the bytes decide.
      const text = asText(raw.bytes);
      if (text !== undefined) return textResult(text, tool, opts);
      const label = header !== null ? bare(header) : isTextType(type) ? '' : type;
      return binaryResult(tool, raw, label, opts);
    }
    if (!isTextType(type)) return binaryResult(tool, raw, type, opts);
  }
  const text = decode(raw.bytes);
  // Text endpoints and text-like downloads (JSONL, CSV, JSON file contents) go to the model as text, unparsed.
  if (tool.http.response === 'text' || tool.http.response === 'binary') return textResult(text, tool, opts);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return textResult(text, tool, opts);
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) return tooDeepResult(raw);
  // Before redaction: the images are not text the model reads, and scanning megabytes of base64 finds nothing.
  const extracted = extractImages(tool, body, opts.maxBinaryChars);
  body = redactDeep(extracted.body, opts.redact);
  let structured: Json;
  if (tool.usageBuckets) structured = { ...flattenUsage(body) };
  // Every list tool answers in one shape, paged or not (`/models` has no cursor but is still a list).
  else if (tool.pagination || tool.method === 'list') structured = { ...shapeList(tool, body) };
  // structuredContent must be an object: arrays and scalars are wrapped.
  else if (body && typeof body === 'object' && !Array.isArray(body)) structured = body as Json;
  else structured = { result: body };
  let fitted: ReturnType<typeof fitJson>;
  if (opts.wholeBytes !== undefined) {
    const text = JSON.stringify(structured);
    const bytes = Buffer.byteLength(text);
    if (bytes > opts.wholeBytes) return wholeTooLarge(tool, bytes, opts.wholeBytes);
    fitted = { structured, text };
  } else fitted = fitJson(tool, structured, opts.maxTextChars, opaqueCursorOf(body) !== undefined);
  const result: CallToolResult = { content: [{ type: 'text', text: fitted.text }] };
  if (fitted.note) result.content.push({ type: 'text', text: fitted.note });
  if (fitted.structured) result.structuredContent = fitted.structured;
  result.content.push(...extracted.images);
  return result;
}
