// MCP Apps figures (#23): each view's bundle (gzip), the costs view's render of 30 days × 20 projects in the test
// host (ms from the tool result's arrival to painted, median, with the 7 days × 4 projects render of the same run as
// the baseline), and the tokens a model reads: tools/list with Apps on vs off, and the cost-audit result (which Apps
// leave unchanged). Run on a shared machine: read the ratios, not the milliseconds.
//
//   npm run bench:apps [-- --runs 7] [-- --before <views.gen.ts of another build>]
//
// `--before` adds that build's costs view to the same paired runs (e.g. `git show main:runtime/apps/views.gen.ts >
// /tmp/before.gen.ts`), for a before/after ratio measured under the same load.

import { gzipSync } from 'node:zlib';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { VIEW_HTML } from '../runtime/apps/views.gen.js';
import { createOpenAiMcpServer } from '../runtime/index.js';
import type { CallToolResult } from '../runtime/protocol.js';
import type { Frame } from 'playwright-core';
import { startAppsHost, type ViewResource } from '../testing/apps-host/index.js';
import { startFakeOpenAi } from '../testing/fake-openai/index.js';
import { median } from './bench-stats.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const beforeArg = process.argv.indexOf('--before');
const BEFORE = beforeArg > 0 ? process.argv[beforeArg + 1] : undefined;

