// Every failure becomes an `isError` tool result the model can act on; nothing here throws, so one bad
// call never takes the server down. Messages say what to change, not just what went wrong.

import { type ToolError, toolErrorResult, type UpstreamErrorFields } from './contract/errors.js';
import type { CallToolResult } from './protocol.js';
import type { RateLimitInfo } from './ratelimit.js';
import { cutText } from './redact.js';
import type { ArgumentIssue } from './validation.js';

/** OpenAI's error object (`{"error": {...}}` in the body), normalized. */
export interface UpstreamError {
  status: number;
  type?: string;
  code?: string;
  message: string;
  param?: string;
  /** OpenAI's `x-request-id`, which its support asks for; as openai-node's `APIError.request_id`. */
  requestId?: string;
}

/** Longest upstream error message passed on (after redaction): OpenAI's own are a few hundred characters. */
export const MAX_MESSAGE_CHARS = 2000;
/** Longest echoed name (tool, argument, error type/code/param): a 9 MB argument name must not come back whole. */
export const MAX_NAME_CHARS = 200;
/** Most argument issues listed in one result. */
const MAX_ISSUES = 20;

type Redact = (text: string) => string;

const errorResult = (text: string, error: ToolError): CallToolResult => toolErrorResult(text, error);

/**
 * Same answer for hidden and nonexistent tools, so filters cannot be probed: `closest` may only name tools in scope.
 * `hint` says where to look (tools/list in `all` mode; the meta-tools' own search otherwise).
 */
export function unknownToolResult(
  name: string,
  redact: Redact = (t) => t,
  closest: readonly string[] = [],
  hint = 'Call tools/list to see the available tools.',
): CallToolResult {
  const near = closest.length ? ` Closest names: ${closest.join(', ')}.` : '';
  const message = `Unknown tool: ${JSON.stringify(cutText(redact(String(name)), MAX_NAME_CHARS))}`;
  return errorResult(`${message}.${near} ${hint}`, {
    type: 'unknown_tool',
    message,
    ...(closest.length ? { closest: [...closest] } : {}),
  });
}

/** A request the caller's own budget refused (code mode's per-run call limit), with no request sent. */
export function budgetSpentResult(message: string): CallToolResult {
  return errorResult(message, { type: 'call_limit', message });
}

export function missingKeyResult(tool: string, envVar: string): CallToolResult {
  const message = `Missing credentials: ${tool} needs the ${envVar} environment variable (or the matching credentials option)`;
  return errorResult(`${message}. No request was sent.`, { type: 'missing_credentials', message, env_var: envVar });
}

export function invalidArgumentsResult(
  tool: string,
  issues: readonly ArgumentIssue[],
  redact: Redact = (t) => t,
): CallToolResult {
  // Argument names and messages echo what the caller sent; both are redacted, then cut so the answer stays small.
  const shown = issues.slice(0, MAX_ISSUES).map((i) => ({
    path: cutText(redact(i.path), MAX_NAME_CHARS),
    message: cutText(redact(i.message), MAX_MESSAGE_CHARS),
  }));
  const lines = shown.map((i) => `- ${i.path}: ${i.message}`);
  if (issues.length > shown.length) lines.push(`- ... and ${issues.length - shown.length} more`);
  return errorResult(`Invalid arguments for ${tool} (no request was sent):\n${lines.join('\n')}`, {
    type: 'invalid_arguments',
    issues: shown,
  });
}

export function transportErrorResult(
  kind: 'timeout' | 'network' | 'cancelled' | 'internal',
  message: string,
): CallToolResult {
  const hint =
    kind === 'timeout'
      ? " The request may still complete on OpenAI's side; check before repeating a write."
      : kind === 'network'
        ? ' No response was received.'
        : '';
  return errorResult(`${message}.${hint}`, { type: kind, message });
}

/** A field of OpenAI's error object as text: strings as-is, anything else as JSON (never `[object Object]`). */
function fieldText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    // Too deep or cyclic to print; say so rather than fail the call.
    return `(unprintable ${Array.isArray(v) ? 'array' : typeof v})`;
  }
}

/**
 * Parses `{"error": {...}}`, falling back to the raw body text. Every field is redacted, then cut: a key that
 * straddles the cut would otherwise survive minus its last characters.
 */
