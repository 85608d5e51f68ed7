// Benchmark of the runtime as a user meets it. Needs `npm run build` first (it runs the bundled bin, dist/bin/openai-mcp.mjs).
//   1. cold start → first tools/list over stdio (spawn to answer), and server RSS after listing;
//      baseline: the same for a minimal SDK server with one tool, measured in the same run;
//   2. tools/list size in o200k tokens;
//   3. added latency of one tools/call vs a direct fetch to the same loopback server, both in-process
//      (runtime overhead) and through a real stdio client (what an MCP client sees);
//   4. the first tools/call after start (spawn → list → first call answered) against a warm call;
//   5. server RSS after 400 calls;
//   6. wall time of 100 concurrent calls over stdio, as a ratio to a peer measured in the same run:
//      openapi-mcp-generator's generated server (built from the npm registry with --peer; cached in .cache/),
//      otherwise the bare SDK server answering the same call with one fetch;
//   7. server RSS over 2,000 binary results of 1 MB (growth after warm-up).
// With --before <bin>, another build of the CLI (e.g. the commit before the move to the v2 SDK, issue 18) is a third
// subject of 1 and 5 in the same run, so "no worse than before" is a ratio measured side by side; --before may be
// given more than once (as label=<bin> to name it). --cold-only measures 1 alone (for start-up work: less CPU).
// Medians over N runs; the machine is shared, so ratios against the in-run baseline matter more than ms.
//
//   npm run bench:runtime -- [--runs 9] [--calls 300] [--peer] [--binary-calls 2000] [--before [label=]<dist/bin/openai-mcp.mjs>]... [--cold-only]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { rssMiB } from '../testing/proc.js';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { repoRoot } from '../generator/pin.js';
import { createOpenAiToolkit } from '../runtime/index.js';
import { median } from './bench-stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    calls: { type: 'string', default: '300' },
    peer: { type: 'boolean', default: false },
    'binary-calls': { type: 'string', default: '2000' },
    before: { type: 'string', multiple: true },
    'cold-only': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const calls = Number(values.calls);
const binaryCalls = Number(values['binary-calls']);
const rssMb = rssMiB;
const sdk = (p: string) => path.join(repoRoot, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p);

// A baseline server: the SDK's low-level Server with one tool that makes the same single fetch as ours, nothing else.
const baselineDir = mkdtempSync(path.join(tmpdir(), 'bench-baseline-'));
const baselineFile = path.join(baselineDir, 'baseline.mjs');
writeFileSync(
  baselineFile,
  `import { Server } from '${sdk('server/index.js')}';
import { StdioServerTransport } from '${sdk('server/stdio.js')}';
import { CallToolRequestSchema, ListToolsRequestSchema } from '${sdk('types.js')}';
const s = new Server({ name: 'baseline', version: '1' }, { capabilities: { tools: {} } });
s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'noop', inputSchema: { type: 'object' } }] }));
s.setRequestHandler(CallToolRequestSchema, async (req) => {
  const base = process.env.OPENAI_BASE_URL;
  const res = await fetch(base + '/models/' + encodeURIComponent(req.params.arguments?.model ?? 'x'), { headers: { authorization: 'Bearer ' + process.env.OPENAI_API_KEY } });
  const text = await res.text();
  return { content: [{ type: 'text', text }], structuredContent: JSON.parse(text) };
});
await s.connect(new StdioServerTransport());
`,
);

/** openapi-mcp-generator's server for the pinned spec, built once from the npm registry into .cache/. */
function buildPeer(): string | undefined {
  const dir = path.join(repoRoot, '.cache', 'bench-peer');
  const entry = path.join(dir, 'server', 'build', 'index.js');
  if (existsSync(entry)) return entry;
  const specs = path.resolve(repoRoot, '..', 'shared', 'specs');
  const pin = JSON.parse(readFileSync(path.join(repoRoot, 'specs', 'openai.pin.json'), 'utf8')) as {
    sha256: string;
    mirrors?: string[];
  };
  const spec =
    (pin.mirrors ?? []).map((m) => path.resolve(repoRoot, m)).find((f) => existsSync(f)) ??
    path.join(specs, 'openai-2026-08-21.yaml');
  try {
    mkdirSync(dir, { recursive: true });
    const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, stdio: 'pipe' });
    writeFileSync(path.join(dir, 'package.json'), '{"private":true}');
    run('npm', ['install', '--no-audit', '--no-fund', 'openapi-mcp-generator@4.0.1'], dir);
    run(
      'npx',
      ['openapi-mcp-generator', '-i', spec, '-o', path.join(dir, 'server'), '-b', 'http://127.0.0.1:9/v1'],
      dir,
    );
    run('npm', ['install', '--no-audit', '--no-fund'], path.join(dir, 'server'));
    run('npx', ['tsc'], path.join(dir, 'server'));
    return entry;
  } catch (err) {
    console.error(
      `bench-runtime: could not build openapi-mcp-generator's server (${(err as Error).message.split('\n')[0]}); comparing with the bare SDK server instead`,
    );
    return undefined;
  }
}

