// scripts/fidelity.ts on the real catalog and the installed openai package (7.60): no operation both have differs in
// path or method; a moved path or a changed verb is found; and a sample of logical calls sends the same request
// both ways (a capture server on loopback) for every operation both have.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import type { Catalog } from '../../runtime/types.js';
import { compareCalls, KNOWN_DIFFERENCES, pairOperations } from '../../scripts/fidelity/compare.js';
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

  it('every paired operation sends the same request as the SDK (multipart and beta headers included), or a listed difference', async () => {
    const { pairs } = pairOperations(catalog, endpoints);
    const results = await compareCalls(pairs);
    const by = (o: string) => results.filter((r) => r.outcome === o);
    // Nothing left out: multipart bodies are compared field by field (files by name, type and digest), the
    // Responses beta twins against client.beta.responses with their openai-beta header.
    expect(by('skipped').map((r) => `${r.tool}: ${r.reason}`)).toEqual([]);
    for (const r of by('different')) expect.fail(`${r.tool}: ${JSON.stringify(r.ours)} vs ${JSON.stringify(r.sdk)}`);
    // Every listed difference still occurs (a fixed one is taken off the list).
    expect(
      by('explained')
        .map((r) => r.tool)
        .sort(),
    ).toEqual(Object.keys(KNOWN_DIFFERENCES).sort());
    for (const name of ['create_a_open_ai_file', 'create_a_open_ai_image_edit', 'create_a_open_ai_response_beta'])
      expect(results.find((r) => r.tool === name)?.outcome, name).toBe('identical');
    const upload = results.find((r) => r.tool === 'create_a_open_ai_file')!;
    expect(JSON.stringify(upload.ours)).toContain('"multipart"');
    const beta = results.find((r) => r.tool === 'get_single_open_ai_response_by_id_beta')!;
    expect(beta).toMatchObject({ outcome: 'identical', sdkMethod: 'client.beta.responses.retrieve' });
    expect(beta.ours?.headers).toEqual({ 'openai-beta': 'responses_multi_agent=v1' });
  }, 120_000);

  it('a changed multipart field or beta header is caught', async () => {
    const broken = structuredClone(catalog);
    const file = broken.tools.find((t) => t.name === 'create_a_open_ai_file')!;
    file.http.body!.fields.purpose = 'purpose_kind';
    const beta = broken.tools.find((t) => t.name === 'open_ai_responses_cancel_beta')!;
    beta.http.fixedQuery = {};
    const { pairs } = pairOperations(broken, endpoints);
    const results = await compareCalls(pairs.filter((p) => p.tool.name === 'create_a_open_ai_file'));
    expect(results[0]?.outcome).toBe('different');
    // Without its fixed query the twin pairs with the stable method, which sends neither ?beta=true nor the header.
    const twin = pairs.find((p) => p.tool.name === 'open_ai_responses_cancel_beta');
    expect(twin?.sdk.accessor).toEqual(['responses']);
  }, 60_000);
});
