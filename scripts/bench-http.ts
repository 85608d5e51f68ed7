// Load on one managed server URL. Needs `npm run build` first (it spawns dist/bin/openai-mcp.mjs serve --http).
//   - 200 concurrent tools/call through one scoped URL (Streamable HTTP, stateless) against a loopback stub;
//   - baseline, same run: the same 200 concurrent requests sent straight to the stub with fetch;
//   - the OAuth token check: sequential tools/call pairs through a `url` server and an `oauth` server of the same
//     scope (access token from the real authorize → login → consent → token flow), alternating; the added p50;
//   - issue 18: one MCP 2026-07-28 tools/call with no handshake (one POST, fetch) against a 2025-11-25 client's
//     connect + the same call (the v2 SDK Client: initialize, initialized, tools/call), one at a time, alternating;
//     the ratio of their p50s (goal ≤ 0.5).
// Reports wall time per round, throughput and per-call p50/p99; medians over rounds. Errors must be 0.
//
//   npm run bench:http -- [--rounds 7] [--concurrency 200] [--calls 200] [--modes direct,sdk,raw] [--no-oauth] [--help]

import { answeredOk, rawToolCall, startFilesStub } from '../testing/mcp-2026.js';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { binCli } from '../testing/cli.js';
import { cpuMs } from '../testing/proc.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { repoRoot } from '../generator/pin.js';
import { closedLoop, median, percentile as pct } from './bench-stats.js';

const HELP = `npm run bench:http -- [options]
  --rounds N         rounds per mode, interleaved (default 7); figures are medians over rounds
  --concurrency N    concurrent tools/call per round (default 200)
  --calls N          tools/call per round, --concurrency in flight at a time (default: one burst of --concurrency);
                     e.g. 2000 for sustained throughput
  --modes LIST       comma-separated, of: direct (the stub with fetch, the baseline), sdk (1.x SDK client through
                     /mcp/<token>, 2025 era), raw (fetch, one MCP 2026-07-28 request each), bare (the same request to
                     a bare node:http forwarder: the floor of any service in between); default direct,sdk,raw
  --no-oauth         skip the OAuth token-check pairs (sequential calls through a url and an oauth server)
  --no-pairs         skip the sequential pairs (OAuth, and issue 18's 2026-07-28 call vs 2025 connect + call): only
                     the concurrent rounds, e.g. for a profile of the service under load
  --compare-bin PATH another build's dist/bin/openai-mcp.mjs (e.g. main's, before a change): a second service from
                     it gets the same sdk/raw rounds, interleaved, for before/after figures from one run
env: BENCH_BIN (another build of the CLI, e.g. unminified for profiles), BENCH_NODE_ARGS (e.g. "--cpu-prof
     --cpu-prof-dir=/tmp/prof" to profile the service)`;
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    concurrency: { type: 'string', default: '200' },
    calls: { type: 'string' },
    modes: { type: 'string', default: 'direct,sdk,raw' },
    'no-oauth': { type: 'boolean', default: false },
    'no-pairs': { type: 'boolean', default: false },
    'compare-bin': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
// Calls per round; by default one burst of `concurrency` (the issue's figures were taken so).
const calls = Number(values.calls ?? concurrency);
const modes = new Set(values.modes.split(',').map((m) => m.trim()));
for (const m of modes)
  if (!['direct', 'sdk', 'raw', 'bare'].includes(m)) throw new Error(`--modes: unknown mode ${m}\n${HELP}`);
if (!modes.has('direct')) console.warn('bench-http: no direct mode, so no ratio to the baseline');
// BENCH_BIN: another build of the CLI (an unminified one, for readable profiles).
const BIN = process.env.BENCH_BIN ?? path.join(repoRoot, 'dist/bin/openai-mcp.mjs');

const { server: stub, url: stubUrl } = await startFilesStub({
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
});
// Connections the stub accepted: the service's keep-alive pool to its upstream should open few.
let stubConnections = 0;
stub.on('connection', () => stubConnections++);

// The stand-in for OpenAI is on loopback, which the service refuses as a base URL unless told.
const env: Record<string, string | undefined> = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: '1',
};
// BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the service.
const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
// The per-server limits (16 at once, 20/s) would answer most of this load with 429; this measures the path a call
// takes, so they are raised above it.
const limits = ['--max-concurrent-per-server', String(concurrency), '--rate-per-server', '1000000'];