interface Subject {
  label: string;
  args: (baseUrl: string) => string[];
  env: (baseUrl: string) => Record<string, string>;
  /** The tool answering GET /models/{model}, and its arguments. */
  call: { name: string; arguments: Record<string, unknown> };
}

const cli = path.join(repoRoot, 'dist', 'bin', 'openai-mcp.mjs');
const PATH = process.env.PATH ?? '';
const ours: Subject = {
  label: 'ours',
  args: (baseUrl) => [cli, 'serve', '--base-url', baseUrl],
  env: () => ({ PATH, OPENAI_API_KEY: 'sk-bench' }),
  call: { name: 'get_single_open_ai_model_by_id', arguments: { model: 'gpt-4o' } },
};
const baseline: Subject = {
  label: 'bare SDK server',
  args: () => [baselineFile],
  env: (baseUrl) => ({ PATH, OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: baseUrl }),
  call: { name: 'noop', arguments: { model: 'gpt-4o' } },
};
const befores: Subject[] = (values.before ?? []).map((spec, i) => {
  const [label, bin] = spec.includes('=')
    ? (spec.split('=', 2) as [string, string])
    : [i ? `before${i + 1}` : 'before', spec];
  return { ...ours, label, args: (baseUrl) => [path.resolve(bin), 'serve', '--base-url', baseUrl] };
});
const before: Subject | undefined = befores[0];
const peerEntry = values.peer ? buildPeer() : undefined;
const peer: Subject | undefined = peerEntry
  ? {
      label: 'openapi-mcp-generator',
      args: () => [peerEntry],
      env: (baseUrl) => ({ PATH, BEARER_TOKEN_APIKEYAUTH: 'sk-bench', API_BASE_URL: baseUrl }),
      call: { name: 'retrieveModel', arguments: { model: 'gpt-4o' } },
    }
  : undefined;

async function spawnClient(s: Subject, baseUrl: string) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: s.args(baseUrl),
    env: s.env(baseUrl),
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  return { client, pid: transport.pid!, close: () => client.close() };
}

