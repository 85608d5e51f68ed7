// How long a client may reuse a managed server's `tools/list` (MCP 2026-07-28 cache hints). The list is what the
// server's configuration selects, so its freshness follows that configuration: a tenth of the time since the last
// change (HTTP's heuristic freshness, RFC 9111 §4.2.2), at most five minutes, never past the server's expiry. A
// just-edited server's list is stale at once, so the next request after a change refetches it; a configuration
// left alone for an hour is reused for five minutes. `private`: the list belongs to the URL's holder.

import type { CacheHint } from '@modelcontextprotocol/server';
import type { ServerRow } from './store/store.js';

export const MAX_LIST_TTL_MS = 5 * 60_000;

export function listCacheHint(row: Pick<ServerRow, 'updated_at' | 'expires_at'>, now: number): CacheHint {
  let ttlMs = Math.min(MAX_LIST_TTL_MS, Math.floor(Math.max(0, now - row.updated_at) / 10));
  if (row.expires_at !== null) ttlMs = Math.min(ttlMs, Math.max(0, row.expires_at - now));
  return { ttlMs, cacheScope: 'private' };
}
