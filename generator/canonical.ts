// Content hashes that do not depend on key order, so a reordered spec does not look like a changed tool.
import { createHash } from 'node:crypto';

/** Canonical JSON (sorted keys, undefined dropped). */
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
