// The dashboard's pages, rendered on the server from the same answer objects the REST API returns (PublicAccount,
// PublicServer, call rows). No inline script or style: the Content-Security-Policy forbids both.

import type { ToolDef } from '../../../runtime/contract/catalog.js';
import type { PublicAccount, PublicServer } from '../../manage/index.js';
import type { CallBucket } from '../../store/store.js';
import { ASSETS } from './assets.js';
export { type Html, html } from './html.js';
import { EMPTY, type Html, html, nameOf, raw } from './html.js';

export interface PageContext {
  /** Present once logged in: the CSRF token for forms and the operator's token id. */
  csrf?: string;
  actor?: string;
}

export function layout(ctx: PageContext, title: string, body: Html): string {
  const nav = ctx.csrf
    ? html`<nav aria-label="Main"><a href="/ui">Accounts</a><span class="muted">signed in as ${ctx.actor}</span>
<form class="inline" method="post" action="/ui/logout">${csrfField(ctx)}<button type="submit" class="secondary">Log out</button></form></nav>`
    : EMPTY;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · openai-mcp</title><link rel="stylesheet" href="${ASSETS.css.path}"><script src="${ASSETS.js.path}" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a><header><strong>openai-mcp</strong>${nav}</header>
<main id="main"><h1>${title}</h1>${body}</main></body></html>`.text;
}

/** A stored string shown in a table cell: at most 120 characters, saying how long it really is. */
export const clipped = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}… (${s.length} characters)` : s);

export const csrfField = (ctx: PageContext) => html`<input type="hidden" name="csrf" value="${ctx.csrf ?? ''}">`;

const notice = (message: string | undefined, kind: 'err' | 'ok' = 'err') =>
  message ? html`<div class="notice ${kind}" role="${kind === 'err' ? 'alert' : 'status'}">${message}</div>` : EMPTY;

/** The login page: a management token, and with an identity provider configured, a button for it. */
export function loginPage(error?: string, csrf?: string, oidc?: string): Html {
  const field = csrf === undefined ? EMPTY : html`<input type="hidden" name="csrf" value="${csrf}">`;
  const idp = oidc
    ? html`<p><a class="button" href="/ui/login/oidc">Log in with ${oidc}</a></p>
<p class="muted">For the people on this dashboard's admin list; everyone else is refused.</p><h2>Or with a management token</h2>`
    : EMPTY;
  return html`${notice(error)}${idp}<form method="post" action="/ui/login">${field}
<label for="token">Management API token</label><input type="password" id="token" name="token" autocomplete="off" required>
<p class="muted">The token the CLI or REST API uses (<code>omcpadm_…</code>); create one with <code>openai-mcp management-tokens create</code>. It is checked, not stored: the session keeps its id.</p>
<p><button type="submit">Log in</button></p></form>`;
}

/** After the identity provider's callback: the link (and the Refresh header) is a same-site navigation. */
export function signedInPage(who: string): Html {
  return html`${notice(`Signed in as ${who}.`, 'ok')}<p><a href="/ui" id="continue">Continue to the dashboard</a></p>`;
}

export function errorBody(message: string): Html {
  return html`${notice(message)}<p><a href="/ui">Back to accounts</a></p>`;
}

// Accounts ------------------------------------------------------------------------------------------------------

