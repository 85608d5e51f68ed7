// The spec errata (specs/overrides.yaml `errata`) on the wire: each corrected operation sends what the official
// `openai` package (7.60) sends for the same call, to a capture server on loopback.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createOpenAiToolkit } from '../../runtime/index.js';
import { type Captured, json, useCaptureServer } from '../helpers/capture-server.js';

const srv = useCaptureServer((_req, res) => json(res, 200, { id: 'obj_1', object: 'thing', data: [] }));

const wire = (c: Captured) => ({
  method: c.method,
  path: c.path,
  query: [...c.query.entries()].sort(),
  body: c.body.length ? JSON.parse(c.body.toString()) : undefined,
});

async function ours(tool: string, args: Record<string, unknown>) {
  const kit = createOpenAiToolkit({
    env: { OPENAI_API_KEY: 'sk-test-errata', OPENAI_ADMIN_KEY: 'sk-admin-test-errata' },
    baseUrl: srv.baseUrl,
  });
  const r = await kit.callTool(tool, args);
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  return wire(srv.requests.at(-1)!);
}

async function theirs(send: (c: OpenAI) => Promise<unknown>) {
  const client = new OpenAI({
    apiKey: 'sk-test-errata',
    adminAPIKey: 'sk-admin-test-errata',
    baseURL: srv.baseUrl,
    maxRetries: 0,
  });
  await send(client);
  return wire(srv.requests.at(-1)!);
}

describe('spec errata match the official openai package on the wire', () => {
  it('an eval run is cancelled at …/cancel', async () => {
    const a = await ours('open_ai_eval_runs_cancel', { eval_id: 'eval_1', run_id: 'run_1' });
    expect(a.path).toBe('/v1/evals/eval_1/runs/run_1/cancel');
    expect(a).toEqual(await theirs((c) => c.evals.runs.cancel('run_1', { eval_id: 'eval_1' })));
  });

  it('a legacy realtime session takes a model and an expiry, and needs no client_secret value', async () => {
    const args = {
      model: 'gpt-4o-realtime-preview',
      client_secret: { expires_after: { anchor: 'created_at', seconds: 600 } },
      input_audio_noise_reduction: { type: 'near_field' },
    };
    const a = await ours('create_a_open_ai_realtime_session', args);
    expect(a).toEqual(await theirs((c) => c.beta.realtime.sessions.create(args as never)));
    // The spec required client_secret {value, expires_at}: a call with only a model was refused before.
    const plain = await ours('create_a_open_ai_realtime_session', { model: 'gpt-4o-realtime-preview' });
    expect(plain.body).toEqual({ model: 'gpt-4o-realtime-preview' });
  });

  it('costs take line_items', async () => {
    const a = await ours('list_all_open_ai_costs', {
      start_time: 1763424000,
      line_items: ['gpt-6-astra, input_tokens'],
    });
    expect(a.query).toContainEqual(['line_items[]', 'gpt-6-astra, input_tokens']);
    const b = await theirs((c) =>
      c.admin.organization.usage.costs({ start_time: 1763424000, line_items: ['gpt-6-astra, input_tokens'] }),
    );
    expect(a).toEqual(b);
  });

  it('a project service account takes expires_in_seconds', async () => {
    const a = await ours('create_a_open_ai_project_service_account', {
      project_id: 'proj_1',
      name: 'bot',
      expires_in_seconds: 3600,
    });
    expect(a).toEqual(
      await theirs((c) =>
        c.admin.organization.projects.serviceAccounts.create('proj_1', { name: 'bot', expires_in_seconds: 3600 }),
      ),
    );
  });
});
