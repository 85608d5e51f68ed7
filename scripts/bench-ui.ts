// `npm run bench:ui`: the dashboard's three figures, on loopback, with the HTTP service in this process.
//
// 1. Cold first page load in Debian's chromium: a fresh browser context per run (empty cache), logged in, navigating
//    to /ui; Navigation Timing's domInteractive and loadEventEnd. Baseline from the same run: navigating to /healthz.
// 2. Assets shipped: the stylesheet and script, gzipped (each page's HTML besides, gzipped, for the record).
// 3. The activity page of a server with 100k audit rows: server time of the whole page (its list, errors-first and
//    chart queries, and the render), measured by the service's own `Server-Timing`-free way: request → last byte on
//    loopback, and the store queries alone. Baseline from the same run: GET /healthz.
//
// Medians over BENCH_ROUNDS (default 7). The machine may be shared: read the ratios, not the milliseconds alone.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../testing/browser.js';
import { defaultCatalog } from '../runtime/catalog.js';
import { Management } from '../service/manage/index.js';
import { openSecretBox } from '../service/secrets.js';
import { startHttpService } from '../service/serve.js';
import { openSqliteStore } from '../service/store/sqlite.js';
import type { NewToolCall } from '../service/store/store.js';
import { ASSETS } from '../service/http/ui/assets.js';
import { median } from './bench-stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROWS = 100_000;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const dataDir = mkdtempSync(path.join(tmpdir(), 'openai-mcp-bench-ui-'));
const setup = await (async () => {
  const store = await openSqliteStore(dataDir);
  try {
    const m = new Management({ store, box: await openSecretBox(dataDir, store), catalog: defaultCatalog });
    const token = await m.tokens.createManagementToken(
      { name: 'bench', accounts: '*', actions: '*' },
      { accounts: '*', actions: '*', expiresAt: null, issuer: 'cli:bench' },
    );
    const account = await m.accounts.createAccount({ name: 'Bench', api_key: 'sk-proj-BENCHkey0123456789abcdefghij' });
    const server = await m.servers.createServer(
      account.id,
      { name: 'busy', config: { methods: ['read'] } },
      'http://x',
    );
    const tools = defaultCatalog.tools.slice(0, 40).map((t) => t.name);
    const now = Date.now();
    const rows: NewToolCall[] = [];
    // 100k calls over the last 30 days, 3% errors.
    for (let i = 0; i < ROWS; i++)
      rows.push({
        server_id: server.id,
        at: now - Math.floor(((ROWS - i) / ROWS) * 30 * 86_400_000),
        tool: tools[i % tools.length]!,
        http_status: i % 33 === 0 ? 500 : 200,
        duration_ms: 20 + (i % 200),
        is_error: i % 33 === 0 ? 1 : 0,
      });
    await store.recordCalls(rows);
    return { token: token.token!, accountId: account.id, serverId: server.id };
  } finally {
    await store.close();
  }
})();

const service = await startHttpService({ dataDir, port: 0, auditMaxRowsPerServer: 1_000_000, log: () => {} });
const base = service.url;

