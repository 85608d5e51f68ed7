// ui://openai-mcp/audit: a managed server's audit rows (the admin server's `list_managed_server_calls`): calls and
// errors over time, the mix of upstream statuses, the rows with errors first, and filters by tool and status that
// call the tool again through the host (so the management token's scope and the operator audit apply to them).
// Tool names in rows are whatever a client asked for (the log records unknown names too): drawn as text only.

import { el, isObject, type Json, payloadOf, showError, startView, svg, toolNameOf } from '../shared.js';

const AUDIT_TOOL = 'list_managed_server_calls';

interface CallRow {
  id: number;
  at: string;
  tool: string;
  http_status: number | null;
  duration_ms: number;
  is_error: boolean;
}

interface Bucket {
  at: string;
  calls: number;
  errors: number;
}

interface AuditPage {
  serverId: string;
  window: { since: string; until: string };
  tool: string | null;
  status: string | null;
  buckets: Bucket[];
  rows: CallRow[];
  more: boolean;
  cursor: number | null;
}

const root = document.getElementById('app') as HTMLElement;
const state: { page?: AuditPage; args: Json; loading: boolean } = { args: {}, loading: false };

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function toPage(p: Json): AuditPage | undefined {
  if (!Array.isArray(p.rows) || typeof p.server_id !== 'string') return undefined;
  const w = isObject(p.window) ? p.window : {};
  const f = isObject(p.filter) ? p.filter : {};
  return {
    serverId: p.server_id,
    window: { since: str(w.since), until: str(w.until) },
    tool: typeof f.tool === 'string' ? f.tool : null,
    status: typeof f.status === 'string' ? f.status : null,
    buckets: (Array.isArray(p.buckets) ? p.buckets : [])
      .filter(isObject)
      .map((b) => ({ at: str(b.at), calls: num(b.calls), errors: num(b.errors) })),
    rows: p.rows.filter(isObject).map((r) => ({
      id: num(r.id),
      at: str(r.at),
      tool: str(r.tool),
      http_status: typeof r.http_status === 'number' ? r.http_status : null,
      duration_ms: num(r.duration_ms),
      is_error: r.is_error === true,
    })),
    more: p.has_more === true,
    cursor: typeof p.next_cursor === 'number' ? p.next_cursor : null,
  };
}

/** A row's status class: the upstream status's hundred, `none` when no request left (refused, unknown tool). */
const statusKey = (r: CallRow) => (r.http_status === null ? 'none' : `${Math.floor(r.http_status / 100)}xx`);

function chart(buckets: Bucket[]): SVGElement {
  const W = 720;
  const H = 140;
  const b = 18;
  const max = Math.max(1, ...buckets.map((x) => x.calls));
  const slot = (W - 16) / Math.max(1, buckets.length);
  const bw = Math.max(1, slot * 0.8);
  const scale = (H - 8 - b) / max;
  const out = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': 'calls over time' });
  const every = Math.ceil(buckets.length / 8);
  buckets.forEach((k, i) => {
    const x = 8 + i * slot + (slot - bw) / 2;
    const h = k.calls * scale;
    const e = k.errors * scale;
    const g = svg('g', { class: 'bucket', 'data-at': k.at, 'data-calls': k.calls, 'data-errors': k.errors });
    const title = svg('title');
    title.textContent = `${k.at.slice(0, 16).replace('T', ' ')}: ${k.calls} calls, ${k.errors} errors`;
    g.append(
      title,
      svg('rect', {
        class: 'ok',
        x: x.toFixed(1),
        y: (H - b - h).toFixed(1),
        width: bw.toFixed(1),
        height: h.toFixed(1),
      }),
    );
    if (k.errors)
      g.append(
        svg('rect', {
          class: 'err',
          x: x.toFixed(1),
          y: (H - b - e).toFixed(1),
          width: bw.toFixed(1),
          height: e.toFixed(1),
        }),
      );
    out.append(g);
    if (i % every === 0) {
      const t = svg('text', { x: (x + bw / 2).toFixed(1), y: H - 5, 'text-anchor': 'middle', class: 'axis' });
      t.textContent = k.at.slice(5, 13).replace('T', ' ');
      out.append(t);
    }
  });
  return out;
}

function statusMix(rows: CallRow[]): HTMLElement {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(statusKey(r), (counts.get(statusKey(r)) ?? 0) + 1);
  const keys = [...counts.keys()].sort();
  return el(
    'ul',
    { class: 'mix', 'aria-label': 'status mix' },
    ...keys.map((k) =>
      el(
        'li',
        { 'data-status': k, 'data-count': counts.get(k) ?? 0, class: k === '2xx' ? 's-done' : 's-failed' },
        `${k === 'none' ? 'no request' : k} `,
        el('strong', {}, String(counts.get(k) ?? 0)),
      ),
    ),
  );
}

