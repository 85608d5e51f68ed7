// MCP Apps views rendered for real: the runtime's server (the one the stdio and HTTP services build) behind a v2
// MCP client, the fake OpenAI behind the server, and each view in Debian's chromium inside a test host that speaks
// the Apps protocol with the ext-apps SDK's AppBridge. Screenshots go to artifacts/apps/ (git-ignored).

import { readPage } from '../../runtime/contract/pages.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport as InMemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Server as ServerV1 } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallToolResult, Tool } from '../../runtime/protocol.js';
import { createOpenAiMcpServer, registerOpenAiTools } from '../../runtime/index.js';
import { type AppsHost, startAppsHost, type ViewResource } from '../../testing/apps-host/index.js';
import { haveChromium } from '../../testing/browser.js';
import { AUDIT_TOOL, adminTools } from '../../service/admin-mcp.js';
import { Management } from '../../service/manage/index.js';
import { Operations } from '../../service/operations.js';
import { openSecretBox } from '../../service/secrets.js';
import { openSqliteStore } from '../../service/store/sqlite.js';
import type { NewToolCall } from '../../service/store/store.js';
import { createServerForTools } from '../../runtime/server.js';
import { fixtureCatalog } from '../fixtures/catalog.js';
import { tempDataDir } from '../service/helpers.js';
import { type FakeOpenAi, startFakeOpenAi } from '../../testing/fake-openai/index.js';

const ARTIFACTS = new URL('../../artifacts/apps/', import.meta.url);
const HOSTILE = '<img src=x onerror="window.__pwned=1;fetch(\'PROBE\')">';

let fake: FakeOpenAi;
let client: Client;
let tools: Tool[];
let host: AppsHost;
const views: Record<string, ViewResource> = {};

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const toolEntry = (name: string) => tools.find((t) => t.name === name)!;

