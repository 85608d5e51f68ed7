// Every failure becomes an `isError` tool result the model can act on; nothing here throws, so one bad
// call never takes the server down. Messages say what to change, not just what went wrong.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RateLimitInfo } from './ratelimit.js';
import type { ArgumentIssue } from './validation.js';

/** OpenAI's error object (`{"error": {...}}` in the body), normalized. */
export interface UpstreamError {
  status: number;
  type?: string;
  code?: string;
  message: string;
  param?: string;
}

function errorResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text }], isError: true };
  if (structured) result.structuredContent = structured;
  return result;
}

/** Same answer for hidden and nonexistent tools, so filters cannot be probed. */
export function unknownToolResult(name: string): CallToolResult {
  return errorResult(`Unknown tool: ${JSON.stringify(name)}. Call tools/list to see the available tools.`);
}

export function missingKeyResult(tool: string, envVar: string): CallToolResult {
  return errorResult(
    `Missing credentials: ${tool} needs the ${envVar} environment variable (or the matching credentials option). No request was sent.`,
  );
}

export function invalidArgumentsResult(tool: string, issues: readonly ArgumentIssue[]): CallToolResult {
  const lines = issues.map((i) => `- ${i.path}: ${i.message}`);
  return errorResult(`Invalid arguments for ${tool} (no request was sent):\n${lines.join('\n')}`, {
    error: { type: 'invalid_arguments', issues: issues.map((i) => ({ ...i })) },
  });
}

export function transportErrorResult(kind: string, message: string): CallToolResult {
  const hint = kind === 'timeout'
    ? ' The request may still complete on OpenAI\'s side; check before repeating a write.'
    : kind === 'network' ? ' No response was received.' : '';
  return errorResult(`${message}.${hint}`, { error: { type: kind, message } });
}

/** Parses `{"error": {...}}`, falling back to the raw body text. */
export function parseUpstreamError(status: number, statusText: string, bodyText: string): UpstreamError {
  try {
    const parsed = JSON.parse(bodyText) as { error?: unknown };
    const e = parsed?.error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
      return { status, type: str(o.type), code: str(o.code), param: str(o.param), message: str(o.message) ?? statusText };
    }
    if (typeof e === 'string') return { status, message: e };
  } catch {
    // Not JSON (proxy pages, plain text): show it as-is below.
  }
  const text = bodyText.trim();
  return { status, message: text ? (text.length > 2000 ? `${text.slice(0, 2000)}…` : text) : statusText || 'no body' };
}

const STATUS_HINTS: Record<number, string> = {
  401: 'Check that the API key is valid and belongs to the right organization/project.',
  403: 'The key lacks permission for this operation (admin endpoints need an admin key; project keys may be restricted).',
  404: 'The resource does not exist or is not visible to this key/project.',
  429: 'Rate limit or quota exceeded. This server does not retry: wait at least retry-after seconds before calling again.',
};

export function upstreamErrorResult(err: UpstreamError, rateLimits?: RateLimitInfo): CallToolResult {
  const meta = [err.type && `type=${err.type}`, err.code && `code=${err.code}`, err.param && `param=${err.param}`].filter(Boolean);
  const retry = err.status === 429 && rateLimits?.['retry-after'] !== undefined ? ` retry-after=${rateLimits['retry-after']}s` : '';
  const hint = STATUS_HINTS[err.status] ?? (err.status >= 500 ? 'OpenAI had a server error; the call was not retried.' : '');
  const text = `OpenAI API error: HTTP ${err.status}${meta.length ? ` (${meta.join(', ')})` : ''}${retry}: ${err.message}${hint ? `\n${hint}` : ''}`;
  const error: Record<string, unknown> = { status: err.status, type: err.type ?? null, code: err.code ?? null, message: err.message, param: err.param ?? null };
  if (err.status === 429) error['retry-after'] = rateLimits?.['retry-after'] ?? null;
  return errorResult(text, { error });
}