export function accountsPage(ctx: PageContext, accounts: PublicAccount[], error?: string, form?: AccountForm): Html {
  const rows = accounts.map(
    (
      a,
    ) => html`<tr><td><a href="/ui/accounts/${encodeURIComponent(a.id)}">${nameOf(a.name)}</a></td><td><code>${a.id}</code></td>
<td>${a.api_key ?? '—'}</td><td>${a.admin_key ?? '—'}</td><td>${a.created_at.slice(0, 10)}</td></tr>`,
  );
  return html`${notice(error)}
<div class="tablewrap"><table><caption class="muted">${accounts.length} account${accounts.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">API key</th><th scope="col">Admin key</th><th scope="col">Added</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="5">No accounts yet.</td></tr>`}</tbody></table></div>
<h2 id="add">Add an account</h2>
<form method="post" action="/ui/accounts" aria-labelledby="add">${csrfField(ctx)}
<label for="a-name">Name</label><input type="text" id="a-name" name="name" required maxlength="200" value="${form?.name ?? ''}">
<label for="a-key">OpenAI API key</label><input type="password" id="a-key" name="api_key" autocomplete="off">
<label for="a-admin">Admin key (for usage and costs)</label><input type="password" id="a-admin" name="admin_key" autocomplete="off">
<p class="muted">Keys are sent once, stored encrypted and shown only as their last four characters. At least one is needed.</p>
<label for="a-org">Organization id (optional)</label><input type="text" id="a-org" name="organization_id" value="${form?.organization_id ?? ''}">
<label for="a-proj">Project id (optional)</label><input type="text" id="a-proj" name="project_id" value="${form?.project_id ?? ''}">
<label for="a-base">Base URL (optional)</label><input type="url" id="a-base" name="base_url" value="${form?.base_url ?? ''}">
<p><button type="submit">Add account</button></p></form>`;
}

export interface AccountForm {
  name?: string;
  organization_id?: string;
  project_id?: string;
  base_url?: string;
}

export function serverTable(servers: PublicServer[]): Html {
  const rows = servers.map(
    (
      s,
    ) => html`<tr><td><a href="/ui/servers/${encodeURIComponent(s.id)}">${nameOf(s.name)}</a></td><td>${s.tool_count}</td>
<td>${s.config.tool_exposure}</td><td>${s.auth}</td><td>${s.expires_at ?? 'never'}</td></tr>`,
  );
  return html`<div class="tablewrap"><table><thead><tr><th scope="col">Server</th><th scope="col">Tools</th><th scope="col">Exposure</th><th scope="col">Auth</th><th scope="col">Expires</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="5">No servers yet.</td></tr>`}</tbody></table></div>`;
}

export function accountPage(_ctx: PageContext, a: PublicAccount, servers: PublicServer[], error?: string): Html {
  const id = encodeURIComponent(a.id);
  return html`${notice(error)}<dl><dt>Id</dt><dd><code>${a.id}</code></dd><dt>API key</dt><dd>${a.api_key ?? '—'}</dd>
<dt>Admin key</dt><dd>${a.admin_key ?? '—'}</dd><dt>Organization</dt><dd>${a.organization_id ?? '—'}</dd>
<dt>Project</dt><dd>${a.project_id ?? '—'}</dd><dt>Base URL</dt><dd>${a.base_url ?? 'OpenAI'}</dd></dl>
<h2>MCP servers</h2>${serverTable(servers)}
<p><a class="button" href="/ui/accounts/${id}/servers/new">New server</a></p>
${a.admin_key ? html`<h2>Usage</h2><p><a href="/ui/accounts/${id}/usage">Costs of the last 7 and 30 days</a></p>` : EMPTY}
<h2>Remove</h2><p><a href="/ui/accounts/${id}/remove">Remove this account…</a></p>`;
}

export function removeAccountPage(ctx: PageContext, a: PublicAccount, servers: PublicServer[]): Html {
  return html`<div class="notice err" role="alert"><p>Removing <strong>${nameOf(a.name)}</strong> deletes its stored keys. These stop working at once:</p>
<ul>${servers.length ? servers.map((s) => html`<li>the server ${nameOf(s.name)} (<code>${s.id}</code>) and every client using its URL</li>`) : html`<li>no servers (it has none)</li>`}</ul></div>
<form method="post" action="/ui/accounts/${encodeURIComponent(a.id)}/remove">${csrfField(ctx)}
<button type="submit" class="danger">Remove ${nameOf(a.name)}</button> <a href="/ui/accounts/${encodeURIComponent(a.id)}">Cancel</a></form>`;
}

// Servers -------------------------------------------------------------------------------------------------------

export interface ScopeForm {
  name: string;
  methods: string[];
  tags: string[];
  tools: string[];
  exposure: string;
  auth: string;
  expires_at: string | null;
}

export interface ScopeChoices {
  tools: readonly ToolDef[];
  exposures: readonly string[];
  authModes: readonly string[];
}

const METHOD_CHOICES = [
  ['read', 'read (list, get)'],
  ['write', 'write (create, update, delete, custom)'],
  ['list', 'list'],
  ['get', 'get'],
  ['create', 'create'],
  ['update', 'update'],
  ['delete', 'delete'],
  ['custom', 'custom verbs (cancel, …)'],
] as const;

