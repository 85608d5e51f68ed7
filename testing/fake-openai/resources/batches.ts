// /batches: create (from an uploaded `batch` file, one request per JSONL line), list (cursor pages, newest first),
// retrieve, cancel. A created batch moves one state per retrieve: validating → in_progress (half the requests
// done) → finalizing → completed, so a poller (wait_for_open_ai_batch_by_id) sees every state in order; a cancel
// goes through cancelling to cancelled on the next retrieve. Three seeded batches (failed, in progress, completed)
// give listings a failure to put first.

import { cursorPage } from '../pagination.js';
import { FakeHttpError, notFound, type Router } from '../router.js';
import { type BatchRecord, DAY, type FakeState, nextId } from '../state.js';

const HOUR = 3600;
const ENDPOINTS = ['/v1/responses', '/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/moderations'];
const TERMINAL: ReadonlyArray<BatchRecord['status']> = ['failed', 'completed', 'expired', 'cancelled'];

function blank(fields: Pick<BatchRecord, 'id' | 'endpoint' | 'input_file_id' | 'created_at'>) {
  const rec: BatchRecord = {
    object: 'batch',
    errors: null,
    completion_window: '24h',
    status: 'validating',
    output_file_id: null,
    error_file_id: null,
    in_progress_at: null,
    expires_at: fields.created_at + DAY,
    finalizing_at: null,
    completed_at: null,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: 0, completed: 0, failed: 0 },
    metadata: null,
    ...fields,
  };
  return rec;
}

/** Three batches placed before any test: a failed one (with line errors), one half done, one completed. */
export function seedBatches(state: FakeState): void {
  const now = state.now;
  const failed = blank({
    id: 'batch_seed_failed',
    endpoint: '/v1/chat/completions',
    input_file_id: 'file-batch-seed-1',
    created_at: now - 30 * HOUR,
  });
  Object.assign(failed, {
    status: 'failed',
    failed_at: now - 30 * HOUR + 60,
    errors: {
      object: 'list',
      data: [{ code: 'invalid_json_line', message: 'Line 3 is not valid JSON.', param: null, line: 3 }],
    },
  });
  const running = blank({
    id: 'batch_seed_running',
    endpoint: '/v1/embeddings',
    input_file_id: 'file-batch-seed-2',
    created_at: now - 2 * HOUR,
  });
  Object.assign(running, {
    status: 'in_progress',
    in_progress_at: now - 2 * HOUR + 30,
    request_counts: { total: 400, completed: 150, failed: 10 },
  });
  const done = blank({
    id: 'batch_seed_completed',
    endpoint: '/v1/responses',
    input_file_id: 'file-batch-seed-3',
    created_at: now - 50 * HOUR,
  });
  Object.assign(done, {
    status: 'completed',
    in_progress_at: now - 50 * HOUR + 30,
    finalizing_at: now - 40 * HOUR,
    completed_at: now - 40 * HOUR + 120,
    output_file_id: 'file-batch-seed-3-out',
    request_counts: { total: 1000, completed: 1000, failed: 0 },
  });
  state.batches.push(running, failed, done);
}

/** The batch as OpenAI answers it: timestamps, files and errors not reached yet are absent, not null. */
function shown(b: BatchRecord): Record<string, unknown> {
  const out = structuredClone(b) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v === null && k !== 'metadata') delete out[k];
  return out;
}

function findBatch(state: FakeState, id: string): BatchRecord {
  const rec = state.batches.find((b) => b.id === id);
  if (!rec) throw notFound('batch', id);
  return rec;
}

/** The state a retrieve reports, then the next one the batch takes. */
function advance(state: FakeState, b: BatchRecord): void {
  const next = state.pending[b.id]?.shift() as BatchRecord['status'] | undefined;
  if (!next) return;
  b.status = next;
  const t = state.now;
  const total = b.request_counts.total;
  if (next === 'in_progress') {
    b.in_progress_at = t;
    b.request_counts = { total, completed: Math.floor(total / 2), failed: 0 };
  } else if (next === 'finalizing') {
    b.finalizing_at = t;
    b.request_counts = { total, completed: total, failed: 0 };
  } else if (next === 'completed') {
    b.completed_at = t;
    b.output_file_id = `file-${b.id}-out`;
  } else if (next === 'cancelled') {
    b.cancelled_at = t;
  }
}

const missing = (param: string) =>
  new FakeHttpError(
    400,
    `Missing required parameter: '${param}'.`,
    'invalid_request_error',
    param,
    'missing_required_parameter',
  );

export function registerBatches(router: Router, state: FakeState): void {
  router.get('/batches', 'project', ({ query }) => {
    const page = cursorPage(state.batches, query);
    return { ...page, data: page.data.map(shown) };
  });

  router.post('/batches', 'project', ({ body }) => {
    const b = (body ?? {}) as Record<string, unknown>;
    for (const p of ['input_file_id', 'endpoint', 'completion_window']) if (b[p] === undefined) throw missing(p);
    if (typeof b.endpoint !== 'string' || !ENDPOINTS.includes(b.endpoint))
      throw new FakeHttpError(
        400,
        `Invalid value for 'endpoint': expected one of ${ENDPOINTS.join(', ')}.`,
        'invalid_request_error',
        'endpoint',
        'invalid_value',
      );
    if (b.completion_window !== '24h')
      throw new FakeHttpError(
        400,
        "Invalid value for 'completion_window': expected '24h'.",
        'invalid_request_error',
        'completion_window',
        'invalid_value',
      );
    const file = state.files.find((f) => f.file.id === b.input_file_id);
    if (!file)
      throw new FakeHttpError(
        400,
        `Invalid file ID: '${String(b.input_file_id)}'. No such file.`,
        'invalid_request_error',
        'input_file_id',
        'invalid_file_id',
      );
    if (file.file.purpose !== 'batch')
      throw new FakeHttpError(
        400,
        `File '${file.file.id}' has purpose '${file.file.purpose}'; a batch needs purpose 'batch'.`,
        'invalid_request_error',
        'input_file_id',
        'invalid_file_purpose',
      );
    const lines = file.content
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim()).length;
    const rec = blank({
      id: nextId(state, 'batch'),
      endpoint: b.endpoint,
      input_file_id: file.file.id,
      created_at: state.now,
    });
    rec.request_counts.total = lines;
    if (b.metadata && typeof b.metadata === 'object') rec.metadata = b.metadata as Record<string, string>;
    state.batches.unshift(rec);
    state.pending[rec.id] = ['in_progress', 'finalizing', 'completed'];
    return shown(rec);
  });

  router.get('/batches/{batch_id}', 'project', ({ params }) => {
    const rec = findBatch(state, params.batch_id);
    const answer = shown(rec);
    advance(state, rec);
    return answer;
  });

  router.post('/batches/{batch_id}/cancel', 'project', ({ params }) => {
    const rec = findBatch(state, params.batch_id);
    if (TERMINAL.includes(rec.status) || rec.status === 'cancelling')
      throw new FakeHttpError(
        400,
        `Batch ${rec.id} is ${rec.status} and cannot be cancelled.`,
        'invalid_request_error',
        null,
        'invalid_state',
      );
    rec.status = 'cancelling';
    rec.cancelling_at = state.now;
    state.pending[rec.id] = ['cancelled'];
    return shown(rec);
  });
}