/** A service of build `bin` on its own data dir, with one account on the stub and one `url` server. */
async function startService(bin: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-http-'));
  const run = binCli(bin, dataDir, env);
  const account = run(['accounts', 'add', '--name', 'bench', '--base-url', stubUrl], {
    OPENAI_API_KEY: 'sk-proj-BENCHkey0123456789abcdef',
  });
  const child = spawn(
    process.execPath,
    [...nodeArgs, bin, 'serve', '--http', '--port', '0', '--data-dir', dataDir, ...limits],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const origin = await new Promise<string>((resolve, reject) => {
    let err = '';
    const onData = (c: string) => {
      err += c;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (!m) return;
      // The access log goes on, a line per call: read and dropped, so this process spends nothing on it.
      child.stderr.off('data', onData);
      child.stderr.resume();
      resolve(m[1]!);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', onData);
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
  // Warm-up: builds the scoped toolkit.
  await client.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } });
  return { child, origin, run, account, server: server as { url: string }, client };
}

const main = await startService(BIN);
const before = values['compare-bin'] ? await startService(path.resolve(values['compare-bin'])) : undefined;
const { child, origin, run, account, server, client } = main;

// An `oauth` server of the same scope, and an access token for it through the operator's API-token login.
const withPairs = !values['no-pairs'];
const withOauth = !values['no-oauth'] && withPairs;
let oauthClient: Client | undefined;
if (withOauth) {
  const oauthServer = run([
    'servers',
    'create',
    '--account',
    account.id,
    '--name',
    'bench-oauth',
    '--methods',
    'read',
    '--tags',
    'files',
    '--auth',
    'oauth',
    '--public-url',
    origin,
  ]);
  const accessToken = await oauthAccessToken(oauthServer.url, run(['api-tokens', 'create', '--name', 'bench']).token);
  oauthClient = new Client({ name: 'bench-oauth', version: '1' });
  await oauthClient.connect(
    new StreamableHTTPClientTransport(new URL(oauthServer.url), {
      requestInit: { headers: { authorization: `Bearer ${accessToken}` } },
    }),
  );
  await oauthClient.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } });
}