function table(rows: CallRow[]): HTMLElement {
  // Errors first, then newest first (the rows arrive newest first).
  const sorted = [...rows].sort((a, b) => Number(b.is_error) - Number(a.is_error) || b.id - a.id);
  return el(
    'table',
    { class: 'rows' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'Time'),
        el('th', {}, 'Tool'),
        el('th', {}, 'Status'),
        el('th', { class: 'num' }, 'ms'),
      ),
    ),
    el(
      'tbody',
      {},
      ...sorted.map((r) =>
        el(
          'tr',
          { 'data-id': r.id, 'data-error': r.is_error, class: r.is_error ? 's-failed' : undefined },
          el('td', {}, r.at.slice(0, 19).replace('T', ' ')),
          el('td', { class: 'tool' }, r.tool),
          el('td', {}, r.http_status === null ? '—' : String(r.http_status), r.is_error ? ' error' : ''),
          el('td', { class: 'num' }, String(r.duration_ms)),
        ),
      ),
    ),
  );
}

function select(id: string, options: Array<[string, string]>, value: string, onChange: (v: string) => void) {
  const node = el(
    'select',
    { id, disabled: state.loading },
    ...options.map(([v, label]) => el('option', { value: v, selected: v === value }, label)),
  );
  node.addEventListener('change', () => onChange(node.value));
  return node;
}

/** Calls the audit tool again through the host with changed arguments; `append` adds an older page to this one. */
async function reload(changes: Json, append = false): Promise<void> {
  const name = toolNameOf(app) ?? AUDIT_TOOL;
  const args: Json = { ...state.args, ...changes };
  for (const k of Object.keys(args)) if (args[k] === undefined || args[k] === '') delete args[k];
  state.loading = true;
  render();
  try {
    const r = await app.callServerTool({ name, arguments: args });
    const next = r.isError ? undefined : toPage(payloadOf(r) ?? {});
    if (!next) {
      showError(root, 'The audit tool refused that request.');
      return;
    }
    if (append && state.page) next.rows = [...state.page.rows, ...next.rows];
    else state.args = { ...args, before: undefined };
    state.page = next;
  } catch {
    showError(root, 'The host did not run the audit tool.');
    return;
  } finally {
    state.loading = false;
  }
  render();
}

function render(): void {
  const page = state.page;
  if (!page) return;
  const errors = page.rows.filter((r) => r.is_error).length;
  const total = page.buckets.reduce((a, b) => a + b.calls, 0);
  const totalErrors = page.buckets.reduce((a, b) => a + b.errors, 0);
  const tools = [...new Set([...page.rows.map((r) => r.tool), ...(page.tool ? [page.tool] : [])])].sort();
  const controls = el(
    'div',
    { class: 'controls' },
    el(
      'label',
      {},
      'Tool ',
      select(
        'tool',
        [['', 'all tools'], ...tools.map((t): [string, string] => [t, t])],
        page.tool ?? '',
        (v) => void reload({ tool: v || undefined, before: undefined }),
      ),
    ),
    el(
      'label',
      {},
      'Status ',
      select(
        'status',
        [
          ['', 'all'],
          ['error', 'errors'],
          ['ok', 'ok'],
        ],
        page.status ?? '',
        (v) => void reload({ status: v || undefined, before: undefined }),
      ),
    ),
    page.more && page.cursor !== null ? olderButton(page.cursor) : null,
  );
  root.replaceChildren(
    el('h1', {}, 'Audit log'),
    el(
      'p',
      { class: 'summary', id: 'summary' },
      el('span', { class: 'id' }, page.serverId),
      el('span', { class: 'period' }, `${page.window.since.slice(0, 16)} → ${page.window.until.slice(0, 16)}`),
      el(
        'strong',
        { id: 'total', 'data-calls': total, 'data-errors': totalErrors },
        `${total} calls, ${totalErrors} errors`,
      ),
      el(
        'span',
        { class: 'muted' },
        `${page.rows.length} rows shown, ${errors} errors${page.more ? ' · older pages' : ''}`,
      ),
    ),
    controls,
    page.buckets.length ? chart(page.buckets) : el('p', { class: 'muted' }, 'No calls in this window.'),
    statusMix(page.rows),
    table(page.rows),
  );
}

function olderButton(cursor: number): HTMLButtonElement {
  const b = el('button', { id: 'older', type: 'button', disabled: state.loading }, 'Older rows');
  b.addEventListener('click', () => void reload({ before: cursor }, true));
  return b;
}

const app = startView('openai-mcp audit', {
  onInput: (args) => {
    state.args = args;
  },
  onResult: (result) => {
    const payload = payloadOf(result);
    const page = payload && !result.isError ? toPage(payload) : undefined;
    if (!page)
      return showError(
        root,
        result.isError ? 'The audit tool failed; the conversation has the error.' : 'This result has no audit rows.',
      );
    state.page = page;
    render();
  },
});