async function connect(server: ReturnType<typeof createOpenAiMcpServer>): Promise<Client> {
  const client = new Client({ name: 'bench-apps', version: '0.0.0' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
  return client;
}

const tokens = (text: string) => encode(text).length;

async function main(): Promise<void> {
  console.log('bundle (gzip):');
  for (const [name, html] of Object.entries(VIEW_HTML)) {
    const gz = gzipSync(html).length;
    console.log(`  ${name}: ${gz} bytes (${(gz / 1024).toFixed(1)} KiB) of 60 KiB budget; ${html.length} bytes raw`);
  }

  // 4 active named projects + 16 extra = 20 projects with usage, over 30 days.
  const fake = await startFakeOpenAi({ usageDays: 30, extraProjects: 16 });
  const opts = { baseUrl: fake.baseUrl, credentials: { apiKey: fake.projectKey, adminKey: fake.adminKey }, env: {} };
  const client = await connect(createOpenAiMcpServer(opts));
  const plain = await connect(createOpenAiMcpServer({ ...opts, exposureOptions: { apps: false } }));

  const listOn = JSON.stringify((await client.listTools()).tools);
  const listOff = JSON.stringify((await plain.listTools()).tools);
  console.log('tools/list tokens (o200k):');
  console.log(
    `  apps off ${tokens(listOff)}, apps on ${tokens(listOn)}: +${tokens(listOn) - tokens(listOff)} (budget +300)`,
  );

  const views: Record<string, ViewResource> = {};
  // The views the OpenAI server offers (the audit view is the admin server's, not drawn here).
  for (const { uri } of (await client.listResources()).resources) {
    const name = uri.replace('ui://openai-mcp/', '');
    const read = await client.readResource({ uri });
    const c = read.contents[0] as { text: string; _meta?: { ui?: { csp?: ViewResource['csp'] } } };
    views[name] = { html: c.text, csp: c._meta?.ui?.csp };
  }
  if (BEFORE) {
    const { pathToFileURL } = await import('node:url');
    const before = (await import(pathToFileURL(BEFORE).href)) as { VIEW_HTML: Record<string, string> };
    views['before-costs'] = { ...views.costs!, html: before.VIEW_HTML.costs! };
  }
  const tool = (await client.listTools()).tools.find((t) => t.name === 'list_all_open_ai_costs');
  const big = { start_time: '-30d', group_by: ['project_id'], limit: 31 };
  const small = {
    start_time: '-7d',
    group_by: ['project_id'],
    limit: 7,
    project_ids: fake.state.projects.slice(0, 5).map((p) => p.id),
  };
  const bigResult = (await client.callTool({ name: 'list_all_open_ai_costs', arguments: big })) as CallToolResult;
  const smallResult = (await client.callTool({ name: 'list_all_open_ai_costs', arguments: small })) as CallToolResult;
  const offResult = (await plain.callTool({ name: 'list_all_open_ai_costs', arguments: big })) as CallToolResult;
  const rows = (bigResult.structuredContent as { rows: unknown[] }).rows.length;
  const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  console.log(`cost audit (30 days by project, ${rows} rows), tokens of the result the model reads:`);
  console.log(
    `  today (apps off) ${tokens(textOf(offResult))}, with the view ${tokens(textOf(bigResult))}: ratio ${(tokens(textOf(bigResult)) / tokens(textOf(offResult))).toFixed(2)}`,
  );

  // Names come from the projects tool; answer it from the start so every run draws the same thing.
  const host = await startAppsHost({ views, callTool: (p) => client.callTool(p) });
  // Cold: a fresh iframe per run (page load, SDK handshake, first render with unoptimised code).
  const cold = async (result: CallToolResult, input: unknown, view = 'costs') => {
    const { frame } = await host.show(view, tool, input, result);
    await frame.waitForFunction(() => document.body.dataset.renderSyncMs !== undefined, undefined, { timeout: 30_000 });
    return { frame, ms: Number(await frame.evaluate(() => document.body.dataset.renderSyncMs)) };
  };
  // Warm: the same view handed the next result, as when the model calls the tool again.
  const warm = async (frame: Frame, result: CallToolResult) => {
    await frame.evaluate(() => {
      delete document.body.dataset.renderSyncMs;
    });
    await host.resend(result);
    await frame.waitForFunction(() => document.body.dataset.renderSyncMs !== undefined, undefined, { timeout: 30_000 });
    return Number(await frame.evaluate(() => document.body.dataset.renderSyncMs));
  };
  const coldBig: number[] = [];
  const coldSmall: number[] = [];
  const warmBig: number[] = [];
  const warmSmall: number[] = [];
  const coldBefore: number[] = [];
  const warmBefore: number[] = [];
  const coldAfter: number[] = [];
  const warmAfter: number[] = [];
  await cold(bigResult, big); // the first page load also compiles the bundle once for the browser's cache
  if (BEFORE) await cold(bigResult, big, 'before-costs');
  for (let i = 0; i < RUNS; i++) {
    if (BEFORE) {
      // Before and after alternated, each cold and then warm on the 30 × 20 result.
      const b = await cold(bigResult, big, 'before-costs');
      coldBefore.push(b.ms);
      warmBefore.push(await warm(b.frame, bigResult));
      const a = await cold(bigResult, big);
      coldAfter.push(a.ms);
      warmAfter.push(await warm(a.frame, bigResult));
    }
    // Paired and alternated, so load on the shared machine hits both alike.
    coldSmall.push((await cold(smallResult, small)).ms);
    const { frame, ms } = await cold(bigResult, big);
    coldBig.push(ms);
    warmSmall.push(await warm(frame, smallResult));
    warmBig.push(await warm(frame, bigResult));
  }
  await host.close();
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`;
  console.log(`costs view, drawn and laid out after the tool result arrives (median of ${RUNS} paired runs):`);
  console.log(`  30 days x 20 projects (${rows} rows), budget 100 ms: cold ${ms(coldBig)}, warm ${ms(warmBig)}`);
  console.log(`  7 days x 4 projects (baseline): cold ${ms(coldSmall)}, warm ${ms(warmSmall)}`);
  console.log(`  ratio to baseline: cold ${ratio(coldBig, coldSmall)}, warm ${ratio(warmBig, warmSmall)}`);
  if (BEFORE) {
    console.log(`  before/after (${BEFORE}), 30 x 20, paired: before cold ${ms(coldBefore)}, warm ${ms(warmBefore)};`);
    console.log(
      `  after cold ${ms(coldAfter)}, warm ${ms(warmAfter)}; after/before cold ${ratio(coldAfter, coldBefore)}, warm ${ratio(warmAfter, warmBefore)}`,
    );
  }
  await client.close();
  await plain.close();
  await fake.close();
}

await main();