// The login form first: its pre-session cookie and hidden field are the login's CSRF pair.
const loginForm = await fetch(`${base}/ui/login`);
const loginCookie = (loginForm.headers.get('set-cookie') ?? '').split(';')[0]!;
const loginCsrf = /name="csrf" value="([^"]+)"/.exec(await loginForm.text())?.[1] ?? '';
const login = await fetch(`${base}/ui/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
  body: new URLSearchParams({ token: setup.token, csrf: loginCsrf }).toString(),
  redirect: 'manual',
});
const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('omcp_ui=')) ?? '').split(';')[0]!;
if (!cookie.startsWith('omcp_ui=')) throw new Error(`login failed: ${login.status}`);

async function timed(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const t = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t, bytes: body.byteLength, status: res.status };
}

// 3. The activity page with 100k rows, paired with /healthz per round.
const windows = ['24h', '30d'] as const;
const activity: Record<string, number[]> = { healthz: [] };
for (const w of windows) activity[w] = [];
activity.filtered = [];
await timed(`${base}/ui/servers/${setup.serverId}`); // warm the statements
for (let r = 0; r < ROUNDS; r++) {
  activity.healthz!.push((await timed(`${base}/healthz`)).ms);
  for (const w of windows) {
    const t = await timed(`${base}/ui/servers/${setup.serverId}?window=${w}`);
    if (t.status !== 200) throw new Error(`activity page answered ${t.status}`);
    activity[w]!.push(t.ms);
  }
  activity.filtered!.push(
    (await timed(`${base}/ui/servers/${setup.serverId}?window=30d&status=error&tool=${defaultCatalog.tools[3]!.name}`))
      .ms,
  );
}

// 2. Assets, and each page's HTML for the record.
const assetsGzip = gzipSync(Buffer.concat([ASSETS.css.body, ASSETS.js.body])).byteLength;
const pageGzip: Record<string, number> = {};
for (const [name, p] of [
  ['accounts', '/ui'],
  ['new server form', `/ui/accounts/${setup.accountId}/servers/new`],
  ['activity 30d', `/ui/servers/${setup.serverId}?window=30d`],
] as const) {
  const res = await fetch(`${base}${p}`, { headers: { cookie } });
  pageGzip[name] = gzipSync(Buffer.from(await res.arrayBuffer())).byteLength;
}

// 1. Cold first page load in chromium.
const load = { ui: [] as number[], uiLoad: [] as number[], healthz: [] as number[] };
if (existsSync(CHROMIUM)) {
  const browser = await launchChromium(CHROMIUM);
  try {
    const [name, value] = cookie.split('=') as [string, string];
    for (let r = 0; r < ROUNDS; r++) {
      for (const target of ['healthz', 'ui'] as const) {
        const context = await browser.newContext();
        await context.addCookies([{ name, value, url: `${base}/ui` }]);
        const page = await context.newPage();
        await page.goto(`${base}${target === 'ui' ? '/ui' : '/healthz'}`, { waitUntil: 'load' });
        const nav = await page.evaluate(() => {
          const e = window.performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return { interactive: e.domInteractive - e.startTime, load: e.loadEventEnd - e.startTime };
        });
        if (target === 'ui') {
          load.ui.push(nav.interactive);
          load.uiLoad.push(nav.load);
        } else load.healthz.push(nav.interactive);
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
}

await service.close();
rmSync(dataDir, { recursive: true, force: true });

const f = (x: number) => `${x.toFixed(1)} ms`;
const h = median(activity.healthz!);
console.log(`dashboard bench, ${ROUNDS} rounds, medians (machine may be shared: read the ratios)`);
console.log(`activity page, ${ROWS} audit rows, request → last byte on loopback (goal ≤ 200 ms):`);
for (const k of [...windows, 'filtered'])
  console.log(
    `  ${k.padEnd(9)} ${f(median(activity[k]!))}  (${(median(activity[k]!) / h).toFixed(1)}× GET /healthz, ${f(h)})`,
  );
console.log(`assets shipped (CSS + JS) gzip: ${(assetsGzip / 1024).toFixed(1)} KB (goal ≤ 150 KB)`);
for (const [k, v] of Object.entries(pageGzip)) console.log(`  page HTML gzip, ${k}: ${(v / 1024).toFixed(1)} KB`);
if (load.ui.length) {
  const hz = median(load.healthz);
  console.log(
    `cold first load of /ui in chromium (goal ≤ 300 ms to interactive): domInteractive ${f(median(load.ui))}, load ${f(median(load.uiLoad))} (${(median(load.ui) / hz).toFixed(1)}× /healthz's ${f(hz)})`,
  );
} else console.log(`cold first load: skipped, no chromium at ${CHROMIUM}`);
