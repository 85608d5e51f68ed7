// The host side of `openai.*` inside a program: each call counted against the limit and run through the
// toolkit exactly like a direct tool call; failures, rate-limit fields and console output recorded for the answer.
// Calls still in flight when the program ends finish before the answer (up to the deadline), so no request of a
// run happens after it; past the deadline they are cancelled. The sandbox's worker has already bounded what
// arrives here (gate.ts): arguments within the cap, or a preview of a call it refused.

import { setMaxListeners } from 'node:events';
import { internalErrorResult, invalidArgumentsResult } from '../../errors.js';
import type { CallToolResult } from '../../protocol.js';
import { RATE_LIMIT_META_KEY, type RateLimitInfo } from '../../ratelimit.js';
import type { OpenAiToolkit } from '../../toolkit.js';
import type { FailedCall } from './errors.js';
import { callLimitMessage, limitReply, PREVIEW_CHARS, type Refusal, tooLargeIssue } from './gate.js';
import type { CodeLimits } from './limits.js';
import type { SandboxHost } from './sandbox.js';

/** What one run did, as the answer reports it. */
export interface RunRecord {
  /** Calls the program made (refused ones too) plus each wait's polls after its first. */
  calls: number;
  /** The first run-wide budget that ran out (calls, argument bytes), as the message its refusals carried. */
  limit?: string;
  /** Failed calls by sequence number (the program's error names the one it threw for). */
  failedCalls: Map<number, FailedCall>;
  logs: string[];
  logChars: number;
  logDropped: number;
  /** From the last call whose response carried them. */
  rateLimits?: RateLimitInfo;
}

/** Longest error text of a failed call kept for the report and the program (OpenAI's messages are short). */
const MAX_CALL_MESSAGE_CHARS = 4000;

/** The arguments as kept for the error report: whole when small, else only their start (see FailedCall). */
function keptArgs(argsJson: string, args: unknown, whole: boolean): Pick<FailedCall, 'args' | 'args_preview'> {
  if (whole && argsJson.length <= PREVIEW_CHARS) return { args };
  return { args_preview: `${argsJson.slice(0, PREVIEW_CHARS)}…` };
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
    failedCalls: new Map(),
    logs: [],
    logChars: 0,
    logDropped: 0,
  };
  const inflight = new AbortController();
  // Every request of the run listens on this one signal; that many listeners are expected, not a leak.
  setMaxListeners(limits.maxCalls + 16, inflight.signal);
  const started = new Set<Promise<unknown>>();
  const reply = (value: unknown) => JSON.stringify(value);

  /** Counts one request against the run's budget; the refusal's message once the budget is spent. */
  const spend = (): string | undefined => {
    if (record.limit) return record.limit;
    if (record.calls >= limits.maxCalls) {
      record.limit = callLimitMessage(limits.maxCalls);
      return record.limit;
    }
    record.calls++;
    return undefined;
  };

  const host: SandboxHost = {
    async call(name, argsJson, refused?: Refusal) {
      if (refused?.kind === 'limit') {
        record.limit ??= refused.message;
        return limitReply(name, refused.message);
      }
      const over = spend();
      if (over) return limitReply(name, over);
      const seq = record.calls;
      let args: unknown;
      let r: CallToolResult;
      if (refused) r = invalidArgumentsResult(name, [tooLargeIssue(refused)]);
      else {
        try {
          args = JSON.parse(argsJson);
        } catch {
          return reply({ ok: false, error: { tool: name, message: 'arguments are not JSON' } });
        }
        const call = kit.callTool(name, args as Record<string, unknown>, {
          signal: inflight.signal,
          // A program reads the structured result itself: whole pages, up to a byte cap that fails loudly.
          wholeResult: { maxBytes: limits.maxCallResultBytes },
          // A wait's polls after its first count like calls.
          meterRequest: spend,
        });
        started.add(call);
        try {
          r = await call;
        } catch (err) {
          r = internalErrorResult(name, err);
        } finally {
          started.delete(call);
        }
      }
      const limitsSeen = r._meta?.[RATE_LIMIT_META_KEY] as RateLimitInfo | undefined;
      if (limitsSeen) record.rateLimits = limitsSeen;
      if (r.isError) {
        let message = textOf(r);
        if (message.length > MAX_CALL_MESSAGE_CHARS) message = `${message.slice(0, MAX_CALL_MESSAGE_CHARS)}…`;
        const error = (r.structuredContent as { error?: unknown } | undefined)?.error;
        record.failedCalls.set(seq, {
          tool: name,
          ...keptArgs(argsJson, args, !refused),
          message,
          ...(error !== undefined ? { error } : {}),
        });
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
