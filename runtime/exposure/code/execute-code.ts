// The `execute_code` tool: strip types, run the program in the sandbox with `openai.*` bound to the toolkit,
// and turn the outcome into one tool result: the return value and the log, or an error naming the line,
// the column and the failing call so the model can fix the program and retry.

import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { describeRateLimits, RATE_LIMIT_META_KEY, type RateLimitInfo } from '../../ratelimit.js';
import type { CallContext, OpenAiToolkit } from '../../toolkit.js';
import type { CodeError, CodeErrorCode, CodePosition, FailedCall } from './errors.js';
import type { CodeLimits } from './limits.js';
import type { SandboxOutcome, ThrownError } from './sandbox.js';
import { sharedPool } from './worker-pool.js';
import { PROGRAM_FILE, StripError, stripTypes, type StrippedProgram } from './strip-types.js';

export const EXECUTE_CODE = 'execute_code';

/** `readOnly`: every tool the program can call only reads, so running a program cannot change anything either. */
export function executeCodeTool(limits: CodeLimits, readOnly = false): Tool {
  return {
    name: EXECUTE_CODE,
    title: 'Run a program against the OpenAI API',
    description: [
      'Runs the body of an async JavaScript or TypeScript function (types are stripped) in a sandbox and returns its `return` value as JSON plus anything it `console.log`s.',
      '`openai.<tool_name>(args)` calls an API tool and resolves to its result: lists as `{result, next_cursor, has_more}`, usage as `{rows, totals, next_cursor, has_more}`, other objects as OpenAI returns them. A failed call throws an `OpenAiToolError` (`.tool`, `.error` with status or invalid arguments).',
      '`for await (const item of openai.paginate(tool_name, args))` walks every item of every page.',
      'Find tool names and argument types with search_docs first.',
      'Return only what answers the question (filter and aggregate in the code).',
      `Limits per run: ${limits.timeoutMs / 1000} s, ${Math.round(limits.memoryBytes / 1048576)} MiB, ${limits.maxCalls} calls, ${limits.maxResultChars} characters of result. No network, files, timers or modules.`,
      'Example (input tokens per project over 7 days):',
      '```',
      'const start = Math.floor(Date.now() / 1000) - 7 * 86400;',
      'const perProject: Record<string, number> = {};',
      "for await (const row of openai.paginate('list_all_open_ai_completions', { start_time: start, group_by: ['project_id'] })) {",
      '  perProject[row.project_id] = (perProject[row.project_id] ?? 0) + row.input_tokens;',
      '}',
      'return perProject;',
      '```',
    ].join('\n'),
    inputSchema: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Body of an async function; may use await and return.' },
      },
      required: ['code'],
    },
    annotations: { readOnlyHint: readOnly, destructiveHint: !readOnly, idempotentHint: readOnly, openWorldHint: true },
  };
}

interface Run {
  calls: number;
  callLimitHit: boolean;
  failedCall?: FailedCall;
  logs: string[];
  logChars: number;
  logDropped: number;
  rateLimits?: RateLimitInfo;
}

