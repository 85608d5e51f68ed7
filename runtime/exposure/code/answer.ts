// A finished run → one tool result: the return value and the log, or an error with its code, the line and
// column in the submitted code, and the failing call. Rate-limit fields of the run's calls are attached either way.

import { toolErrorResult } from '../../contract/errors.js';
import type { CallToolResult } from '../../protocol.js';
import { describeRateLimits, nearLimit, RATE_LIMIT_META_KEY } from '../../ratelimit.js';
import type { RunRecord } from './bridge.js';
import type { CodeError, CodeErrorCode, CodePosition } from './errors.js';
import { LIMIT_PREFIX } from './gate.js';
import type { CodeLimits } from './limits.js';
import { PROGRAM_FILE } from './prelude.js';
import type { SandboxOutcome, ThrownError } from './sandbox.js';
import type { StrippedProgram } from './strip-types.js';

type Failure = Exclude<SandboxOutcome, { ok: true }>;

export function logLines(record: RunRecord): string[] {
  return record.logDropped
    ? [...record.logs, `[${record.logDropped} more characters of console output dropped]`]
    : record.logs;
}

/** The first stack frame in the submitted code, mapped back to where the model wrote it. */
function positionIn(stack: string, program: StrippedProgram): CodePosition | undefined {
  const re = new RegExp(`${PROGRAM_FILE.replace('.', '\\.')}:(\\d+)(?::(\\d+))?`, 'g');
  for (const m of stack.matchAll(re)) {
    const pos = program.toSource(Number(m[1]), Number(m[2] ?? 1));
    if (pos) return pos;
  }
  return undefined;
}

const CODES: Record<Failure['kind'], CodeErrorCode> = {
  thrown: 'runtime',
  syntax: 'syntax',
  timeout: 'timeout',
  memory: 'memory',
  too_large: 'result_too_large',
  internal: 'internal',
};

export function describeFailure(
  failure: Failure,
  program: StrippedProgram,
  record: RunRecord,
  limits: CodeLimits,
): CodeError {
  const e: ThrownError = failure.error;
  const position = positionIn(e.stack, program);
  const base = { name: e.name, message: e.message, ...(position ? { position } : {}) };
  switch (failure.kind) {
    case 'timeout':
      return {
        code: 'timeout',
        name: 'TimeoutError',
        message: `the program ran longer than ${limits.timeoutMs} ms and was stopped`,
      };
    case 'memory':
      return {
        ...base,
        code: 'memory',
        message: `the program used more than ${Math.round(limits.memoryBytes / 1048576)} MiB of memory (${e.message})`,
      };
    case 'too_large':
      return tooLarge(e.message, limits);
    default:
  }
  if (e.serialization) return { ...base, code: 'not_serializable' };
  if (e.name === 'OpenAiToolError') {
    if (record.limit && e.message.includes(LIMIT_PREFIX)) return { ...base, code: 'call_limit' };
    const call = e.seq !== undefined ? record.failedCalls.get(e.seq) : undefined;
    if (call) return { ...base, code: 'tool_call', call };
  }
  // QuickJS ran out of stack compiling the program (a SyntaxError, or no frame at all: before any of it ran).
  if (
    /stack overflow/i.test(e.message) &&
    (e.name === 'SyntaxError' || (e.name === 'InternalError' && !/\bat\b/.test(e.stack)))
  )
    return {
      ...base,
      code: 'syntax',
      name: 'SyntaxError',
      message: `the code nests too deeply to compile (brackets, calls or blocks nested about a thousand levels deep, for the ${limits.stackBytes}-byte stack); build deep values in a loop instead`,
    };
  if (e.name === 'InternalError' && /stack overflow/i.test(e.message)) {
    return {
      ...base,
      code: 'runtime',
      message: `${e.message} (recursion too deep for the ${limits.stackBytes}-byte stack)`,
    };
  }
  return { ...base, code: CODES[failure.kind] };
}

const tooLarge = (size: string, limits: CodeLimits): CodeError => ({
  code: 'result_too_large',
  name: 'RangeError',
  message: `the result is ${size}, over the ${limits.maxResultBytes}-byte cap. Return a smaller summary: filter, aggregate or slice in the program.`,
});

