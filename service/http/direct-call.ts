// The hot path of the HTTP service: a `tools/call` answered without the SDK's HTTP entry. Profiled under bench:http,
// the SDK's entry (its inbound classification ladder and zod message validation, a `Server` and a per-request
// transport built for every request, a web `Response` read back) was about two fifths of the service's CPU per call.
// Served here: an MCP 2026-07-28 call (self-contained by design) and a 2025-era call on the stateless endpoint (the
// SDK's stateless fallback answers it from a fresh server as a one-event stream).
//
// Only a canonical request takes this path: every check the SDK would run on it is one that passes, and everything
// else (another method, a notification, a batch, an `initialize`, a progress token, a task, a client declaring the
// Tasks extension, a session id, any header or envelope the SDK would look at more closely) returns `undefined` here
// and is served by the SDK as before. What is answered is what the SDK answers for the same request: test/service/direct-call.test.ts
// sends the same requests through both paths and compares status, headers and body, so an SDK upgrade that changes
// its answer fails that test rather than drifting silently.

import type { ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { ExposedTools } from '../../runtime/exposure/types.js';
import {
  CLIENT_CAPABILITIES_META_KEY,
  MODERN_PROTOCOL_VERSION,
  PROTOCOL_VERSION_META_KEY,
} from '../../runtime/protocol.js';
import { SERVER_NAME, SERVER_VERSION } from '../../runtime/server.js';

const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo';
/** Where the SDK stamps the server's identity on every 2026-07-28 result (`SERVER_INFO_META_KEY`). */
const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';
const SERVER_INFO = { name: SERVER_NAME, version: SERVER_VERSION };
const INTERNAL_ERROR = -32603;

/** A canonical tools/call: what the direct path needs of it. */
export interface DirectCall {
  /** `modern`: MCP 2026-07-28, answered as JSON. `legacy`: a 2025 revision, answered as a one-event stream. */
  era: 'modern' | 'legacy';
  id: string | number;
  name: string;
  args: Record<string, unknown> | undefined;
}

/** As the SDK's codec tests an object (a parsed JSON body's objects all are plain). */
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return true;
}

const REQUEST_KEYS = ['jsonrpc', 'id', 'method', 'params'] as const;
const PARAMS_KEYS = ['name', 'arguments', '_meta'] as const;
const ENVELOPE_KEYS = [PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY] as const;
const CLIENT_INFO_KEYS = ['name', 'version', 'title'] as const;
const LEGACY_PARAMS_KEYS = ['name', 'arguments'] as const;
/**
 * The 2025 revisions whose stateless answer to a tools/call the direct path gives (test/service/direct-call.test.ts
 * compares each with the SDK's); an older one (2025-03-26, 2024-11-05) goes to the SDK.
 */
const LEGACY_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18'];

/**
 * The JSON-RPC envelope both eras share: a tools/call request of only the standard keys, a string or safe-integer id,
 * and params that are an object of only `paramsKeys`; else `undefined` (the SDK serves it).
 */
function envelopeOf(
  body: unknown,
  paramsKeys: readonly string[],
): { id: string | number; params: Record<string, unknown> } | undefined {
  if (!isPlainObject(body) || !onlyKeys(body, REQUEST_KEYS)) return undefined;
  if (body.jsonrpc !== '2.0' || body.method !== 'tools/call') return undefined;
  const id = body.id;
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)))) return undefined;
  const params = body.params;
  if (!isPlainObject(params) || !onlyKeys(params, paramsKeys)) return undefined;
  return { id, params };
}

/**
 * The call when `req` is a canonical MCP 2026-07-28 tools/call, else `undefined` (the SDK serves it). Canonical: a
 * JSON POST with the standard headers agreeing with the body (`MCP-Protocol-Version: 2026-07-28`, `Mcp-Method:
 * tools/call`, `Mcp-Name` the tool's name, plainly), a string or integer id, params of only `name`, `arguments` (an
 * object) and a `_meta` envelope of only the protocol version, client info (name, version, title as strings) and
 * client capabilities whose entries are all empty objects (so no Tasks extension, no progress token).
 */
export function directCallOf(req: Request): DirectCall | undefined {
  if (req.method !== 'POST') return undefined;
  const h = req.headers;
  if (h['content-type'] !== 'application/json') return undefined;
  const version = h['mcp-protocol-version'];
  if (typeof version === 'string' && LEGACY_VERSIONS.includes(version)) return legacyCallOf(req);
  if (version !== MODERN_PROTOCOL_VERSION || h['mcp-method'] !== 'tools/call') return undefined;
  const call = envelopeOf(req.body, PARAMS_KEYS);
  if (!call) return undefined;
  const { id, params } = call;
  const { name, arguments: args, _meta: meta } = params;
  if (typeof name !== 'string' || name === '' || h['mcp-name'] !== name) return undefined;
  if (args !== undefined && !isPlainObject(args)) return undefined;
  if (!isPlainObject(meta) || !onlyKeys(meta, ENVELOPE_KEYS)) return undefined;
  if (meta[PROTOCOL_VERSION_META_KEY] !== MODERN_PROTOCOL_VERSION) return undefined;
  const caps = meta[CLIENT_CAPABILITIES_META_KEY];
  if (!isPlainObject(caps)) return undefined;
  for (const k in caps) {
    const v = caps[k];
    if (!isPlainObject(v) || Object.keys(v).length) return undefined;
  }
  const info = meta[CLIENT_INFO_META_KEY];
  if (info !== undefined) {
    if (!isPlainObject(info) || !onlyKeys(info, CLIENT_INFO_KEYS)) return undefined;
    if (typeof info.name !== 'string' || typeof info.version !== 'string') return undefined;
    if (info.title !== undefined && typeof info.title !== 'string') return undefined;
  }
  return { era: 'modern', id, name, args: args as Record<string, unknown> | undefined };
}