const textOf = (r: CallToolResult) =>
  r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}${'mimeType' in c && c.mimeType ? ` ${c.mimeType}` : ''}]`)).join('\n');

/** What a call resolves to inside the program: the structured result, or for text/binary results their content. */
function valueOf(r: CallToolResult): unknown {
  if (r.structuredContent) return r.structuredContent;
  return {
    content: r.content.map((c) => (c.type === 'text'
      ? { type: 'text', text: c.text }
      : { type: c.type, ...('mimeType' in c ? { mime_type: c.mimeType } : {}), note: 'binary content is not passed into the sandbox' })),
  };
}

function positionIn(stack: string, program: StrippedProgram): CodePosition | undefined {
  const re = new RegExp(`${PROGRAM_FILE.replace('.', '\\.')}:(\\d+)(?::(\\d+))?`, 'g');
  for (const m of stack.matchAll(re)) {
    const pos = program.toSource(Number(m[1]), Number(m[2] ?? 1));
    if (pos) return pos;
  }
  return undefined;
}

function errorResult(error: CodeError, run: Run | undefined, limits: CodeLimits): CallToolResult {
  const lines = [`execute_code failed (${error.code}): ${error.name}: ${error.message}`];
  if (error.position) lines.push(`  at line ${error.position.line}, column ${error.position.column} of the submitted code`);
  if (error.call) {
    lines.push(`Failing call: openai.${error.call.tool}(${JSON.stringify(error.call.args)})`);
    lines.push(`  ${error.call.message.replace(/\n/g, '\n  ')}`);
  }
  if (run?.logs.length) lines.push('Console output before the failure:', ...logLines(run));
  const structured: Record<string, unknown> = { error: { ...error } };
  if (run) structured.calls = run.calls;
  if (run?.logs.length) structured.logs = logLines(run);
  let text = lines.join('\n');
  if (text.length > limits.maxResultChars) text = `${text.slice(0, limits.maxResultChars)}\n[Truncated]`;
  const result: CallToolResult = { content: [{ type: 'text', text }], structuredContent: structured, isError: true };
  if (JSON.stringify(structured).length > limits.maxResultChars) delete result.structuredContent;
  return result;
}

function logLines(run: Run): string[] {
  return run.logDropped ? [...run.logs, `[${run.logDropped} more characters of console output dropped]`] : run.logs;
}

export function createExecuteCode(kit: OpenAiToolkit, limits: CodeLimits) {
  const cursorArgs: Record<string, string> = {};
  for (const t of kit.tools) if (t.pagination) cursorArgs[t.name] = t.pagination.cursorArg;

  return async function executeCode(args: Record<string, unknown> | undefined, context?: CallContext): Promise<CallToolResult> {
    const code = args?.code;
    if (typeof code !== 'string' || !code.trim()) {
      return errorResult({ code: 'invalid_code', name: 'TypeError', message: '`code` must be a non-empty string' }, undefined, limits);
    }
    if (code.length > limits.maxCodeChars) {
      return errorResult({ code: 'invalid_code', name: 'RangeError', message: `\`code\` is ${code.length} characters, over the ${limits.maxCodeChars}-character limit` }, undefined, limits);
    }
    let program: StrippedProgram;
    try {
      program = stripTypes(code);
    } catch (err) {
      if (err instanceof StripError) return errorResult({ code: 'syntax', name: 'SyntaxError', message: err.message, position: err.position }, undefined, limits);
      throw err;
    }

    const run: Run = { calls: 0, callLimitHit: false, logs: [], logChars: 0, logDropped: 0 };
    const deadline = Date.now() + limits.timeoutMs;
    // Calls the program started but did not await (or abandoned by failing early) still finish before the
    // answer, up to the deadline, so no request of this run happens after it; past the deadline they are cancelled.
    const inflight = new AbortController();
    const started = new Set<Promise<unknown>>();
    const onOuterAbort = () => inflight.abort();
    context?.signal?.addEventListener('abort', onOuterAbort, { once: true });

    const host = {
      async call(name: string, argsJson: string): Promise<string> {
        const reply = (value: unknown) => JSON.stringify(value);
        let callArgs: unknown;
        try {
          callArgs = JSON.parse(argsJson);
        } catch {
          return reply({ ok: false, error: { tool: name, message: 'arguments are not JSON' } });
        }
        if (run.calls >= limits.maxCalls) {
          run.callLimitHit = true;
          return reply({ ok: false, error: { tool: name, message: `Call limit reached: at most ${limits.maxCalls} openai.* calls per execution; no request was sent.`, error: { type: 'call_limit' } } });
        }
        run.calls++;
        let r: CallToolResult;
        const call = kit.callTool(name, callArgs as Record<string, unknown>, { signal: inflight.signal });
        started.add(call);
        try {
          r = await call;
        } catch (err) {
          r = { content: [{ type: 'text', text: `Internal error in ${name}: ${String((err as Error)?.message ?? err)}` }], isError: true };
        } finally {
          started.delete(call);
        }
        const limitsSeen = r._meta?.[RATE_LIMIT_META_KEY] as RateLimitInfo | undefined;
        if (limitsSeen) run.rateLimits = limitsSeen;
        if (r.isError) {
          const message = textOf(r);
          const error = (r.structuredContent as { error?: unknown } | undefined)?.error;
          run.failedCall = { tool: name, args: callArgs, message, ...(error !== undefined ? { error } : {}) };
          return reply({ ok: false, error: { tool: name, message: `${name} failed: ${message}`, error: error ?? null } });
        }
        return reply({ ok: true, value: valueOf(r) });
      },
      log(level: string, text: string) {
        const line = level === 'log' ? text : `[${level}] ${text}`;
        if (run.logChars + line.length > limits.maxLogChars) {
          run.logDropped += line.length;
          return;
        }
        run.logChars += line.length;
        run.logs.push(line);
      },
      logDropped(chars: number) {
        run.logDropped += chars;
      },
    };

    let outcome: SandboxOutcome;
    try {
      outcome = await sharedPool().run(program.js, { cursorArgs }, limits, host, context?.signal);
    } catch (err) {
      outcome = { ok: false, kind: 'internal', error: { name: 'InternalError', message: String((err as Error)?.message ?? err), stack: '' } };
    } finally {
      if (started.size && !inflight.signal.aborted) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...started]),
          new Promise((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now())); }),
        ]);
        clearTimeout(timer);
      }
      inflight.abort();
      context?.signal?.removeEventListener('abort', onOuterAbort);
    }
    const withLimits = (r: CallToolResult): CallToolResult => (run.rateLimits
      ? { ...r, content: [...r.content, { type: 'text', text: describeRateLimits(run.rateLimits) }], _meta: { [RATE_LIMIT_META_KEY]: run.rateLimits } }
      : r);

    if (!outcome.ok) return withLimits(errorResult(describeFailure(outcome.kind, outcome.error, program, run, limits), run, limits));
    if (run.callLimitHit) {
      return withLimits(errorResult({ code: 'call_limit', name: 'RangeError', message: `the program made more than ${limits.maxCalls} openai.* calls; the extra calls were refused without a request. Fetch less (filters, larger pages) or aggregate server-side.` }, run, limits));
    }
    const structured: Record<string, unknown> = { result: outcome.json === null ? null : JSON.parse(outcome.json), calls: run.calls };
    if (run.logs.length) structured.logs = logLines(run);
    const text = JSON.stringify(structured);
    if (text.length > limits.maxResultChars) {
      return withLimits(errorResult({
        code: 'result_too_large',
        name: 'RangeError',
        message: `the result (return value plus console output) is ${text.length} characters, over the ${limits.maxResultChars}-character cap. Return a smaller summary: filter, aggregate or slice in the program.`,
      }, undefined, limits));
    }
    return withLimits({ content: [{ type: 'text', text }], structuredContent: structured });
  };
}

