// Upstream success bodies → MCP results sized for a model's context: structured JSON plus a compact
// text copy, list pages with a cursor to continue, usage buckets flattened and totalled, bytes as media.
// The pieces live in results/: media.ts (what the bytes are), pages.ts (list and usage pages), fit.ts (size
// caps), binary.ts (bytes and images as media), depth.ts (the nesting guard); this file puts them in order.

import type { ToolDef } from './contract/catalog.js';
import { resultKind } from './contract/pages.js';
import type { RawResponse } from './execute.js';
import type { CallToolResult } from './protocol.js';
import { redactDeep } from './redact.js';
import { binaryResult, extractImages } from './results/binary.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, tooDeepResult } from './results/depth.js';
import { fitJson, textResult, tooLargeResult, wholeTooLarge } from './results/fit.js';
import { asText, bare, decode, GENERIC_TYPES, isTextType, mediaType } from './results/media.js';
import type { Json, ShapeOptions } from './results/options.js';
import { flattenUsage, opaqueCursorOf, shapeList } from './results/pages.js';

export { MAX_JSON_DEPTH, nestsDeeperThan } from './results/depth.js';
export type { ShapeOptions } from './results/options.js';
export { flattenUsage, isoOf, shapeList } from './results/pages.js';

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
  // Every list tool answers in one shape, paged or not (`/models` has no cursor but is still a list).
  const kind = resultKind(tool);
  if (kind === 'usage') structured = { ...flattenUsage(body) };
  else if (kind === 'list') structured = { ...shapeList(tool, body) };
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
