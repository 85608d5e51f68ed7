// Replicas on one Postgres vs one replica on SQLite, same load, same run. Needs `npm run build` first and Debian's
// PostgreSQL binaries (/usr/lib/postgresql/<major>/bin; started here in a temp dir, as the `postgres` user under root).
//   - 1 replica + SQLite behind the loopback round-robin proxy;
//   - N replicas (default 2) + one Postgres behind the same proxy;
//   - rounds interleaved; each round `calls` tools/call (default: one burst of `concurrency`), `concurrency` in
//     flight, as MCP 2026-07-28 requests (autocannon or fetch, no SDK client), against a loopback stub standing in
//     for OpenAI.
// Reports medians of calls per round, throughput, p50/p99, errors, the services' CPU ms per call (from /proc: summed over
// replicas), and on Postgres the database transactions and rows inserted per call (pg_stat_database).
//
//   npm run bench:replicas -- [--rounds 5] [--concurrency 200] [--calls 200] [--replicas 2] [--proxy tcp|http|none]
//     [--client autocannon|fetch] [--control]

import { answeredOk, rawToolCall, startFilesStub, toolCallRequest } from '../testing/mcp-2026.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { repoRoot } from '../generator/pin.js';
import { type RoundRobin, startRoundRobin, startTcpRoundRobin } from '../testing/round-robin.js';
import { postgresBin, startPostgres } from '../testing/postgres.js';
import { binCli } from '../testing/cli.js';
import { cpuMs, treeCpuMs } from '../testing/proc.js';
import { cannonLoop, closedLoop, median, percentile as pct } from './bench-stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '200' },
    // Calls per round, `concurrency` in flight; by default one burst of `concurrency`.
    calls: { type: 'string' },
    // With autocannon, each round runs for this long instead (calls answered in it are counted).
    seconds: { type: 'string', default: '2' },
    replicas: { type: 'string', default: '2' },
    // tcp: connections spread round-robin (a network load balancer); http: requests spread, each parsed by the
    // proxy (testing/round-robin.ts), which on 2 cores costs the load generator about what the replicas spend;
    // none: the load generator sends each call to the next replica itself (client-side round robin, as DNS round
    // robin would), so these 2 cores carry no balancer; one in production runs on other hardware.
    proxy: { type: 'string', default: 'tcp' },
    // autocannon: the load generator's client (scripts/bench-stats.ts cannonLoop), a few times cheaper per call than
    // fetch, so more of the 2 cores go to what is measured; fetch: one fetch per call (the earlier figures).
    client: { type: 'string', default: 'autocannon' },
    // Also run the replicas on one SQLite file: the same processes and proxy, only the store differs.
    control: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const calls = Number(values.calls ?? concurrency);
const replicas = Number(values.replicas);
if (!['autocannon', 'fetch'].includes(values.client))
  throw new Error(`--client: autocannon or fetch, not ${values.client}`);
if (!['tcp', 'http', 'none'].includes(values.proxy)) throw new Error(`--proxy: tcp, http or none, not ${values.proxy}`);
const BIN = process.env.BENCH_BIN ?? path.join(repoRoot, 'dist/bin/openai-mcp.mjs');
// BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the replicas (as in bench-http).
const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

const bin = postgresBin();
if (!bin) throw new Error('no PostgreSQL server binaries (apt-get install postgresql)');

const { server: stub, url: stubUrl } = await startFilesStub();

const postgres = await startPostgres(bin);
const admin = new pg.Client(postgres.url);
await admin.connect();
await admin.query('create database bench');
const dbUrl = new URL(postgres.url);
dbUrl.pathname = '/bench';

const KEY = 'b'.repeat(40);
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: '1',
  OPENAI_MCP_SECRET_KEY: KEY,
};

interface Setup {
  label: string;
  env: Record<string, string | undefined>;
  dataDirs: string[];
  children: ChildProcess[];
  proxy: RoundRobin;
  /** Where calls go, taken in turn: the proxy's server URL, or with --proxy none the same path on each replica. */
  urls: string[];
}

/** --proxy none: no balancer; replicas are told a loopback public URL (its hostname passes their Host check). */
const noProxy = (): RoundRobin => ({
  url: 'http://127.0.0.1',
  setBackends() {},
  served: new Map(),
  failed: 0,
  close: async () => {},
});

const cliJson = (args: string[], env: Record<string, string | undefined>, dataDir: string) =>
  binCli(BIN, dataDir, env)(args);

