// The generator stages for agent workflows, on the pinned spec: wait tools from the async overrides, human time
// inputs on unix-seconds arguments, and the upload pre-check flag.

import { beforeAll, expect, it } from 'vitest';
import { loadOverrides, underPrefix } from '../../generator/load/overrides.js';
import type { BuildResult } from '../../generator/pipeline.js';
import { WAIT_INTERVAL, WAIT_TIMEOUT } from '../../runtime/contract/wait.js';
import type { ToolDef } from '../../runtime/types.js';
import { buildFrom, describeWithSpecs, SPECS } from '../helpers/specs.js';

const specDescribe = describeWithSpecs('current');

let built: BuildResult;
let tools: ToolDef[];
const tool = (name: string) => {
  const t = tools.find((x) => x.name === name);
  if (!t) throw new Error(`no tool ${name}`);
  return t;
};
beforeAll(async () => {
  built = await buildFrom(SPECS.current);
  tools = built.catalog.tools;
});

specDescribe('wait tools', () => {
  it('exist for every async resource the issue names', () => {
    const waits = tools
      .filter((t) => t.wait)
      .map((t) => t.name)
      .sort();
    expect(waits).toEqual([
      'wait_for_open_ai_batch_by_id',
      'wait_for_open_ai_eval_run_by_id',
      'wait_for_open_ai_fine_tuning_job_by_id',
      'wait_for_open_ai_response_by_id',
      'wait_for_open_ai_thread_run_by_id',
      'wait_for_open_ai_vector_store_file_batch_by_id',
      'wait_for_open_ai_vector_store_file_by_id',
    ]);
  });

  it('are read-only, tagged like the resource, poll its get endpoint, and name their terminal states', () => {
    const ov = loadOverrides();
    for (const w of tools.filter((t) => t.wait)) {
      const get = tool(w.wait!.pollTool);
      expect(w.access, w.name).toBe('read');
      expect(w.method).toBe('wait');
      expect(w.annotations).toEqual({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      });
      expect(w.tags).toEqual(get.tags);
      expect(w.http).toMatchObject({ verb: 'GET', path: get.http.path, auth: get.http.auth });
      const pathArgs = get.http.params.filter((p) => p.in === 'path').map((p) => p.arg);
      expect(w.http.params.map((p) => p.arg)).toEqual(pathArgs);
      expect(w.inputSchema.required).toEqual(pathArgs);
      const props = w.inputSchema.properties as Record<string, any>;
      const full = built.validation.tools[w.name] as any;
      expect(full.properties.timeout_seconds).toEqual({ type: 'integer', ...WAIT_TIMEOUT });
      expect(full.properties.poll_interval_seconds).toEqual({ type: 'number', ...WAIT_INTERVAL });
      // A model is shown the bounds validation enforces, so it cannot pick a value that is then refused.
      for (const arg of ['timeout_seconds', 'poll_interval_seconds'])
        expect(props[arg], `${w.name} ${arg}`).toMatchObject(full.properties[arg]);
      expect(full.additionalProperties).toBe(false);
      const hint = ov.async.find((h) => h.terminal.join() === w.wait!.terminal.join())!;
      expect(hint, w.name).toBeDefined();
      for (const s of w.wait!.terminal) expect(w.description, w.name).toContain(s);
      expect(w.description.length).toBeLessThanOrEqual(600);
    }
    expect(tool('wait_for_open_ai_fine_tuning_job_by_id').wait).toEqual({
      pollTool: 'get_single_open_ai_fine_tuning_job_by_id',
      statusField: 'status',
      terminal: ['succeeded', 'failed', 'cancelled', 'paused'],
      progressFields: ['trained_tokens', 'estimated_finish'],
    });
    // The spec leaves EvalRun.status a plain string; its states come from the overrides.
    expect(tool('wait_for_open_ai_eval_run_by_id').wait!.terminal).toEqual(['completed', 'failed', 'canceled']);
  });

  it('are what every create and cancel tool of an async resource points to', () => {
    const waitByPrefix = new Map<string, string>();
    const ov = loadOverrides();
    const manifestPath = (t: ToolDef) => built.manifest.tools.find((m) => m.name === t.name)!.path.split('?')[0]!;
    for (const w of tools.filter((t) => t.wait)) {
      const hint = ov.async
        .filter((h) => underPrefix(manifestPath(w), h.prefix))
        .sort((x, y) => y.prefix.length - x.prefix.length)[0]!;
      waitByPrefix.set(hint.prefix, w.name);
    }
    waitByPrefix.set('/threads/runs', 'wait_for_open_ai_thread_run_by_id');
    let checked = 0;
    for (const t of tools.filter((x) => (x.method === 'create' || x.method === 'cancel') && !x.deprecated)) {
      const hint = ov.async
        .filter((h) => underPrefix(manifestPath(t), h.prefix))
        .sort((x, y) => y.prefix.length - x.prefix.length)[0];
      const waitTool = hint && waitByPrefix.get(hint.prefix);
      if (!waitTool || !t.description.includes('Async')) continue;
      expect(t.description, t.name).toContain(`Wait with ${waitTool}.`);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(14);
    expect(tool('open_ai_fine_tuning_jobs_cancel').description).toContain(
      'Wait with wait_for_open_ai_fine_tuning_job_by_id.',
    );
    expect(tool('create_a_open_ai_response_beta').description).toContain('Wait with wait_for_open_ai_response_by_id.');
  });
});

specDescribe('human time inputs', () => {
  it('mark every unix-seconds window of usage, costs and audit logs, and say which forms they take', () => {
    const marked = tools.filter((t) => t.timeArgs).map((t) => t.name);
    const usage = tools.filter((t) => t.usageBuckets).map((t) => t.name);
    expect(marked.sort()).toEqual([...usage, 'list_all_open_ai_audit_logs'].sort());
    const costs = tool('list_all_open_ai_costs');
    expect(costs.timeArgs).toEqual(['start_time', 'end_time']);
    const props = costs.inputSchema.properties as Record<string, any>;
    // Advertised as either type; the portable pass spells the union as anyOf (hosts reject `type` arrays).
    expect(props.start_time.anyOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
    expect(props.start_time.description).toBe(
      'Start time, inclusive: unix seconds, ISO date/time, or -7d, -24h, now, today, start of month.',
    );
    expect(props.end_time.description).toBe('End time, exclusive: same forms as start_time.');
    // What is validated and sent stays integer seconds; the runtime converts first.
    expect((built.validation.tools.list_all_open_ai_costs as any).properties.start_time.type).toBe('integer');
    expect(tool('list_all_open_ai_audit_logs').timeArgs).toEqual(['effective_at.*']);
  });
});

specDescribe('upload pre-checks', () => {
  it('add skip_validation to the one upload that takes fine-tune and batch files', () => {
    expect(tools.filter((t) => t.precheck).map((t) => t.name)).toEqual(['create_a_open_ai_file']);
    expect(tool('create_a_open_ai_file').precheck).toEqual({ fileArg: 'file', purposeArg: 'purpose' });
    expect((tool('create_a_open_ai_file').inputSchema.properties as any).skip_validation.type).toBe('boolean');
    expect((built.validation.tools.create_a_open_ai_file as any).properties.skip_validation.type).toBe('boolean');
  });
});