// One loopback server answering like OpenAI: GET /models/{model} as JSON, GET /files/{id}/content as 1 MB of PNG bytes.
const modelBody = JSON.stringify({ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' });
const png = Buffer.alloc(1024 * 1024, 0x5a);
const server = createServer((req, res) => {
  if (req.url?.endsWith('/content'))
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) }).end(png);
  else res.writeHead(200, { 'content-type': 'application/json' }).end(modelBody);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;

// 1–2. Cold start to the first list.
async function coldStart(s: Subject): Promise<{ ms: number; rss: number; list: unknown }> {
  const t0 = performance.now();
  const c = await spawnClient(s, baseUrl);
  const list = await c.client.listTools();
  const ms = performance.now() - t0;
  const rss = rssMb(c.pid);
  await c.close();
  return { ms, rss, list };
}
const cold = {
  ours: [] as { ms: number; rss: number }[],
  base: [] as { ms: number; rss: number }[],
  before: [] as { ms: number; rss: number }[],
};
const coldBefores = new Map<string, { ms: number; rss: number }[]>(befores.map((b) => [b.label, []]));
let listed: unknown;
for (let i = 0; i < runs; i++) {
  cold.base.push(await coldStart(baseline));
  const o = await coldStart(ours);
  cold.ours.push(o);
  listed = o.list;
  for (const b of befores) coldBefores.get(b.label)!.push(await coldStart(b));
}
if (before) cold.before = coldBefores.get(before.label)!;
const tokens = encode(JSON.stringify(listed), { allowedSpecial: 'all' }).length;
if (values['cold-only']) {
  const ms = (xs: { ms: number }[]) => median(xs.map((x) => x.ms));
  console.log(`bench-runtime --cold-only: ${runs} paired runs; medians of spawn → first tools/list over stdio`);
  console.log(`  bare 1.x SDK server   ${ms(cold.base).toFixed(2)} ms`);
  console.log(
    `  ours                  ${ms(cold.ours).toFixed(2)} ms   ours/bare x${(ms(cold.ours) / ms(cold.base)).toFixed(2)}`,
  );
  for (const [label, xs] of coldBefores) {
    console.log(
      `  ${label.padEnd(21)} ${ms(xs).toFixed(2)} ms   ${label}/bare x${(ms(xs) / ms(cold.base)).toFixed(2)}   ours/${label} x${(ms(cold.ours) / ms(xs)).toFixed(2)}`,
    );
  }
  server.close();
  process.exit(0);
}

// 3. Added latency.
const direct: number[] = [];
const inproc: number[] = [];
const kit = createOpenAiToolkit({
  baseUrl,
  credentials: { apiKey: 'sk-bench' },
  tools: ['get_single_open_ai_model_by_id'],
});
await kit.callTool('get_single_open_ai_model_by_id', { model: 'gpt-4o' }); // compiles its validator once
for (let i = 0; i < calls; i++) {
  let t = performance.now();
  const r = await fetch(`${baseUrl}/models/gpt-4o`, { headers: { authorization: 'Bearer sk-bench' } });
  await r.json();
  direct.push(performance.now() - t);
  t = performance.now();
  await kit.callTool('get_single_open_ai_model_by_id', { model: 'gpt-4o' });
  inproc.push(performance.now() - t);
}
const stdio: number[] = [];
{
  const c = await spawnClient(ours, baseUrl);
  await c.client.callTool(ours.call);
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await c.client.callTool(ours.call);
    stdio.push(performance.now() - t);
  }
  await c.close();
}

// 4–6. First call, RSS after 400 calls, 100 concurrent calls: per subject, runs interleaved.
interface Life {
  first: number;
  warm: number;
  rss400: number;
  concurrent: number;
}
async function life(s: Subject): Promise<Life> {
  const c = await spawnClient(s, baseUrl);
  await c.client.listTools();
  let t = performance.now();
  const r = await c.client.callTool(s.call);
  const first = performance.now() - t;
  if (r.isError) throw new Error(`${s.label}: ${JSON.stringify(r.content)}`);
  const warm: number[] = [];
  for (let i = 1; i < 400; i++) {
    t = performance.now();
    await c.client.callTool(s.call);
    if (i <= 21) warm.push(performance.now() - t);
  }
  const rss400 = rssMb(c.pid);
  t = performance.now();
  await Promise.all(Array.from({ length: 100 }, () => c.client.callTool(s.call)));
  const concurrent = performance.now() - t;
  await c.close();
  return { first, warm: median(warm), rss400, concurrent };
}
const subjects = [ours, peer ?? baseline, ...(peer ? [baseline] : []), ...(before ? [before] : [])];
const lives = new Map<string, Life[]>(subjects.map((s) => [s.label, []]));
for (let i = 0; i < runs; i++) for (const s of subjects) lives.get(s.label)!.push(await life(s));
const lm = (label: string, k: keyof Life) => median(lives.get(label)!.map((x) => x[k]));

// 7. Binary results: RSS sampled while 1 MB images come back one after another.
const binarySamples: Array<[number, number]> = [];
{
  const c = await spawnClient(ours, baseUrl);
  const call = { name: 'get_single_open_ai_file_content_by_id', arguments: { file_id: 'file-1' } };
  const known = (await c.client.listTools()).tools.some((t) => t.name === call.name);
  if (!known) throw new Error(`no tool ${call.name}`);
  for (let i = 1; i <= binaryCalls; i++) {
    const r = await c.client.callTool(call);
    if (i === 1 && (r.content as Array<{ type: string }>)[0]?.type !== 'image')
      throw new Error(`expected an image, got ${JSON.stringify(r.content).slice(0, 200)}`);
    if (i % 250 === 0 || i === 1) binarySamples.push([i, rssMb(c.pid)]);
  }
  await c.close();
}
server.close();

