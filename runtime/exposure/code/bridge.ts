// The host side of `openai.*` inside a program: each call counted against the limit and run through the
// toolkit exactly like a direct tool call; failures, rate-limit fields and console output recorded for the answer.
// Calls still in flight when the program ends finish before the answer (up to the deadline), so no request of a
// run happens after it; past the deadline they are cancelled.

import type { CallToolResult } from '../../protocol.js';
import { RATE_LIMIT_META_KEY, type RateLimitInfo } from '../../ratelimit.js';
import type { OpenAiToolkit } from '../../toolkit.js';
import type { FailedCall } from './errors.js';
import type { CodeLimits } from './limits.js';
import type { SandboxHost } from './sandbox.js';

/** What one run did, as the answer reports it. */
export interface RunRecord {
  calls: number;
  callLimitHit: boolean;
  /** Failed calls by sequence number (the program's error names the one it threw for). */
  failedCalls: Map<number, FailedCall>;
  logs: string[];
  logChars: number;
  logDropped: number;
  /** From the last call whose response carried them. */
  rateLimits?: RateLimitInfo;
}

export const textOf = (r: CallToolResult) =>
  r.content
    .map((c) => (c.type === 'text' ? c.text : `[${c.type}${'mimeType' in c && c.mimeType ? ` ${c.mimeType}` : ''}]`))
    .join('\n');

/** What a call resolves to inside the program: the structured result, or for text/binary results their content. */
function resultValue(r: CallToolResult): unknown {
  if (r.structuredContent) return r.structuredContent;
  return {
    content: r.content.map((c) =>
      c.type === 'text'
        ? { type: 'text', text: c.text }
        : {
            type: c.type,
            ...('mimeType' in c ? { mime_type: c.mimeType } : {}),
            note: 'binary content is not passed into the sandbox',
          },
    ),
  };
}

export interface Bridge {
  host: SandboxHost;
  record: RunRecord;
  /** Waits for calls still in flight (until `deadline`), then cancels whatever remains. */
  settle(deadline: number): Promise<void>;
  /** Cancels every call in flight now. */
  abort(): void;
}

export function createBridge(kit: OpenAiToolkit, limits: CodeLimits): Bridge {
  const record: RunRecord = {
    calls: 0,
    callLimitHit: false,
    failedCalls: new Map(),
    logs: [],
    logChars: 0,
    logDropped: 0,
  };
  const inflight = new AbortController();
  const started = new Set<Promise<unknown>>();
  const reply = (value: unknown) => JSON.stringify(value);

  const host: SandboxHost = {
    async call(name, argsJson) {
      let args: unknown;
      try {
        args = JSON.parse(argsJson);
      } catch {
        return reply({ ok: false, error: { tool: name, message: 'arguments are not JSON' } });
      }
      if (record.calls >= limits.maxCalls) {
        record.callLimitHit = true;
        return reply({
          ok: false,
          error: {
            tool: name,
            message: `Call limit reached: at most ${limits.maxCalls} openai.* calls per execution; no request was sent.`,
            error: { type: 'call_limit' },
          },
        });
      }
      const seq = ++record.calls;
      let r: CallToolResult;
      const call = kit.callTool(name, args as Record<string, unknown>, { signal: inflight.signal });
      started.add(call);
      try {
        r = await call;
      } catch (err) {
        r = {
          content: [{ type: 'text', text: `Internal error in ${name}: ${String((err as Error)?.message ?? err)}` }],
          isError: true,
        };
      } finally {
        started.delete(call);
      }
      const limitsSeen = r._meta?.[RATE_LIMIT_META_KEY] as RateLimitInfo | undefined;
      if (limitsSeen) record.rateLimits = limitsSeen;
      if (r.isError) {
        const message = textOf(r);
        const error = (r.structuredContent as { error?: unknown } | undefined)?.error;
        record.failedCalls.set(seq, { tool: name, args, message, ...(error !== undefined ? { error } : {}) });
        return reply({
          ok: false,
          error: { tool: name, seq, message: `${name} failed: ${message}`, error: error ?? null },
        });
      }
      return reply({ ok: true, value: resultValue(r) });
    },
    log(level, text) {
      const line = level === 'log' ? text : `[${level}] ${text}`;
      if (record.logChars + line.length > limits.maxLogChars) {
        record.logDropped += line.length;
        return;
      }
      record.logChars += line.length;
      record.logs.push(line);
    },
    logDropped(chars) {
      record.logDropped += chars;
    },
  };

  return {
    host,
    record,
    async settle(deadline) {
      if (started.size && !inflight.signal.aborted) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...started]),
          new Promise((resolve) => {
            timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          }),
        ]);
        clearTimeout(timer);
      }
      inflight.abort();
    },
    abort: () => inflight.abort(),
  };
}