/**
 * A canonical 2025-era tools/call on the stateless endpoint (its `MCP-Protocol-Version` header already checked): an
 * Accept of both JSON and event streams (else the SDK's 406), no session id, none of the 2026-07-28 headers, and
 * params of only `name` and an `arguments` object (no `_meta`: no progress token; no `task`).
 */
function legacyCallOf(req: Request): DirectCall | undefined {
  const h = req.headers;
  const accept = h.accept;
  if (typeof accept !== 'string' || !accept.includes('application/json') || !accept.includes('text/event-stream'))
    return undefined;
  if (h['mcp-session-id'] !== undefined || h['mcp-method'] !== undefined || h['mcp-name'] !== undefined)
    return undefined;
  const call = envelopeOf(req.body, LEGACY_PARAMS_KEYS);
  if (!call) return undefined;
  const { id, params } = call;
  const { name, arguments: args } = params;
  if (typeof name !== 'string' || name === '') return undefined;
  if (args !== undefined && !isPlainObject(args)) return undefined;
  return { era: 'legacy', id, name, args: args as Record<string, unknown> | undefined };
}

export interface DirectCallOptions {
  /** Ends when the client goes away or a later POST's `notifications/cancelled` names the request. */
  signal: AbortSignal;
  /** An answer over this many bytes of JSON becomes an error naming the cap (as `capResponses` does). */
  maxResponseBytes?: number;
  onCapped?: (bytes: number) => void;
}

/**
 * Runs the call and writes the answer the SDK would: the result stamped as the 2026-07-28 codec does (`resultType`,
 * the server's identity in `_meta`), as one JSON body. A cancelled call is answered 499 with no body, at once.
 */
export async function serveDirectCall(
  res: ServerResponse,
  tools: ExposedTools,
  call: DirectCall,
  options: DirectCallOptions,
): Promise<void> {
  const { signal } = options;
  let message: Record<string, unknown>;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const outcome = await Promise.race([tools.callTool(call.name, call.args, { signal }), aborted]);
    if (outcome === 'aborted') {
      cancelled(res, call);
      return;
    }
    const result = outcome as Record<string, unknown>;
    message = { result: call.era === 'modern' ? stampResult(result) : result, jsonrpc: '2.0', id: call.id };
  } catch (err) {
    // `callTool` never throws by contract; if it does, the SDK's answer for a throwing handler.
    const e = err as { code?: unknown; message?: string; data?: unknown };
    message = {
      jsonrpc: '2.0',
      id: call.id,
      error: {
        code: Number.isSafeInteger(e?.code) ? e.code : INTERNAL_ERROR,
        message: e?.message ?? 'Internal error',
        ...(e?.data !== undefined ? { data: e.data } : {}),
      },
    };
  }
  if (signal.aborted) {
    cancelled(res, call);
    return;
  }
  let body = JSON.stringify(message);
  const max = options.maxResponseBytes;
  if (max) {
    const bytes = Buffer.byteLength(body);
    if (bytes > max) {
      options.onCapped?.(bytes);
      body = JSON.stringify({
        jsonrpc: '2.0',
        id: call.id,
        error: {
          code: INTERNAL_ERROR,
          message: `The answer (${bytes} bytes) is over this service's response cap of ${max} bytes; ask for less (a smaller limit, fewer fields, a narrower scope)`,
        },
      });
    }
  }
  if (call.era === 'modern') write(res, 200, body);
  else writeEvent(res, body);
}

/** What the SDK answers a request cancelled before its result: 499 with no body (2026-07-28), an empty stream (2025). */
function cancelled(res: ServerResponse, call: DirectCall): void {
  if (call.era === 'modern') write(res, 499, undefined);
  else writeEvent(res, undefined);
}

/** The headers the SDK's Streamable HTTP transport answers a 2025-era request's event stream with. */
const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** The answer as the one event of a stream (the SDK's 2025-era stateless answer), or the stream empty. */
function writeEvent(res: ServerResponse, body: string | undefined): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(200, EVENT_STREAM_HEADERS);
  res.end(body === undefined ? undefined : `event: message\ndata: ${body}\n\n`);
}

/** The 2026-07-28 codec's stamps on a tools/call result: `resultType` when absent, the server's identity in `_meta`. */
function stampResult(result: Record<string, unknown>): Record<string, unknown> {
  let out = result.resultType === undefined ? { ...result, resultType: 'complete' } : result;
  const meta = out._meta;
  if (meta === undefined) out = { ...out, _meta: { [SERVER_INFO_META_KEY]: SERVER_INFO } };
  else if (isPlainObject(meta) && meta[SERVER_INFO_META_KEY] === undefined)
    out = { ...out, _meta: { ...meta, [SERVER_INFO_META_KEY]: SERVER_INFO } };
  return out;
}

function write(res: ServerResponse, status: number, body: string | undefined): void {
  if (res.destroyed || res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}