const m = (xs: { ms: number; rss: number }[], k: 'ms' | 'rss') => median(xs.map((x) => x[k]));
const fmt = (n: number) => n.toFixed(2);
const other = (peer ?? baseline).label;
console.log(`bench-runtime: ${runs} runs, ${calls} calls each; medians`);
console.log(
  `  cold start → first tools/list   ours ${fmt(m(cold.ours, 'ms'))} ms   baseline SDK server ${fmt(m(cold.base, 'ms'))} ms   ratio x${fmt(m(cold.ours, 'ms') / m(cold.base, 'ms'))}   goal ≤ 150 ms`,
);
console.log(
  `  server RSS after listing        ours ${fmt(m(cold.ours, 'rss'))} MB   baseline ${fmt(m(cold.base, 'rss'))} MB   ratio x${fmt(m(cold.ours, 'rss') / m(cold.base, 'rss'))}   goal ≤ 60 MB`,
);
console.log(
  `  tools/list size                 ${tokens} o200k tokens (${(listed as { tools: unknown[] }).tools.length} tools)   goal ≤ 60000`,
);
console.log(`  direct fetch                    ${fmt(median(direct))} ms`);
console.log(
  `  toolkit.callTool in-process     ${fmt(median(inproc))} ms   added ${fmt(median(inproc) - median(direct))} ms   goal ≤ 1 ms`,
);
console.log(
  `  tools/call over stdio           ${fmt(median(stdio))} ms   added ${fmt(median(stdio) - median(direct))} ms (includes JSON-RPC over pipes)`,
);
for (const s of subjects) {
  console.log(
    `  [${s.label}] first tools/call ${fmt(lm(s.label, 'first'))} ms, warm ${fmt(lm(s.label, 'warm'))} ms (first − warm ${fmt(lm(s.label, 'first') - lm(s.label, 'warm'))} ms); RSS after 400 calls ${fmt(lm(s.label, 'rss400'))} MB; 100 concurrent calls ${fmt(lm(s.label, 'concurrent'))} ms`,
  );
}
console.log(
  `  first call − warm call          ours ${fmt(lm('ours', 'first') - lm('ours', 'warm'))} ms   goal ≤ 40 ms`,
);
console.log(`  RSS after 400 calls             ours ${fmt(lm('ours', 'rss400'))} MB   goal ≤ 70 MB`);
console.log(
  `  100 concurrent calls            ours/${other} x${fmt(lm('ours', 'concurrent') / lm(other, 'concurrent'))}   goal ≤ 0.8${peer ? '' : ' (vs openapi-mcp-generator; run with --peer)'}`,
);
const after = binarySamples.filter(([i]) => i >= Math.min(500, binaryCalls));
const growth = after.length > 1 ? (after.at(-1)![1] - after[0]![1]) / (after.at(-1)![0] - after[0]![0]) : NaN;
console.log(
  `  RSS over ${binaryCalls} 1 MB binary results   ${binarySamples.map(([i, r]) => `${i}:${r.toFixed(0)}`).join(' ')} MB; growth after call ${after[0]?.[0]}: ${(growth * 1024).toFixed(1)} KB/call   goal: flat`,
);

// Issue 18's figures for stdio, from this run: the move to the v2 SDK must not make start-up or memory worse.
console.log('issue 18 (stdio, v2 SDK):');
console.log(
  `  cold start → first tools/list   ours/bare 1.x SDK server x${fmt(m(cold.ours, 'ms') / m(cold.base, 'ms'))}` +
    (before
      ? `; before the move x${fmt(m(cold.before, 'ms') / m(cold.base, 'ms'))} (${fmt(m(cold.before, 'ms'))} ms); ours/before x${fmt(m(cold.ours, 'ms') / m(cold.before, 'ms'))}`
      : ' (pass --before <bin> for the build before the move)') +
    '   goal: no worse than before',
);
console.log(
  `  RSS after 400 calls             ours ${fmt(lm('ours', 'rss400'))} MB` +
    (before ? `; before the move ${fmt(lm('before', 'rss400'))} MB` : '') +
    '   goal ≤ 70 MB',
);
