// The `execute_code` tool: its definition, and one run: check the code, strip types, run it on a sandbox worker
// with `openai.*` bridged to the toolkit, let its calls settle, and answer (see answer.ts).

import { LIST_PAGE_SHAPE, USAGE_PAGE_SHAPE } from '../../contract/pages.js';
import type { CallToolResult, Tool } from '../../protocol.js';
import { unknownToolResult } from '../../errors.js';
import type { CallContext, OpenAiToolkit } from '../../toolkit.js';
import { createClosestNames } from '../tool-search.js';
import { answer, errorAnswer } from './answer.js';
import { createBridge } from './bridge.js';
import type { CodeLimits } from './limits.js';
import type { SandboxOutcome } from './sandbox.js';
import type { StrippedProgram } from './strip-types.js';
import type { PoolShare } from './worker-pool.js';

// Loaded on the first run: esbuild's client and QuickJS cost time to import (and esbuild a process to start),
// which every other mode and a server that is only listed should not pay at start-up.
let engine: Promise<[typeof import('./strip-types.js'), typeof import('./worker-pool.js')]> | undefined;
const loadEngine = () => (engine ??= Promise.all([import('./strip-types.js'), import('./worker-pool.js')]));

export const EXECUTE_CODE = 'execute_code';

/**
 * `readOnly`: every tool the program can call only reads, so running a program cannot change anything either.
 * `index`: the tools in scope (see tool-index.ts), so a simple program needs no search_docs first.
 */
export function executeCodeTool(limits: CodeLimits, readOnly = false, index = ''): Tool {
  return {
    name: EXECUTE_CODE,
    title: 'Run a program against the OpenAI API',
    description: [
      'Runs the body of an async JavaScript or TypeScript function (types are stripped) in a sandbox and returns its `return` value as JSON plus anything it `console.log`s.',
      `\`openai.<tool_name>(args)\` calls an API tool and resolves to its result: lists as \`${LIST_PAGE_SHAPE}\`, usage as \`${USAGE_PAGE_SHAPE}\` (7 daily buckets a page by default: page on for longer windows), other objects as OpenAI returns them (\`id\`, \`created_at\` in unix seconds, \`name\` where they have one). A failed call throws an \`OpenAiToolError\` (\`.tool\`; \`.error.type\` such as \`upstream\`, with OpenAI's status and code in \`.error.upstream\`, or \`invalid_arguments\`).`,
      '`for await (const item of openai.paginate(tool_name, args))` walks every item of every page.',
      "search_docs gives any tool's argument and result types; use it when the index below and the example are not enough.",
      'Return only what answers the question (filter and aggregate in the code).',
      `Limits per run: ${limits.timeoutMs / 1000} s, ${Math.round(limits.memoryBytes / 1048576)} MiB, ${limits.maxCalls} call${limits.maxCalls === 1 ? '' : 's'}, ${limits.maxResultBytes} bytes of result. No network, files, timers or modules.`,
      'Example (tokens per project over 7 days):',
      '```',
      'const start = Math.floor(Date.now() / 1000) - 7 * 86400;',
      'const perProject: Record<string, number> = {};',
      "for await (const row of openai.paginate('list_all_open_ai_completions', { start_time: start, group_by: ['project_id'] })) {",
      '  perProject[row.project_id] = (perProject[row.project_id] ?? 0) + row.input_tokens + row.output_tokens;',
      '}',
      'return perProject;',
      '```',
      ...(index ? [index] : []),
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

/** Whose runs an exposure's are, for fair shares of the process-wide worker pool (see CodeExposureOptions). */
export interface CodeTenant {
  account: string;
  server?: string;
}

export function createExecuteCode(kit: OpenAiToolkit, limits: CodeLimits, tenant?: CodeTenant) {
  const cursorArgs: Record<string, string> = {};
  for (const t of kit.tools) if (t.pagination) cursorArgs[t.name] = t.pagination.cursorArg;
  // The shares of the worker pool this exposure's runs count against: its account and its server (by id, so a
  // server rebuilt after an update keeps its share), or, with no tenant, this exposure alone (one session).
  const shares: PoolShare[] = tenant
    ? [`account:${tenant.account}`, ...(tenant.server ? [`server:${tenant.server}`] : [])]
    : [{}];
  // A program's calls go to the toolkit; a name outside the scope is answered with the closest names in it.
  const inScope = new Set(kit.tools.map((t) => t.name));
  const closest = createClosestNames(kit.tools);
  const calls: OpenAiToolkit = {
    ...kit,
    callTool: (name, args, ctx) =>
      inScope.has(name)
        ? kit.callTool(name, args, ctx)
        : Promise.resolve(
            unknownToolResult(name, undefined, closest(name), 'search_docs finds tools by what they do.'),
          ),
  };
  // This exposure's programs are compiled one at a time: a program that keeps esbuild busy until its compile deadline
  // delays only the same server's next ones.
  let compiling: Promise<unknown> = Promise.resolve();

  return async function executeCode(
    args: Record<string, unknown> | undefined,
    context?: CallContext,
  ): Promise<CallToolResult> {
    const code = args?.code;
    if (typeof code !== 'string' || !code.trim()) {
      return errorAnswer(
        { code: 'invalid_code', name: 'TypeError', message: '`code` must be a non-empty string' },
        undefined,
        limits,
      );
    }
    if (code.length > limits.maxCodeChars) {
      return errorAnswer(
        {
          code: 'invalid_code',
          name: 'RangeError',
          message: `\`code\` is ${code.length} characters, over the ${limits.maxCodeChars}-character limit`,
        },
        undefined,
        limits,
      );
    }
    const [{ stripTypes, StripError, STRIP_TIMEOUT_MS }, { sharedPool }] = await loadEngine();
    let program: StrippedProgram;
    try {
      const stripped = compiling.then(() => stripTypes(code, Math.min(limits.timeoutMs, STRIP_TIMEOUT_MS)));
      compiling = stripped.catch(() => {});
      program = await stripped;
    } catch (err) {
      if (err instanceof StripError)
        return errorAnswer(
          { code: 'syntax', name: 'SyntaxError', message: err.message, position: err.position },
          undefined,
          limits,
        );
      throw err;
    }

    const deadline = Date.now() + limits.timeoutMs;
    const bridge = createBridge(calls, limits);
    const onCancel = () => bridge.abort();
    context?.signal?.addEventListener('abort', onCancel, { once: true });
    let outcome: SandboxOutcome;
    try {
      outcome = await sharedPool().run(program.js, { cursorArgs }, limits, bridge.host, context?.signal, shares);
    } catch (err) {
      outcome = {
        ok: false,
        kind: 'internal',
        error: { name: 'InternalError', message: String((err as Error)?.message ?? err), stack: '' },
      };
    } finally {
      await bridge.settle(deadline);
      context?.signal?.removeEventListener('abort', onCancel);
    }
    return answer(outcome, program, bridge.record, limits);
  };
}
