// Stage 6 (after the per-operation tools): wait tools. A model cannot sleep, so for every asynchronous resource
// that has a get endpoint and known states (terminal ones from specs/overrides.yaml) the catalog gets a
// `wait_for_…` tool that polls that endpoint until the state is final. The tool is pure data: the get tool's
// binding plus the states; the runtime's wait executor does the polling.
import { toolSchemaHash } from '../../runtime/contract/validation.js';
import { WAIT_INTERVAL, WAIT_TIMEOUT } from '../../runtime/contract/wait.js';
import type { HttpBinding, JsonSchema, ToolDef, WaitBinding } from '../../runtime/types.js';
import { article, waitToolName } from '../util.js';
import type { AsyncHint } from '../load/overrides.js';

export interface WaitTarget {
  hint: AsyncHint;
  /** Every state of the resource (spec enum, else `statuses` in the overrides). */
  statuses: string[];
}

/**
 * The same bounds are listed and validated: a model shown less (no minimum) sends `poll_interval_seconds: 0.1` and
 * gets an error it could have avoided.
 */
function waitArgs(): Record<string, JsonSchema> {
  return {
    timeout_seconds: { type: 'integer', ...WAIT_TIMEOUT },
    poll_interval_seconds: { type: 'number', ...WAIT_INTERVAL },
  };
}

/**
 * The get tool's path arguments (which object) plus the wait arguments. Query options are left out: none of them
 * changes the status being polled, and they cost tokens.
 */
function withWaitArgs(schema: JsonSchema, pathArgs: string[], tool: string): JsonSchema {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const name of Object.keys(waitArgs())) {
    if (pathArgs.includes(name)) throw new Error(`${tool}: the polled endpoint already has an argument named ${name}`);
  }
  const kept = Object.fromEntries(pathArgs.map((a) => [a, props[a] ?? { type: 'string' }]));
  return { ...schema, properties: { ...kept, ...waitArgs() }, required: pathArgs };
}

export interface WaitStageInput {
  /** Poll tool name → what to wait for. */
  targets: Map<string, WaitTarget>;
  tools: ToolDef[];
  validation: Record<string, JsonSchema>;
}

export interface WaitStageOutput {
  tools: ToolDef[];
  validation: Record<string, JsonSchema>;
  warnings: string[];
}

/** One wait tool per polled get tool (several async prefixes may share one, e.g. both run endpoints). */
export function buildWaitTools({ targets, tools, validation }: WaitStageInput): WaitStageOutput {
  const out: WaitStageOutput = { tools: [], validation: {}, warnings: [] };
  for (const [pollTool, { hint, statuses }] of [...targets].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const get = tools.find((t) => t.name === pollTool);
    if (get?.method !== 'get' || get.http.verb !== 'GET') {
      out.warnings.push(`async ${hint.prefix}: poll tool ${pollTool} is not a GET tool; no wait tool generated`);
      continue;
    }
    const unknown = hint.terminal.filter((s) => !statuses.includes(s));
    if (unknown.length) {
      out.warnings.push(
        `async ${hint.prefix}: terminal states ${unknown.join(', ')} are not among the spec's states (${statuses.join(', ')})`,
      );
    }
    const name = waitToolName(pollTool);
    const terminal = hint.terminal.filter((s) => statuses.includes(s));
    const wait: WaitBinding = { pollTool, statusField: 'status', terminal, progressFields: hint.progress ?? [] };
    const noun = hint.noun.replace(/\s*\(.*\)$/, '');
    const description =
      `Polls until ${article(noun)} ends (${terminal.join('|')}); returns {done, status, result}. ` +
      'After timeout_seconds done is false: call again.';
    const http: HttpBinding = { ...get.http, params: get.http.params.filter((p) => p.in === 'path') };
    const pathArgs = http.params.map((p) => p.arg);
    const full = withWaitArgs(validation[pollTool]!, pathArgs, name);
    const tool: ToolDef = {
      name,
      title: `Wait for ${noun}`,
      description,
      operationId: get.operationId,
      method: 'wait',
      access: 'read',
      tags: [...get.tags],
      deprecated: get.deprecated,
      inputSchema: withWaitArgs(get.inputSchema, pathArgs, name),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
      http,
      schemaHash: toolSchemaHash({ validation: full, http, wait }),
      wait,
    };
    out.tools.push(tool);
    out.validation[name] = full;
  }
  return out;
}