async function startReplica(env: Record<string, string | undefined>, dataDir: string, publicUrl: string) {
  // The per-server limits (16 at once, 20/s per replica) would answer most of this load with 429: raised above it.
  const limits = ['--max-concurrent-per-server', String(concurrency), '--rate-per-server', '1000000'];
  const child = spawn(
    process.execPath,
    [...nodeArgs, BIN, 'serve', '--http', '--port', '0', '--data-dir', dataDir, '--public-url', publicUrl, ...limits],
    {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const origin = await new Promise<string>((resolve, reject) => {
    let err = '';
    const onData = (c: string) => {
      err += c;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (!m) return;
      // The access log goes on, a line per call: read and dropped, so the load generator spends nothing on it.
      child.stderr!.off('data', onData);
      child.stderr!.resume();
      resolve(m[1]!);
    };
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(err)));
  });
  return { child, origin };
}

async function setup(label: string, n: number, databaseUrl?: string): Promise<Setup> {
  const env = { ...baseEnv, ...(databaseUrl ? { OPENAI_MCP_DATABASE_URL: databaseUrl } : {}) };
  const proxy =
    values.proxy === 'http'
      ? await startRoundRobin()
      : values.proxy === 'none'
        ? noProxy()
        : await startTcpRoundRobin();
  const dataDirs = Array.from({ length: n }, () => mkdtempSync(path.join(tmpdir(), 'bench-replicas-')));
  const account = cliJson(
    ['accounts', 'add', '--name', 'bench', '--base-url', stubUrl],
    { ...env, OPENAI_API_KEY: 'sk-proj-BENCHkey0123456789abcdef' },
    dataDirs[0]!,
  );
  const started = [];
  for (const dir of dataDirs) started.push(await startReplica(env, dir, proxy.url));
  proxy.setBackends(started.map((s) => s.origin));
  const server = cliJson(
    [
      'servers',
      'create',
      '--account',
      account.id,
      '--name',
      'bench',
      '--methods',
      'read',
      '--tags',
      'files',
      '--public-url',
      proxy.url,
    ],
    env,
    dataDirs[0]!,
  );
  const urls =
    values.proxy === 'none' ? started.map((s) => `${s.origin}${new URL(server.url).pathname}`) : [server.url];
  return { label, env, dataDirs, children: started.map((s) => s.child), proxy, urls };
}

const call = (url: string) =>
  rawToolCall(url, 'list_all_open_ai_files', { limit: 1 }, 'bench').then(async (r) => {
    const text = await r.text();
    const ok = answeredOk(r.status, text);
    if (!ok && failures.length < 5) failures.push(`${r.status} ${text.slice(0, 300)}`);
    return ok;
  });
const failures: string[] = [];
const cannonRequest = toolCallRequest('list_all_open_ai_files', { limit: 1 }, 'bench');

interface Round {
  /** The measured window, ms, and the calls answered in it. */
  wall: number;
  calls: number;
  /** Every call answered while CPU time was read (autocannon's run may end after the window): CPU is per these. */
  answered: number;
  latencies: number[];
  errors: number;
  cpu: number;
  /** Postgres's CPU (postmaster and backends) during the round, ms; 0 for the SQLite set-ups. */
  dbCpu: number;
  /** This process's CPU during the round, ms: the client, the stub standing in for OpenAI, and any proxy. */
  loadCpu: number;
}

async function dbStats(): Promise<{ xacts: number; inserted: number }> {
  const r = await admin.query(
    "select xact_commit + xact_rollback as x, tup_inserted as i from pg_stat_database where datname = 'bench'",
  );
  return { xacts: Number(r.rows[0].x), inserted: Number(r.rows[0].i) };
}

async function round(s: Setup): Promise<Round> {
  const cpu0 = s.children.reduce((n, c) => n + cpuMs(c.pid!), 0);
  const db0 = s === shared ? treeCpuMs(postgres.pid) : 0;
  const lg0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const load =
    values.client === 'autocannon'
      ? await cannonLoop(s.urls, concurrency, Number(values.seconds), cannonRequest, answeredOk, (what) => {
          if (failures.length < 5) failures.push(what);
        })
      : await closedLoop(concurrency, calls, () =>
          call(s.urls[next++ % s.urls.length]!).catch((err: Error) => {
            if (failures.length < 5) failures.push(`${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`);
            return false;
          }),
        ).then((r) => ({ ...r, calls, answered: calls, wall: performance.now() - t0 }));
  return {
    wall: load.wall,
    calls: load.calls,
    answered: load.answered,
    latencies: load.latencies,
    errors: load.errors,
    cpu: s.children.reduce((n, c) => n + cpuMs(c.pid!), 0) - cpu0,
    dbCpu: s === shared ? treeCpuMs(postgres.pid) - db0 : 0,
    loadCpu: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(lg0)),
  };
}

