// The call pipeline shared by every way of serving the tools (McpServer, low-level Server, someone else's
// handlers): filter → credentials → validation → encoding → one HTTP call → shaped, redacted result.

import { decodeArgForms } from './arg-forms.js';
import type { CallToolResult, Tool } from './protocol.js';
import { encodeRequest, ArgumentError } from './encode.js';
import {
  budgetSpentResult,
  invalidArgumentsResult,
  missingKeyResult,
  parseUpstreamError,
  redirectResult,
  transportErrorResult,
  unknownToolResult,
  upstreamErrorResult,
} from './errors.js';
import { execute, TransportError, type RawResponse } from './execute.js';
import { selectTools, type ToolFilter } from './filter.js';
import { describeRateLimits, RATE_LIMIT_META_KEY, readRateLimits, type RateLimitInfo } from './ratelimit.js';
import { OptionError } from './option-error.js';
import { makeRedactor, redactDeep } from './redact.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, shapeSuccess } from './results.js';
import type { CallContext } from './call-context.js';
import type { AuthKind, Catalog, ToolDef } from './contract/catalog.js';
import { ArgumentValidator, type ValidationSource } from './validation.js';
import { type PollOnce, runWait } from './wait.js';

/** Default OpenAI endpoint; override with `baseUrl` or `OPENAI_BASE_URL`. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_TEXT_CHARS = 100_000;
/** Keeps a binary result (base64 ≈ 5.4 MiB) well under the ~10 MiB line the SDK's stdio transports accept. */
export const DEFAULT_MAX_BINARY_BYTES = 4 * 1024 * 1024;

/** Explicit credentials; each falls back to its environment variable. */
export interface OpenAiCredentials {
  /** Project key for `auth: project` tools. Default: `OPENAI_API_KEY`. */
  apiKey?: string;
  /** Admin key for `auth: admin` tools (`/organization/...`). Default: `OPENAI_ADMIN_KEY`. */
  adminKey?: string;
  /** Sent as `OpenAI-Organization`. Default: `OPENAI_ORG_ID`. */
  organization?: string;
  /** Sent as `OpenAI-Project` on project-key calls. Default: `OPENAI_PROJECT_ID`. */
  project?: string;
}

/** Options shared by every entry point. Filters are checked eagerly: a bad value throws at construction. */
export interface OpenAiToolsOptions extends ToolFilter {
  credentials?: OpenAiCredentials;
  /** Default: `OPENAI_BASE_URL`, then `https://api.openai.com/v1`. */
  baseUrl?: string;
  /** Per-call limit including reading the body. Default 120 000 ms. */
  timeoutMs?: number;
  /** Largest upstream body read; larger ones are reported, not returned. Default 20 MiB. */
  maxResponseBytes?: number;
  /** Cap on the JSON/text shown to the model; longer pages are cut with a note. Default 100 000 characters. */
  maxTextChars?: number;
  /**
   * Largest binary result (image, audio, file content) returned inline, in decoded bytes; bigger ones are refused
   * with a note on how to download them. Default 4 MiB: over stdio, a reply past ~10 MiB ends the session.
   */
  maxBinaryBytes?: number;
  /** Sends every request (tests, proxies, instrumentation). Default: node:http(s), and the global fetch for multipart uploads. */
  fetch?: typeof fetch;
  /** Where credentials and `OPENAI_BASE_URL` are read from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Called with the HTTP status of every upstream response, in the calling tool's async context (audit logs, metrics). */
  onUpstreamStatus?: (status: number) => void;
  /** Tool catalog. Default: the generated one. */
  catalog?: Catalog;
  /** Full validation schemas. Default: `generated/validation.json`, loaded on the first call. */
  validation?: ValidationSource;
}

// In a module of its own so that wait.ts (which toolkit.ts calls) can name it without importing toolkit.ts back.
export type { CallContext };

/** The selected tools with their list and call operations bound to one configuration. */
export interface OpenAiToolkit {
  /** The selected tool definitions. */
  readonly tools: readonly ToolDef[];
  /** Tool entries for a `tools/list` answer (precomputed JSON Schemas; no zod involved). */
  listTools(): Tool[];
  /** Runs one tool; never throws, failures are `isError` results. */
  callTool(name: string, args: Record<string, unknown> | undefined, context?: CallContext): Promise<CallToolResult>;
  /**
   * Whether this call may run long (a wait tool, an upload of 1 MiB or more): served as a task to clients that take
   * tasks. Without `args`: whether the tool can ever be such a call.
   */
  taskEligible?(name: string, args: Record<string, unknown> | undefined): boolean;
}

/** File content (as sent, base64 or text) from which an upload runs as a task for clients that take tasks. */
export const LONG_UPLOAD_CHARS = 1024 * 1024;

/** Characters of file content in an upload's arguments (`{content}` objects, alone or in arrays). */
function fileChars(tool: ToolDef, args: Record<string, unknown>): number {
  let n = 0;
  for (const field of tool.http.body?.fileFields ?? []) {
    const value = args[field];
    for (const f of Array.isArray(value) ? value : [value]) {
      const content = (f as { content?: unknown } | null)?.content;
      if (typeof content === 'string') n += content.length;
    }
  }
  return n;
}

