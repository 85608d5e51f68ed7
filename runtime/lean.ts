// What this server says about itself (name, version, instructions, capabilities, listings), and the few answers a
// stdio session's first messages get before the v2 SDK is loaded: `initialize` (+ `notifications/initialized`) and
// `tools/list` of a 2025 client, `server/discover` and `tools/list` of a 2026-07-28 one. Evaluating the SDK's
// message schemas is most of a stdio server's cold start; these answers need none of it. Everything else (and
// anything here that is not plainly valid) goes to the SDK, which then replays what was answered here to reach the
// same session state (stdio.ts). The shapes below are the SDK's, byte for byte: test/runtime/lean-stdio.test.ts
// sends the same messages through both paths and compares. No SDK import at run time, on purpose.

import { appResourcesOf } from './apps/index.js';
import type { ExposedTools } from './exposure/types.js';
import {
  CLIENT_CAPABILITIES_META_KEY,
  LEGACY_PROTOCOL_VERSIONS,
  MODERN_PROTOCOL_VERSION,
  PROTOCOL_VERSION_META_KEY,
  type RequestId,
  SERVER_INFO_META_KEY,
  type Tool,
} from './protocol.js';
import { TASKS_EXTENSION } from './tasks.js';

/** Reported to clients (`initialize`, `server/discover`); kept in step with package.json. */
export const SERVER_VERSION = '0.1.0';
export const SERVER_NAME = 'openai-mcp';

export const INSTRUCTIONS =
  'OpenAI REST API tools. Results include rate-limit state; this server never retries, so on HTTP 429 wait retry-after seconds.';

/** MCP 2026-07-28's cache hint on a list result (the SDK's `CacheHint`). */
export interface ListCacheHint {
  ttlMs: number;
  cacheScope: 'private' | 'public';
}

/**
 * How long a client may reuse a `tools/list` (and `server/discover`) answer when nothing says otherwise: a stdio
 * server's tools are fixed for its process, so only the process's end changes them.
 */
export const DEFAULT_LIST_CACHE_HINT: ListCacheHint = { ttlMs: 5 * 60_000, cacheScope: 'private' };

/** The capabilities a server built by server.ts declares (before Apps add `resources`). */
export function serverCapabilities(tasks: boolean): Record<string, object> {
  return {
    tools: {},
    // 2026-07-28 advertises the extension (server/discover); 2025-11-25 has a capability of its own.
    ...(tasks
      ? { extensions: { [TASKS_EXTENSION]: {} }, tasks: { cancel: {}, requests: { tools: { call: {} } } } }
      : {}),
  };
}

/** 2025-era listings mark the tools a client may run as tasks (`execution.taskSupport`); cached per tool set. */
const legacyListings = new WeakMap<ExposedTools, Tool[]>();
function legacyListing(tools: ExposedTools): Tool[] {
  let listed = legacyListings.get(tools);
  if (!listed) {
    listed = tools
      .listTools()
      .map((t) => (tools.taskEligible?.(t.name, undefined) ? { ...t, execution: { taskSupport: 'optional' } } : t));
    legacyListings.set(tools, listed);
  }
  return listed;
}

/** The `tools/list` entries of a server built by server.ts, for a request of either era. */
export function toolListing(tools: ExposedTools, { tasks, modern }: { tasks: boolean; modern: boolean }): Tool[] {
  return tasks && !modern ? legacyListing(tools) : tools.listTools();
}

export interface LeanOptions {
  /** Whether the server serves tasks (server.ts `ServeOptions.tasks`). */
  tasks: boolean;
  cacheHint?: ListCacheHint;
}

/** A JSON-RPC success response, members in the order the SDK writes them. */
export interface LeanReply {
  result: Record<string, unknown>;
  jsonrpc: '2.0';
  id: RequestId;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Json, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));

/** Capabilities as clients send them: nested objects, `listChanged`/`subscribe` flags. Anything else: the SDK. */
function plainCapabilities(v: unknown, depth = 0): boolean {
  if (!isObject(v) || depth > 4) return false;
  return Object.entries(v).every(([k, x]) =>
    typeof x === 'boolean' ? k === 'listChanged' || k === 'subscribe' : plainCapabilities(x, depth + 1),
  );
}

