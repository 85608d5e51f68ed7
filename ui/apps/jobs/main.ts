// ui://openai-mcp/jobs: fine-tuning jobs, batches and vector-store file batches as a timeline, from a wait tool's
// answer ({done, status, result}) or a job listing ({result: [...]}); a fine-tuning job's event list draws as
// events. Failures come first, then running jobs, then finished ones; each shows status, progress and errors, and
// a fine-tuning job's events load through the host on request.

import { LIST_PAGE } from '../../../runtime/contract/pages.js';
import { el, isObject, type Json, payloadOf, showError, startView, timeOf } from '../shared.js';

const root = document.getElementById('app') as HTMLElement;

const FAILED = new Set(['failed', 'cancelled', 'expired', 'cancelling', 'incomplete']);
const DONE = new Set(['succeeded', 'completed']);

function statusClass(status: string): string {
  if (FAILED.has(status)) return 's-failed';
  if (DONE.has(status)) return 's-done';
  if (status === 'paused') return 's-other';
  return 's-running';
}

const order = (status: string) => (FAILED.has(status) ? 0 : DONE.has(status) ? 2 : 1);

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Done fraction and a line saying how far, from the counts each kind of job reports. */
function progressOf(job: Json): { fraction?: number; text?: string; failed: number } {
  const counts = isObject(job.request_counts)
    ? job.request_counts
    : isObject(job.file_counts)
      ? job.file_counts
      : undefined;
  if (counts) {
    const total = num(counts.total);
    const finished = num(counts.completed) + num(counts.failed) + num(counts.cancelled);
    const failed = num(counts.failed);
    const noun = isObject(job.request_counts) ? 'requests' : 'files';
    return {
      fraction: total ? finished / total : undefined,
      text: `${finished}/${total} ${noun}${failed ? `, ${failed} failed` : ''}`,
      failed,
    };
  }
  if (typeof job.trained_tokens === 'number')
    return { text: `${job.trained_tokens.toLocaleString('en-US')} tokens trained`, failed: 0 };
  return { failed: 0 };
}

/** The error lines a job carries: `error` (fine-tuning), `errors.data[]` (batches), `last_error` (files). */
function failuresOf(job: Json): string[] {
  const out: string[] = [];
  const one = (e: unknown) => {
    if (isObject(e) && typeof e.message === 'string')
      out.push([e.code, e.message].filter((x) => typeof x === 'string' && x).join(': '));
  };
  one(job.error);
  one(job.last_error);
  if (isObject(job.errors) && Array.isArray(job.errors.data)) job.errors.data.slice(0, 5).forEach(one);
  return out;
}

function kindOf(job: Json): string {
  const o = typeof job.object === 'string' ? job.object : '';
  if (o.startsWith('fine_tuning.job')) return 'fine-tuning job';
  if (o === 'batch') return 'batch';
  if (o.includes('file_batch')) return 'file batch';
  return o || 'job';
}

