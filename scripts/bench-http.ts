// Load on one managed server URL. Needs `npm run build` first (it spawns dist/bin/openai-mcp.mjs serve --http).
//   - 200 concurrent tools/call through one scoped URL (Streamable HTTP, stateless) against a loopback stub;
//   - baseline, same run: the same 200 concurrent requests sent straight to the stub with fetch.
// Reports wall time per round, throughput and per-call p50/p99; medians over rounds. Errors must be 0.
//
//   npm run bench:http -- [--rounds 7] [--concurrency 200]

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { repoRoot } from '../generator/pin.js';
import { median } from './bench-stats.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, concurrency: { type: 'string', default: '200' } },
});
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const BIN = path.join(repoRoot, 'dist/bin/openai-mcp.mjs');
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const body = JSON.stringify({
  object: 'list',
  data: [{ id: 'file-1', object: 'file', bytes: 10, created_at: 1, filename: 'a.jsonl', purpose: 'batch' }],
  has_more: false,
});
const stub = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
    });
    res.end(body);
  });
});
stub.keepAliveTimeout = 60_000;
await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/v1`;

const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-http-'));
// The stand-in for OpenAI is on loopback, which the service refuses as a base URL unless told.
const env: Record<string, string | undefined> = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: '1',
};
const run = (args: string[], extra: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir, '--json'], {
    encoding: 'utf8',
    env: { ...env, ...extra },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};
const account = run(['accounts', 'add', '--name', 'bench', '--base-url', stubUrl], {
  OPENAI_API_KEY: 'sk-proj-BENCHkey0123456789abcdef',
});

// BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the service.
const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
// The per-server limits (16 at once, 20/s) would answer most of this load with 429; this measures the path a call
// takes, so they are raised above it.
const limits = ['--max-concurrent-per-server', String(concurrency), '--rate-per-server', '1000000'];
const child = spawn(
  process.execPath,
  [...nodeArgs, BIN, 'serve', '--http', '--port', '0', '--data-dir', dataDir, ...limits],
  {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
let err = '';
const origin = await new Promise<string>((resolve, reject) => {
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    err += c;
    const m = /listening on (http:\/\/\S+)/.exec(err);
    if (m) resolve(m[1]!);
  });
  child.once('exit', () => reject(new Error(err)));
});
const server = run([
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
  origin,
]);

const client = new Client({ name: 'bench', version: '1' });
await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
await client.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } }); // warm-up: builds the scoped toolkit

interface Round {
  wall: number;
  latencies: number[];
  errors: number;
}

async function round(one: () => Promise<boolean>): Promise<Round> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const s = performance.now();
      const ok = await one().catch(() => false);
      latencies.push(performance.now() - s);
      if (!ok) errors++;
    }),
  );
  return { wall: performance.now() - t0, latencies, errors };
}

const viaMcp = () =>
  client.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } }).then((r) => !r.isError);
const direct = () =>
  fetch(`${stubUrl}/files?limit=1`, { headers: { authorization: 'Bearer x' } }).then(async (r) => {
    await r.text();
    return r.ok;
  });

const results = { mcp: [] as Round[], direct: [] as Round[] };
for (let i = 0; i < rounds; i++) {
  // Interleaved, so drift in machine load hits both sides alike.
  results.direct.push(await round(direct));
  results.mcp.push(await round(viaMcp));
}
await client.close();
child.kill('SIGTERM');
stub.close();

const summary = (rs: Round[]) => {
  const walls = rs.map((r) => r.wall);
  return {
    wall_ms: Math.round(median(walls)),
    throughput_per_s: Math.round(concurrency / (median(walls) / 1000)),
    p50_ms: Number(median(rs.map((r) => pct(r.latencies, 50))).toFixed(1)),
    p99_ms: Number(median(rs.map((r) => pct(r.latencies, 99))).toFixed(1)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
  };
};
const mcp = summary(results.mcp);
const base = summary(results.direct);
console.log(`bench-http: ${rounds} rounds of ${concurrency} concurrent calls (medians)`);
console.table({ 'through /mcp/<token>': mcp, 'stub directly (baseline)': base });
console.log(
  `wall-time ratio mcp/direct: x${(mcp.wall_ms / base.wall_ms).toFixed(1)}; errors: ${mcp.errors + base.errors}`,
);
if (mcp.errors || base.errors) process.exitCode = 1;
