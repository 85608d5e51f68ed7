// MCP 2026-07-28 against a spawned `serve --http` (its single-user /mcp): a raw tools/call with no handshake, the
// errors for an unknown version and a missing _meta key, cache hints, tasks for a wait tool (created, polled,
// cancelled with no further upstream request, not found elsewhere), and the v2 SDK Client negotiating the era.

import { LIST_PAGE } from '../../runtime/contract/pages.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type Responder, startCaptureServer, type CaptureServer } from '../helpers/capture-server.js';
import { type Service, startService, tempDataDir } from './helpers.js';

const KEY = 'sk-proj-MCP2026TESTKEY0123456789abcdef';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const WITH_TASKS = {
  ...ENVELOPE,
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
};

let stub: CaptureServer;
let service: Service;
let status = 'running';
beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond(answer);
  service = await startService(tempDataDir(), ['--tags', 'fine-tuning', '--base-url', stub.baseUrl], {
    OPENAI_API_KEY: KEY,
  });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await stub?.close();
});

const answer: Responder = (q, res) =>
  q.path.startsWith('/v1/fine_tuning/jobs/')
    ? json(res, 200, { id: 'ftjob-1', object: 'fine_tuning.job', status, trained_tokens: 10 })
    : json(res, 200, { object: 'list', data: [], has_more: false });