export function parseUpstreamError(
  status: number,
  statusText: string,
  bodyText: string,
  redact: Redact,
  requestId?: string | null,
): UpstreamError {
  const short = (v: unknown, max: number) => {
    const t = fieldText(v);
    return t === undefined ? undefined : cutText(redact(t), max);
  };
  const parsed = parseErrorBody(status, statusText, bodyText, short);
  const id = requestId ? short(requestId, MAX_NAME_CHARS) : undefined;
  return id ? { ...parsed, requestId: id } : parsed;
}

function parseErrorBody(
  status: number,
  statusText: string,
  bodyText: string,
  short: (v: unknown, max: number) => string | undefined,
): UpstreamError {
  const fallback = statusText || 'no body';
  try {
    const parsed = JSON.parse(bodyText) as { error?: unknown };
    const e = parsed?.error;
    if (e && typeof e === 'object' && !Array.isArray(e)) {
      const o = e as Record<string, unknown>;
      return {
        status,
        type: short(o.type, MAX_NAME_CHARS),
        code: short(o.code, MAX_NAME_CHARS),
        param: short(o.param, MAX_NAME_CHARS),
        message: short(o.message, MAX_MESSAGE_CHARS) || fallback,
      };
    }
    if (typeof e === 'string') return { status, message: short(e, MAX_MESSAGE_CHARS) || fallback };
  } catch {
    // Not JSON (proxy pages, plain text): show it as text below.
  }
  const text = bodyText.trim();
  return { status, message: text ? short(text, MAX_MESSAGE_CHARS)! : fallback };
}

const STATUS_HINTS: Record<number, string> = {
  401: 'Check that the API key is valid and belongs to the right organization/project.',
  403: 'The key lacks permission for this operation (admin endpoints need an admin key; project keys may be restricted).',
  404: 'The resource does not exist or is not visible to this key/project.',
  429: 'Rate limit or quota exceeded. This server does not retry: wait at least retry-after seconds before calling again.',
};

export function upstreamErrorResult(err: UpstreamError, rateLimits?: RateLimitInfo): CallToolResult {
  const meta = [
    err.type && `type=${err.type}`,
    err.code && `code=${err.code}`,
    err.param && `param=${err.param}`,
  ].filter(Boolean);
  const retry =
    err.status === 429 && rateLimits?.['retry-after'] !== undefined ? ` retry-after=${rateLimits['retry-after']}s` : '';
  const hint =
    STATUS_HINTS[err.status] ?? (err.status >= 500 ? 'OpenAI had a server error; the call was not retried.' : '');
  const requestId = err.requestId ? `\nRequest id: ${err.requestId}` : '';
  const text = `OpenAI API error: HTTP ${err.status}${meta.length ? ` (${meta.join(', ')})` : ''}${retry}: ${err.message}${hint ? `\n${hint}` : ''}${requestId}`;
  const upstream: UpstreamErrorFields = {
    status: err.status,
    type: err.type ?? null,
    code: err.code ?? null,
    param: err.param ?? null,
  };
  if (err.requestId) upstream.request_id = err.requestId;
  if (err.status === 429) upstream.retry_after = rateLimits?.['retry-after'] ?? null;
  return errorResult(text, { type: 'upstream', message: err.message, upstream });
}

/**
 * A 3xx from upstream. Redirects are never followed: following one would send the key (same origin) or the
 * organization/project headers and an uploaded file (other origin) wherever the answer points.
 */
export function redirectResult(status: number, location: string | null, redact: Redact): CallToolResult {
  const where = location ? cutText(redact(location), MAX_MESSAGE_CHARS) : null;
  return errorResult(
    `OpenAI answered HTTP ${status} redirecting to ${where ? JSON.stringify(where) : '(no Location header)'}; redirects are not followed, so nothing was sent there. Check the base URL.`,
    { type: 'redirect', status, location: where },
  );
}

/** Something of ours threw while serving `name`; answered, never thrown into the transport. */
export function internalErrorResult(name: string, err: unknown): CallToolResult {
  const message = `Internal error in ${name}: ${String((err as Error)?.message ?? err)}`;
  return errorResult(message, { type: 'internal', message });
}
