// The seed's four agent scenarios, end to end: a real MCP Client drives a spawned `openai-mcp` against the stateful
// fake OpenAI, once over stdio (`openai-mcp serve`) and once over Streamable HTTP through a managed server's scoped
// URL (`openai-mcp serve --http`, `/mcp/<token>`). Each flow checks the fields the scenario names and how many tool
// calls and upstream HTTP requests it took (the fake logs every request), kept as low as the API allows.
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import { readPage } from '../../runtime/contract/pages.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { DAY, startOfDay } from '../../testing/fake-openai/state.js';
import { cliJson, connect, type Service, startService, tempDataDir } from '../service/helpers.js';

describe.each(['stdio', 'http'] as const)('seed scenarios over %s', (via) => {
  let fake: FakeOpenAi;
  let client: Client;
  let service: Service | undefined;
  let stderr = '';
  let toolCalls = 0;

  beforeAll(async () => {
    // The fake's clock is the real one: the server resolves "-7d" against the time it runs at.
    fake = await startFakeOpenAi();
    const keys = { OPENAI_API_KEY: fake.projectKey, OPENAI_ADMIN_KEY: fake.adminKey };
    if (via === 'stdio') {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [path.join(repoRoot, 'dist', 'bin', 'openai-mcp.mjs'), 'serve', '--base-url', fake.baseUrl],
        env: { PATH: process.env.PATH ?? '', ...keys },
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (d) => (stderr += d));
      client = new Client({ name: 'scenarios-e2e', version: '1.0.0' });
      await client.connect(transport);
      return;
    }
    // An operator connects the organization and creates one scoped server; the agent only ever sees its URL.
    const dataDir = tempDataDir();
    const account = cliJson(['accounts', 'add', '--name', 'acme', '--base-url', fake.baseUrl, '--data-dir', dataDir], {
      env: keys,
    });
    service = await startService(dataDir);
    const server = cliJson(['servers', 'create', '--account', account.id, '--name', 'agent', '--data-dir', dataDir]);
    expect(server.url).toMatch(/\/mcp\/omcp_/);
    client = await connect(server.url);
    stderr = '(see the service log)';
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await fake?.close();
  });

  beforeEach(() => {
    fake.clearLog();
    toolCalls = 0;
  });

  const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

  async function callRaw(
    name: string,
    args: Record<string, unknown>,
    onprogress?: (p: Progress) => void,
  ): Promise<CallToolResult> {
    toolCalls++;
    return (await client.callTool(
      { name, arguments: args },
      undefined,
      onprogress ? { onprogress } : undefined,
    )) as CallToolResult;
  }

  async function call(
    name: string,
    args: Record<string, unknown>,
    onprogress?: (p: Progress) => void,
  ): Promise<Record<string, any>> {
    const r = await callRaw(name, args, onprogress);
    expect(r.isError, `${name}: ${textOf(r).slice(0, 800)}\n${(service?.stderr() ?? stderr).slice(-500)}`).toBeFalsy();
    return r.structuredContent as Record<string, any>;
  }

  const upstream = () => fake.requests.map((r) => `${r.method} ${r.route ?? r.path} ${r.status}`);

  it('1. MLOps monitoring: failed gpt-4o-mini jobs older than 24 h and their validation files', async () => {
    const jobs: any[] = [];
    let after: string | undefined;
    let page: ReturnType<typeof readPage>;
    do {
      page = readPage(await call('list_all_open_ai_fine_tuning_jobs', { limit: 100, ...(after ? { after } : {}) }));
      jobs.push(...page.items);
      after = page.cursor ?? undefined;
    } while (page.more);
    const dayAgo = Date.now() / 1000 - DAY;
    const failed = jobs.filter(
      (j) => j.model.startsWith('gpt-4o-mini') && j.status === 'failed' && j.finished_at < dayAgo,
    );
    const files: Record<string, string> = {};
    for (const j of failed) {
      const job = await call('get_single_open_ai_fine_tuning_job_by_id', { fine_tuning_job_id: j.id });
      files[job.id] = job.validation_file;
    }

    const expected = fake.state.fineTuningJobs.filter(
      (j) => j.model.startsWith('gpt-4o-mini') && j.status === 'failed' && j.finished_at! < dayAgo,
    );
    expect(jobs).toHaveLength(fake.state.fineTuningJobs.length);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(files).toEqual(Object.fromEntries(expected.map((j) => [j.id, j.validation_file])));
    expect(Object.values(files).every((f) => typeof f === 'string' && f.startsWith('file-'))).toBe(true);
    // Two pages of 100 (the API's largest), then one retrieve per job found.
    expect(toolCalls).toBe(2 + expected.length);
    expect(fake.requests).toHaveLength(2 + expected.length);
    console.info(`${via} scenario 1: ${toolCalls} tool calls, ${fake.requests.length} HTTP requests`);
  });

  it('2. Cost audit: top project of the last 7 days by completions usage, and its keys older than 90 days', async () => {
    const projects = readPage(await call('list_all_open_ai_projects', { limit: 100 })).items as any[];
    const usage = await call('list_all_open_ai_completions', {
      start_time: '-7d',
      group_by: ['project_id'],
      bucket_width: '1d',
      limit: 31,
    });
    // The relative time was resolved by the server and echoed back.
    const sevenDaysAgo = Date.now() / 1000 - 7 * DAY;
    expect(Math.abs(usage.resolved.start_time - sevenDaysAgo)).toBeLessThan(120);
    expect(usage.resolved.start_iso).toBe(new Date(usage.resolved.start_time * 1000).toISOString());
    expect(fake.requests[1]!.query).toContainEqual(['start_time', String(usage.resolved.start_time)]);
    const report = readPage(usage);
    expect(report.more).toBe(false);

    const tokens = new Map<string, number>();
    for (const r of report.rows as any[])
      tokens.set(r.project_id, (tokens.get(r.project_id) ?? 0) + r.input_tokens + r.output_tokens);
    expect([...tokens.values()].reduce((a, b) => a + b, 0)).toBe(
      report.totals.input_tokens! + report.totals.output_tokens!,
    );
    const [topId] = [...tokens.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const top = projects.find((p) => p.id === topId);

    const keys = readPage(await call('list_all_open_ai_project_api_keys', { project_id: topId, limit: 100 }))
      .items as any[];
    const cutoff = Date.now() / 1000 - 90 * DAY;
    const old = keys.filter((k) => k.created_at < cutoff).map((k) => k.id);

    // The same answers computed from the fake's own records.
    const from = startOfDay(usage.resolved.start_time);
    const expectedTokens = new Map<string, number>();
    for (const r of fake.state.completionsUsage.filter((u) => u.day >= from)) {
      expectedTokens.set(r.project_id, (expectedTokens.get(r.project_id) ?? 0) + r.input_tokens + r.output_tokens);
    }
    expect(tokens).toEqual(expectedTokens);
    expect(top?.name).toBe('Support bot');
    const expectedOld = fake.state.apiKeys
      .filter((k) => k.project_id === topId && k.key.created_at < cutoff)
      .map((k) => k.key.id);
    expect(old).toEqual(expectedOld);
    expect(old.length).toBeGreaterThan(0);
    expect(old.length).toBeLessThan(keys.length);
    expect(toolCalls).toBe(3);
    expect(upstream()).toEqual([
      'GET GET /organization/projects 200',
      'GET GET /organization/usage/completions 200',
      'GET GET /organization/projects/{project_id}/api_keys 200',
    ]);
    console.info(`${via} scenario 2: ${toolCalls} tool calls, ${fake.requests.length} HTTP requests`);
  });

  it('3. Fine-tune end to end: a bad file is refused with line numbers, a good one trains to a fine_tuned_model', async () => {
    const good = [
      {
        messages: [
          { role: 'system', content: 'You are Acme support.' },
          { role: 'user', content: 'Where is my order?' },
          { role: 'assistant', content: 'Let me check that for you.' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Cancel it.' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'cancel_order', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'ok' },
          { role: 'assistant', content: 'Done.' },
        ],
      },
    ];
    const bad = [
      good[0],
      { messages: [{ role: 'user', content: 'Hi' }] },
      {
        messages: [
          { role: 'robot', content: 'beep' },
          { role: 'assistant', content: 'x' },
        ],
      },
      good[1],
    ];
    const jsonl = (lines: unknown[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;

    const refused = await callRaw('create_a_open_ai_file', {
      file: { content: jsonl(bad), filename: 'train.jsonl' },
      purpose: 'fine-tune',
    });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/line 2: the last message must be the assistant's answer/);
    expect(textOf(refused)).toMatch(/line 3: messages\[0\]\.role/);
    expect(textOf(refused)).not.toMatch(/line [14]:/);
    expect(fake.requests).toHaveLength(0);

    const file = await call('create_a_open_ai_file', {
      file: { content: jsonl(good), filename: 'train.jsonl' },
      purpose: 'fine-tune',
    });
    const job = await call('create_a_open_ai_fine_tuning_job', {
      model: 'gpt-4o-mini-2024-07-18',
      training_file: file.id,
      suffix: 'support',
    });
    expect(job.status).toBe('validating_files');
    const progress: Progress[] = [];
    const waited = await call(
      'wait_for_open_ai_fine_tuning_job_by_id',
      { fine_tuning_job_id: job.id, poll_interval_seconds: 1 },
      (p) => progress.push(p),
    );

    expect(waited).toMatchObject({ done: true, status: 'succeeded', polls: 4 });
    expect(waited.result.fine_tuned_model).toMatch(/^ft:gpt-4o-mini-2024-07-18:acme:support:/);
    // The fake keeps the job running for two reads; the client sees each state and the training figures grow. The
    // server also reports the terminal poll, but the SDK client runs notification handlers a microtask after reading
    // them and settles responses at once, so when that last notification and the result arrive in one chunk the
    // notification is dropped as "unknown token"; the result carries the terminal state either way.
    const statuses = progress.map((p) => p.message?.split(' (')[0]);
    expect(statuses.slice(0, 3)).toEqual(['status: validating_files', 'status: running', 'status: running']);
    expect(statuses.slice(3)).toEqual(statuses.length > 3 ? ['status: succeeded'] : []);
    expect(progress[1]!.message).toContain('trained_tokens=12000');
    expect(progress[2]!.message).toContain('trained_tokens=24000');
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3, 4].slice(0, progress.length));
    expect(fake.state.files.at(-1)!.content.toString()).toBe(jsonl(good));
    expect(toolCalls).toBe(4);
    expect(upstream()).toEqual([
      'POST POST /files 200',
      'POST POST /fine_tuning/jobs 200',
      ...Array(4).fill('GET GET /fine_tuning/jobs/{fine_tuning_job_id} 200'),
    ]);
    console.info(
      `${via} scenario 3: ${toolCalls} tool calls (1 refused upload), ${fake.requests.length} HTTP requests`,
    );
  });

  it('4. Vector store: "Q3 Financial Reports", a file attached in a batch, waited for', async () => {
    const vs = await call('create_a_open_ai_vector_store', { name: 'Q3 Financial Reports' });
    expect(vs).toMatchObject({ object: 'vector_store', name: 'Q3 Financial Reports' });
    expect(vs.id).toMatch(/^vs_/);
    const file = await call('create_a_open_ai_file', {
      file: { content: 'Q3 revenue grew 12% to $4.1M.', filename: 'q3-report.txt' },
      purpose: 'assistants',
    });
    const batch = await call('create_a_open_ai_vector_store_file_batch', {
      vector_store_id: vs.id,
      file_ids: [file.id],
    });
    expect(batch.status).toBe('in_progress');
    const progress: Progress[] = [];
    const waited = await call(
      'wait_for_open_ai_vector_store_file_batch_by_id',
      { vector_store_id: vs.id, batch_id: batch.id, poll_interval_seconds: 1 },
      (p) => progress.push(p),
    );
    expect(waited).toMatchObject({
      done: true,
      status: 'completed',
      result: { id: batch.id, file_counts: { completed: 1, total: 1 } },
    });
    expect(progress[0]!.message).toContain('file_counts={"in_progress":1');
    expect(toolCalls).toBe(4);
    expect(fake.requests).toHaveLength(5);
    console.info(`${via} scenario 4: ${toolCalls} tool calls, ${fake.requests.length} HTTP requests`);
  });

  // The client sends notifications/cancelled: over stdio on the same connection; over the stateless HTTP endpoint as
  // a new POST, which the service routes to the request it names (service/http/inflight.ts).
  it('a wait the client cancels stops polling at once', async () => {
    // A seeded job that stays running: only cancellation can end this wait before its 600 s budget.
    const job = fake.state.fineTuningJobs.find((j) => j.status === 'running')!;
    const abort = new AbortController();
    const started = Date.now();
    const pending = client.callTool(
      {
        name: 'wait_for_open_ai_fine_tuning_job_by_id',
        arguments: { fine_tuning_job_id: job.id, timeout_seconds: 600, poll_interval_seconds: 5 },
      },
      undefined,
      { signal: abort.signal, onprogress: () => abort.abort() },
    );
    await expect(pending).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(4_000);
    // Past the first interval: a wait that kept going would have polled again by now.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(upstream()).toEqual(['GET GET /fine_tuning/jobs/{fine_tuning_job_id} 200']);
  });
});
