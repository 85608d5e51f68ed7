// The validation bundle's identity and the tool schema hash: written by the generator, read by the runtime's
// validator and by search_docs (which trusts a quoted signature only while the hash matches).
import { createHash } from 'node:crypto';
import type { HttpBinding, JsonSchema, WaitBinding } from './catalog.js';

/** `$id` of the shared `$defs` in generated/validation.json; tool schemas point at `openai-defs#/$defs/Name`. */
export const DEFS_ID = 'openai-defs';
/** What every reference into the shared `$defs` starts with. */
export const DEF_REF_PREFIX = `${DEFS_ID}#/$defs/`;

/** Canonical JSON (sorted keys, undefined dropped), so a reordered spec does not look like a changed tool. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 16 hex digits of the sha256 of the canonical JSON. */
export const contentHash = (value: unknown): string =>
  createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);

/**
 * `ToolDef.schemaHash`: covers what a call must satisfy (the full validation schema), where it goes (the binding)
 * and, for wait tools, what is polled.
 */
export function toolSchemaHash(parts: { validation: JsonSchema; http: HttpBinding; wait?: WaitBinding }): string {
  // `wait` undefined drops out of the canonical JSON, so tools without one hash as {validation, http}.
  return contentHash({ validation: parts.validation, http: parts.http, wait: parts.wait });
}