const INFO_KEYS = ['name', 'version', 'title', 'description', 'websiteUrl'];
function plainClientInfo(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    typeof v.version === 'string' &&
    Object.entries(v).every(([k, x]) => INFO_KEYS.includes(k) && typeof x === 'string')
  );
}

const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo';
const ENVELOPE_KEYS = [PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY];

/** A 2026-07-28 request's params with nothing but a complete, plainly valid envelope. */
function plainEnvelope(params: unknown): boolean {
  if (!isObject(params) || !onlyKeys(params, ['_meta'])) return false;
  const meta = params._meta;
  return (
    isObject(meta) &&
    onlyKeys(meta, ENVELOPE_KEYS) &&
    meta[PROTOCOL_VERSION_META_KEY] === MODERN_PROTOCOL_VERSION &&
    plainCapabilities(meta[CLIENT_CAPABILITIES_META_KEY]) &&
    (meta[CLIENT_INFO_META_KEY] === undefined || plainClientInfo(meta[CLIENT_INFO_META_KEY]))
  );
}

const noParams = (params: unknown) => params === undefined || (isObject(params) && Object.keys(params).length === 0);

/**
 * Answers a stdio session's opening messages as the SDK would, for as long as they are ones it knows. `answer`
 * returns the reply (or `null` for a notification taken in), or `undefined` for a message it leaves to the SDK;
 * after the first `undefined` the caller sends everything to the SDK.
 */
export class LeanAnswers {
  private era?: 'legacy' | 'modern';
  private readonly hint: ListCacheHint;

  constructor(
    private readonly tools: ExposedTools,
    private readonly options: LeanOptions,
  ) {
    this.hint = options.cacheHint ?? DEFAULT_LIST_CACHE_HINT;
  }

  answer(message: unknown): LeanReply | null | undefined {
    if (!isObject(message) || message.jsonrpc !== '2.0' || !onlyKeys(message, ['jsonrpc', 'id', 'method', 'params']))
      return undefined;
    const { id, method, params } = message;
    if (params !== undefined && !isObject(params)) return undefined;
    if (id === undefined) {
      return this.era === 'legacy' && method === 'notifications/initialized' && noParams(params) ? null : undefined;
    }
    if (!(typeof id === 'string' || Number.isSafeInteger(id))) return undefined;
    const reply = (result: Json): LeanReply => ({ result, jsonrpc: '2.0', id: id as RequestId });
    if (this.era === undefined && method === 'initialize') {
      const p = params ?? {};
      const version = p.protocolVersion;
      if (
        !onlyKeys(p, ['protocolVersion', 'capabilities', 'clientInfo']) ||
        typeof version !== 'string' ||
        !LEGACY_PROTOCOL_VERSIONS.includes(version) ||
        !plainCapabilities(p.capabilities) ||
        !plainClientInfo(p.clientInfo)
      )
        return undefined;
      this.era = 'legacy';
      return reply({
        protocolVersion: version,
        capabilities: this.capabilities(),
        serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
        instructions: INSTRUCTIONS,
      });
    }
    if (this.era === 'legacy' && method === 'tools/list' && noParams(params)) {
      return reply({ tools: toolListing(this.tools, { tasks: this.options.tasks, modern: false }) });
    }
    if (this.era !== 'legacy' && (method === 'server/discover' || method === 'tools/list') && plainEnvelope(params)) {
      this.era = 'modern';
      const { tasks: _legacyOnly, ...capabilities } = this.capabilities();
      const result =
        method === 'server/discover'
          ? { supportedVersions: [MODERN_PROTOCOL_VERSION], capabilities, instructions: INSTRUCTIONS }
          : { tools: toolListing(this.tools, { tasks: this.options.tasks, modern: true }) };
      return reply({
        ...result,
        resultType: 'complete',
        ttlMs: this.hint.ttlMs,
        cacheScope: this.hint.cacheScope,
        _meta: { [SERVER_INFO_META_KEY]: { name: SERVER_NAME, version: SERVER_VERSION } },
      });
    }
    return undefined;
  }

  private capabilities(): Record<string, object> {
    return { ...serverCapabilities(this.options.tasks), ...(appResourcesOf(this.tools) ? { resources: {} } : {}) };
  }
}