const ENV_FOR_AUTH: Record<AuthKind, string> = { project: 'OPENAI_API_KEY', admin: 'OPENAI_ADMIN_KEY' };
// Binary content carries base64 that could, by chance, look like a key; it is not text the model reads.
const BINARY_FIELDS = new Set(['data', 'blob']);

function nonEmpty(v: string | undefined): string | undefined {
  const trimmed = v?.trim();
  return trimmed ? trimmed : undefined;
}

/** The base URL, checked at start-up rather than on the first call. */
function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    const shown = baseUrl.slice(0, 200).replace(/\/\/[^/]*@/, '//[REDACTED]@');
    throw new OptionError('invalid_url', 'baseUrl', `The base URL is not a valid URL: ${JSON.stringify(shown)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OptionError('invalid_url', 'baseUrl', `The base URL must be http(s), got ${url.protocol}`);
  }
  if (url.username || url.password) {
    // Said without echoing them: the message goes to logs. The key goes in the Authorization header, never the URL.
    throw new OptionError(
      'credentials_in_url',
      'baseUrl',
      'The base URL must not contain credentials (user:password@); put the key in OPENAI_API_KEY instead.',
    );
  }
  return baseUrl;
}

function toMcpTool(t: ToolDef): Tool {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema as Tool['inputSchema'],
    annotations: { ...t.annotations },
  };
}

/** Builds a toolkit over `options.catalog` (required here; the public entry point supplies the generated one). */
export function createToolkit(options: OpenAiToolsOptions & { catalog: Catalog }): OpenAiToolkit {
  const tools = selectTools(options.catalog, options);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const env = options.env ?? process.env;
  const creds = {
    project: nonEmpty(options.credentials?.apiKey ?? env.OPENAI_API_KEY),
    admin: nonEmpty(options.credentials?.adminKey ?? env.OPENAI_ADMIN_KEY),
    organization: nonEmpty(options.credentials?.organization ?? env.OPENAI_ORG_ID),
    projectId: nonEmpty(options.credentials?.project ?? env.OPENAI_PROJECT_ID),
  };
  const baseUrl = checkBaseUrl(nonEmpty(options.baseUrl) ?? nonEmpty(env.OPENAI_BASE_URL) ?? DEFAULT_BASE_URL);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  const maxBinaryChars = Math.ceil((options.maxBinaryBytes ?? DEFAULT_MAX_BINARY_BYTES) / 3) * 4;
  const fetchImpl = options.fetch;
  const validator = new ArgumentValidator(options.validation);
  const redact = makeRedactor([creds.project, creds.admin]);
  let listed: Tool[] | undefined;

  const redactResult = (r: CallToolResult): CallToolResult => ({
    ...r,
    content: r.content.map((c) => redactDeep(c, redact, BINARY_FIELDS)),
    ...(r.structuredContent ? { structuredContent: redactDeep(r.structuredContent, redact) } : {}),
  });

  const progress = (ctx: CallContext | undefined, value: number, message: string) => {
    const token = ctx?._meta?.progressToken;
    if (token === undefined || !ctx?.sendNotification) return;
    ctx
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: value, total: 2, message },
      })
      .catch(() => {});
  };

  const withRateLimits = (r: CallToolResult, info: RateLimitInfo | undefined): CallToolResult => {
    if (!info) return r;
    return {
      ...r,
      content: [...r.content, { type: 'text', text: describeRateLimits(info) }],
      _meta: { ...r._meta, [RATE_LIMIT_META_KEY]: info },
    };
  };

  /** `observe` sees the raw response (the wait executor reads the status even when the result is cut to the cap). */
  async function run(
    tool: ToolDef,
    given: Record<string, unknown>,
    ctx?: CallContext,
    observe?: (raw: RawResponse) => void,
  ): Promise<CallToolResult> {
    // Validation first: a missing key must not hide what is wrong with the arguments.
    // Loaded on first need, so start-up does not pay for the date library.
    const timeInput = tool.timeArgs ? await import('./timeinput.js') : undefined;
    // Strict hosts' forms (JSON text for open objects, nulls for "not given") first: they stand for the spec's values.
    const forms = decodeArgForms(tool, given);
    const times = timeInput?.resolveTimeArgs(tool, forms.args) ?? { args: forms.args, issues: [], resolved: undefined };
    const args = times.args;
    // Every issue at once: a time that cannot be read is reported as such, not again as "must be integer".
    const timePaths = new Set([...forms.issues, ...times.issues].map((i) => i.path));
    const issues = [
      ...forms.issues,
      ...times.issues,
      ...(await validator.validate(tool, args, redact)).filter(
        (i) => !timePaths.has(i.path) && ![...timePaths].some((p) => i.path.startsWith(`${p}.`)),
      ),
    ];
    if (issues.length) return invalidArgumentsResult(tool.name, issues, redact);
    const refused = tool.precheck ? (await import('./precheck.js')).precheckUpload(tool, args) : undefined;
    if (refused) return refused;

    const key = tool.http.auth === 'admin' ? creds.admin : creds.project;
    if (!key) return missingKeyResult(tool.name, ENV_FOR_AUTH[tool.http.auth]);

    let req: ReturnType<typeof encodeRequest>;
    try {
      req = encodeRequest(tool, args, baseUrl);
    } catch (err) {
      if (err instanceof ArgumentError)
        return invalidArgumentsResult(tool.name, [{ path: err.path, message: err.message }], redact);
      throw err;
    }
    req.headers.authorization = `Bearer ${key}`;
    req.headers.accept ??= tool.http.response === 'json' ? 'application/json' : '*/*';
    req.headers['user-agent'] = 'openai-mcp-kit';
    if (creds.organization) req.headers['openai-organization'] = creds.organization;
    // A project id narrows project-key calls; admin endpoints are organization-wide.
    if (creds.projectId && tool.http.auth === 'project') req.headers['openai-project'] = creds.projectId;

    progress(ctx, 0, `${req.method} ${tool.http.path}`);
    // A caller taking whole results never has more read and parsed for it than it takes.
    const readLimit = ctx?.wholeResult ? Math.min(maxResponseBytes, ctx.wholeResult.maxBytes) : maxResponseBytes;
    let raw: Awaited<ReturnType<typeof execute>>;
    try {
      raw = await execute(req, {
        fetch: fetchImpl,
        timeoutMs,
        maxResponseBytes: readLimit,
        signal: ctx?.signal,
        onResponse: (status) => {
          options.onUpstreamStatus?.(status);
          ctx?.onUpstreamStatus?.(status);
          progress(ctx, 1, `HTTP ${status}`);
        },
      });
    } catch (err) {
      if (err instanceof TransportError) return transportErrorResult(err.kind, err.message);
      return transportErrorResult('network', `Request failed: ${String((err as Error)?.message ?? err)}`);
    }
    observe?.(raw);
    const rateLimits = readRateLimits(raw.headers);
    if (raw.status >= 300 && raw.status < 400)
      return withRateLimits(redirectResult(raw.status, raw.headers.get('location'), redact), rateLimits);
    if (raw.status >= 400 || raw.status < 200) {
      const text = new TextDecoder().decode(raw.bytes);
      const body = raw.truncated ? `(error body over ${readLimit} bytes)` : text;
      const requestId = raw.headers.get('x-request-id');
      return withRateLimits(
        upstreamErrorResult(parseUpstreamError(raw.status, raw.statusText, body, redact, requestId), rateLimits),
        rateLimits,
      );
    }
    const shaped = withRateLimits(
      shapeSuccess(tool, raw, {
        maxTextChars,
        maxResponseBytes: readLimit,
        maxBinaryChars,
        url: req.url,
        redact,
        wholeBytes: ctx?.wholeResult?.maxBytes,
      }),
      rateLimits,
    );
    return timeInput ? timeInput.echoResolved(shaped, times.resolved) : shaped;
  }

  return {
    tools,
    listTools() {
      listed ??= tools.map(toMcpTool);
      return listed;
    },
    taskEligible(name, args) {
      const tool = byName.get(name);
      if (!tool) return false;
      if (tool.wait) return true;
      // Without arguments: whether the tool can ever be long (it uploads files).
      if (args === undefined) return (tool.http.body?.fileFields.length ?? 0) > 0;
      return fileChars(tool, args) >= LONG_UPLOAD_CHARS;
    },
    async callTool(name, args, ctx) {
      const tool = byName.get(name);
      if (!tool) return unknownToolResult(name, redact);
      if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
        return invalidArgumentsResult(name, [{ path: '(arguments)', message: 'must be an object' }], redact);
      }
      // Validation, encoding and redaction recurse; a 200k-level argument must be refused, not overflow the stack.
      if (args && nestsDeeperThan(args, MAX_JSON_DEPTH)) {
        return invalidArgumentsResult(
          name,
          [{ path: '(arguments)', message: `nest deeper than ${MAX_JSON_DEPTH} levels` }],
          redact,
        );
      }
      try {
        // A wait tool polls through `run` without the caller's progress token: progress is the wait's own. Polls
        // after the first are metered like calls when the caller meters them.
        let polls = 0;
        const poll: PollOnce = async (a, observe) => {
          const refused = polls++ > 0 ? ctx?.meterRequest?.() : undefined;
          if (refused) return budgetSpentResult(refused);
          return run(tool, a, { signal: ctx?.signal, wholeResult: ctx?.wholeResult }, observe);
        };
        const result = tool.wait ? await runWait(tool, args ?? {}, ctx, poll) : await run(tool, args ?? {}, ctx);
        return redactResult(result);
      } catch (err) {
        // A bug here must not crash a stdio server shared by other tools.
        return redactResult(
          transportErrorResult('internal', `Internal error in ${name}: ${String((err as Error)?.message ?? err)}`),
        );
      }
    },
  };
}