async function oauthAccessToken(resource: string, apiToken: string): Promise<string> {
  const redirect = 'http://127.0.0.1:9/cb';
  const reg = (await (
    await fetch(`${origin}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [redirect], token_endpoint_auth_method: 'none' }),
    })
  ).json()) as { client_id: string };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  let cookie = '';
  const go = async (url: string, form?: Record<string, string>) => {
    const res = await fetch(url, {
      redirect: 'manual',
      method: form ? 'POST' : 'GET',
      headers: { cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) cookie = c.split(';')[0]!;
    return { location: res.headers.get('location') ?? '', text: await res.text() };
  };
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: reg.client_id,
    redirect_uri: redirect,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource,
  });
  const login = (await go(`${origin}/oauth/authorize?${q}`)).location;
  const request = new URL(login).searchParams.get('request')!;
  const csrf = (t: string) => /name="csrf" value="([^"]+)"/.exec(t)![1]!;
  const consent = (
    await go(`${origin}/oauth/login/token`, { request, csrf: csrf((await go(login)).text), token: apiToken })
  ).location;
  const done = (
    await go(`${origin}/oauth/consent`, { request, csrf: csrf((await go(consent)).text), decision: 'approve' })
  ).location;
  const tokens = (await (
    await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: new URL(done).searchParams.get('code')!,
        code_verifier: verifier,
        redirect_uri: redirect,
        client_id: reg.client_id,
      }).toString(),
    })
  ).json()) as { access_token: string };
  return tokens.access_token;
}

interface Round {
  wall: number;
  latencies: number[];
  errors: number;
  /** CPU time (user + system) the service process used during the round, in ms. */
  serviceCpu: number;
}

/** `pid`: the service whose CPU time the round reports (ms): calls/s per core = 1000 / (CPU ms per call). */
async function round(one: () => Promise<boolean>, pid?: number): Promise<Round> {
  const serviceCpuMs = () => (pid === undefined ? 0 : cpuMs(pid));
  const cpu0 = serviceCpuMs();
  const t0 = performance.now();
  const { latencies, errors } = await closedLoop(concurrency, calls, one);
  return { wall: performance.now() - t0, latencies, errors, serviceCpu: serviceCpuMs() - cpu0 };
}

const viaMcp = (c: Client) => () =>
  c.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } }).then((r) => !r.isError);
const direct = () =>
  fetch(`${stubUrl}/files?limit=1`, { headers: { authorization: 'Bearer x' } }).then(async (r) => {
    await r.text();
    return r.ok;
  });

// The same call as one MCP 2026-07-28 request with fetch (no SDK client): what the service costs without the load
// generator's own MCP client, which shares these two cores.
const raw = (url: string) => () =>
  rawToolCall(url, 'list_all_open_ai_files', { limit: 1 }, 'bench').then(async (r) =>
    answeredOk(r.status, await r.text()),
  );

/**
 * The floor any such service pays, in its own process like the service: receive the POST and parse its JSON, one
 * keep-alive GET to the stub, parse the answer, send it back as a JSON-RPC result. No checks, no audit, no log.
 */
const BARE_FORWARDER = `
import http from 'node:http';
const agent = new http.Agent({ keepAlive: true });
const upstream = new URL(process.argv[1]);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const up = http.request({ host: upstream.hostname, port: upstream.port, path: upstream.pathname + '/files?limit=1',
      headers: { authorization: 'Bearer x', accept: 'application/json' }, agent }, (a) => {
      const parts = [];
      a.on('data', (c) => parts.push(c));
      a.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const result = { content: [{ type: 'text', text }], structuredContent: JSON.parse(text), isError: false };
        const body = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    up.end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('listening on http://127.0.0.1:' + server.address().port + '\\n'));
`;

async function startBare(): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_FORWARDER, stubUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.once('data', (c: string) => resolve(/listening on (\S+)/.exec(c)![1]!));
    child.once('exit', (code) => reject(new Error(`bare forwarder exited ${code}`)));
  });
  return { child, url: `${url}/mcp/bare` };
}
const bare = modes.has('bare') ? await startBare() : undefined;

const SERIES = {
  bare: 'bare forwarder (the floor)',
  sdk: 'through /mcp/<token> (1.x SDK client)',
  raw: 'through /mcp/<token> (fetch, MCP 2026-07-28)',
  direct: 'stub directly (baseline)',
  sdkBefore: 'before (--compare-bin): 1.x SDK client',
  rawBefore: 'before (--compare-bin): fetch, MCP 2026-07-28',
};
const plan: { name: string; one: () => Promise<boolean>; pid?: number }[] = [];
if (modes.has('direct')) plan.push({ name: SERIES.direct, one: direct });
if (bare) plan.push({ name: SERIES.bare, one: raw(bare.url), pid: bare.child.pid });
if (modes.has('sdk')) plan.push({ name: SERIES.sdk, one: viaMcp(client), pid: child.pid });
if (modes.has('sdk') && before)
  plan.push({ name: SERIES.sdkBefore, one: viaMcp(before.client), pid: before.child.pid });
if (modes.has('raw')) plan.push({ name: SERIES.raw, one: raw(server.url), pid: child.pid });
if (modes.has('raw') && before)
  plan.push({ name: SERIES.rawBefore, one: raw(before.server.url), pid: before.child.pid });
const results = new Map<string, Round[]>(plan.map((p) => [p.name, []]));
for (let i = 0; i < rounds; i++) {
  // Interleaved, so drift in machine load hits all sides alike.
  for (const p of plan) results.get(p.name)!.push(await round(p.one, p.pid));
}
// The OAuth token check's added latency: one call at a time, so queueing does not hide a per-request cost.
const pairs = Math.max(50, rounds * 40);
const oneCall = async (c: Client) => {
  const s = performance.now();
  const r = await c.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } });
  if (r.isError) throw new Error('call failed');
  return performance.now() - s;
};
const urlTimes: number[] = [];
const oauthTimes: number[] = [];
for (let i = 0; oauthClient && i < pairs; i++) {
  // Alternating first, so neither side always runs on a warmer path.
  if (i % 2) {
    urlTimes.push(await oneCall(client));
    oauthTimes.push(await oneCall(oauthClient));
  } else {
    oauthTimes.push(await oneCall(oauthClient));
    urlTimes.push(await oneCall(client));
  }
}

// Issue 18: what a 2026-07-28 host pays for one call (no handshake) against what a 2025-11-25 host pays to connect
// and make the same call. One at a time, alternating first, on the same keep-alive connections to the service.
const legacyConnectAndCall = async () => {
  const c = new ClientV2({ name: 'bench-2025', version: '1' });
  const s = performance.now();
  await c.connect(new StreamableHTTPClientTransportV2(new URL(server.url)));
  const r = await c.callTool({ name: 'list_all_open_ai_files', arguments: { limit: 1 } });
  const ms = performance.now() - s;
  if (r.isError || c.getNegotiatedProtocolVersion() !== '2025-11-25') throw new Error('2025-11-25 call failed');
  await c.close();
  return ms;
};
const modernOne = raw(server.url);
const modernCall = async () => {
  const s = performance.now();
  if (!(await modernOne())) throw new Error('2026-07-28 call failed');
  return performance.now() - s;
};
const modernTimes: number[] = [];
const legacyTimes: number[] = [];
for (let i = 0; withPairs && i < pairs; i++) {
  if (i % 2) {
    modernTimes.push(await modernCall());
    legacyTimes.push(await legacyConnectAndCall());
  } else {
    legacyTimes.push(await legacyConnectAndCall());
    modernTimes.push(await modernCall());
  }
}
await oauthClient?.close();
await client.close();
child.kill('SIGTERM');
await before?.client.close();
before?.child.kill('SIGTERM');
bare?.child.kill('SIGTERM');
stub.close();

const summary = (rs: Round[]) => {
  const walls = rs.map((r) => r.wall);
  return {
    wall_ms: Math.round(median(walls)),
    throughput_per_s: Math.round(calls / (median(walls) / 1000)),
    p50_ms: Number(median(rs.map((r) => pct(r.latencies, 50))).toFixed(1)),
    p99_ms: Number(median(rs.map((r) => pct(r.latencies, 99))).toFixed(1)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    service_cpu_ms_per_call: Number(median(rs.map((r) => r.serviceCpu / calls)).toFixed(2)),
  };
};
const table: Record<string, ReturnType<typeof summary>> = {};
for (const [name, rs] of results) table[name] = summary(rs);
console.log(
  `bench-http: ${rounds} rounds of ${calls} calls, ${concurrency} concurrent (medians; the machine may be shared); ` +
    `connections the stub accepted: ${stubConnections}`,
);
console.table(table);
const errors = Object.values(table).reduce((n, r) => n + r.errors, 0);
const walls = (name: string) => results.get(name)?.map((r) => r.wall) ?? [];
const ratio = (name: string) => {
  const base = walls(SERIES.direct);
  return base.length && walls(name).length ? `x${(median(walls(name)) / median(base)).toFixed(1)}` : 'n/a';
};
// Calls per second one core could serve at this CPU cost: the figure a capacity model scales by cores and replicas.
const perCore = (name: string) => (results.has(name) ? Math.round(1000 / table[name]!.service_cpu_ms_per_call) : 'n/a');
console.log(
  `wall-time ratio to direct: SDK client ${ratio(SERIES.sdk)}, fetch ${ratio(SERIES.raw)}${bare ? `, bare forwarder ${ratio(SERIES.bare)}` : ''}; ` +
    `service calls/s per core (1000 / CPU ms per call): SDK client ${perCore(SERIES.sdk)}, fetch ${perCore(SERIES.raw)}; errors: ${errors}`,
);
if (before) {
  // Paired per round: each round of this build against the compared build's round right beside it.
  const paired = (after: string, was: string) => {
    const a = results.get(after);
    const b = results.get(was);
    if (!a || !b) return 'n/a';
    const cpu = median(a.map((r, i) => r.serviceCpu / b[i]!.serviceCpu));
    const wall = median(a.map((r, i) => r.wall / b[i]!.wall));
    return `CPU per call x${cpu.toFixed(2)}, wall x${wall.toFixed(2)}`;
  };
  console.log(
    `this build vs --compare-bin, paired rounds: fetch ${paired(SERIES.raw, SERIES.rawBefore)}; SDK client ${paired(SERIES.sdk, SERIES.sdkBefore)}; ` +
      `before's ratio to direct: SDK client ${ratio(SERIES.sdkBefore)}, fetch ${ratio(SERIES.rawBefore)}`,
  );
}
if (oauthClient) {
  const urlP50 = median(urlTimes);
  const oauthP50 = median(oauthTimes);
  console.log(
    `oauth token check (${pairs} sequential pairs): url p50 ${urlP50.toFixed(2)} ms, oauth p50 ${oauthP50.toFixed(2)} ms, ` +
      `added ${(oauthP50 - urlP50).toFixed(2)} ms (goal <= 1 ms), ratio x${(oauthP50 / urlP50).toFixed(2)}`,
  );
}
const modernP50 = median(modernTimes);
const legacyP50 = median(legacyTimes);
if (withPairs)
  console.log(
    `issue 18 (${pairs} sequential pairs): 2026-07-28 tools/call, no handshake, p50 ${modernP50.toFixed(2)} ms; ` +
      `2025-11-25 client connect + call p50 ${legacyP50.toFixed(2)} ms; ratio x${(modernP50 / legacyP50).toFixed(2)} (goal <= 0.5)`,
  );
if (errors) process.exitCode = 1;
