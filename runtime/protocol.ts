// The MCP wire contract as this package uses it: the result and tool types (from the v2 SDK, which implements
// MCP 2026-07-28 and the 2025 revisions), the protocol versions served, and the error for a version that is not.
// Every other module imports these from here, so the SDK line the runtime is written against is named once.
// Types only from the SDK: the stdio server answers its first messages before the SDK is evaluated (lean.ts), so
// the few constants below are spelled here and test/runtime/lean-stdio.test.ts checks them against the SDK's.

import type { ContentBlock, JSONObject, ToolAnnotations } from '@modelcontextprotocol/server';

export type { ContentBlock, JSONRPCMessage, RequestId, ToolAnnotations } from '@modelcontextprotocol/server';

/**
 * A tool result as this package produces it: the SDK's fields, with `structuredContent` always an object (as the
 * 2025 revisions require), so the same value satisfies a v2 and a 1.x server's result type.
 */
export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A `tools/list` entry, typed so that it is one for a v2 and a 1.x server alike: schema properties are JSON objects
 * (v2 wants JSON values there, 1.x any object), so a list handler of either line takes `listTools()` as it is.
 */
export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { type: 'object'; properties?: Record<string, JSONObject>; required?: string[]; [key: string]: unknown };
  annotations?: ToolAnnotations;
  /** 2025-11-25: whether a client may run the tool as a task. */
  execution?: { taskSupport?: 'forbidden' | 'optional' | 'required' };
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The stateless revision: no `initialize`, a `_meta` envelope on every request, `server/discover`. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** `_meta` key of a 2026-07-28 request's protocol version (the SDK's `PROTOCOL_VERSION_META_KEY`). */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
/** `_meta` key of a 2026-07-28 request's client capabilities (the SDK's `CLIENT_CAPABILITIES_META_KEY`). */
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
/** `_meta` key under which 2026-07-28 results name the server. */
export const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';

/** The revisions negotiated through `initialize`, newest first (the SDK's `SUPPORTED_PROTOCOL_VERSIONS`). */
export const LEGACY_PROTOCOL_VERSIONS: readonly string[] = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
];

/**
 * Every revision served, newest first: 2026-07-28 natively, and the 2025 (and 2024-11-05) revisions through the
 * `initialize` handshake, on every transport.
 */
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION, ...LEGACY_PROTOCOL_VERSIONS];

/** The newest revision a 2025-era client is offered in `initialize`. */
export const LATEST_LEGACY_PROTOCOL_VERSION = '2025-11-25';

/** MCP 2026-07-28's `UnsupportedProtocolVersionError`. */
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;

export interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** The error for a request naming a revision this server does not serve; it lists the ones it does. */
export function unsupportedVersionError(requested: string): JsonRpcErrorBody {
  return {
    code: UNSUPPORTED_PROTOCOL_VERSION,
    message: `Unsupported protocol version: ${JSON.stringify(requested.slice(0, 64))}; this server supports ${SERVED_PROTOCOL_VERSIONS.join(', ')}`,
    data: { supported: [...SERVED_PROTOCOL_VERSIONS], requested: requested.slice(0, 64) },
  };
}

/**
 * The protocol version a message claims that this server does not serve, if any: the `_meta` envelope's
 * `io.modelcontextprotocol/protocolVersion` of a request, or (HTTP) the `MCP-Protocol-Version` header. A message
 * claiming nothing is a 2025-era message and is served as such.
 */
export function unservedVersionOf(message: unknown, header?: string): string | undefined {
  const claimed: unknown[] = [header];
  for (const m of Array.isArray(message) ? message : [message]) {
    const meta = (m as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
    if (meta && typeof meta === 'object') claimed.push(meta[PROTOCOL_VERSION_META_KEY]);
  }
  for (const v of claimed) {
    if (v === undefined) continue;
    const version = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
    if (!SERVED_PROTOCOL_VERSIONS.includes(version)) return version;
  }
  return undefined;
}

/**
 * Whether a request's `MCP-Protocol-Version` header and its `_meta` protocol version name different revisions. The
 * SDK's HTTP handler answers that with `-32020` (HeaderMismatch), which says more than "unsupported version" would,
 * so the checks before it leave such a request to it.
 */
export function headerMismatches(message: unknown, header?: string): boolean {
  if (header === undefined || Array.isArray(message)) return false;
  const meta = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
  const claimed = meta && typeof meta === 'object' ? meta[PROTOCOL_VERSION_META_KEY] : undefined;
  return claimed !== undefined && claimed !== header;
}

/** The `_meta` keys every 2026-07-28 request must carry (`clientInfo` is only recommended). */
export const REQUIRED_ENVELOPE_KEYS: readonly string[] = [PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY];

/**
 * For a request that claims 2026-07-28 (its `_meta` names that revision, or the HTTP header does), the required
 * envelope keys it lacks. The SDK refuses such a request too, but on an established stdio connection its message
 * does not say which key is missing; this one does.
 */
export function missingEnvelopeKeys(message: unknown, header?: string): string[] {
  const m = message as { id?: unknown; method?: unknown; params?: { _meta?: unknown } } | null;
  if (!m || typeof m !== 'object' || typeof m.method !== 'string' || m.id === undefined) return [];
  const meta = m.params?._meta;
  const fields = meta && typeof meta === 'object' ? (meta as Record<string, unknown>) : {};
  const claimed = fields[PROTOCOL_VERSION_META_KEY] === MODERN_PROTOCOL_VERSION || header === MODERN_PROTOCOL_VERSION;
  if (!claimed) return [];
  return REQUIRED_ENVELOPE_KEYS.filter((k) => fields[k] === undefined || fields[k] === null);
}

/** MCP's Invalid Params error naming the envelope keys a 2026-07-28 request lacks. */
export function missingEnvelopeError(missing: readonly string[]): JsonRpcErrorBody {
  return {
    code: -32602,
    message: `Invalid params: a ${MODERN_PROTOCOL_VERSION} request must carry ${missing.map((k) => `params._meta["${k}"]`).join(' and ')}`,
    data: { missing: [...missing] },
  };
}