function describeFailure(kind: Exclude<SandboxOutcome, { ok: true }>['kind'], e: ThrownError, program: StrippedProgram, run: Run, limits: CodeLimits): CodeError {
  const position = positionIn(e.stack, program);
  const base = { name: e.name, message: e.message, ...(position ? { position } : {}) };
  const codes: Record<typeof kind, CodeErrorCode> = { thrown: 'runtime', syntax: 'syntax', timeout: 'timeout', memory: 'memory', internal: 'internal' };
  if (kind === 'timeout') return { code: 'timeout', name: 'TimeoutError', message: `the program ran longer than ${limits.timeoutMs} ms and was stopped` };
  if (kind === 'memory') return { ...base, code: 'memory', message: `the program used more than ${Math.round(limits.memoryBytes / 1048576)} MiB of memory (${e.message})` };
  if (e.serialization) return { ...base, code: 'not_serializable' };
  if (e.name === 'OpenAiToolError' && run.callLimitHit && /Call limit reached/.test(e.message)) {
    return { ...base, code: 'call_limit' };
  }
  if (e.name === 'OpenAiToolError' && run.failedCall && run.failedCall.tool === e.tool) return { ...base, code: 'tool_call', call: run.failedCall };
  if (e.name === 'InternalError' && /stack overflow/i.test(e.message)) return { ...base, code: 'runtime', message: `${e.message} (recursion too deep for the ${limits.stackBytes}-byte stack)` };
  return { ...base, code: codes[kind] };
}
