// ui://openai-mcp/costs: a usage or cost report (the 11 `Usage report` tools) as stacked bars per time bucket,
// grouped by project, line item, model or any other grouping field the rows carry, with totals, a table and the
// period the report covers. Project ids are shown by name when the host lets the view call the projects tool.

import {
  dayOf,
  el,
  fmt,
  isObject,
  type Json,
  money,
  payloadOf,
  showError,
  startView,
  svg,
  toolNameOf,
} from '../shared.js';
import { LIST_PAGE, USAGE_PAGE } from '../../../runtime/contract/pages.js';

interface Row {
  day: string;
  end: string;
  fields: Json;
}

interface Report {
  rows: Row[];
  totals: Record<string, number>;
  cursor: string | null;
  more: boolean;
  /** The window the server resolved the arguments to (`-30d`, `start of month`…), when it says. */
  resolved?: Json;
}

const root = document.getElementById('app') as HTMLElement;
const state: {
  report?: Report;
  args: Json;
  metric: string;
  group: string;
  table: boolean;
  names: Map<string, string>;
  namesAsked: boolean;
  loading: boolean;
  /** The report's currency, read once per result (`amount.currency`). */
  currency: string;
} = {
  args: {},
  metric: '',
  group: '',
  table: false,
  names: new Map(),
  namesAsked: false,
  loading: false,
  currency: 'usd',
};

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const GROUP_PREFERENCE = [
  'project_id',
  'line_item',
  'model',
  'api_key_id',
  'user_id',
  'source',
  'size',
  'service_tier',
];
const METRIC_PREFERENCE = ['amount.value', 'num_model_requests', 'input_tokens', 'output_tokens', 'images', 'seconds'];
/** How the summary counts groups (`4 projects`, not `4 project_id`). */
const NOUNS: Record<string, string> = {
  project_id: 'projects',
  line_item: 'line items',
  model: 'models',
  api_key_id: 'API keys',
  user_id: 'users',
};
const NOT_GROUPS = new Set(['start_time_iso', 'end_time_iso', 'object']);

/** A row's value at a dotted path (`amount.value`). */
function valueAt(fields: Json, path: string): unknown {
  let v: unknown = fields;
  for (const part of path.split('.')) v = isObject(v) ? v[part] : undefined;
  return v;
}

function toReport(payload: Json): Report | undefined {
  const list = payload[USAGE_PAGE.rows];
  if (!Array.isArray(list)) return undefined;
  const rows: Row[] = list.filter(isObject).map((r) => ({
    day: dayOf(r.start_time_iso ?? r.start_time),
    end: dayOf(r.end_time_iso ?? r.end_time),
    fields: r,
  }));
  const sums = payload[USAGE_PAGE.totals];
  const totals = isObject(sums) ? (sums as Record<string, number>) : {};
  const cursor = payload[LIST_PAGE.cursor];
  return {
    rows,
    totals,
    cursor: typeof cursor === 'string' ? cursor : null,
    more: payload[LIST_PAGE.more] === true,
    resolved: isObject(payload.resolved) ? payload.resolved : undefined,
  };
}

function metricsOf(report: Report): string[] {
  const keys = Object.keys(report.totals).filter((k) => k !== 'start_time' && k !== 'end_time');
  return keys.sort((a, b) => rank(METRIC_PREFERENCE, a) - rank(METRIC_PREFERENCE, b));
}

function groupsOf(report: Report): string[] {
  const seen = new Set<string>();
  for (const r of report.rows) {
    for (const [k, v] of Object.entries(r.fields)) if (typeof v === 'string' && !NOT_GROUPS.has(k)) seen.add(k);
  }
  return [...seen].sort((a, b) => rank(GROUP_PREFERENCE, a) - rank(GROUP_PREFERENCE, b));
}

const rank = (order: string[], k: string) => (order.includes(k) ? order.indexOf(k) : order.length);

const labelOf = (group: string, key: string) => (group === 'project_id' ? (state.names.get(key) ?? key) : key);

const isCost = (metric: string) => metric === 'amount.value';

function formatValue(metric: string, n: number): string {
  return isCost(metric) ? money(n, state.currency) : fmt(n);
}

/** The report period: the resolved window when the server gives it, else the buckets' own first and last day. */
function periodOf(report: Report): string {
  const r = report.resolved;
  const from = r ? dayOf(r.start_time_iso ?? r.start_time) : '';
  const to = r ? dayOf(r.end_time_iso ?? r.end_time) : '';
  const days = report.rows
    .map((x) => x.day)
    .filter(Boolean)
    .sort();
  const ends = report.rows
    .map((x) => x.end)
    .filter(Boolean)
    .sort();
  const start = from || days[0] || '?';
  const end = to || ends[ends.length - 1] || days[days.length - 1] || '?';
  return `${start} → ${end}${r ? ' (resolved)' : ''}`;
}