function jobCard(job: Json): HTMLElement {
  const status = typeof job.status === 'string' ? job.status : 'unknown';
  const p = progressOf(job);
  const id = typeof job.id === 'string' ? job.id : '';
  const started = job.created_at;
  const ended = job.finished_at ?? job.completed_at ?? job.failed_at ?? job.cancelled_at ?? job.expired_at;
  const times = [
    timeOf(started) && `created ${timeOf(started)}`,
    timeOf(ended) && `ended ${timeOf(ended)}`,
    typeof job.estimated_finish === 'number' ? `est. finish ${timeOf(job.estimated_finish)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const bar =
    p.fraction !== undefined
      ? el(
          'div',
          { class: 'progress', role: 'progressbar', 'aria-valuenow': Math.round(p.fraction * 100) },
          progressFill(p.fraction),
        )
      : null;
  const failures = failuresOf(job);
  const card = el(
    'li',
    { class: `job ${statusClass(status)}-card`, 'data-status': status, 'data-id': id },
    el(
      'header',
      {},
      el('span', { class: `badge ${statusClass(status)}` }, status),
      el('span', { class: 'id' }, id),
      el('span', { class: 'muted' }, kindOf(job)),
      typeof job.model === 'string' ? el('span', {}, job.model) : null,
    ),
    bar,
    p.text ? el('div', { class: 'muted' }, p.text) : null,
    times ? el('div', { class: 'muted' }, times) : null,
    ...failures.map((f) => el('div', { class: 'failures' }, f)),
  );
  if (kindOf(job) === 'fine-tuning job' && id) card.append(eventsButton(id, card));
  return card;
}

function progressFill(fraction: number): HTMLElement {
  const fill = el('div');
  // Width through the CSSOM: the CSP allows no style attributes.
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return fill;
}

function eventList(events: Json[]): HTMLElement {
  // Errors first, then newest first, as the list answers.
  const sorted = [...events].sort((a, b) => (a.level === 'error' ? 0 : 1) - (b.level === 'error' ? 0 : 1));
  return el(
    'ul',
    { class: 'events' },
    ...sorted.map((e) =>
      el(
        'li',
        { class: `lvl-${typeof e.level === 'string' ? e.level : 'info'}` },
        el('span', { class: 'muted' }, timeOf(e.created_at)),
        el('span', {}, typeof e.message === 'string' ? e.message : ''),
      ),
    ),
  );
}

function eventsButton(jobId: string, card: HTMLElement): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'events-button' }, 'Events');
  b.addEventListener('click', async () => {
    b.disabled = true;
    const r = await app
      .callServerTool({
        name: 'list_all_open_ai_fine_tuning_job_events',
        arguments: { fine_tuning_job_id: jobId, limit: 20 },
      })
      .catch(() => undefined);
    const items = r && !r.isError ? payloadOf(r)?.[LIST_PAGE.items] : undefined;
    b.replaceWith(
      Array.isArray(items)
        ? eventList(items.filter(isObject))
        : el('div', { class: 'muted' }, 'Events are not available here.'),
    );
    void card;
  });
  return b;
}

function render(payload: Json): void {
  // A wait answer wraps the job (`result`); a list page has its items under `LIST_PAGE.items`.
  const wait = typeof payload.done === 'boolean';
  const page = payload[LIST_PAGE.items];
  const items: Json[] = wait
    ? isObject(payload.result)
      ? [payload.result]
      : []
    : Array.isArray(page)
      ? page.filter(isObject)
      : [];
  if (!items.length) {
    root.replaceChildren(
      el('h1', {}, 'Jobs'),
      el(
        'p',
        { class: 'muted' },
        wait ? `Status ${String(payload.status)}; no object to show.` : 'No jobs in this page.',
      ),
    );
    return;
  }
  if (items.every((i) => typeof i.object === 'string' && i.object.endsWith('.event'))) {
    root.replaceChildren(el('h1', {}, 'Events'), eventList(items));
    return;
  }
  const jobs = [...items].sort(
    (a, b) => order(String(a.status)) - order(String(b.status)) || num(b.created_at) - num(a.created_at),
  );
  const failed = jobs.filter((j) => FAILED.has(String(j.status))).length;
  const head = wait
    ? `${payload.done ? 'Finished' : 'Still running'} after ${num(payload.waited_seconds)} s (${num(payload.polls)} polls)`
    : `${jobs.length} jobs${failed ? `, ${failed} failed` : ''}${payload[LIST_PAGE.more] ? ' · more pages' : ''}`;
  root.replaceChildren(
    el('h1', {}, 'Jobs'),
    el('p', { class: 'summary', id: 'summary' }, head),
    el('ul', { class: 'jobs' }, ...jobs.map(jobCard)),
  );
}

const app = startView('openai-mcp jobs', {
  onResult: (result) => {
    const payload = payloadOf(result);
    if (!payload || result.isError) return showError(root, 'The tool call failed; the conversation has the error.');
    render(payload);
  },
});
