// The hot path's contract (service/http/direct-call.ts): a canonical MCP 2026-07-28 tools/call answered without the
// SDK's HTTP entry gets the answer the SDK gives for the same request: same status, same content type, same JSON-RPC
// message. Each request is sent to two real HTTP endpoints over the same tools, one with the direct path and one
// without; an SDK upgrade that changes the SDK's answer fails here. Requests the direct path must not take (a progress
// token, the Tasks extension, a header the SDK checks more closely) are shown to reach the SDK on the first endpoint.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExposedTools } from '../../runtime/exposure/types.js';
import type { CallContext } from '../../runtime/toolkit.js';
import { jsonBody } from '../../service/http/limits.js';
import { McpRoutes, type McpRoutesOptions } from '../../service/http/mcp.js';
import { json, startCaptureServer, type CaptureServer } from '../helpers/capture-server.js';
import { generatedKit } from '../runtime/helpers.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const MAX_RESPONSE_BYTES = 20_000;

let stub: CaptureServer;
let http: Server;
let base: string;
/** Answers the request the stub is holding (the cancellation case). */
const held: { release?: () => void } = {};
const releaseHeld = () => held.release?.();
/** How each call reached the tools: `sdk` when the SDK's handler context (with notifications) came with it. */
const paths: string[] = [];

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((q, res) => {
    if (q.path === '/v1/files/file-missing') return json(res, 404, { error: { message: 'No such file', type: 'x' } });
    if (q.path === '/v1/files/file-hang') {
      held.release = () => json(res, 200, { id: 'file-hang', object: 'file' });
      return;
    }
    const limit = Number(q.query.get('limit') ?? 1);
    const data = Array.from({ length: limit }, (_, i) => ({
      id: `file-${i}`,
      object: 'file',
      filename: 'x'.repeat(50),
    }));
    json(res, 200, { object: 'list', data, has_more: false }, { 'x-ratelimit-remaining-requests': '99' });
  });
  const kit = generatedKit(stub.baseUrl, { tags: ['files'] });
  const tools: ExposedTools = {
    listTools: () => kit.listTools(),
    callTool: (name, args, ctx?: CallContext) => {
      paths.push(ctx?.sendNotification ? 'sdk' : 'direct');
      return kit.callTool(name, args, ctx);
    },
  };
  const options: McpRoutesOptions = {
    scopes: {} as never,
    credentials: {} as never,
    log: () => {},
    maxResponseBytes: MAX_RESPONSE_BYTES,
  };
  const direct = new McpRoutes(options);
  const sdk = new McpRoutes({ ...options, directCalls: false });
  const app = express();
  const body = jsonBody({ limit: 1 << 20, maxDepth: 64, refuseBatches: true });
  app.post('/direct', body, (req, res) => direct.serveStreamable(req, res, tools, 'test'));
  app.post('/sdk', body, (req, res) => sdk.serveStreamable(req, res, tools, 'test'));
  http = createServer(app);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => http?.close(r));
  await stub?.close();
});

interface Answer {
  status: number;
  /** The headers a client or a proxy acts on. */
  headers: Record<string, string | null>;
  /** An event stream's events (their lines, `data:` parsed), else the JSON body. */
  message: unknown;
}

type Era = 'modern' | 'legacy';

