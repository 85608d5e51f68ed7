// Code mode: two tools in front of the toolkit. `search_docs` finds tools and quotes their typed signatures;
// `execute_code` runs a program that calls them as `openai.<tool>(args)` in a QuickJS sandbox. Every call
// goes through the same toolkit as a direct tool call (scope, validation, keys, rate limits, redaction).

import type { CallToolResult, Tool } from '../../protocol.js';
import { internalErrorResult, unknownToolResult } from '../../errors.js';
import type { CallContext, OpenAiToolkit } from '../../toolkit.js';
import { number, object, string, type ZodType } from 'zod';
import { defineExposure, type ExposedTools } from '../types.js';
import { type CodeTenant, createExecuteCode, EXECUTE_CODE, executeCodeTool } from './execute-code.js';
import { DEFAULT_CODE_LIMITS, resolveLimits, type CodeLimits } from './limits.js';
import { createSearchDocs, SEARCH_DOCS, searchDocsTool } from './search-docs.js';
import { toolIndex } from './tool-index.js';

export type { CodeLimits } from './limits.js';
export { type CodeLimitUnits, DEFAULT_CODE_LIMITS, limitsFromUnits, resolveLimits, tightenLimits } from './limits.js';
export type { CodeError, CodeErrorCode, CodePosition, FailedCall } from './errors.js';
export type { CodeTenant } from './execute-code.js';

export interface CodeExposureOptions {
  /** Overrides of the default limits; each must be a positive integer. */
  limits?: Partial<CodeLimits>;
  /**
   * Whose runs these are. The process shares one pool of sandbox workers, and each account, and each server, may
   * hold at most half of it, so one tenant's busy programs never make another's wait. Without it the exposure is
   * its own share (one stdio or /mcp session).
   */
  tenant?: CodeTenant;
}

/**
 * The `code` exposure: exactly `search_docs` and `execute_code`, bound to `kit`.
 * @throws RangeError when a limit is not a positive integer.
 */
export function createCodeExposure(kit: OpenAiToolkit, options: CodeExposureOptions = {}): ExposedTools {
  const limits = resolveLimits(options.limits);
  const tools: Tool[] = [
    searchDocsTool(),
    executeCodeTool(
      limits,
      kit.tools.every((t) => t.access === 'read'),
      toolIndex(kit.tools),
    ),
  ];
  const searchDocs = createSearchDocs(kit);
  const executeCode = createExecuteCode(kit, limits, options.tenant);
  return {
    listTools: () => tools,
    async callTool(
      name: string,
      args: Record<string, unknown> | undefined,
      context?: CallContext,
    ): Promise<CallToolResult> {
      try {
        if (name === SEARCH_DOCS) return await searchDocs(args);
        if (name === EXECUTE_CODE) return await executeCode(args, context);
      } catch (err) {
        // Never throw into the transport: one bad program must not end a session.
        return internalErrorResult(name, err);
      }
      return unknownToolResult(name);
    },
  };
}

// Shapes only: each limit's range is resolveLimits' to check, with messages that name the limit.
const limitsSchema = object(
  Object.fromEntries(Object.keys(DEFAULT_CODE_LIMITS).map((k) => [k, number().optional()])),
).strict() as unknown as ZodType<Partial<CodeLimits>>;

export const codeExposure = defineExposure({
  name: 'code',
  summary: 'code mode',
  optionsSchema: object({
    limits: limitsSchema.optional(),
    tenant: object({ account: string(), server: string().optional() }).strict().optional(),
  })
    .strict()
    .optional() satisfies ZodType<CodeExposureOptions | undefined>,
  create: (kit, options) => createCodeExposure(kit, options),
  delegates: [],
  direct: false,
});