let nextId = 1;
async function rpc(method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  const name = (params.name ?? params.taskId) as string | undefined;
  const res = await fetch(`${service.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(name ? { 'mcp-name': name } : {}),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const text = await res.text();
  const body = (
    res.headers.get('content-type')?.includes('text/event-stream')
      ? JSON.parse(/^data: (.*)$/m.exec(text)![1]!)
      : JSON.parse(text)
  ) as { result?: Record<string, any>; error?: { code: number; message: string; data?: any } };
  return { status: res.status, headers: res.headers, ...body };
}

describe('MCP 2026-07-28 over Streamable HTTP', () => {
  it('answers a tools/call with no handshake, as JSON, without a session', async () => {
    const r = await rpc(
      'tools/call',
      { name: 'list_all_open_ai_fine_tuning_jobs', arguments: {}, _meta: ENVELOPE },
      { 'mcp-session-id': 'ignored-session', 'last-event-id': '7' },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(r.headers.get('mcp-session-id')).toBeNull();
    expect(r.result).toMatchObject({
      resultType: 'complete',
      structuredContent: { [LIST_PAGE.items]: [], [LIST_PAGE.more]: false },
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'openai-mcp' } },
    });
    expect(stub.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('lists tools with cache hints, and discovers the Tasks extension', async () => {
    const list = await rpc('tools/list', { _meta: ENVELOPE });
    expect(list.result).toMatchObject({ cacheScope: 'private', ttlMs: expect.any(Number) });
    const found = await rpc('server/discover', { _meta: ENVELOPE });
    expect(found.result).toMatchObject({
      supportedVersions: ['2026-07-28'],
      capabilities: { tools: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } },
    });
  });

  it('refuses an unknown version with 400 and -32022 naming the served versions', async () => {
    const r = await rpc(
      'tools/list',
      { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2031-01-01' } },
      { 'mcp-protocol-version': '2031-01-01' },
    );
    expect(r.status).toBe(400);
    expect(r.error).toMatchObject({ code: -32022 });
    expect(r.error?.data.supported).toEqual(
      expect.arrayContaining(['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26']),
    );
  });

  it('names the missing _meta field', async () => {
    const { 'io.modelcontextprotocol/clientCapabilities': _, ...partial } = ENVELOPE;
    const r = await rpc('tools/list', { _meta: partial });
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe(-32602);
    expect(r.error?.message).toContain('io.modelcontextprotocol/clientCapabilities');
  });

  it('a header naming another version than _meta is -32020; tasks/* without the Tasks extension is -32021', async () => {
    const mismatch = await rpc(
      'tools/list',
      { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2031-01-01' } },
      { 'mcp-protocol-version': '2026-07-28' },
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.error?.code).toBe(-32020);
    const undeclared = await rpc('tasks/get', { taskId: 'task_unknown', _meta: ENVELOPE });
    expect(undeclared.status).toBe(400);
    expect(undeclared.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } },
    });
  });

  it('answers GET and DELETE with 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${service.url}/mcp`, { method, headers: { accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
    }
  });

  it('runs a wait tool as a task: polled to completion, and a cancel stops polling upstream', async () => {
    status = 'running';
    const call = { name: 'wait_for_open_ai_fine_tuning_job_by_id', arguments: { fine_tuning_job_id: 'ftjob-1' } };
    const created = await rpc('tools/call', { ...call, _meta: WITH_TASKS });
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working', taskId: expect.any(String) });
    const taskId = created.result!.taskId as string;
    // Another request (no connection is shared) finds it.
    await new Promise((r) => setTimeout(r, 500));
    const working = await rpc('tasks/get', { taskId, _meta: WITH_TASKS });
    expect(working.result).toMatchObject({
      taskId,
      status: 'working',
      statusMessage: expect.stringContaining('running'),
    });
    // Without the extension, the same call is today's bounded blocking wait.
    status = 'succeeded';
    const blocking = await rpc('tools/call', { ...call, _meta: ENVELOPE });
    expect(blocking.result).toMatchObject({ resultType: 'complete', structuredContent: { done: true } });
    let done: Record<string, any> | undefined;
    for (let i = 0; i < 40 && done?.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      done = (await rpc('tasks/get', { taskId, _meta: WITH_TASKS })).result;
    }
    expect(done).toMatchObject({
      status: 'completed',
      result: { structuredContent: { done: true, status: 'succeeded' } },
    });

    // The cancel finds the first poll in flight: its answer is held, so the test knows exactly which requests were
    // sent (a count read when the cancel is acknowledged can miss a poll still on its way, and see it land later).
    status = 'running';
    let polled = () => {};
    const inFlight = new Promise<void>((resolve) => {
      polled = resolve;
    });
    let aborted = () => {};
    const closed = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    stub.respond((q, res) => {
      if (!q.path.startsWith('/v1/fine_tuning/jobs/')) return answer(q, res);
      res.on('close', () => {
        if (!res.writableFinished) aborted();
      });
      polled();
    });
    const before = stub.requests.length;
    try {
      const second = await rpc('tools/call', { ...call, _meta: WITH_TASKS });
      const secondId = second.result!.taskId as string;
      await inFlight;
      expect((await rpc('tasks/cancel', { taskId: secondId, _meta: WITH_TASKS })).result).toMatchObject({});
      // The poll in flight was aborted, and none followed in longer than the poll interval (2 s).
      const gone = await Promise.race([closed.then(() => true), new Promise((r) => setTimeout(r, 10_000, false))]);
      expect(gone).toBe(true);
      await new Promise((r) => setTimeout(r, 3000));
      expect(stub.requests.length).toBe(before + 1);
      expect((await rpc('tasks/get', { taskId: secondId, _meta: WITH_TASKS })).result).toMatchObject({
        status: 'cancelled',
      });
    } finally {
      stub.respond(answer);
    }

    const unknown = await rpc('tasks/get', { taskId: `${taskId}x`, _meta: WITH_TASKS });
    expect(unknown.error).toMatchObject({ code: -32602, message: 'Unknown or expired task id' });
  }, 60_000);

  it('the v2 SDK Client negotiates the 2026-07-28 era and calls a tool', async () => {
    const client = new Client({ name: 'v2', version: '0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${service.url}/mcp`)));
    expect(client.getProtocolEra()).toBe('modern');
    const r = await client.callTool({ name: 'list_all_open_ai_fine_tuning_jobs', arguments: {} });
    expect(r.isError).toBeFalsy();
    await client.close();
    const legacy = new Client({ name: 'v2-legacy', version: '0' });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(`${service.url}/mcp`)));
    expect(legacy.getProtocolEra()).toBe('legacy');
    expect((await legacy.callTool({ name: 'list_all_open_ai_fine_tuning_jobs', arguments: {} })).isError).toBeFalsy();
    await legacy.close();
  });
});