const RELATIVE = [
  ['', 'no relative expiry'],
  ['1h', 'in 1 hour'],
  ['1d', 'in 1 day'],
  ['7d', 'in 7 days'],
  ['30d', 'in 30 days'],
  ['90d', 'in 90 days'],
] as const;

export function scopeForm(
  ctx: PageContext,
  action: string,
  choices: ScopeChoices,
  v: ScopeForm,
  submit: string,
  initialCount: number,
  editing: boolean,
): Html {
  const has = (list: string[], x: string) => list.includes(x);
  const allTags = [...new Set(choices.tools.flatMap((t) => t.tags))].sort();
  const tagCount = (tag: string) => choices.tools.filter((t) => t.tags.includes(tag)).length;
  const checked = (on: boolean) => (on ? raw(' checked') : EMPTY);
  const selected = (on: boolean) => (on ? raw(' selected') : EMPTY);
  return html`<form method="post" action="${action}" data-scope>${csrfField(ctx)}
<label for="s-name">Name</label><input type="text" id="s-name" name="name" required maxlength="200" value="${v.name}">
<fieldset><legend>Methods</legend><p class="muted">None checked: every method.</p>
${METHOD_CHOICES.map(([value, label]) => html`<label class="check"><input type="checkbox" name="methods" value="${value}"${checked(has(v.methods, value))}>${label}</label>`)}</fieldset>
<fieldset><legend>Tags</legend><p class="muted">None checked: every tag.</p>
${allTags.map((tag) => html`<label class="check"><input type="checkbox" name="tags" value="${tag}"${checked(has(v.tags, tag))}>${tag} <span class="muted">(${tagCount(tag)})</span></label>`)}</fieldset>
<fieldset><legend>Individual tools</legend><p class="muted">None checked: every tool the methods and tags allow.</p>
<label for="tool-search">Search tools</label><input type="search" id="tool-search" hidden autocomplete="off" aria-controls="tool-list">
<ul class="tools" id="tool-list">${choices.tools.map(
    (t) =>
      html`<li data-tool="${t.name}" data-method="${t.method}" data-access="${t.access}" data-tags="${t.tags.join(' ').toLowerCase()}"><label class="check"><input type="checkbox" name="tools" value="${t.name}"${checked(has(v.tools, t.name))}><code>${t.name}</code> <span class="muted">${t.method}</span></label></li>`,
  )}</ul></fieldset>
<p class="count" id="tool-count" role="status" aria-live="polite">${initialCount} tools selected</p>
<fieldset><legend>Exposure</legend>${choices.exposures.map(
    (e) =>
      html`<label class="check"><input type="radio" name="exposure" value="${e}"${checked(v.exposure === e)}>${e}</label>`,
  )}<p class="muted">all: one MCP tool per operation; discovery: search and call tools (for hosts with tool caps); code: a sandboxed script tool.</p></fieldset>
<fieldset><legend>Expiry</legend>
<label for="s-rel">Relative</label><select id="s-rel" name="expires_in">${RELATIVE.map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select>
<label for="s-exp">Or a date and time (UTC)</label><input type="datetime-local" id="s-exp" name="expires_on" value="${v.expires_at ? v.expires_at.slice(0, 16) : ''}">
${editing ? html`<label class="check"><input type="checkbox" name="no_expiry" value="1">remove the expiry</label>` : EMPTY}</fieldset>
<label for="s-auth">Authentication</label><select id="s-auth" name="auth">${choices.authModes.map((m) => html`<option value="${m}"${selected(v.auth === m)}>${m}</option>`)}</select>
<p><button type="submit">${submit}</button></p></form>`;
}

