// Seeded fine-tuning jobs: 120 over the past year (more than one page of 100), newest first, in every status,
// on several base models. A few jobs are placed by hand so the monitoring scenario has known answers: failed
// gpt-4o-mini jobs older than 24 h on both pages, and a recent failure that must not count.

import { DAY, type FakeState, type FineTuningJobRecord } from './state.js';

const HOUR = 3600;
const MODELS = ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', 'gpt-4.1-mini-2025-04-14'];
export const SEEDED_JOBS = 120;

type Placed = Pick<FineTuningJobRecord, 'status' | 'model'> & { ageSeconds: number; withValidation?: boolean };

/** Index (0 = newest) → a job with a fixed status and model. */
const PLACED: Record<number, Placed> = {
  0: { status: 'validating_files', model: MODELS[0]!, ageSeconds: 1 * HOUR },
  1: { status: 'queued', model: MODELS[2]!, ageSeconds: 2 * HOUR },
  2: { status: 'running', model: MODELS[0]!, ageSeconds: 3 * HOUR },
  3: { status: 'failed', model: MODELS[0]!, ageSeconds: 5 * HOUR, withValidation: true },
  4: { status: 'cancelled', model: MODELS[1]!, ageSeconds: 20 * HOUR },
  30: { status: 'failed', model: MODELS[0]!, ageSeconds: 40 * DAY, withValidation: true },
  55: { status: 'failed', model: MODELS[1]!, ageSeconds: 90 * DAY, withValidation: true },
  110: { status: 'failed', model: MODELS[0]!, ageSeconds: 330 * DAY, withValidation: true },
};

const pad = (n: number, width = 4) => String(n).padStart(width, '0');

export function seedFineTuning(state: FakeState, rand: () => number): void {
  const jobs: FineTuningJobRecord[] = [];
  let age = 6 * HOUR;
  for (let i = 0; i < SEEDED_JOBS; i++) {
    // Roughly three days apart, so the year is covered; placed jobs keep their own age.
    age += Math.floor(DAY + rand() * 3 * DAY);
    const placed = PLACED[i];
    const r = rand();
    const random: Placed = {
      status: r < 0.1 ? 'cancelled' : r < 0.18 ? 'failed' : 'succeeded',
      // Random failures are never on gpt-4o-mini: the placed ones are the scenario's answer.
      model: r >= 0.1 && r < 0.18 ? MODELS[1 + Math.floor(rand() * 2)]! : MODELS[Math.floor(rand() * MODELS.length)]!,
      ageSeconds: age,
      withValidation: rand() < 0.6,
    };
    const p = placed ?? random;
    const n = SEEDED_JOBS - i;
    const created = state.now - p.ageSeconds;
    const finished = ['succeeded', 'failed', 'cancelled'].includes(p.status)
      ? created + Math.min(p.ageSeconds - 60, 2 * HOUR)
      : null;
    jobs.push({
      id: `ftjob-${pad(n)}`,
      object: 'fine_tuning.job',
      created_at: created,
      error:
        p.status === 'failed'
          ? {
              code: 'invalid_training_file',
              message: `Line ${1 + (n % 40)} of the training file is not valid: the last message must be from the assistant.`,
              param: 'training_file',
            }
          : null,
      fine_tuned_model: p.status === 'succeeded' ? `ft:${p.model}:acme::${pad(n)}` : null,
      finished_at: finished,
      hyperparameters: { batch_size: 'auto', learning_rate_multiplier: 'auto', n_epochs: 3 },
      model: p.model,
      organization_id: 'org-fake',
      result_files: p.status === 'succeeded' ? [`file-result-${pad(n)}`] : [],
      status: p.status,
      trained_tokens: p.status === 'succeeded' ? 10_000 + Math.floor(rand() * 500_000) : null,
      training_file: `file-train-${pad(n)}`,
      validation_file: p.withValidation ? `file-valid-${pad(n)}` : null,
      seed: 1000 + n,
      estimated_finish: p.status === 'running' ? state.now + HOUR : null,
      metadata: null,
    });
  }
  // Placed jobs may be younger than their random neighbours: keep the list newest first, as OpenAI does.
  jobs.sort((a, b) => b.created_at - a.created_at);
  state.fineTuningJobs = jobs;
}
