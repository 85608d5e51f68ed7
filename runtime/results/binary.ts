// Bytes as media: a download as an image, audio or resource block within the binary ceiling of one reply, and
// the base64 images inside image endpoints' JSON lifted out as image blocks.

import type { ToolDef } from '../contract/catalog.js';
import { toolErrorResult } from '../contract/errors.js';
import type { RawResponse } from '../execute.js';
import type { CallToolResult } from '../protocol.js';
import type { Json, ShapeOptions } from './options.js';

export function binaryResult(tool: ToolDef, raw: RawResponse, type: string, opts: ShapeOptions): CallToolResult {
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
export function extractImages(
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
