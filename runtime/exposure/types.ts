// How a selected toolkit is shown to an MCP client. `all` lists one tool per operation; `discovery` and `code`
// put a few meta-tools in front of the same toolkit for hosts with tool caps. Every mode calls through the
// toolkit, so scope, validation, key routing, rate-limit fields and redaction are the same in all of them.

import type { z } from 'zod';
import type { CallToolResult, Tool } from '../protocol.js';
import type { CallContext, OpenAiToolkit } from '../toolkit.js';

/** What an MCP server needs from any exposure: the tools to list and how to call one. */
export interface ExposedTools {
  listTools(): Tool[];
  /** Never throws; failures are `isError` results. A name that is not listed answers like an unknown tool. */
  callTool(name: string, args: Record<string, unknown> | undefined, context?: CallContext): Promise<CallToolResult>;
  /**
   * Whether this call may run long enough to be served as a task (to clients that declare the Tasks extension).
   * Absent: never.
   */
  taskEligible?(name: string, args: Record<string, unknown> | undefined): boolean;
}

/**
 * One way of showing a toolkit, registered in registry.ts. Everything that depends on the mode asks this object
 * (the CLI's choices and help, the REST API's validation, the audit log, the tool-cap warning), so a new mode is
 * its own file and one line in the registry.
 */
export interface ExposureMode<Name extends string = string, Options = unknown> {
  name: Name;
  /** A few words for help text: "all tools", "discovery meta-tools". */
  summary: string;
  /** Validates this mode's options (`ExposureOptions[name]`) before `create` sees them. */
  optionsSchema: z.ZodType<Options | undefined>;
  create(kit: OpenAiToolkit, options: Options | undefined): ExposedTools;
  /**
   * Meta-tools that only pass a call on to one of the toolkit's tools (discovery's `call_tool`). The audit log
   * records the toolkit's row, which names the operation, and not these, so one call is counted once.
   */
  delegates: readonly string[];
  /** The mode lists the toolkit's own tools (one per operation): calls are the toolkit's, host tool caps apply. */
  direct: boolean;
}

/** Declares a mode; the name stays a literal type so `Exposure` is the union of registered names. */
export function defineExposure<const Name extends string, Options>(
  mode: ExposureMode<Name, Options>,
): ExposureMode<Name, Options> {
  return mode;
}
