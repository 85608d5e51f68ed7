// The fake's fine-tuning, files and vector-store resources: their answers conform to the spec's response schemas,
// and live objects move through their states one retrieve at a time.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { DAY } from '../../testing/fake-openai/state.js';
import { SEEDED_JOBS } from '../../testing/fake-openai/seed-fine-tuning.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { loadSpecResponses, type SpecResponses } from '../../testing/fake-openai/spec-schemas.js';
import { describeWithSpecs } from '../helpers/specs.js';

const specDescribe = describeWithSpecs('current');

let fake: FakeOpenAi;
let spec: SpecResponses;
beforeAll(async () => {
  fake = await startFakeOpenAi({ now: 1_790_000_000 });
  spec = await loadSpecResponses();
});
afterAll(() => fake.close());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${fake.projectKey}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${fake.baseUrl}${path}`, init);
  return { status: res.status, json: await res.json() };
}

/** Calls the fake and requires a 200 whose body matches the spec's response schema for `template`. */
async function conforming(method: string, template: string, path: string, body?: unknown) {
  const r = await call(method, path, body);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  expect(spec.check(method, template, r.json), `${method} ${path}`).toEqual([]);
  return r.json;
}

const upload = (content: string, purpose: string, filename = 'data.jsonl') => {
  const form = new FormData();
  form.append('purpose', purpose);
  form.append('file', new Blob([content], { type: 'application/jsonl' }), filename);
  return form;
};

specDescribe('fake-openai: fine-tuning, files, vector stores', () => {
  it('seeds jobs in every status over a year, newest first, more than one page of 100', async () => {
    const page1 = await conforming('GET', '/fine_tuning/jobs', '/fine_tuning/jobs?limit=100');
    expect(page1.data).toHaveLength(100);
    expect(page1.has_more).toBe(true);
    const page2 = await conforming(
      'GET',
      '/fine_tuning/jobs',
      `/fine_tuning/jobs?limit=100&after=${page1.data.at(-1).id}`,
    );
    const all = [...page1.data, ...page2.data];
    expect(all).toHaveLength(SEEDED_JOBS);
    expect(page2.has_more).toBe(false);
    expect(new Set(all.map((j: any) => j.status))).toEqual(
      new Set(['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled']),
    );
    const created = all.map((j: any) => j.created_at);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect((fake.state.now - Math.min(...created)) / DAY).toBeGreaterThan(300);
    const oldMiniFailures = all.filter(
      (j: any) => j.model.startsWith('gpt-4o-mini') && j.status === 'failed' && fake.state.now - j.created_at > DAY,
    );
    expect(oldMiniFailures.length).toBeGreaterThanOrEqual(2);
    // One answer sits on each page, so finding them all needs paging to the end.
    expect(
      page1.data.some((j: any) => oldMiniFailures.includes(j)) &&
        page2.data.some((j: any) => oldMiniFailures.includes(j)),
    ).toBe(true);
    const job = await conforming(
      'GET',
      '/fine_tuning/jobs/{fine_tuning_job_id}',
      `/fine_tuning/jobs/${oldMiniFailures[0].id}`,
    );
    expect(job.error).toMatchObject({ code: 'invalid_training_file' });
    // The checker itself rejects what the spec forbids.
    expect(
      spec.check('GET', '/fine_tuning/jobs/{fine_tuning_job_id}', { ...job, status: 'paused-ish', seed: 'x' }).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('uploads a file, creates a job from it, and moves the job validating_files → running → succeeded on reads', async () => {
    const file = await conforming('POST', '/files', '/files', upload('{"messages":[]}\n', 'fine-tune'));
    expect(file).toMatchObject({ object: 'file', purpose: 'fine-tune', bytes: 16, filename: 'data.jsonl' });
    expect(fake.state.files.at(-1)!.content.toString()).toBe('{"messages":[]}\n');
    const created = await conforming('POST', '/fine_tuning/jobs', '/fine_tuning/jobs', {
      model: 'gpt-4o-mini-2024-07-18',
      training_file: file.id,
      suffix: 'q3',
    });
    expect(created.status).toBe('validating_files');
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const j = await conforming('GET', '/fine_tuning/jobs/{fine_tuning_job_id}', `/fine_tuning/jobs/${created.id}`);
      seen.push(j.status);
      if (j.status === 'succeeded') expect(j.fine_tuned_model).toMatch(/^ft:gpt-4o-mini-2024-07-18:acme:q3:/);
    }
    expect(seen).toEqual(['validating_files', 'running', 'running', 'succeeded', 'succeeded']);
    const bad = await call('POST', '/fine_tuning/jobs', { model: 'gpt-4o-mini', training_file: 'file-nope' });
    expect(bad).toMatchObject({ status: 400, json: { error: { param: 'training_file', code: 'invalid_file_id' } } });
  });

  it('creates a batch from a batch file, moves it validating → in_progress → finalizing → completed, lists and cancels', async () => {
    const file = await conforming('POST', '/files', '/files', upload('{"a":1}\n{"a":2}\n{"a":3}\n{"a":4}\n', 'batch'));
    const created = await conforming('POST', '/batches', '/batches', {
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(created).toMatchObject({ object: 'batch', status: 'validating', request_counts: { total: 4 } });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const b = await conforming('GET', '/batches/{batch_id}', `/batches/${created.id}`);
      seen.push(`${b.status}:${b.request_counts.completed}`);
    }
    expect(seen).toEqual(['validating:0', 'in_progress:2', 'finalizing:4', 'completed:4', 'completed:4']);
    const list = await conforming('GET', '/batches', '/batches?limit=2');
    expect(list.data.map((b: { id: string }) => b.id)).toEqual([created.id, 'batch_seed_running']);
    expect(list.has_more).toBe(true);
    const rest = await conforming('GET', '/batches', `/batches?after=${list.last_id}`);
    expect(rest.data.map((b: { status: string }) => b.status)).toEqual(['failed', 'completed']);
    // Cancel: cancelling now, cancelled on the next read; a finished batch refuses.
    const other = await conforming('POST', '/batches', '/batches', {
      input_file_id: file.id,
      endpoint: '/v1/embeddings',
      completion_window: '24h',
    });
    const cancelling = await conforming('POST', '/batches/{batch_id}/cancel', `/batches/${other.id}/cancel`);
    expect(cancelling.status).toBe('cancelling');
    expect((await conforming('GET', '/batches/{batch_id}', `/batches/${other.id}`)).status).toBe('cancelling');
    expect((await conforming('GET', '/batches/{batch_id}', `/batches/${other.id}`)).status).toBe('cancelled');
    expect(await call('POST', `/batches/${created.id}/cancel`)).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_state' } },
    });
    const wrong = await conforming('POST', '/files', '/files', upload('{}', 'fine-tune'));
    expect(
      await call('POST', '/batches', { input_file_id: wrong.id, endpoint: '/v1/embeddings', completion_window: '24h' }),
    ).toMatchObject({ status: 400, json: { error: { param: 'input_file_id', code: 'invalid_file_purpose' } } });
    expect(await call('GET', '/batches/batch_nope')).toMatchObject({ status: 404 });
  });

  it('creates a vector store, attaches files in a batch that completes on the next read, and counts them', async () => {
    const vs = await conforming('POST', '/vector_stores', '/vector_stores', { name: 'Q3 Financial Reports' });
    const f1 = await conforming('POST', '/files', '/files', upload('Revenue grew 12%.', 'assistants', 'q3.txt'));
    const f2 = await conforming('POST', '/files', '/files', upload('Costs fell 3%.', 'assistants', 'q3-costs.txt'));
    const batch = await conforming(
      'POST',
      '/vector_stores/{vector_store_id}/file_batches',
      `/vector_stores/${vs.id}/file_batches`,
      { file_ids: [f1.id, f2.id] },
    );
    expect(batch).toMatchObject({ status: 'in_progress', file_counts: { in_progress: 2, total: 2 } });
    const path = `/vector_stores/${vs.id}/file_batches/${batch.id}`;
    const template = '/vector_stores/{vector_store_id}/file_batches/{batch_id}';
    expect((await conforming('GET', template, path)).status).toBe('in_progress');
    expect(await conforming('GET', template, path)).toMatchObject({
      status: 'completed',
      file_counts: { completed: 2, in_progress: 0, total: 2 },
    });
    const store = await conforming('GET', '/vector_stores/{vector_store_id}', `/vector_stores/${vs.id}`);
    expect(store).toMatchObject({
      name: 'Q3 Financial Reports',
      status: 'completed',
      file_counts: { completed: 2 },
      usage_bytes: 31,
    });
    const file = await conforming(
      'GET',
      '/vector_stores/{vector_store_id}/files/{file_id}',
      `/vector_stores/${vs.id}/files/${f1.id}`,
    );
    expect(file.status).toBe('completed');
  });

  it("answers the organization routes in the spec's shapes too", async () => {
    const admin = (path: string) =>
      fetch(`${fake.baseUrl}${path}`, { headers: { authorization: `Bearer ${fake.adminKey}` } }).then((r) => r.json());
    expect(spec.check('GET', '/organization/projects', await admin('/organization/projects'))).toEqual([]);
    expect(
      spec.check(
        'GET',
        '/organization/projects/{project_id}/api_keys',
        await admin('/organization/projects/proj_002/api_keys'),
      ),
    ).toEqual([]);
    const usage = await admin(
      `/organization/usage/completions?start_time=${fake.state.now - 7 * DAY}&group_by[]=project_id`,
    );
    expect(spec.check('GET', '/organization/usage/completions', usage)).toEqual([]);
  });
});