const bytesOf = (text: string) => Buffer.byteLength(text);
/** The message kept in an error whose full detail is over the result cap. */
const MAX_SHORT_MESSAGE_BYTES = 2000;

/** `text` cut to at most `max` UTF-8 bytes, at a character boundary. */
function cutToBytes(text: string, max: number): string {
  if (bytesOf(text) <= max) return text;
  const cut = new TextDecoder().decode(Buffer.from(text).subarray(0, max));
  // A character split by the cut decodes as U+FFFD; drop it.
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}

/** The fields always in `_meta`; the line of text (20–35 tokens) only when the budget is nearly spent. */
function withRateLimits(r: CallToolResult, record: RunRecord | undefined): CallToolResult {
  if (!record?.rateLimits) return r;
  const line = nearLimit(record.rateLimits)
    ? [{ type: 'text' as const, text: describeRateLimits(record.rateLimits) }]
    : [];
  return { ...r, content: [...r.content, ...line], _meta: { [RATE_LIMIT_META_KEY]: record.rateLimits } };
}

export function errorAnswer(error: CodeError, record: RunRecord | undefined, limits: CodeLimits): CallToolResult {
  const lines = [`execute_code failed (${error.code}): ${error.name}: ${error.message}`];
  if (error.position)
    lines.push(`  at line ${error.position.line}, column ${error.position.column} of the submitted code`);
  if (error.call) {
    const args = error.call.args_preview ?? JSON.stringify(error.call.args ?? {});
    lines.push(`Failing call: openai.${error.call.tool}(${args})`);
    lines.push(`  ${error.call.message.replace(/\n/g, '\n  ')}`);
  }
  if (record?.logs.length) lines.push('Console output before the failure:', ...logLines(record));
  const extra: Record<string, unknown> = {};
  if (record) extra.calls = record.calls;
  if (record?.logs.length) extra.logs = logLines(record);
  let text = lines.join('\n');
  if (bytesOf(text) > limits.maxResultBytes) text = `${cutToBytes(text, limits.maxResultBytes - 20)}\n[Truncated]`;
  let result: CallToolResult = toolErrorResult(text, { type: error.code, ...error }, extra);
  // Over the cap with its log and call detail: the error alone, its message cut, so a client can still branch on it.
  if (bytesOf(JSON.stringify(result.structuredContent)) > limits.maxResultBytes) {
    const { code, name } = error;
    const message = cutToBytes(error.message, Math.min(MAX_SHORT_MESSAGE_BYTES, limits.maxResultBytes / 2));
    result = toolErrorResult(text, { type: code, code, name, message });
  }
  return withRateLimits(result, record);
}

export function answer(
  outcome: SandboxOutcome,
  program: StrippedProgram,
  ran: RunRecord,
  limits: CodeLimits,
): CallToolResult {
  // Stack frames the program kept (`e.stack` in its value or its log) name lines as the model wrote them.
  const record: RunRecord = { ...ran, logs: ran.logs.map(program.mapStack) };
  if (!outcome.ok) return errorAnswer(describeFailure(outcome, program, record, limits), record, limits);
  if (record.limit) {
    // The program caught the refusals and finished anyway: its answer was computed from less than it asked for.
    return errorAnswer(
      {
        code: 'call_limit',
        name: 'RangeError',
        message: `the program reached a limit and carried on without what was refused: ${record.limit.slice(LIMIT_PREFIX.length)} Fetch less (filters, larger pages) or aggregate in fewer calls.`,
      },
      record,
      limits,
    );
  }
  // Checked before parsing: a return value far over the cap is never materialized here.
  if (outcome.json !== null && bytesOf(outcome.json) > limits.maxResultBytes)
    return errorAnswer(tooLarge(`${bytesOf(outcome.json)} bytes`, limits), undefined, limits);
  const structured: Record<string, unknown> = {
    result: outcome.json === null ? null : JSON.parse(program.mapStack(outcome.json)),
    calls: record.calls,
  };
  if (record.logs.length) structured.logs = logLines(record);
  const text = JSON.stringify(structured);
  if (bytesOf(text) > limits.maxResultBytes)
    return errorAnswer(
      tooLarge(`${bytesOf(text)} bytes (return value plus console output)`, limits),
      undefined,
      limits,
    );
  return withRateLimits({ content: [{ type: 'text', text }], structuredContent: structured }, record);
}
