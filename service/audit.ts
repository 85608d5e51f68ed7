// The audit log: one row per tools/call through a scoped server (time, server id, tool, upstream HTTP status,
// duration, isError). Never arguments or results: they may hold customer data or secrets.

import type { CallContext } from '../runtime/call-context.js';
import type { CallToolResult } from '../runtime/protocol.js';
import type { ExposedTools, ExposureMode } from '../runtime/exposure/types.js';
import type { OpenAiToolkit } from '../runtime/toolkit.js';
import { escapeControls } from '../runtime/redact.js';
import type { NewToolCall } from './store/store.js';

export const DEFAULT_RETENTION_DAYS = 30;
const MAX_TOOL_NAME = 200;

/** A tool name as the catalog spells them: nothing to escape (the common case, checked without Unicode tables). */
const PLAIN_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The name a client asked for, as stored: unknown names are recorded too (an out-of-scope attempt is worth seeing),
 * so control and format characters are escaped, lest `servers logs` print a forged row or a terminal sequence.
 */
export function printableName(name: string): string {
  if (name.length <= MAX_TOOL_NAME && PLAIN_NAME.test(name)) return name;
  const cut = name.length > MAX_TOOL_NAME ? `${name.slice(0, MAX_TOOL_NAME)}…` : name;
  return escapeControls(cut);
}

/** Records a call's row; may answer a promise of the row being written, which the call waits for (briefly). */
export type RecordCall = (call: NewToolCall) => void | Promise<void>;

/** How long a call's answer waits for its audit row to be written before it answers anyway (the row stays queued). */
const AUDIT_WAIT_MS = 1_000;

/**
 * A promise settled at least AUDIT_WAIT_MS from now and at most half that later, shared by every call that starts
 * waiting within the same half window: one timer per half second instead of a timer set and cleared on every call.
 */
let deadline: { from: number; settled: Promise<void> } | undefined;
function auditDeadline(): Promise<void> {
  const now = performance.now();
  if (!deadline || now - deadline.from >= AUDIT_WAIT_MS / 2) {
    // Unref'd: a pending deadline never keeps a stopping process alive.
    const settled = new Promise<void>((r) => setTimeout(r, AUDIT_WAIT_MS * 1.5).unref());
    deadline = { from: now, settled };
  }
  return deadline.settled;
}

async function timed(
  serverId: string,
  tool: string,
  record: RecordCall,
  ctx: CallContext | undefined,
  run: (ctx: CallContext) => Promise<CallToolResult>,
): Promise<CallToolResult> {
  const slot: { status?: number } = {};
  const started = performance.now();
  let result: CallToolResult | undefined;
  try {
    // The row's status is the last upstream response's of this call (a nested audited call notes its own).
    result = await run({
      ...ctx,
      onUpstreamStatus: (status) => {
        slot.status = status;
      },
    });
    return result;
  } finally {
    const written = record({
      server_id: serverId,
      at: Date.now(),
      tool: printableName(tool),
      http_status: slot.status ?? null,
      duration_ms: Math.round(performance.now() - started),
      is_error: result?.isError || !result ? 1 : 0,
    });
    // Answered only once its row is written (group commit: one write per batch), so a replica killed after this
    // answer has not lost its row; bounded, so a slow database delays answers by AUDIT_WAIT_MS to 1.5 times that.
    if (written) await Promise.race([written, auditDeadline()]);
  }
}

/** Records every operation the toolkit runs (directly, through call_tool, or from code mode). */
export function auditToolkit(kit: OpenAiToolkit, serverId: string, record: RecordCall): OpenAiToolkit {
  return {
    tools: kit.tools,
    listTools: () => kit.listTools(),
    callTool: (name, args, ctx) => timed(serverId, name, record, ctx, (c) => kit.callTool(name, args, c)),
    ...(kit.taskEligible ? { taskEligible: kit.taskEligible.bind(kit) } : {}),
  };
}

/**
 * Records the meta-tools of a mode that is not direct (discovery, code). Its `delegates` (discovery's `call_tool`)
 * are left to the toolkit's row, which names the operation actually called; recording both would count one call twice.
 */
export function auditExposure(
  exposed: ExposedTools,
  mode: Pick<ExposureMode, 'delegates'>,
  serverId: string,
  record: RecordCall,
): ExposedTools {
  const delegates = new Set(mode.delegates);
  return {
    listTools: () => exposed.listTools(),
    callTool: (name, args, ctx) =>
      delegates.has(name)
        ? exposed.callTool(name, args, ctx)
        : timed(serverId, name, record, ctx, (c) => exposed.callTool(name, args, c)),
    ...(exposed.taskEligible ? { taskEligible: exposed.taskEligible.bind(exposed) } : {}),
  };
}