/** What a client needs: the URL once, a copy button, and configuration for common hosts. */
export function createdPage(server: PublicServer): Html {
  const url = server.url ?? '';
  const name = server.name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'openai';
  const needsToken = server.auth === 'url+client-token';
  const header = needsToken ? { Authorization: 'Bearer omcpcli_…' } : undefined;
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  const snippets: [string, string][] = [
    [
      'Claude Desktop (claude_desktop_config.json, through mcp-remote)',
      json({
        mcpServers: {
          [name]: {
            command: 'npx',
            args: ['-y', 'mcp-remote', url, ...(needsToken ? ['--header', 'Authorization:${OPENAI_MCP_AUTH}'] : [])],
            ...(needsToken ? { env: { OPENAI_MCP_AUTH: 'Bearer omcpcli_…' } } : {}),
          },
        },
      }),
    ],
    [
      'Claude Code',
      `claude mcp add --transport http ${name} ${url}${needsToken ? ' --header "Authorization: Bearer omcpcli_…"' : ''}`,
    ],
    ['Cursor (~/.cursor/mcp.json)', json({ mcpServers: { [name]: { url, ...(header ? { headers: header } : {}) } } })],
    [
      'VS Code (.vscode/mcp.json)',
      json({ servers: { [name]: { type: 'http', url, ...(header ? { headers: header } : {}) } } }),
    ],
    [
      'Codex (~/.codex/config.toml)',
      `[mcp_servers.${name.replace(/-/g, '_')}]\nurl = ${JSON.stringify(url)}${needsToken ? '\nbearer_token_env_var = "OPENAI_MCP_CLIENT_TOKEN"' : ''}`,
    ],
    [
      'mcp-remote (any stdio-only client)',
      `npx -y mcp-remote ${url}${needsToken ? ' --header "Authorization: Bearer omcpcli_…"' : ''}`,
    ],
  ];
  return html`<div class="notice ok" role="status"><p>Created <strong>${nameOf(server.name)}</strong> with ${server.tool_count} tools.
${url.includes('/mcp/') ? 'This URL is shown once: only its hash is stored. Copy it now; if it is lost, rotate it.' : ''}</p>
<div class="url"><code id="server-url">${url}</code><button type="button" data-copy="server-url" hidden>Copy URL</button><span id="server-url-status" role="status"></span></div></div>
${needsToken ? html`<p>This server also needs a client token: <code>openai-mcp client-tokens create --server ${server.id}</code>.</p>` : EMPTY}
<h2>Connect a client</h2>${snippets.map(
    ([title, text], i) =>
      html`<h3>${title}</h3><pre id="snippet-${i}">${text}</pre><button type="button" class="secondary" data-copy="snippet-${i}" aria-label="Copy the ${title} snippet" hidden>Copy</button><span id="snippet-${i}-status" role="status"></span>`,
  )}
<p><a href="/ui/servers/${encodeURIComponent(server.id)}">Open the server</a></p>`;
}

export interface ActivityView {
  calls: { id: number; at: string; tool: string; http_status: number | null; duration_ms: number; is_error: boolean }[];
  errors: ActivityView['calls'];
  buckets: CallBucket[];
  bucketMs: number;
  since: number;
  now: number;
  filter: { tool: string; status: string; window: string };
  next?: number;
}

export function serverPage(
  _ctx: PageContext,
  s: PublicServer,
  account: string,
  activity: ActivityView,
  notice_?: string,
): Html {
  const id = encodeURIComponent(s.id);
  const cfg = s.config;
  const list = (xs: string[] | undefined) => (xs?.length ? xs.join(', ') : 'all');
  return html`${notice(notice_, 'ok')}<dl><dt>Id</dt><dd><code>${s.id}</code></dd><dt>Account</dt><dd><a href="/ui/accounts/${encodeURIComponent(s.account_id)}">${nameOf(account)}</a></dd>
<dt>Tools</dt><dd>${s.tool_count}</dd><dt>Methods</dt><dd>${list(cfg.methods)}</dd><dt>Tags</dt><dd>${list(cfg.tags)}</dd>
<dt>Individual tools</dt><dd>${list(cfg.tools)}</dd><dt>Exposure</dt><dd>${cfg.tool_exposure}</dd><dt>Auth</dt><dd>${s.auth}</dd>
<dt>Expires</dt><dd>${s.expires_at ?? 'never'}</dd></dl>
<p class="actions"><a class="button" href="/ui/servers/${id}/edit">Edit scope</a><a href="/ui/servers/${id}/revoke">Revoke…</a></p>
<h2 id="activity">Activity</h2>${activityBlock(s.id, activity)}`;
}

const WINDOWS: [string, string][] = [
  ['1h', 'last hour'],
  ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'],
  ['30d', 'last 30 days'],
];