const sqlite = await setup('1 replica + SQLite', 1);
const shared = await setup(`${replicas} replicas + Postgres`, replicas, dbUrl.toString());
// The control for the store alone: the same replicas and proxy, on one SQLite file on this machine (WAL lets several
// processes share it here; only Postgres lets replicas on several machines share state). Postgres vs this is what the
// shared store costs; vs one replica, it is also what a second process costs on a 2-core machine that runs the load
// generator, the stub and Postgres as well.
const sqliteFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-replicas-file-')), 'shared.sqlite');
const control = values.control
  ? await setup(`${replicas} replicas + one SQLite file`, replicas, `sqlite:${sqliteFile}`)
  : undefined;
const setups = [sqlite, shared, ...(control ? [control] : [])];
for (const s of setups) for (let i = 0; i < s.children.length; i++) await call(s.urls[i % s.urls.length]!); // warm-up: every replica

const results = new Map<Setup, Round[]>(setups.map((s) => [s, []]));
const db0 = await dbStats();
for (let i = 0; i < rounds; i++) for (const s of setups) results.get(s)!.push(await round(s));
// Postgres 15 backends report their counters at most once a second, and an idle one after up to 10 s.
await new Promise((r) => setTimeout(r, 11_000));
const db1 = await dbStats();
const sharedCalls = results.get(shared)!.reduce((n, r) => n + r.answered, 0);

const table: Record<string, Record<string, number | string>> = {};
for (const [s, rs] of results) {
  const perSecond = rs.map((r) => (r.calls / r.wall) * 1000);
  table[s.label] = {
    calls_per_round: Math.round(median(rs.map((r) => r.calls))),
    throughput_per_s: Math.round(median(perSecond)),
    p50_ms: Number(median(rs.map((r) => pct(r.latencies, 50))).toFixed(1)),
    p99_ms: Number(median(rs.map((r) => pct(r.latencies, 99))).toFixed(1)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    service_cpu_ms_per_call: Number(median(rs.map((r) => r.cpu / r.answered)).toFixed(2)),
    load_cpu_ms_per_call: Number(median(rs.map((r) => r.loadCpu / r.answered)).toFixed(2)),
    db_cpu_ms_per_call: s === shared ? Number(median(rs.map((r) => r.dbCpu / r.answered)).toFixed(2)) : '-',
    db_xacts_per_call: s === shared ? Number(((db1.xacts - db0.xacts) / sharedCalls).toFixed(2)) : '-',
    db_rows_inserted_per_call: s === shared ? Number(((db1.inserted - db0.inserted) / sharedCalls).toFixed(2)) : '-',
  };
}
console.log(
  `bench-replicas: ${rounds} rounds of ${values.client === 'autocannon' ? `${values.seconds} s` : `${calls} calls`}, ${concurrency} concurrent, by ${values.client}, ${values.proxy === 'none' ? 'spread by the client' : `through a ${values.proxy} round-robin proxy`} (medians; the machine may be shared)`,
);
console.table(table);
const rate = (r: Round) => r.calls / r.wall;
/**
 * The Postgres set-up's throughput against another's: the ratio of their medians, and the median of paired rounds
 * (each round against the other set-up's round right beside it, so load drift cancels out).
 */
const against = (other: Setup) =>
  `x${((table[shared.label]!.throughput_per_s as number) / (table[other.label]!.throughput_per_s as number)).toFixed(2)} ` +
  `(median of paired rounds x${median(results.get(other)!.map((r, i) => rate(results.get(shared)![i]!) / rate(r))).toFixed(2)})`;
const a = table[sqlite.label]!;
const b = table[shared.label]!;
console.log(
  `throughput ${shared.label} / ${sqlite.label}: ${against(sqlite)}; errors: ${(a.errors as number) + (b.errors as number)}`,
);
if (control)
  console.log(
    `throughput ${shared.label} / ${control.label} (the store alone): ${against(control)}; errors: ${table[control.label]!.errors}`,
  );

for (const s of setups) {
  for (const c of s.children) c.kill('SIGTERM');
  await s.proxy.close();
}
await new Promise((r) => setTimeout(r, 500));
await admin.end();
await postgres.stop();
stub.close();
if (failures.length) console.log(`first failures:\n  ${failures.join('\n  ')}`);
if ((a.errors as number) || (b.errors as number)) process.exitCode = 1;
