// /fine_tuning/jobs: list (cursor pages, newest first), create (from an uploaded fine-tune file), retrieve, cancel.
// A created job starts in validating_files and moves one state per retrieve: running (twice, with trained_tokens
// growing) and then succeeded with a fine_tuned_model, so a poller sees every state in order.

import { cursorPage } from '../pagination.js';
import { FakeHttpError, notFound, type Router } from '../router.js';
import type { FakeState, FineTuningJobRecord } from '../state.js';

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

function findJob(state: FakeState, id: string): FineTuningJobRecord {
  const job = state.fineTuningJobs.find((j) => j.id === id);
  if (!job) throw notFound('fine-tuning job', id);
  return job;
}

function requireFile(state: FakeState, body: Record<string, unknown>, param: 'training_file' | 'validation_file') {
  const id = body[param];
  if (id === undefined || id === null) return undefined;
  const rec = state.files.find((f) => f.file.id === id);
  if (!rec)
    throw new FakeHttpError(
      400,
      `Invalid file ID: '${String(id)}'. No such file.`,
      'invalid_request_error',
      param,
      'invalid_file_id',
    );
  if (rec.file.purpose !== 'fine-tune') {
    throw new FakeHttpError(
      400,
      `File '${rec.file.id}' has purpose '${rec.file.purpose}'; fine-tuning needs purpose 'fine-tune'.`,
      'invalid_request_error',
      param,
      'invalid_file_purpose',
    );
  }
  return rec;
}

/** The state a retrieve reports, then the next one the job takes. */
function advance(state: FakeState, job: FineTuningJobRecord): void {
  const next = state.pending[job.id]?.shift();
  if (!next) return;
  job.status = next as FineTuningJobRecord['status'];
  if (next === 'running') {
    job.trained_tokens = (job.trained_tokens ?? 0) + 12_000;
    job.estimated_finish = state.now + 600;
  }
  if (next === 'succeeded') {
    job.trained_tokens = (job.trained_tokens ?? 0) + 12_000;
    job.finished_at = state.now;
    job.estimated_finish = null;
    job.fine_tuned_model = `ft:${job.model}:acme:${job.metadata?.suffix ?? ''}:${job.id.slice(-4)}`;
    job.result_files = [`file-result-${job.id.slice(-4)}`];
  }
}

export function registerFineTuning(router: Router, state: FakeState): void {
  router.get('/fine_tuning/jobs', 'project', ({ query }) => cursorPage(state.fineTuningJobs, query));

  router.post('/fine_tuning/jobs', 'project', ({ body }) => {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.model !== 'string' || !b.model) {
      throw new FakeHttpError(
        400,
        "Missing required parameter: 'model'.",
        'invalid_request_error',
        'model',
        'missing_required_parameter',
      );
    }
    if (b.training_file === undefined) {
      throw new FakeHttpError(
        400,
        "Missing required parameter: 'training_file'.",
        'invalid_request_error',
        'training_file',
        'missing_required_parameter',
      );
    }
    const training = requireFile(state, b, 'training_file')!;
    const validation = requireFile(state, b, 'validation_file');
    const n = state.fineTuningJobs.length + 1;
    const job: FineTuningJobRecord = {
      id: `ftjob-new${String(n).padStart(4, '0')}`,
      object: 'fine_tuning.job',
      created_at: state.now,
      error: null,
      fine_tuned_model: null,
      finished_at: null,
      hyperparameters: { batch_size: 'auto', learning_rate_multiplier: 'auto', n_epochs: 'auto' },
      model: b.model,
      organization_id: 'org-fake',
      result_files: [],
      status: 'validating_files',
      trained_tokens: null,
      training_file: training.file.id,
      validation_file: validation?.file.id ?? null,
      seed: typeof b.seed === 'number' ? b.seed : 42,
      estimated_finish: null,
      metadata: typeof b.suffix === 'string' ? { suffix: b.suffix } : null,
    };
    state.fineTuningJobs.unshift(job);
    state.pending[job.id] = ['running', 'running', 'succeeded'];
    return job;
  });

  router.get('/fine_tuning/jobs/{fine_tuning_job_id}', 'project', ({ params }) => {
    const job = findJob(state, params.fine_tuning_job_id);
    const shown = structuredClone(job);
    advance(state, job);
    return shown;
  });

  router.post('/fine_tuning/jobs/{fine_tuning_job_id}/cancel', 'project', ({ params }) => {
    const job = findJob(state, params.fine_tuning_job_id);
    if (TERMINAL.includes(job.status)) {
      throw new FakeHttpError(
        400,
        `Job ${job.id} has already ${job.status === 'cancelled' ? 'been cancelled' : job.status}.`,
        'invalid_request_error',
        null,
        'invalid_state',
      );
    }
    job.status = 'cancelled';
    job.finished_at = state.now;
    delete state.pending[job.id];
    return job;
  });
}