interface Series {
  days: string[];
  groups: Array<{ key: string; total: number }>;
  cells: Map<string, Map<string, number>>;
  total: number;
}

function seriesOf(report: Report, metric: string, group: string): Series {
  const cells = new Map<string, Map<string, number>>();
  const groupTotals = new Map<string, number>();
  let total = 0;
  for (const r of report.rows) {
    const v = valueAt(r.fields, metric);
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const raw = group ? r.fields[group] : undefined;
    const key = typeof raw === 'string' ? raw : '(none)';
    let day = cells.get(r.day);
    if (!day) {
      day = new Map();
      cells.set(r.day, day);
    }
    day.set(key, (day.get(key) ?? 0) + v);
    groupTotals.set(key, (groupTotals.get(key) ?? 0) + v);
    total += v;
  }
  const days = [...cells.keys()].sort();
  const groups = [...groupTotals].map(([key, t]) => ({ key, total: t })).sort((a, b) => b.total - a.total);
  return { days, groups, cells, total: Math.round(total * 1e9) / 1e9 };
}

function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length] ?? '#888';
}

function chart(s: Series, metric: string, group: string): SVGElement {
  const W = 720;
  const H = 260;
  const pad = { l: 8, r: 8, t: 8, b: 22 };
  const max = Math.max(0, ...s.days.map((d) => [...(s.cells.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0)));
  const slot = (W - pad.l - pad.r) / Math.max(1, s.days.length);
  const bw = Math.max(1, slot * 0.78);
  const scale = max > 0 ? (H - pad.t - pad.b) / max : 0;
  const color = new Map(s.groups.map((g, i) => [g.key, colorOf(i)]));
  const out = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-label': `${metric} by ${group || 'day'}`,
  });
  const labelEvery = Math.ceil(s.days.length / 10);
  s.days.forEach((day, i) => {
    const x = pad.l + i * slot + (slot - bw) / 2;
    let y = H - pad.b;
    const bar = svg('g', { class: 'bar', 'data-day': day });
    // Largest group at the bottom of every bar, as in the legend.
    for (const g of s.groups) {
      const v = s.cells.get(day)?.get(g.key) ?? 0;
      if (v <= 0) continue;
      const h = v * scale;
      y -= h;
      const title = svg('title');
      title.textContent = `${day} · ${labelOf(group, g.key)}: ${formatValue(metric, v)}`;
      bar.append(
        svg(
          'rect',
          {
            class: 'seg',
            x: x.toFixed(1),
            y: y.toFixed(1),
            width: bw.toFixed(1),
            height: Math.max(h, 0.5).toFixed(1),
            fill: color.get(g.key),
            'data-group': g.key,
            'data-value': v,
          },
          title,
        ),
      );
    }
    out.append(bar);
    if (i % labelEvery === 0) {
      const t = svg('text', { x: (x + bw / 2).toFixed(1), y: H - 6, 'text-anchor': 'middle', class: 'axis' });
      t.textContent = day.slice(5);
      out.append(t);
    }
  });
  return out;
}

function legend(s: Series, metric: string, group: string): HTMLElement {
  return el(
    'ul',
    { class: 'legend' },
    ...s.groups.map((g, i) => {
      const swatch = el('span', { class: `swatch c${i % PALETTE.length}` });
      return el(
        'li',
        { 'data-group': g.key },
        swatch,
        el('span', { class: 'name' }, labelOf(group, g.key)),
        el('span', { class: 'num' }, formatValue(metric, g.total)),
      );
    }),
  );
}

function table(report: Report, s: Series, metric: string, group: string): HTMLElement {
  const body = el('tbody');
  for (const day of s.days) {
    for (const g of s.groups) {
      const v = s.cells.get(day)?.get(g.key);
      if (v === undefined) continue;
      body.append(
        el(
          'tr',
          {},
          el('td', {}, day),
          el('td', {}, labelOf(group, g.key)),
          el('td', { class: 'num' }, formatValue(metric, v)),
        ),
      );
    }
  }
  const head = el('tr', {}, el('th', {}, 'Day'), el('th', {}, group || 'group'), el('th', { class: 'num' }, metric));
  const foot = el(
    'tr',
    {},
    el('th', {}, 'Total'),
    el('th', {}, `${report.rows.length} rows`),
    el('th', { class: 'num' }, formatValue(metric, s.total)),
  );
  return el('table', { class: 'rows' }, el('thead', {}, head), body, el('tfoot', {}, foot));
}

function select(id: string, options: string[], value: string, onChange: (v: string) => void): HTMLSelectElement {
  const node = el('select', { id }, ...options.map((o) => el('option', { value: o, selected: o === value }, o)));
  node.addEventListener('change', () => onChange(node.value));
  return node;
}

