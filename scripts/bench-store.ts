// `npm run bench:store`: the store's hot path on each SQLite driver, in one process, paired: better-sqlite3 and
// Node's built-in node:sqlite (Node >= 22.16). Per request a managed server looks its token up and records the call
// in the audit log; listings and the purge run beside. Each round runs both drivers on fresh data dirs, alternating
// which goes first; the figures are medians over rounds, and the ratio is node:sqlite / better-sqlite3 per round.
//
// On Node 20 only better-sqlite3 runs. To compare on Node 22 with a better-sqlite3 built for it:
//   BENCH_BETTER_SQLITE3=/path/to/node_modules/better-sqlite3 node22 --import tsx scripts/bench-store.ts
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  betterSqlite3Driver,
  loadNodeSqlite,
  loadSqliteDriver,
  NODE_SQLITE_MIN,
  type SqliteDriver,
} from '../service/store/driver.js';
import { openSqliteStore } from '../service/store/sqlite.js';
import { issueToken, lookupOf, newId } from '../service/tokens.js';
import { atLeast } from '../runtime/node-floor.js';
import { median } from './bench-stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SERVERS = 50;
const REQUESTS = 2_000;

async function drivers(): Promise<SqliteDriver[]> {
  const out: SqliteDriver[] = [];
  const custom = process.env.BENCH_BETTER_SQLITE3;
  if (custom) {
    const require = createRequire(import.meta.url);
    const version = (require(path.join(custom, 'package.json')) as { version: string }).version;
    out.push(betterSqlite3Driver(require(custom) as typeof import('better-sqlite3'), version));
  } else {
    const d = await loadSqliteDriver({ ...process.env, OPENAI_MCP_SQLITE_DRIVER: 'better-sqlite3' }).catch(
      () => undefined,
    );
    if (d) out.push(d);
  }
  if (atLeast(process.versions.node, NODE_SQLITE_MIN)) out.push(await loadNodeSqlite());
  return out;
}

interface Figures {
  openMs: number;
  requestsPerSecond: number;
  listMs: number;
}

async function round(driver: SqliteDriver): Promise<Figures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-store-'));
  try {
    const t0 = performance.now();
    const store = await openSqliteStore(dir, { driver });
    const openMs = performance.now() - t0;
    const now = Date.now();
    await store.insertAccount(
      {
        id: 'acc_bench',
        name: 'bench',
        base_url: null,
        secrets: 'x',
        api_key_hint: null,
        admin_key_hint: null,
        organization_id: null,
        project_id: null,
        created_at: now,
        updated_at: now,
      },
      'bench',
    );
    const tokens: string[] = [];
    for (let i = 0; i < SERVERS; i++) {
      const t = issueToken('server');
      tokens.push(t.token);
      await store.insertServer({
        id: newId('srv'),
        account_id: 'acc_bench',
        name: `s${i}`,
        config: '{}',
        expires_at: null,
        require_api_token_auth: 0,
        auth: 'url',
        oauth_policy: null,
        token_lookup: t.lookup,
        token_hash: t.hash,
        created_at: now,
        updated_at: now,
      });
    }
    // The per-request path: find the server by its token's lookup, record the call.
    const t1 = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      const row = await store.findServerByLookup(lookupOf(tokens[i % SERVERS]!));
      await store.recordCall({
        server_id: row!.id,
        at: now + i,
        tool: 'list_all_open_ai_fine_tuning_jobs',
        http_status: 200,
        duration_ms: 12,
        is_error: 0,
      });
    }
    const requestsPerSecond = REQUESTS / ((performance.now() - t1) / 1000);
    const t2 = performance.now();
    for (let i = 0; i < 20; i++) {
      await store.listServers();
      await store.listCalls((await store.findServerByLookup(lookupOf(tokens[i]!)))!.id, { limit: 100 });
    }
    const listMs = (performance.now() - t2) / 20;
    await store.close();
    return { openMs, requestsPerSecond, listMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const list = await drivers();
if (!list.length) {
  process.stderr.write('bench:store: no SQLite driver here (see openai-mcp doctor)\n');
  process.exit(1);
}
const results = new Map<string, Figures[]>(list.map((d) => [d.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...list].reverse() : list;
  for (const d of order) results.get(d.name)!.push(await round(d));
}
process.stdout.write(
  `Node ${process.versions.node}, WAL, synchronous=NORMAL (as the store runs), ${ROUNDS} rounds, ` +
    `${REQUESTS} requests over ${SERVERS} servers (shared machine)\n`,
);
process.stdout.write(`${'driver'.padEnd(26)}${'open+migrate'.padEnd(14)}${'lookup+audit/s'.padEnd(16)}list (ms)\n`);
for (const d of list) {
  const f = results.get(d.name)!;
  const label = d.name === 'node:sqlite' ? d.name : `${d.name} ${d.version}`;
  const open = `${median(f.map((x) => x.openMs)).toFixed(1)} ms`;
  const rps = median(f.map((x) => x.requestsPerSecond)).toFixed(0);
  process.stdout.write(
    `${label.padEnd(26)}${open.padEnd(14)}${rps.padEnd(16)}${median(f.map((x) => x.listMs)).toFixed(2)}\n`,
  );
}
if (list.length === 2) {
  const [a, b] = [results.get('better-sqlite3')!, results.get('node:sqlite')!];
  const ratio = (k: keyof Figures) => median(a.map((x, i) => b[i]![k] / x[k]));
  process.stdout.write(
    `node:sqlite / better-sqlite3, median of per-round ratios: open ${ratio('openMs').toFixed(2)}x, ` +
      `lookup+audit throughput ${ratio('requestsPerSecond').toFixed(2)}x, list time ${ratio('listMs').toFixed(2)}x\n`,
  );
}