beforeAll(async () => {
  fake = await startFakeOpenAi({ usageDays: 30 });
  const server = createOpenAiMcpServer({
    baseUrl: fake.baseUrl,
    credentials: { apiKey: fake.projectKey, adminKey: fake.adminKey },
    env: {},
  });
  client = new Client({ name: 'apps-test', version: '0.0.0' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
  tools = (await client.listTools()).tools as Tool[];
  for (const r of (await client.listResources()).resources) {
    const read = await client.readResource({ uri: r.uri });
    const c = read.contents[0] as { text: string; _meta?: { ui?: { csp?: ViewResource['csp'] } } };
    views[r.uri.replace('ui://openai-mcp/', '')] = { html: c.text, csp: c._meta?.ui?.csp };
  }
  if (haveChromium) {
    host = await startAppsHost({ views, callTool: (p) => client.callTool(p) });
  }
}, 60_000);

afterAll(async () => {
  await host?.close();
  await client?.close();
  await fake?.close();
});

describe('listing and resources', () => {
  it('declares the costs view on the 11 usage/cost tools and the jobs view on job tools, and serves both', () => {
    const costs = tools.filter(
      (t) => (t._meta?.ui as { resourceUri?: string })?.resourceUri === 'ui://openai-mcp/costs',
    );
    expect(costs.map((t) => t.name).sort()).toHaveLength(11);
    expect(costs.map((t) => t.name)).toContain('list_all_open_ai_costs');
    const jobs = tools.filter((t) => (t._meta?.ui as { resourceUri?: string })?.resourceUri === 'ui://openai-mcp/jobs');
    expect(jobs.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'wait_for_open_ai_fine_tuning_job_by_id',
        'list_all_open_ai_batches',
        'list_all_open_ai_fine_tuning_jobs',
      ]),
    );
    // The audit view is the admin server's (below), not offered by an OpenAI tools server.
    expect(Object.keys(views).sort()).toEqual(['costs', 'jobs']);
    for (const v of Object.values(views)) {
      expect(v.csp).toEqual({ connectDomains: [], resourceDomains: [] });
      // Self-contained: no external script, style or image, and the document's own CSP forbids connections.
      expect(v.html).not.toMatch(/<script[^>]+src=|<link[\s>]|(?:src|href|url)[=(]["']?(?:https?:)?\/\//i);
      expect(v.html).toContain("connect-src 'none'");
    }
  });

  it('changes no result: text and structuredContent are the same with Apps off', async () => {
    const off = createOpenAiMcpServer({
      baseUrl: fake.baseUrl,
      credentials: { adminKey: fake.adminKey },
      env: {},
      exposureOptions: { apps: false },
    });
    const plain = new Client({ name: 'apps-off', version: '0.0.0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([off.connect(b), plain.connect(a)]);
    const args = { start_time: fake.state.now - 7 * 86400, group_by: ['project_id'] };
    const withApps = await call('list_all_open_ai_costs', args);
    const without = (await plain.callTool({ name: 'list_all_open_ai_costs', arguments: args })) as CallToolResult;
    expect(withApps).toEqual(without);
    // Off means off: no `ui` metadata in the listing and no resources.
    const listed = (await plain.listTools()).tools;
    expect(listed.some((t) => t._meta?.ui)).toBe(false);
    expect(listed.length).toBe(tools.length);
    // The v2 server answers an unserved list with an empty one; a read of the view is refused.
    const resources = await plain.listResources().catch(() => ({ resources: [] }));
    expect(resources.resources).toEqual([]);
    await expect(plain.readResource({ uri: 'ui://openai-mcp/costs' })).rejects.toThrow();
    await plain.close();
  });
});

describe.skipIf(!haveChromium)('views in chromium', () => {
  it('costs: one bar per day, totals equal to the rows, hostile project name inert, no network', async () => {
    const project = fake.state.projects.find((p) => p.status === 'active')!;
    project.name = HOSTILE.replace('PROBE', `${host.probeUrl}/img`);
    const input = { start_time: '-30d', group_by: ['project_id'], limit: 31 };
    const result = await call('list_all_open_ai_costs', input);
    expect(result.isError).toBeFalsy();
    const data = readPage(result.structuredContent) as unknown as {
      rows: Array<{ start_time_iso: string; project_id: string; amount: { value: number } }>;
      totals: Record<string, number>;
    };
    const days = new Set(data.rows.map((r) => r.start_time_iso.slice(0, 10)));
    const cells = new Set(
      data.rows.filter((r) => r.amount.value > 0).map((r) => `${r.start_time_iso.slice(0, 10)}|${r.project_id}`),
    );
    const sum = data.rows.reduce((a, r) => a + r.amount.value, 0);
    expect(days.size).toBeGreaterThanOrEqual(30);

    const { frame } = await host.show('costs', toolEntry('list_all_open_ai_costs'), input, result);
    await frame.waitForSelector('#total');
    expect(await frame.locator('g.bar').count()).toBe(days.size);
    expect(await frame.locator('rect.seg').count()).toBe(cells.size);
    const drawn = Number(await frame.locator('#total').getAttribute('data-total'));
    expect(drawn).toBeCloseTo(sum, 6);
    expect(drawn).toBeCloseTo(data.totals['amount.value']!, 6);
    // The legend's segments add up to the same total.
    const segs = await frame
      .locator('rect.seg')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(segs.reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 6);

    // Project names came from the projects tool, called through the host (and so through the server).
    await frame.waitForFunction(
      (name) => [...document.querySelectorAll('.legend .name')].some((n) => n.textContent === name),
      project.name,
    );
    expect(host.calls.map((c) => c.name)).toContain('list_all_open_ai_projects');
    expect(await frame.locator('img').count()).toBe(0);
    expect(await frame.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    // The period the report covers is shown.
    expect(await frame.locator('#period').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2}/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await host.page.screenshot({ path: new URL('costs.png', ARTIFACTS).pathname });

    // Table toggle: one row per drawn cell, total in the footer.
    await frame.click('#toggle');
    expect(await frame.locator('table.rows tbody tr').count()).toBe(cells.size);
    await host.page.screenshot({ path: new URL('costs-table.png', ARTIFACTS).pathname });

    // The view cannot reach the network: fetch, XHR, an image and a beacon all stop at the CSP.
    const outcome = await frame.evaluate(async (probe) => {
      const tries: string[] = [];
      try {
        await fetch(`${probe}/fetch`);
        tries.push('fetch ok');
      } catch {
        tries.push('fetch blocked');
      }
      const img = new Image();
      img.src = `${probe}/image`;
      navigator.sendBeacon?.(`${probe}/beacon`, 'x');
      await new Promise((r) => setTimeout(r, 300));
      return tries;
    }, host.probeUrl);
    expect(outcome).toEqual(['fetch blocked']);
    expect(host.probeHits()).toBe(0);
  });

  it('jobs: failures first, status and progress, events through the host', async () => {
    const input = { limit: 12 };
    const result = await call('list_all_open_ai_fine_tuning_jobs', input);
    const jobs = readPage(result.structuredContent).items as Array<{ id: string; status: string }>;
    const failed = jobs.filter((j) => ['failed', 'cancelled'].includes(j.status)).length;
    expect(failed).toBeGreaterThan(0);
    const { frame } = await host.show('jobs', toolEntry('list_all_open_ai_fine_tuning_jobs'), input, result);
    await frame.waitForSelector('li.job');
    const statuses = await frame.locator('li.job').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses).toHaveLength(jobs.length);
    expect(statuses.slice(0, failed).every((s) => s === 'failed' || s === 'cancelled')).toBe(true);
    const failedJob = frame.locator('li.job[data-status="failed"]').first();
    await failedJob.locator('button.events-button').click();
    await failedJob.locator('ul.events li').first().waitFor();
    expect(host.calls.at(-1)?.name).toBe('list_all_open_ai_fine_tuning_job_events');
    mkdirSync(ARTIFACTS, { recursive: true });
    await host.page.screenshot({ path: new URL('jobs.png', ARTIFACTS).pathname });
    expect(host.probeHits()).toBe(0);
  });

  it('jobs: batches from the listing and from a wait, with request progress and line errors', async () => {
    const input = { limit: 10 };
    const listed = await call('list_all_open_ai_batches', input);
    expect(listed.isError).toBeFalsy();
    const batches = readPage(listed.structuredContent).items as Array<{
      id: string;
      status: string;
      request_counts: { total: number; completed: number; failed: number };
    }>;
    expect(batches.map((b) => b.status).sort()).toEqual(['completed', 'failed', 'in_progress']);
    const { frame } = await host.show('jobs', toolEntry('list_all_open_ai_batches'), input, listed);
    await frame.waitForSelector('li.job');
    const drawn = await frame
      .locator('li.job')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-id'), e.getAttribute('data-status')]));
    // Failures first, then running, then finished; every row of the result drawn once.
    expect(drawn.map(([, s]) => s)).toEqual(['failed', 'in_progress', 'completed']);
    expect(new Set(drawn.map(([id]) => id))).toEqual(new Set(batches.map((b) => b.id)));
    const running = batches.find((b) => b.status === 'in_progress')!;
    const done = running.request_counts.completed + running.request_counts.failed;
    const card = frame.locator(`li.job[data-id="${running.id}"]`);
    expect(await card.locator('[role=progressbar]').getAttribute('aria-valuenow')).toBe(
      String(Math.round((done / running.request_counts.total) * 100)),
    );
    expect(await card.textContent()).toContain(`${done}/${running.request_counts.total} requests`);
    expect(await frame.locator('li.job[data-status="failed"] .failures').textContent()).toContain('invalid_json_line');

    // A batch created now, waited for through the wait tool: the timeline draws the wait's answer.
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob(['{"a":1}\n{"a":2}\n'], { type: 'application/jsonl' }), 'b.jsonl');
    const auth = { authorization: `Bearer ${fake.projectKey}` };
    const file = (await (
      await fetch(`${fake.baseUrl}/files`, { method: 'POST', headers: auth, body: form })
    ).json()) as {
      id: string;
    };
    const created = (await (
      await fetch(`${fake.baseUrl}/batches`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' }),
      })
    ).json()) as { id: string };
    const waitInput = { batch_id: created.id, poll_interval_seconds: 1, timeout_seconds: 30 };
    const waited = await call('wait_for_open_ai_batch_by_id', waitInput);
    expect(waited.structuredContent).toMatchObject({ done: true, status: 'completed' });
    const shown = await host.show('jobs', toolEntry('wait_for_open_ai_batch_by_id'), waitInput, waited);
    await shown.frame.waitForSelector('li.job');
    expect(await shown.frame.locator('li.job').getAttribute('data-status')).toBe('completed');
    expect(await shown.frame.locator('li.job').getAttribute('data-id')).toBe(created.id);
    expect(await shown.frame.locator('#summary').textContent()).toMatch(/^Finished after [\d.]+ s \(\d+ polls\)/);
    expect(await shown.frame.locator('li.job').textContent()).toContain('2/2 requests');
    mkdirSync(ARTIFACTS, { recursive: true });
    await host.page.screenshot({ path: new URL('jobs-batch.png', ARTIFACTS).pathname });
    expect(host.probeHits()).toBe(0);
  }, 60_000);
});

describe.skipIf(!haveChromium)('audit view (the admin server)', () => {
  const HOUR = 3_600_000;
  const HOSTILE_TOOL = '<img src=x onerror="window.__pwned=1">';

  it("draws a managed server's rows: errors first, status mix and buckets equal to the rows, filters through the host", async () => {
    const store = await openSqliteStore(tempDataDir());
    const box = await openSecretBox(tempDataDir(), store, {});
    const now = Date.parse('2026-12-05T12:00:00Z');
    const manage = new Management({ store, box, catalog: fixtureCatalog, now: () => now });
    const ops = new Operations({ manage, store, now: () => now });
    const acc = await manage.accounts.createAccount({ name: 'acme', api_key: 'sk-proj-ABCDEFGHIJKLMNOP1234' });
    const srv = await manage.servers.createServer(acc.id, { name: 'costs' }, 'http://127.0.0.1:1');
    // 40 calls over 30 hours: every 5th a 429 error, every 7th an unknown (hostile) tool with no request.
    const calls: NewToolCall[] = Array.from({ length: 40 }, (_, i) => ({
      server_id: srv.id,
      at: now - 30 * HOUR + i * 45 * 60_000,
      tool: i % 7 === 3 ? HOSTILE_TOOL : i % 2 ? 'list_all_open_ai_costs' : 'list_all_open_ai_projects',
      http_status: i % 7 === 3 ? null : i % 5 === 0 ? 429 : 200,
      duration_ms: 10 + i,
      is_error: i % 7 === 3 || i % 5 === 0 ? 1 : 0,
    }));
    await store.recordCalls(calls);
    const server = createServerForTools(adminTools(ops, { kind: 'local', user: 'test' }, () => now));
    const admin = new Client({ name: 'admin', version: '0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(b), admin.connect(a)]);
    const listed = (await admin.listTools()).tools;
    const auditEntry = listed.find((t) => t.name === AUDIT_TOOL)!;
    expect(auditEntry._meta?.ui).toEqual({ resourceUri: 'ui://openai-mcp/audit' });
    expect(auditEntry.annotations?.readOnlyHint).toBe(true);
    expect((await admin.listResources()).resources.map((r) => r.uri)).toEqual(['ui://openai-mcp/audit']);
    const read = (await admin.readResource({ uri: 'ui://openai-mcp/audit' })).contents[0] as {
      text: string;
      _meta?: { ui?: { csp?: ViewResource['csp'] } };
    };
    expect(read.text).toContain("connect-src 'none'");

    // Bad arguments: an isError naming the argument; a server outside the store is not found.
    const bad = (await admin.callTool({
      name: AUDIT_TOOL,
      arguments: { server_id: srv.id, limit: 0 },
    })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('limit');
    const missing = (await admin.callTool({
      name: AUDIT_TOOL,
      arguments: { server_id: 'srv_nope' },
    })) as CallToolResult;
    expect(missing.isError).toBe(true);

    const input = { server_id: srv.id, since: new Date(now - 2 * 24 * HOUR).toISOString(), limit: 25 };
    const result = (await admin.callTool({ name: AUDIT_TOOL, arguments: input })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const data = result.structuredContent as {
      rows: Array<{ id: number; tool: string; http_status: number | null; is_error: boolean }>;
      buckets: Array<{ calls: number; errors: number }>;
      has_more: boolean;
      next_cursor: number;
    };
    expect(data.rows).toHaveLength(25);
    expect(data.has_more).toBe(true);
    // Never an argument, a result or a key: only the audit columns.
    expect(Object.keys(data.rows[0]!).sort()).toEqual(['at', 'duration_ms', 'http_status', 'id', 'is_error', 'tool']);
    expect(JSON.stringify(result)).not.toContain('sk-proj');
    expect(data.buckets.reduce((x, k) => x + k.calls, 0)).toBe(40);

    const viewsOfAdmin = { audit: { html: read.text, csp: read._meta?.ui?.csp } };
    const adminHost = await startAppsHost({ views: viewsOfAdmin, callTool: (p) => admin.callTool(p) });
    try {
      const { frame } = await adminHost.show('audit', auditEntry, input, result);
      await frame.waitForSelector('table.rows tbody tr');
      const rows = await frame
        .locator('table.rows tbody tr')
        .evaluateAll((els) =>
          els.map((e) => [Number(e.getAttribute('data-id')), e.getAttribute('data-error') !== null]),
        );
      // Every row drawn once; errors first.
      expect(rows.map(([id]) => id).sort()).toEqual(data.rows.map((r) => r.id).sort());
      const errors = data.rows.filter((r) => r.is_error).length;
      expect(rows.slice(0, errors).every(([, e]) => e)).toBe(true);
      expect(rows.slice(errors).some(([, e]) => e)).toBe(false);
      // Status mix equals the rows'; the buckets drawn add up to the window's calls and errors.
      const mix = await frame
        .locator('.mix li')
        .evaluateAll((els) =>
          Object.fromEntries(els.map((e) => [e.getAttribute('data-status'), Number(e.getAttribute('data-count'))])),
        );
      const want: Record<string, number> = {};
      for (const r of data.rows) {
        const k = r.http_status === null ? 'none' : `${Math.floor(r.http_status / 100)}xx`;
        want[k] = (want[k] ?? 0) + 1;
      }
      expect(mix).toEqual(want);
      const drawn = await frame
        .locator('g.bucket')
        .evaluateAll((els) =>
          els.map((e) => [Number(e.getAttribute('data-calls')), Number(e.getAttribute('data-errors'))]),
        );
      expect(drawn).toHaveLength(data.buckets.length);
      expect(drawn.reduce((x, [c]) => x + c!, 0)).toBe(40);
      expect(drawn.reduce((x, [, e]) => x + e!, 0)).toBe(calls.filter((c) => c.is_error).length);
      // The hostile tool name is text.
      expect(await frame.locator('td.tool', { hasText: 'onerror' }).count()).toBeGreaterThan(0);
      expect(await frame.locator('img').count()).toBe(0);
      expect(await frame.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      mkdirSync(ARTIFACTS, { recursive: true });
      await adminHost.page.screenshot({ path: new URL('audit.png', ARTIFACTS).pathname });

      // Filter by status: the view calls the audit tool again through the host; only errors come back.
      await frame.selectOption('#status', 'error');
      await frame.waitForFunction(() => {
        const trs = [...document.querySelectorAll('table.rows tbody tr')];
        return trs.length > 0 && trs.every((t) => t.hasAttribute('data-error'));
      });
      expect(adminHost.calls.at(-1)).toEqual({ name: AUDIT_TOOL, arguments: { ...input, status: 'error' } });
      expect(await frame.locator('table.rows tbody tr').count()).toBe(calls.filter((c) => c.is_error).length);
      // Filter by tool as well.
      await frame.selectOption('#tool', 'list_all_open_ai_costs');
      await frame.waitForFunction(() =>
        [...document.querySelectorAll('td.tool')].every((t) => t.textContent === 'list_all_open_ai_costs'),
      );
      expect(adminHost.calls.at(-1)?.arguments).toMatchObject({ tool: 'list_all_open_ai_costs', status: 'error' });
      expect(await frame.locator('table.rows tbody tr').count()).toBe(
        calls.filter((c) => c.is_error && c.tool === 'list_all_open_ai_costs').length,
      );
      expect(adminHost.probeHits()).toBe(0);
    } finally {
      await adminHost.close();
      await admin.close();
      await store.close();
    }
  }, 60_000);
});

describe('other servers', () => {
  const COSTS = 'ui://openai-mcp/costs';
  const opts = () => ({ baseUrl: fake.baseUrl, credentials: { adminKey: fake.adminKey }, env: {}, tags: ['usage'] });

  it('registerOpenAiTools on a v2 McpServer: tools name the view and the resource reads', async () => {
    const server = new McpServerV2({ name: 'host-app', version: '0' });
    registerOpenAiTools(server, opts());
    const c = new Client({ name: 't', version: '0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(b), c.connect(a)]);
    const listed = (await c.listTools()).tools;
    expect(listed.find((t) => t.name === 'list_all_open_ai_costs')?._meta?.ui).toEqual({ resourceUri: COSTS });
    const read = await c.readResource({ uri: COSTS });
    expect(read.contents[0]).toMatchObject({
      mimeType: 'text/html;profile=mcp-app',
      _meta: { ui: { csp: { connectDomains: [] } } },
    });
    await c.close();
  });

  it.each([
    ['McpServer', () => new McpServerV1({ name: 'host-app', version: '0' })],
    ['Server', () => new ServerV1({ name: 'host-app', version: '0' }, { capabilities: {} })],
  ])('registerOpenAiTools on a 1.x %s: resources listed and read', async (_kind, make) => {
    const server = make();
    registerOpenAiTools(server as never, opts());
    const c = new ClientV1({ name: 't', version: '0' });
    const [a, b] = InMemoryV1.createLinkedPair();
    await Promise.all([server.connect(b), c.connect(a)]);
    expect((await c.listResources()).resources.map((r) => r.uri)).toEqual([COSTS]);
    const read = await c.readResource({ uri: COSTS });
    expect((read.contents[0] as { text: string }).text).toContain('<!doctype html>');
    await c.close();
  });

  const BIN = fileURLToPath(new URL('../../dist/bin/openai-mcp.mjs', import.meta.url));
  it.skipIf(!existsSync(BIN))('the bin over stdio serves the views, and --no-apps turns them off', async () => {
    const env = { PATH: process.env.PATH ?? '', OPENAI_ADMIN_KEY: fake.adminKey };
    const open = async (extra: string[]) => {
      const c = new ClientV1({ name: 'stdio', version: '0' });
      await c.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [BIN, 'serve', '--base-url', fake.baseUrl, '--tags', 'usage', ...extra],
          env,
          stderr: 'ignore',
        }),
      );
      return c;
    };
    const on = await open([]);
    const read = await on.readResource({ uri: COSTS });
    expect((read.contents[0] as { text: string }).text).toContain("connect-src 'none'");
    await on.close();
    const off = await open(['--no-apps']);
    expect((await off.listTools()).tools.some((t) => t._meta?.ui)).toBe(false);
    await expect(off.listResources()).rejects.toThrow();
    await off.close();
  });
});

describe.skipIf(!existsSync(fileURLToPath(new URL('../../dist/bin/openai-mcp.mjs', import.meta.url))))(
  'the managed HTTP service',
  () => {
    it('a managed URL lists the views and reads them through the service guard', async () => {
      const { cliJson, connect, startService, tempDataDir } = await import('../service/helpers.js');
      const dataDir = tempDataDir();
      const service = await startService(dataDir);
      try {
        const account = cliJson(
          ['accounts', 'add', '--name', 'org', '--base-url', fake.baseUrl, '--data-dir', dataDir],
          {
            env: { OPENAI_ADMIN_KEY: fake.adminKey },
          },
        ).id;
        const created = cliJson([
          'servers',
          'create',
          '--account',
          account,
          '--name',
          'costs',
          '--tags',
          'usage',
          '--data-dir',
          dataDir,
        ]);
        const c = await connect(created.url);
        const listed = (await c.listTools()).tools;
        expect(listed.find((t) => t.name === 'list_all_open_ai_costs')?._meta?.ui).toEqual({
          resourceUri: 'ui://openai-mcp/costs',
        });
        expect((await c.listResources()).resources.map((r) => r.uri)).toEqual(['ui://openai-mcp/costs']);
        const read = await c.readResource({ uri: 'ui://openai-mcp/costs' });
        expect((read.contents[0] as { text: string }).text).toContain("connect-src 'none'");
        await c.callTool({ name: 'list_all_open_ai_costs', arguments: { start_time: '-7d' } });
        await c.close();

        // The admin server at /v1/mcp: a management token's read-only tools, its scope applied.
        const other = cliJson(
          ['accounts', 'add', '--name', 'other', '--base-url', fake.baseUrl, '--data-dir', dataDir],
          {
            env: { OPENAI_ADMIN_KEY: fake.adminKey },
          },
        ).id;
        const tokenFor = (acc: string) =>
          cliJson([
            ...['management-tokens', 'create', '--name', `audit-${acc}`, '--accounts', acc],
            ...['--actions', 'read', '--expires-at', '+1d', '--data-dir', dataDir],
          ]).token as string;
        const adminUrl = `${service.url.replace(/\/+$/, '')}/v1/mcp`;
        const admin = await connect(adminUrl, 'streamable', { authorization: `Bearer ${tokenFor(account)}` });
        const adminTools = (await admin.listTools()).tools;
        expect(adminTools.map((t) => t.name).sort()).toEqual(['list_managed_server_calls', 'list_managed_servers']);
        expect((await admin.listResources()).resources.map((r) => r.uri)).toEqual(['ui://openai-mcp/audit']);
        const servers = (await admin.callTool({ name: 'list_managed_servers', arguments: {} })) as CallToolResult;
        expect((servers.structuredContent as { servers: Array<{ id: string }> }).servers.map((x) => x.id)).toEqual([
          created.id,
        ]);
        const audit = (await admin.callTool({
          name: 'list_managed_server_calls',
          arguments: { server_id: created.id },
        })) as CallToolResult;
        const rows = (audit.structuredContent as { rows: Array<{ tool: string; http_status: number }> }).rows;
        expect(rows.map((r) => `${r.tool} ${r.http_status}`)).toContain('list_all_open_ai_costs 200');
        expect(JSON.stringify(audit)).not.toContain(fake.adminKey);
        await admin.close();
        // A token for another account sees neither the server nor its rows.
        const outsider = await connect(adminUrl, 'streamable', { authorization: `Bearer ${tokenFor(other)}` });
        const refused = (await outsider.callTool({
          name: 'list_managed_server_calls',
          arguments: { server_id: created.id },
        })) as CallToolResult;
        expect(refused.isError).toBe(true);
        expect(JSON.stringify(refused.content)).toContain('not_found');
        await outsider.close();
        // No token, no admin server; nor for a client token, even one that opens this very server.
        await expect(connect(adminUrl)).rejects.toThrow();
        const clientToken = cliJson([
          ...['client-tokens', 'create', '--name', 'app', '--server', created.id, '--data-dir', dataDir],
        ]).token as string;
        await expect(connect(adminUrl, 'streamable', { authorization: `Bearer ${clientToken}` })).rejects.toThrow(
          /forbidden/,
        );
      } finally {
        await service.stop();
      }
    }, 60_000);
  },
);

describe('build', () => {
  it('runtime/apps/views.gen.ts is what ui/apps/ builds to', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-apps.ts', '--check'], { stdio: 'pipe' });
  });
});
