// The wait executor through the real toolkit and generated catalog, against a loopback server that answers each
// poll as the test says: terminal states, timeouts, upstream errors, cancellation, progress and backoff.

import { beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiToolkit, type OpenAiToolkit } from '../../runtime/index.js';
import { backoff } from '../../runtime/wait.js';
import { ADMIN_KEY, json, PROJECT_KEY, textOf, generatedKit, useCaptureServer } from './helpers.js';

const WAIT = 'wait_for_open_ai_fine_tuning_job_by_id';
const srv = useCaptureServer();
let kit: OpenAiToolkit;
beforeAll(() => {
  kit = generatedKit(srv.baseUrl);
});

/** Answers the n-th poll with `statuses[n]` (the last one repeats). */
function statuses(...list: string[]) {
  srv.respond((_req, res) => {
    const status = list[Math.min(srv.requests.length - 1, list.length - 1)]!;
    json(res, 200, { id: 'ftjob-1', object: 'fine_tuning.job', status, trained_tokens: srv.requests.length * 100 });
  });
}

type Note = { progressToken: string | number; progress: number; message?: string };
function progressContext(signal?: AbortSignal) {
  const notes: Note[] = [];
  return {
    notes,
    ctx: {
      signal,
      _meta: { progressToken: 'tok-1' },
      sendNotification: async (n: { params: Note }) => {
        notes.push(n.params);
      },
    },
  };
}

describe('wait tools', () => {
  it('polls the get endpoint until a terminal state, reporting each state with its progress figures', async () => {
    statuses('validating_files', 'running', 'succeeded');
    const { notes, ctx } = progressContext();
    const r = await kit.callTool(WAIT, { fine_tuning_job_id: 'ftjob-1', poll_interval_seconds: 1 }, ctx);
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      done: true,
      status: 'succeeded',
      polls: 3,
      result: { id: 'ftjob-1', trained_tokens: 300 },
    });
    expect(srv.requests.map((q) => `${q.method} ${q.path}`)).toEqual(Array(3).fill('GET /v1/fine_tuning/jobs/ftjob-1'));
    // No wait argument leaks into the upstream query.
    expect(srv.requests.every((q) => q.url === '/v1/fine_tuning/jobs/ftjob-1')).toBe(true);
    expect(notes).toEqual([
      { progressToken: 'tok-1', progress: 1, message: 'status: validating_files (trained_tokens=100)' },
      { progressToken: 'tok-1', progress: 2, message: 'status: running (trained_tokens=200)' },
      { progressToken: 'tok-1', progress: 3, message: 'status: succeeded (trained_tokens=300)' },
    ]);
  });

  it('stops on a paused job, a state the spec enum leaves out (extraStatuses in specs/overrides.yaml)', async () => {
    statuses('running', 'paused');
    const r = await kit.callTool(WAIT, {
      fine_tuning_job_id: 'ftjob-1',
      poll_interval_seconds: 1,
      timeout_seconds: 20,
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ done: true, status: 'paused', polls: 2 });
  });

  it('returns done:false with the last state and a call-again hint on timeout, not an error', async () => {
    statuses('running');
    const r = await kit.callTool(WAIT, { fine_tuning_job_id: 'ftjob-1', timeout_seconds: 2, poll_interval_seconds: 1 });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as Record<string, any>;
    expect(s).toMatchObject({ done: false, status: 'running', result: { status: 'running' } });
    expect(s.hint).toMatch(/still running.*call wait_for_open_ai_fine_tuning_job_by_id again/i);
    expect(s.polls).toBe(srv.requests.length);
    expect(s.polls).toBeGreaterThanOrEqual(2);
    expect(s.polls).toBeLessThanOrEqual(3);
  });

  it("returns an upstream error as an error, with status and OpenAI's message, and stops polling", async () => {
    srv.respond((_req, res) => {
      if (srv.requests.length === 1) return json(res, 200, { id: 'ftjob-1', status: 'running' });
      json(res, 404, {
        error: { message: 'No such fine-tuning job: ftjob-1', type: 'invalid_request_error', code: null, param: null },
      });
    });
    const r = await kit.callTool(WAIT, { fine_tuning_job_id: 'ftjob-1', poll_interval_seconds: 1 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('HTTP 404');
    expect(textOf(r)).toContain('No such fine-tuning job: ftjob-1');
    expect(srv.requests).toHaveLength(2);
  });

  it('stops at once on cancellation and sends no further request', async () => {
    statuses('running');
    const abort = new AbortController();
    const { ctx } = progressContext(abort.signal);
    const started = Date.now();
    const pending = kit.callTool(WAIT, { fine_tuning_job_id: 'ftjob-1', poll_interval_seconds: 30 }, ctx);
    while (srv.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    const r = await pending;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/cancelled/);
    await new Promise((r) => setTimeout(r, 300));
    expect(srv.requests).toHaveLength(1);
  });

  it('refuses out-of-range wait arguments by name before any request', async () => {
    const r = await kit.callTool(WAIT, {
      fine_tuning_job_id: 'ftjob-1',
      timeout_seconds: 601,
      poll_interval_seconds: 0.1,
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/timeout_seconds/);
    expect(textOf(r)).toMatch(/poll_interval_seconds/);
    expect(srv.requests).toHaveLength(0);
  });

  it('reports an object without a status as an error instead of polling forever', async () => {
    srv.respond((_req, res) => json(res, 200, { id: 'ftjob-1' }));
    const r = await kit.callTool(WAIT, { fine_tuning_job_id: 'ftjob-1' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/no string `status`/);
    expect(srv.requests).toHaveLength(1);
  });

  it('reads the status of an object too large for the result cap, and returns its cut text instead', async () => {
    const small = createOpenAiToolkit({
      baseUrl: srv.baseUrl,
      env: {},
      maxTextChars: 300,
      credentials: { apiKey: PROJECT_KEY, adminKey: ADMIN_KEY },
    });
    srv.respond((_req, res) =>
      json(res, 200, {
        id: 'resp_1',
        object: 'response',
        status: 'completed',
        output: [{ type: 'message', text: 'x'.repeat(5000) }],
      }),
    );
    const r = await small.callTool('wait_for_open_ai_response_by_id', { response_id: 'resp_1' });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ done: true, status: 'completed', polls: 1, result: null });
    expect(textOf(r)).toContain('over the size cap');
    expect(textOf(r)).toContain('{"id":"resp_1"');
    expect(textOf(r)).toMatch(/Truncated/);
  });

  it('backs off by 1.5x from the interval up to 5x it (and never over a minute)', () => {
    expect([1, 2, 3, 4, 5, 6].map(backoff(2))).toEqual([2000, 3000, 4500, 6750, 10000, 10000]);
    expect([1, 10].map(backoff(30))).toEqual([30000, 60000]);
  });
});
