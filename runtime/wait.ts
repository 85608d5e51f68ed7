// The executor behind `wait_for_…` tools: poll the resource's get endpoint until its status is terminal, the time
// budget is spent, or the client cancels. A timeout is an answer ("still running, call again"), not an error;
// an upstream error is an error. Each poll goes through the toolkit's normal call pipeline.

import type { ToolDef } from './contract/catalog.js';
import { toolErrorResult } from './contract/errors.js';
import type { WaitResult } from './contract/pages.js';
import { BACKOFF_CAP, BACKOFF_FACTOR, WAIT_INTERVAL, WAIT_TIMEOUT } from './contract/wait.js';
import type { CallToolResult } from './protocol.js';
import type { RawResponse } from './execute.js';
import type { CallContext } from './call-context.js';

export { BACKOFF_CAP, BACKOFF_FACTOR } from './contract/wait.js';

/**
 * One GET of the resource through the toolkit (validation, auth, limits, redaction), without progress of its own;
 * `observe` receives the raw response.
 */
export type PollOnce = (args: Record<string, unknown>, observe: (raw: RawResponse) => void) => Promise<CallToolResult>;

/** The polled object: the shaped result, or, when that was cut to the size cap, the raw JSON body. */
function objectOf(r: CallToolResult, raw: RawResponse | undefined): { obj?: Record<string, unknown>; cut: boolean } {
  if (r.structuredContent) return { obj: r.structuredContent as Record<string, unknown>, cut: false };
  if (!raw || raw.truncated) return { cut: true };
  try {
    const body = JSON.parse(new TextDecoder().decode(raw.bytes)) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body)
      ? { obj: body as Record<string, unknown>, cut: true }
      : { cut: true };
  } catch {
    return { cut: true };
  }
}

function schemaDefault(tool: ToolDef, arg: string): number | undefined {
  const prop = (tool.inputSchema.properties as Record<string, { default?: unknown }> | undefined)?.[arg];
  return typeof prop?.default === 'number' ? prop.default : undefined;
}

/** Resolves after `ms`, or at once (false) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function figures(obj: Record<string, unknown>, fields: string[]): string {
  return fields
    .filter((f) => obj[f] !== undefined && obj[f] !== null)
    .map((f) => `${f}=${typeof obj[f] === 'object' ? JSON.stringify(obj[f]) : String(obj[f])}`)
    .join(', ');
}

function cancelled(): CallToolResult {
  return toolErrorResult('The wait was cancelled by the client; no further requests were sent.', {
    type: 'cancelled',
    message: 'The wait was cancelled by the client',
  });
}

/** The delays between polls, in ms: the first interval, growing by BACKOFF_FACTOR up to the cap. */
export function backoff(intervalSeconds: number): (pollsDone: number) => number {
  const cap = Math.min(60, intervalSeconds * BACKOFF_CAP);
  return (n) => Math.min(cap, intervalSeconds * BACKOFF_FACTOR ** Math.max(0, n - 1)) * 1000;
}

export async function runWait(
  tool: ToolDef,
  args: Record<string, unknown>,
  ctx: CallContext | undefined,
  poll: PollOnce,
): Promise<CallToolResult> {
  const wait = tool.wait!;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const timeoutSeconds = num(
    args.timeout_seconds,
    ctx?.waitSeconds ?? schemaDefault(tool, 'timeout_seconds') ?? WAIT_TIMEOUT.default,
  );
  const intervalSeconds = num(
    args.poll_interval_seconds,
    schemaDefault(tool, 'poll_interval_seconds') ?? WAIT_INTERVAL.default,
  );
  const delay = backoff(intervalSeconds);
  const signal = ctx?.signal;
  const token = ctx?._meta?.progressToken;
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  let polls = 0;

  // Awaited so the last notification is on the wire before the result: clients drop progress for finished requests.
  const report = async (message: string) => {
    if (token === undefined || !ctx?.sendNotification) return;
    await ctx
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: polls, message },
      })
      .catch(() => {});
  };

  for (;;) {
    if (signal?.aborted) return cancelled();
    let raw: RawResponse | undefined;
    const r = await poll(args, (x) => (raw = x));
    if (signal?.aborted) return cancelled();
    // Invalid arguments, missing key, upstream errors: the caller must act, so they come back as they are.
    if (r.isError) return r;
    polls++;
    const { obj, cut } = objectOf(r, raw);
    const status = obj?.[wait.statusField];
    if (!obj || typeof status !== 'string') {
      const message = `${tool.name}: the response of ${wait.pollTool} has no string \`${wait.statusField}\`, so there is nothing to wait for`;
      const failed = toolErrorResult(`${message}.`, { type: 'no_status', message, status_field: wait.statusField });
      return { ...failed, content: [...failed.content, ...r.content] };
    }
    const extra = figures(obj, wait.progressFields);
    await report(`status: ${status}${extra ? ` (${extra})` : ''}`);
    const waited = Math.round((Date.now() - started) / 100) / 10;
    const done = wait.terminal.includes(status);
    const remaining = deadline - Date.now();
    if (done || remaining <= 0) {
      // A result cut to the size cap keeps its text copy below; the structured copy would break the cap.
      const structured: WaitResult<Record<string, unknown>> = {
        done,
        status,
        polls,
        waited_seconds: waited,
        result: cut ? null : obj,
      };
      if (cut)
        structured.note = `The object is over the size cap; its first part follows. Fetch parts of it with narrower tools.`;
      if (!done) {
        structured.hint = `Still running (status ${status}) after ${waited} s; call ${tool.name} again with the same arguments to keep waiting.`;
      }
      const content: CallToolResult['content'] = [{ type: 'text', text: JSON.stringify(structured) }];
      // The cut text copy when there is one, then rate-limit lines and notes the last poll added after its JSON.
      content.push(...(cut ? r.content : r.content.slice(1)));
      return { content, structuredContent: { ...structured }, ...(r._meta ? { _meta: r._meta } : {}) };
    }
    if (!(await sleep(Math.min(delay(polls), remaining), signal))) return cancelled();
  }
}
