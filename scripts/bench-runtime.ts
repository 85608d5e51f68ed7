// Benchmark of the runtime as a user meets it. Needs `npm run build` first (it runs the bundled bin, dist/bin/openai-mcp.mjs).
//   1. cold start → first tools/list over stdio (spawn to answer), and server RSS after listing;
//      baseline: the same for a minimal SDK server with one tool, measured in the same run;
//   2. tools/list size in o200k tokens;
//   3. added latency of one tools/call vs a direct fetch to the same loopback server, both in-process
//      (runtime overhead) and through a real stdio client (what an MCP client sees).
// Medians over N runs; the machine is shared, so ratios against the in-run baseline matter more than ms.
//
//   npm run bench:runtime -- [--runs 9] [--calls 300]
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
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

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, calls: { type: 'string', default: '300' } } });
const runs = Number(values.runs);
const calls = Number(values.calls);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

// A baseline server: the SDK's low-level Server with one tool, nothing else.
const baselineDir = mkdtempSync(path.join(tmpdir(), 'bench-baseline-'));
const baselineFile = path.join(baselineDir, 'baseline.mjs');
writeFileSync(
  baselineFile,
  `import { Server } from '${path.join(repoRoot, 'node_modules/@modelcontextprotocol/sdk/dist/esm/server/index.js')}';
import { StdioServerTransport } from '${path.join(repoRoot, 'node_modules/@modelcontextprotocol/sdk/dist/esm/server/stdio.js')}';
import { ListToolsRequestSchema } from '${path.join(repoRoot, 'node_modules/@modelcontextprotocol/sdk/dist/esm/types.js')}';
const s = new Server({ name: 'baseline', version: '1' }, { capabilities: { tools: {} } });
s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'noop', inputSchema: { type: 'object' } }] }));
await s.connect(new StdioServerTransport());
`,
);

async function coldStart(args: string[]): Promise<{ ms: number; rss: number; list: unknown }> {
  const t0 = performance.now();
  const transport = new StdioClientTransport({ command: process.execPath, args, env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: 'sk-bench' }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const list = await client.listTools();
  const ms = performance.now() - t0;
  const rss = rssMb(transport.pid!);
  await client.close();
  return { ms, rss, list };
}

const cli = path.join(repoRoot, 'dist', 'bin', 'openai-mcp.mjs');
const ours: { ms: number; rss: number }[] = [];
const base: { ms: number; rss: number }[] = [];
let listed: unknown;
for (let i = 0; i < runs; i++) {
  const b = await coldStart([baselineFile]);
  base.push(b);
  const o = await coldStart([cli, 'serve']);
  ours.push(o);
  listed = o.list;
}
const tokens = encode(JSON.stringify(listed), { allowedSpecial: 'all' }).length;

// Latency: one loopback server answering like OpenAI's GET /models/{model}.
const body = JSON.stringify({ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' });
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;

const direct: number[] = [];
const inproc: number[] = [];
const kit = createOpenAiToolkit({ baseUrl, credentials: { apiKey: 'sk-bench' }, tools: ['get_single_open_ai_model_by_id'] });
await kit.callTool('get_single_open_ai_model_by_id', { model: 'gpt-4o' }); // loads validation.json once
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
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, 'serve', '--base-url', baseUrl], env: { PATH: process.env.PATH ?? '', OPENAI_API_KEY: 'sk-bench' }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.callTool({ name: 'get_single_open_ai_model_by_id', arguments: { model: 'gpt-4o' } });
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await client.callTool({ name: 'get_single_open_ai_model_by_id', arguments: { model: 'gpt-4o' } });
    stdio.push(performance.now() - t);
  }
  await client.close();
}
server.close();

const m = (xs: { ms: number; rss: number }[], k: 'ms' | 'rss') => median(xs.map((x) => x[k]));
const fmt = (n: number) => n.toFixed(2);
console.log(`bench-runtime: ${runs} cold starts, ${calls} calls each; medians`);
console.log(`  cold start → first tools/list   ours ${fmt(m(ours, 'ms'))} ms   baseline SDK server ${fmt(m(base, 'ms'))} ms   ratio x${fmt(m(ours, 'ms') / m(base, 'ms'))}   goal ≤ 150 ms`);
console.log(`  server RSS after listing        ours ${fmt(m(ours, 'rss'))} MB   baseline ${fmt(m(base, 'rss'))} MB   ratio x${fmt(m(ours, 'rss') / m(base, 'rss'))}   goal ≤ 60 MB`);
console.log(`  tools/list size                 ${tokens} o200k tokens (${(listed as { tools: unknown[] }).tools.length} tools)   goal ≤ 60000`);
console.log(`  direct fetch                    ${fmt(median(direct))} ms`);
console.log(`  toolkit.callTool in-process     ${fmt(median(inproc))} ms   added ${fmt(median(inproc) - median(direct))} ms   goal ≤ 1 ms`);
console.log(`  tools/call over stdio           ${fmt(median(stdio))} ms   added ${fmt(median(stdio) - median(direct))} ms (includes JSON-RPC over pipes)`);
