// The load findings of issue 15 as figures, against the built service (`npm run build` first; it spawns
// dist/bin/openai-mcp.mjs serve --http) and a loopback stand-in for OpenAI. Each figure is measured in this run
// beside its own baseline (the same service, idle), so a loaded machine shifts both sides alike:
//   1. RSS growth after 40 JSON-RPC batch requests of 100 tools/list whose answers are never read (goal ≤ +50 MiB);
//   2. another tenant's tools/call p50 while two token-less loops post 2 MiB of nested brackets, as a ratio to its
//      idle p50 measured in alternating rounds (goal ≤ 2×);
//   3. /healthz latency while another process holds the SQLite write lock for 6 s, and audit rows lost (goal
//      ≤ 200 ms, 0 lost);
//   4. a running wait_for_* poll after its server is deleted: time until it ends and requests OpenAI saw afterwards
//      (goal ≤ 1 s, 0).
//
//   npm run bench:http:attack -- [--rounds 5]

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { binCli } from '../testing/cli.js';
import { cpuSeconds, rssMiB as procRssMiB } from '../testing/proc.js';
import { createServer } from 'node:http';
import { type AddressInfo, connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { repoRoot } from '../generator/pin.js';
import { median } from './bench-stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const BIN = path.join(repoRoot, 'dist/bin/openai-mcp.mjs');
const KEY = 'sk-proj-ATTACKbench0123456789abcdef';
const JOB = 'ftjob-bench';

// ---- the OpenAI stand-in: a job that never finishes, and a files list -------------------------------------------
let jobPolls = 0;
const stub = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith(`/v1/fine_tuning/jobs/${JOB}`)) {
      jobPolls++;
      res.end(JSON.stringify({ id: JOB, object: 'fine_tuning.job', status: 'running', model: 'gpt-4o-mini' }));
      return;
    }
    res.end(JSON.stringify({ object: 'list', data: [], has_more: false }));
  });
});
await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/v1`;

// ---- the service ------------------------------------------------------------------------------------------------
const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-attack-'));
// The stand-in for OpenAI is on loopback, which the service refuses as a base URL unless told.
const env: Record<string, string | undefined> = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: '1',
};
const cli = binCli(BIN, dataDir, env);
const account = cli(['accounts', 'add', '--name', 'bench', '--base-url', stubUrl], { OPENAI_API_KEY: KEY });
// The victim's sequential calls would pass the default 20/s of one server; the rate limit is its own test.
const child = spawn(
  process.execPath,
  [BIN, 'serve', '--http', '--port', '0', '--data-dir', dataDir, '--rate-per-server', '1000'],
  {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
let stderr = '';
const origin = await new Promise<string>((resolve, reject) => {
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    stderr += c;
    const m = /listening on (http:\/\/\S+)/.exec(stderr);
    if (m) resolve(m[1]!);
  });
  child.once('exit', () => reject(new Error(stderr)));
});
const pid = child.pid!;
const newServer = (name: string, tags: string) =>
  cli(['servers', 'create', '--account', account.id, '--name', name, '--tags', tags, '--public-url', origin]);

async function client(url: string): Promise<Client> {
  const c = new Client({ name: 'bench-attack', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}
const rssMiB = () => procRssMiB(pid);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const victim = newServer('victim', 'files');
const victimClient = await client(victim.url);
const call = () => victimClient.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } });
await call();

// ---- 1. unread batch answers ------------------------------------------------------------------------------------
const batch = JSON.stringify(
  Array.from({ length: 100 }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/list', params: {} })),
);
const target = new URL(victim.url);
const rssBefore = rssMiB();
const held: Socket[] = [];
for (let i = 0; i < 40; i++) {
  const s = tcpConnect(Number(target.port), target.hostname);
  s.pause(); // never read: whatever the service answers stays in its buffers
  s.on('error', () => undefined);
  s.write(
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
      `Accept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(batch)}\r\n\r\n${batch}`,
  );
  held.push(s);
}
await sleep(3000);
const rssGrowth = rssMiB() - rssBefore;
for (const s of held) s.destroy();

// ---- 2. token-less bracket bodies vs another tenant ---------------------------------------------------------------
const ATTACKER = `
const http = require('node:http');
const body = Buffer.from('['.repeat(2 * 1024 * 1024));
const agent = new http.Agent({ keepAlive: true });
const loop = () => {
  const req = http.request(process.argv[1], { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
    res.resume();
    res.on('end', loop);
  });
  req.on('error', () => setTimeout(loop, 10));
  req.end(body);
};
loop();
loop();
`;
const serviceCpu: number[] = [];
const idleP50: number[] = [];
const loadedP50: number[] = [];
async function sample(n = 40): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    xs.push(performance.now() - t);
  }
  return pct(xs, 50);
}
for (let r = 0; r < rounds; r++) {
  idleP50.push(await sample());
  // The two loops run in their own process, so the bench's client is not competing with them for an event loop.
  const loops = spawn(process.execPath, ['-e', ATTACKER, `${origin}/mcp/omcp_${'x'.repeat(40)}`], { stdio: 'ignore' });
  await sleep(300);
  const cpu0 = cpuSeconds(pid);
  loadedP50.push(await sample());
  serviceCpu.push(cpuSeconds(pid) - cpu0);
  loops.kill('SIGKILL');
  await new Promise((r) => loops.once('exit', r));
}

// ---- 3. an external write lock ------------------------------------------------------------------------------------
const locked = newServer('locked', 'fine-tuning');
const lockedClient = await client(locked.url);
const holder = new Database(path.join(dataDir, 'openai-mcp.sqlite'));
holder.exec('BEGIN IMMEDIATE');
const lockedUntil = Date.now() + 6000;
const healthMs: number[] = [];
const health = (async () => {
  while (Date.now() < lockedUntil) {
    const t = performance.now();
    await fetch(`${origin}/healthz`).then((r) => r.text());
    healthMs.push(performance.now() - t);
    await sleep(100);
  }
})();
const lockedCalls: Promise<unknown>[] = [];
for (let i = 0; i < 6; i++) {
  lockedCalls.push(
    lockedClient.callTool({ name: 'get_single_open_ai_fine_tuning_job_by_id', arguments: { fine_tuning_job_id: JOB } }),
  );
  await sleep(900);
}
await Promise.all(lockedCalls);
await health;
holder.exec('COMMIT');
let rows = 0;
for (let i = 0; i < 100 && rows < lockedCalls.length; i++) {
  await sleep(100);
  rows = (holder.prepare('select count(*) as n from tool_calls where server_id = ?').get(locked.id) as { n: number }).n;
}
holder.close();
await lockedClient.close();

// ---- 4. revocation of a running wait ------------------------------------------------------------------------------
const abortMs: number[] = [];
const pollsAfter: number[] = [];
for (let r = 0; r < rounds; r++) {
  const doomed = newServer(`doomed-${r}`, 'fine-tuning');
  const c = await client(doomed.url);
  const before = jobPolls;
  const waiting = c
    .callTool(
      {
        name: 'wait_for_open_ai_fine_tuning_job_by_id',
        arguments: { fine_tuning_job_id: JOB, timeout_seconds: 30, poll_interval_seconds: 1 },
      },
      undefined,
      { timeout: 60_000 },
    )
    .catch(() => undefined);
  while (jobPolls < before + 2) await sleep(20);
  cli(['servers', 'delete', doomed.id]);
  const t = performance.now();
  await waiting;
  abortMs.push(performance.now() - t);
  const atEnd = jobPolls;
  await sleep(2000);
  pollsAfter.push(jobPolls - atEnd);
  await c.close().catch(() => undefined);
}

await victimClient.close();
child.kill('SIGTERM');
stub.close();

const round1 = (x: number) => Number(x.toFixed(1));
console.log(`bench-http-attack: ${rounds} rounds where paired (medians)`);
console.table({
  'RSS growth, 40 unread 100-call batches (MiB)': { value: round1(rssGrowth), goal: '≤ 50' },
  "other tenant's p50 during 2 token-less 2 MiB loops / idle p50": {
    value: `×${(median(loadedP50) / median(idleP50)).toFixed(2)} (${round1(median(loadedP50))} / ${round1(median(idleP50))} ms)`,
    goal: '≤ ×2',
  },
  'service CPU seconds while the other tenant made 40 calls under the loops': {
    value: Number(median(serviceCpu).toFixed(2)),
    goal: '—',
  },
  '/healthz max during a 6 s write lock (ms)': { value: round1(Math.max(...healthMs)), goal: '≤ 200' },
  'audit rows lost under the lock': { value: lockedCalls.length - rows, goal: '0' },
  'wait aborted after its server is deleted (ms, median)': { value: round1(median(abortMs)), goal: '≤ 1000' },
  'OpenAI requests after the abort (max over rounds)': { value: Math.max(...pollsAfter), goal: '0' },
});
