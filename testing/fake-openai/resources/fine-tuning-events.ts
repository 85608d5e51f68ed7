// /fine_tuning/jobs/{id}/events: a job's events derived from its record (created, validated, started, and how it
// ended, with the job's error as an error-level event), newest first in cursor pages like the job list.

import { cursorPage } from '../pagination.js';
import { notFound, type Router } from '../router.js';
import type { FakeState, FineTuningJobRecord } from '../state.js';

function eventsOf(job: FineTuningJobRecord) {
  const at = (offset: number) => job.created_at + offset;
  const event = (n: number, created_at: number, level: 'info' | 'warn' | 'error', message: string) => ({
    object: 'fine_tuning.job.event' as const,
    id: `ftevent-${job.id.slice(-8)}-${n}`,
    created_at,
    level,
    message,
    type: 'message' as const,
  });
  const out = [event(1, at(0), 'info', `Created fine-tuning job: ${job.id}`)];
  if (job.status !== 'validating_files') out.push(event(2, at(60), 'info', 'Validating training file'));
  if (job.status === 'running' || job.status === 'succeeded')
    out.push(event(3, at(300), 'info', 'Fine-tuning job started'));
  const end = job.finished_at ?? at(600);
  if (job.status === 'succeeded') out.push(event(4, end, 'info', 'The job has successfully completed'));
  if (job.status === 'cancelled') out.push(event(4, end, 'warn', 'The job was cancelled'));
  if (job.status === 'failed') out.push(event(4, end, 'error', job.error?.message ?? 'The job failed'));
  return out.reverse();
}

export function registerFineTuningEvents(router: Router, state: FakeState): void {
  router.get('/fine_tuning/jobs/{fine_tuning_job_id}/events', 'project', ({ params, query }) => {
    const job = state.fineTuningJobs.find((j) => j.id === params.fine_tuning_job_id);
    if (!job) throw notFound('fine-tuning job', params.fine_tuning_job_id);
    return cursorPage(eventsOf(job), query);
  });
}