async function post(
  path: string,
  message: unknown,
  headers: Record<string, string> = {},
  era: Era = 'modern',
): Promise<Answer> {
  const params = (message as { params?: { name?: string } }).params;
  const res = await fetch(`${base}/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(era === 'modern'
        ? {
            'mcp-protocol-version': '2026-07-28',
            'mcp-method': 'tools/call',
            ...(params?.name ? { 'mcp-name': params.name } : {}),
          }
        : { 'mcp-protocol-version': '2025-11-25' }),
      ...headers,
    },
    body: JSON.stringify(message),
  });
  const text = await res.text();
  const contentType = res.headers.get('content-type');
  const answerHeaders = Object.fromEntries(
    ['content-type', 'cache-control', 'x-accel-buffering', 'mcp-session-id'].map((h) => [h, res.headers.get(h)]),
  );
  const events = contentType?.includes('text/event-stream')
    ? text
        .split('\n\n')
        .filter(Boolean)
        // Each event's lines, its data parsed (JSON key order carries no meaning).
        .map((e) => e.split('\n').map((l) => (l.startsWith('data: ') ? JSON.parse(l.slice(6)) : l)))
    : undefined;
  return { status: res.status, headers: answerHeaders, message: events ?? (text ? JSON.parse(text) : undefined) };
}

/** The same request through both endpoints; which path the first one took. */
async function both(message: unknown, headers: Record<string, string> = {}, era: Era = 'modern') {
  const from = paths.length;
  const viaDirect = await post('direct', message, headers, era);
  const took = paths.slice(from);
  const viaSdk = await post('sdk', message, headers, era);
  return { viaDirect, viaSdk, took: took[0] ?? 'none' };
}

const call = (id: string | number, name: string, args: unknown, meta: unknown = ENVELOPE) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, _meta: meta },
});

describe('a 2026-07-28 tools/call on the direct path', () => {
  const cases: [string, unknown][] = [
    ['a result with structured content (numeric id)', call(1, 'list_all_open_ai_files', { limit: 2 })],
    [
      'a string id, a titled client, empty capability entries',
      call(
        'a-1',
        'list_all_open_ai_files',
        { limit: 1 },
        {
          ...ENVELOPE,
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0', title: 'Raw' },
          'io.modelcontextprotocol/clientCapabilities': { roots: {}, elicitation: {}, extensions: {} },
        },
      ),
    ],
    [
      'no client info, no arguments',
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: {
          name: 'list_all_open_ai_files',
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      },
    ],
    ['an upstream 404 (isError)', call(4, 'get_single_open_ai_file_by_id', { file_id: 'file-missing' })],
    ['a bad argument (isError naming it)', call(5, 'list_all_open_ai_files', { limit: 'many' })],
    ['an unknown tool', call(6, 'no_such_tool', {})],
    ['an answer over the response cap', call(7, 'list_all_open_ai_files', { limit: 400 })],
  ];
  for (const [what, message] of cases)
    it(`answers as the SDK does: ${what}`, async () => {
      const { viaDirect, viaSdk, took } = await both(message);
      expect(took).toBe('direct');
      expect(viaDirect).toEqual(viaSdk);
      expect(viaDirect.status).toBe(200);
    });

  it('the over-cap answer is the cap error, and the rest carry the SDK stamps', async () => {
    const over = await post('direct', call(8, 'list_all_open_ai_files', { limit: 400 }));
    expect(over.message).toMatchObject({ id: 8, error: { code: -32603, message: expect.stringContaining('cap') } });
    const ok = await post('direct', call(9, 'list_all_open_ai_files', { limit: 1 }));
    expect(ok.message).toMatchObject({
      id: 9,
      result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'openai-mcp' } } },
    });
  });

  it('a call cancelled by a later notifications/cancelled is answered 499, as through the SDK', async () => {
    const answers = await cancelledAnswers('modern');
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.status).toBe(499);
  });
});

/** A call held upstream, then cancelled by a second POST, through each endpoint: the two answers. */
async function cancelledAnswers(era: Era): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const path of ['direct', 'sdk']) {
    held.release = undefined;
    const id = `hang-${era}-${path}`;
    const message =
      era === 'modern'
        ? call(id, 'get_single_open_ai_file_by_id', { file_id: 'file-hang' })
        : legacyCall(id, 'get_single_open_ai_file_by_id', { file_id: 'file-hang' });
    const pending = post(path, message, {}, era);
    while (!held.release) await new Promise((r) => setTimeout(r, 5));
    await fetch(`${base}/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(era === 'modern'
          ? { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'notifications/cancelled' }
          : { 'mcp-protocol-version': '2025-11-25' }),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: id, ...(era === 'modern' ? { _meta: ENVELOPE } : {}) },
      }),
    });
    answers.push(await pending);
    releaseHeld();
  }
  return answers;
}

const legacyCall = (id: string | number, name: string, args: unknown) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