function callRows(calls: ActivityView['calls']): Html {
  if (!calls.length) return html`<tr><td colspan="4">No calls.</td></tr>`;
  return html`${calls.map(
    (c) =>
      html`<tr><td>${c.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</td><td><code class="name">${clipped(c.tool)}</code></td><td class="${c.is_error ? 'err' : 'ok'}">${c.is_error ? 'error' : 'ok'}${c.http_status === null ? '' : ` (${c.http_status})`}</td><td>${c.duration_ms} ms</td></tr>`,
  )}`;
}

function activityBlock(serverId: string, a: ActivityView): Html {
  const id = encodeURIComponent(serverId);
  const f = a.filter;
  const sel = (on: boolean) => (on ? raw(' selected') : EMPTY);
  const query = (extra: Record<string, string>) =>
    new URLSearchParams({
      ...(f.tool ? { tool: f.tool } : {}),
      ...(f.status ? { status: f.status } : {}),
      window: f.window,
      ...extra,
    }).toString();
  const head = html`<colgroup><col class="c-time"><col><col class="c-status"><col class="c-dur"></colgroup><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Tool</th><th scope="col">Status</th><th scope="col">Duration</th></tr></thead>`;
  return html`<form method="get" action="/ui/servers/${id}#activity" class="filters" role="search" aria-label="Filter activity">
<label>Tool<br><input type="text" name="tool" value="${f.tool}" maxlength="200"></label>
<label>Status<br><select name="status"><option value="">all</option><option value="error"${sel(f.status === 'error')}>errors</option><option value="ok"${sel(f.status === 'ok')}>ok</option></select></label>
<label>Time<br><select name="window">${WINDOWS.map(([v, l]) => html`<option value="${v}"${sel(f.window === v)}>${l}</option>`)}</select></label>
<button type="submit" class="secondary">Filter</button></form>
${chart(a)}
<h3>Errors first</h3><div class="tablewrap"><table class="calls">${head}<tbody>${callRows(a.errors)}</tbody></table></div>
<h3>All calls</h3><div class="tablewrap"><table class="calls">${head}<tbody>${callRows(a.calls)}</tbody></table></div>
<div class="pager">${a.next !== undefined ? html`<a href="/ui/servers/${id}?${query({ before: String(a.next) })}#activity">Older calls</a>` : EMPTY}</div>`;
}

/** Calls per bucket as bars (errors stacked in red) and the status mix, as inline SVG drawn here. */
function chart(a: ActivityView): Html {
  const W = 720;
  const H = 160;
  // Buckets are aligned to multiples of their width (as the store groups them): the first holds `since`, the last now.
  const first = Math.floor(a.since / a.bucketMs);
  const n = Math.max(1, Math.floor(a.now / a.bucketMs) - first + 1);
  const counts = new Array<{ calls: number; errors: number }>(n).fill({ calls: 0, errors: 0 });
  for (const b of a.buckets) {
    const i = Math.floor(b.at / a.bucketMs) - first;
    if (i >= 0 && i < n) counts[i] = { calls: b.calls, errors: b.errors };
  }
  const max = Math.max(1, ...counts.map((c) => c.calls));
  const bw = W / n;
  const total = counts.reduce((s, c) => s + c.calls, 0);
  const errors = counts.reduce((s, c) => s + c.errors, 0);
  const bars = counts.map((c, i) => {
    const h = (c.calls / max) * (H - 20);
    const eh = (c.errors / max) * (H - 20);
    const x = (i * bw).toFixed(1);
    const w = Math.max(1, bw - 1).toFixed(1);
    return html`<rect class="bar" x="${x}" y="${(H - h).toFixed(1)}" width="${w}" height="${h.toFixed(1)}"></rect>${c.errors ? html`<rect class="errbar" x="${x}" y="${(H - eh).toFixed(1)}" width="${w}" height="${eh.toFixed(1)}"></rect>` : EMPTY}`;
  });
  const pct = total ? Math.round((errors / total) * 100) : 0;
  return html`<figure><svg class="chart" viewBox="0 0 ${W} ${H + 16}" width="${W}" height="${H + 16}" role="img" aria-labelledby="chart-title"><title id="chart-title">${total} calls, ${errors} errors, in ${n} intervals</title>
<line class="axis" x1="0" y1="${H}" x2="${W}" y2="${H}"></line>${bars}<text x="0" y="${H + 13}">${new Date(a.since).toISOString().slice(0, 16).replace('T', ' ')}</text><text x="${W}" y="${H + 13}" text-anchor="end">now</text><text x="0" y="11">max ${max} per interval</text></svg>
<figcaption>Status mix: <span class="ok">${total - errors} ok</span>, <span class="err">${errors} errors</span> (${pct}%) of ${total} calls</figcaption></figure>`;
}

export function revokePage(ctx: PageContext, s: PublicServer): Html {
  return html`<div class="notice err" role="alert"><p>Revoking <strong>${nameOf(s.name)}</strong> deletes it: its URL stops working at once, and every client connected through it (${s.tool_count} tools) is refused from its next request.</p></div>
<form method="post" action="/ui/servers/${encodeURIComponent(s.id)}/revoke">${csrfField(ctx)}<button type="submit" class="danger">Revoke ${nameOf(s.name)}</button> <a href="/ui/servers/${encodeURIComponent(s.id)}">Cancel</a></form>`;
}

// Usage ---------------------------------------------------------------------------------------------------------

export interface UsageRow {
  day: string;
  project: string;
  lineItem: string;
  amount: number;
  currency: string;
}

export interface UsageView {
  days: number;
  server: { id: string; name: string };
  rows: UsageRow[];
  error?: string;
}

/** Horizontal bars of totals by key, largest first, as inline SVG with the figures beside them in text. */
function bars(title: string, totals: Map<string, number>, currency: string, byKey = false): Html {
  const entries = [...totals].sort(byKey ? (a, b) => a[0].localeCompare(b[0]) : (a, b) => b[1] - a[1]).slice(0, 40);
  if (!entries.length) return html`<p class="muted">No costs in this period.</p>`;
  const max = Math.max(...entries.map(([, v]) => v), 1e-9);
  const W = 480;
  const rowH = 22;
  return html`<div class="tablewrap"><table class="usage"><caption>${title}</caption><thead><tr><th scope="col">Name</th><th scope="col">Cost (${currency})</th><th scope="col"><span class="muted">share</span></th></tr></thead><tbody>${entries.map(
    ([k, v]) =>
      html`<tr><td><span class="name">${clipped(k)}</span></td><td>${v.toFixed(2)}</td><td><svg class="chart" viewBox="0 0 ${W} ${rowH}" width="${W}" height="${rowH}" aria-hidden="true"><rect class="bar" x="0" y="4" width="${((v / max) * W).toFixed(1)}" height="${rowH - 8}"></rect></svg></td></tr>`,
  )}</tbody></table></div>`;
}

export function usagePage(a: PublicAccount, u: UsageView): Html {
  const id = encodeURIComponent(a.id);
  const currency = u.rows[0]?.currency ?? 'usd';
  const sum = (key: (r: UsageRow) => string) => {
    const m = new Map<string, number>();
    for (const r of u.rows) m.set(key(r), (m.get(key(r)) ?? 0) + r.amount);
    return m;
  };
  const total = u.rows.reduce((s, r) => s + r.amount, 0);
  return html`<p><a href="/ui/accounts/${id}/usage?days=7"${u.days === 7 ? raw(' aria-current="page"') : EMPTY}>Last 7 days</a> · <a href="/ui/accounts/${id}/usage?days=30"${u.days === 30 ? raw(' aria-current="page"') : EMPTY}>Last 30 days</a></p>
<p class="muted">Fetched with the tool <code>list_all_open_ai_costs</code> of the server <a href="/ui/servers/${encodeURIComponent(u.server.id)}">${nameOf(u.server.name)}</a>: its scope and audit log apply.</p>
${
  u.error
    ? html`<div class="notice err" role="alert">${u.error}</div>`
    : html`<p><strong>Total: ${total.toFixed(2)} ${currency}</strong> over the last ${u.days} days</p>
${bars(
  'By day',
  sum((r) => r.day),
  currency,
)}${bars(
  'By project',
  sum((r) => r.project),
  currency,
)}${bars(
  'By line item',
  sum((r) => r.lineItem),
  currency,
)}`
}`;
}

export function usageSetupPage(ctx: PageContext, a: PublicAccount, reason: string, canCreate: boolean): Html {
  return html`<div class="notice" role="status">${reason}</div>${
    canCreate
      ? html`<form method="post" action="/ui/accounts/${encodeURIComponent(a.id)}/usage-server">${csrfField(ctx)}
<p>Create a server for it: only the tool <code>list_all_open_ai_costs</code>, a URL that also needs a client token (so the URL alone opens nothing), expiring in 90 days. Its calls are audited like any server's.</p>
<button type="submit">Create the usage server</button></form>`
      : EMPTY
  }`;
}