function render(): void {
  const report = state.report;
  if (!report) return;
  if (!report.rows.length) {
    root.replaceChildren(el('h1', {}, 'No usage in this period'), el('p', { class: 'period' }, periodOf(report)));
    return;
  }
  const metrics = metricsOf(report);
  const groups = groupsOf(report);
  if (!metrics.includes(state.metric)) state.metric = metrics[0] ?? '';
  if (state.group && !groups.includes(state.group)) state.group = '';
  if (!state.group) state.group = groups[0] ?? '';
  const { metric, group } = state;
  const s = seriesOf(report, metric, group);
  const serverTotal = report.totals[metric];
  const controls = el(
    'div',
    { class: 'controls' },
    el(
      'label',
      {},
      'Measure ',
      select('metric', metrics, metric, (v) => {
        state.metric = v;
        render();
      }),
    ),
    el(
      'label',
      {},
      'Group by ',
      select('group', groups, group, (v) => {
        state.group = v;
        render();
      }),
    ),
    toggleButton(),
    report.more ? moreButton(report) : null,
  );
  const summary = el(
    'p',
    { class: 'summary' },
    el('span', { class: 'period', id: 'period' }, periodOf(report)),
    el('strong', { id: 'total', 'data-total': s.total }, `Total ${formatValue(metric, s.total)}`),
    el(
      'span',
      { class: 'muted' },
      `${s.days.length} days · ${s.groups.length} ${NOUNS[group] ?? group ?? 'groups'}${report.more ? ' · more pages' : ''}`,
    ),
    serverTotal !== undefined && Math.abs(serverTotal - s.total) > 1e-6
      ? el('span', { class: 'warn' }, `server total ${formatValue(metric, serverTotal)}`)
      : null,
  );
  const view = state.table
    ? table(report, s, metric, group)
    : el('div', { class: 'plot' }, chart(s, metric, group), legend(s, metric, group));
  root.replaceChildren(el('h1', {}, isCost(metric) ? 'Costs' : 'Usage'), summary, controls, view);
  void askNames(report);
}

function toggleButton(): HTMLButtonElement {
  const b = el('button', { id: 'toggle', type: 'button' }, state.table ? 'Chart' : 'Table');
  b.addEventListener('click', () => {
    state.table = !state.table;
    render();
  });
  return b;
}

/** Loads the next page through the host, with the arguments the model called the tool with. */
function moreButton(report: Report): HTMLButtonElement | null {
  const name = toolNameOf(app);
  if (!name || !report.cursor) return null;
  const b = el('button', { id: 'more', type: 'button', disabled: state.loading }, 'Next page');
  b.addEventListener('click', async () => {
    state.loading = true;
    render();
    try {
      const r = await app.callServerTool({ name, arguments: { ...state.args, page: report.cursor } });
      const next = r.isError ? undefined : toReport(payloadOf(r) ?? {});
      if (next && state.report) {
        const totals = { ...state.report.totals };
        for (const [k, v] of Object.entries(next.totals)) totals[k] = (totals[k] ?? 0) + v;
        state.report = { ...next, rows: [...state.report.rows, ...next.rows], totals, resolved: state.report.resolved };
      }
    } finally {
      state.loading = false;
      render();
    }
  });
  return b;
}

/** Project names for project ids, from the projects tool through the host (once; ids stay when it is refused). */
async function askNames(report: Report): Promise<void> {
  if (state.namesAsked || state.group !== 'project_id') return;
  if (!report.rows.some((r) => typeof r.fields.project_id === 'string')) return;
  state.namesAsked = true;
  try {
    const r = await app.callServerTool({
      name: 'list_all_open_ai_projects',
      arguments: { limit: 100, include_archived: true },
    });
    const items = r.isError ? [] : (payloadOf(r)?.[LIST_PAGE.items] ?? []);
    if (!Array.isArray(items)) return;
    for (const p of items)
      if (isObject(p) && typeof p.id === 'string' && typeof p.name === 'string') state.names.set(p.id, p.name);
    if (state.names.size) render();
  } catch {
    // Not exposed to this view or refused by the host: ids it is.
  }
}

const app = startView('openai-mcp costs', {
  onInput: (args) => {
    state.args = args;
  },
  onResult: (result) => {
    const t0 = performance.now();
    const payload = payloadOf(result);
    const report = payload && !result.isError ? toReport(payload) : undefined;
    if (!report) {
      showError(
        root,
        result.isError ? 'The tool call failed; the conversation has the error.' : 'This result has no usage rows.',
      );
      return;
    }
    state.report = report;
    const currency = report.rows.map((r) => valueAt(r.fields, 'amount.currency')).find((c) => typeof c === 'string');
    state.currency = typeof currency === 'string' ? currency : 'usd';
    render();
    // Drawn and laid out (reading a size forces style and layout now, not at the next frame).
    void root.getBoundingClientRect().height;
    document.body.dataset.renderSyncMs = String(performance.now() - t0);
    // Rendered and painted: what the bench reads (ms from the result's arrival).
    requestAnimationFrame(() =>
      setTimeout(() => {
        document.body.dataset.renderMs = String(performance.now() - t0);
      }),
    );
  },
});
