// What a response's bytes are: the media type from the header (else the spec's), JSON and text types, and a sniff
// for bytes labelled with nothing useful.

import type { ToolDef } from '../contract/catalog.js';
import type { HeaderLookup } from '../execute.js';

export const bare = (contentType: string) => (contentType.split(';')[0] ?? '').trim().toLowerCase();

export function mediaType(headers: HeaderLookup, tool: ToolDef): string {
  return bare(headers.get('content-type') ?? tool.http.responseMediaTypes[0] ?? '');
}

export function isJsonType(t: string): boolean {
  return t === 'application/json' || t.endsWith('+json');
}

export function isTextType(t: string): boolean {
  return (
    t.startsWith('text/') ||
    isJsonType(t) ||
    /^application\/(jsonl|x-ndjson|ndjson|x-jsonlines|xml|yaml|x-yaml|sdp|csv|javascript)$/.test(t)
  );
}

export function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** Labels that say nothing about the bytes. OpenAI sends batch output JSONL and fine-tune result CSV as these. */
export const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);
export const SNIFF_BYTES = 64 * 1024;

/**
 * The bytes as text when they are text: valid UTF-8 throughout, and no NUL or other control characters but tab and
 * line breaks near the start (binary formats show them in their headers; text files do not have them).
 */
export function asText(bytes: Uint8Array): string | undefined {
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
