// How a selected toolkit is shown to an MCP client. `all` lists one tool per operation; `discovery` and `code`
// put a few meta-tools in front of the same toolkit for hosts with tool caps. Every mode calls through the
// toolkit, so scope, validation, key routing, rate-limit fields and redaction are the same in all of them.

import type { CallToolResult, Tool } from '../protocol.js';
import type { CallContext } from '../toolkit.js';

export const EXPOSURES = ['all', 'discovery', 'code'] as const;
export type Exposure = (typeof EXPOSURES)[number];

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