describe('a 2025-era tools/call on the stateless endpoint, on the direct path', () => {
  const cases: [string, unknown, Record<string, string>?][] = [
    ['a result (2025-11-25)', legacyCall(31, 'list_all_open_ai_files', { limit: 2 })],
    [
      'a result (2025-06-18), a string id',
      legacyCall('b-2', 'list_all_open_ai_files', { limit: 1 }),
      { 'mcp-protocol-version': '2025-06-18' },
    ],
    ['no arguments', { jsonrpc: '2.0', id: 33, method: 'tools/call', params: { name: 'list_all_open_ai_files' } }],
    ['an upstream 404 (isError)', legacyCall(34, 'get_single_open_ai_file_by_id', { file_id: 'file-missing' })],
    ['a bad argument', legacyCall(35, 'list_all_open_ai_files', { limit: 'many' })],
    ['an unknown tool', legacyCall(36, 'no_such_tool', {})],
    ['an answer over the response cap', legacyCall(37, 'list_all_open_ai_files', { limit: 400 })],
  ];
  for (const [what, message, headers] of cases)
    it(`answers as the SDK does: ${what}`, async () => {
      const { viaDirect, viaSdk, took } = await both(message, headers, 'legacy');
      expect(took).toBe('direct');
      expect(viaDirect).toEqual(viaSdk);
      expect(viaDirect.headers['content-type']).toBe('text/event-stream');
    });

  it('a cancelled call gets the answer it gets through the SDK', async () => {
    const answers = await cancelledAnswers('legacy');
    expect(answers[0]).toEqual(answers[1]);
  });

  const leftToSdk: [string, unknown, Record<string, string>?][] = [
    [
      'an older revision (2025-03-26)',
      legacyCall(40, 'list_all_open_ai_files', {}),
      { 'mcp-protocol-version': '2025-03-26' },
    ],
    ['a session id', legacyCall(41, 'list_all_open_ai_files', {}), { 'mcp-session-id': 'abc' }],
    ['an Accept without event streams', legacyCall(42, 'list_all_open_ai_files', {}), { accept: 'application/json' }],
    [
      'a progress token',
      {
        ...legacyCall(43, 'list_all_open_ai_files', {}),
        params: { name: 'list_all_open_ai_files', arguments: {}, _meta: { progressToken: 1 } },
      },
    ],
    [
      'a task',
      {
        ...legacyCall(44, 'list_all_open_ai_files', {}),
        params: { name: 'list_all_open_ai_files', arguments: {}, task: {} },
      },
    ],
    [
      'an initialize',
      {
        jsonrpc: '2.0',
        id: 45,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
      },
    ],
  ];
  for (const [what, message, headers] of leftToSdk)
    it(`${what}: served by the SDK on both endpoints, with the same answer`, async () => {
      const { viaDirect, viaSdk, took } = await both(message, headers, 'legacy');
      expect(took).not.toBe('direct');
      expect(viaDirect).toEqual(viaSdk);
    });
});

describe('requests the direct path leaves to the SDK', () => {
  const cases: [string, unknown, Record<string, string>?][] = [
    ['a progress token', call(20, 'list_all_open_ai_files', { limit: 1 }, { ...ENVELOPE, progressToken: 'p' })],
    [
      'a client declaring the Tasks extension',
      call(
        21,
        'list_all_open_ai_files',
        { limit: 1 },
        {
          ...ENVELOPE,
          'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
        },
      ),
    ],
    ['an Mcp-Name header naming another tool', call(22, 'list_all_open_ai_files', {}), { 'mcp-name': 'other' }],
    [
      'a Base64 Mcp-Name',
      call(23, 'list_all_open_ai_files', {}),
      { 'mcp-name': '=?base64?bGlzdF9hbGxfb3Blbl9haV9maWxlcw==?=' },
    ],
    ['no Mcp-Method header', call(24, 'list_all_open_ai_files', {}), { 'mcp-method': '' }],
    [
      'a malformed client info',
      call(25, 'list_all_open_ai_files', {}, { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': { name: 1 } }),
    ],
    [
      'a task-augmented call',
      {
        ...call(26, 'list_all_open_ai_files', {}),
        params: { ...call(26, 'list_all_open_ai_files', {}).params, task: {} },
      },
    ],
  ];
  for (const [what, message, headers] of cases)
    it(`${what}: served by the SDK on both endpoints, with the same answer`, async () => {
      const { viaDirect, viaSdk, took } = await both(message, headers);
      expect(took).not.toBe('direct');
      expect(viaDirect).toEqual(viaSdk);
    });
});
