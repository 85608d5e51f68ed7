// scripts/fidelity.ts on the real catalog and the installed openai package (7.60): no operation both have differs in
// path or method; a moved path or a changed verb is found; and a sample of logical calls sends the same request
// both ways (a capture server on loopback).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import type { Catalog } from '../../runtime/types.js';
import { compareCalls, pairOperations } from '../../scripts/fidelity/compare.js';
import { sdkEndpoints } from '../../scripts/fidelity/sdk.js';

const catalog = JSON.parse(readFileSync(path.join(repoRoot, 'generated', 'catalog.json'), 'utf8')) as Catalog;
const endpoints = sdkEndpoints();

describe('fidelity against the official openai package', () => {
  it('pairs nearly every operation, with no path or method mismatch', () => {
    const p = pairOperations(catalog, endpoints);
    expect(p.pairs.length).toBeGreaterThanOrEqual(280);
    expect(p.mismatches).toEqual([]);
  });

  it('finds the spec-bug path (eval run cancel without the errata) and a changed verb', () => {
    const broken = structuredClone(catalog);
    const cancel = broken.tools.find((t) => t.name === 'open_ai_eval_runs_cancel')!;
    cancel.http.path = '/evals/{eval_id}/runs/{run_id}';
    const del = broken.tools.find((t) => t.name === 'delete_a_open_ai_file_by_id')!;
    del.http.verb = 'POST';
    const p = pairOperations(broken, endpoints);
    expect(p.mismatches).toEqual([
      expect.objectContaining({ tool: 'delete_a_open_ai_file_by_id', kind: 'method', sdk: 'DELETE /files/{fileID}' }),
      expect.objectContaining({
        tool: 'open_ai_eval_runs_cancel',
        kind: 'path',
        sdk: 'POST /evals/{eval_id}/runs/{runID}/cancel',
      }),
    ]);
  });

  it('sends the same request as the SDK for a sample of logical calls', async () => {
    const sample = [
      'open_ai_eval_runs_cancel',
      'list_all_open_ai_files',
      'get_single_open_ai_vector_store_file_by_id',
      'create_a_open_ai_vector_store',
      'list_all_open_ai_costs',
      'delete_a_open_ai_thread_message_by_id',
      'create_a_open_ai_response',
      'list_all_open_ai_audit_logs',
    ];
    const { pairs } = pairOperations(catalog, endpoints);
    const picked = pairs.filter((p) => sample.includes(p.tool.name));
    expect(picked.map((p) => p.tool.name).sort()).toEqual([...sample].sort());
    const results = await compareCalls(picked);
    for (const r of results) expect(r.outcome, `${r.tool}: ${JSON.stringify(r)}`).toBe('identical');
  });
});
