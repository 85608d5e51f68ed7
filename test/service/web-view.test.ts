// The guard on service/http/web.ts: the SDK's MCP handler is given a structural view of Node's request (method, url,
// headers.get/has, signal, a null body) instead of a web `Request`. If an SDK upgrade starts reading anything else of
// the request (a header iterator, `json()`, `clone()`, a new property), this test fails: the view is wrapped so that
// every member read is recorded and an unknown one throws, and each answer must equal the answer the SDK gives for a
// full `Request` of the same message (the node adapter's `toWebRequest`), over both protocol eras.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { toWebRequest } from '@modelcontextprotocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerForTools } from '../../runtime/server.js';
import { webRequestOf, writeWebResponse } from '../../service/http/web.js';
import { json, startCaptureServer, type CaptureServer } from '../helpers/capture-server.js';
import { generatedKit } from '../runtime/helpers.js';

/** What web.ts says the handler reads of a request with a parsed body. */
const VIEW_MEMBERS = new Set(['method', 'url', 'headers', 'signal', 'body']);
const HEADER_MEMBERS = new Set(['get', 'has']);

let stub: CaptureServer;
let http: Server;
let base: string;
const read = new Set<string>();
const unknown = new Set<string>();

/** The view, recording what is read of it and of its headers; a member web.ts does not provide throws. */
function watched(view: Request): Request {
  const guard = <T extends object>(target: T, allowed: Set<string>, prefix: string): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'symbol') return Reflect.get(t, key, receiver);
        read.add(`${prefix}${key}`);
        if (!allowed.has(key)) {
          unknown.add(`${prefix}${key}`);
          throw new Error(`the SDK read ${prefix}${key} of the request view`);
        }
        const v = Reflect.get(t, key, receiver);
        if (key === 'headers') return guard(v as object, HEADER_MEMBERS, 'headers.');
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  return guard(view, VIEW_MEMBERS, '');
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_q, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
  const kit = generatedKit(stub.baseUrl, { tags: ['files'] });
  const handler = createMcpHandler(() => createServerForTools(kit), { legacy: 'stateless' });
  http = createServer(async (req, res) => {
    const signal = new AbortController().signal;
    if (req.url === '/view') {
      // As mcp.ts serves it: the body parsed first, the view beside it.
      const parsedBody = await bodyOf(req);
      const response = await handler.fetch(watched(await webRequestOf(req, parsedBody, signal)), { parsedBody });
      await writeWebResponse(res, response, signal);
    } else {
      // The reference: a full web Request, the body read by the SDK itself.
      const response = await handler.fetch(await toWebRequest(req, undefined, { signal }));
      await writeWebResponse(res, response, signal);
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => http?.close(r));
  await stub?.close();
});

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const modern = (method: string, params: Record<string, unknown>, name?: string) => ({
  headers: {
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': method,
    ...(name ? { 'mcp-name': name } : {}),
  } as Record<string, string>,
  body: { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: ENVELOPE } },
});
const legacy = (method: string, params: Record<string, unknown>, id: number | undefined = 1) => ({
  headers: { 'mcp-protocol-version': '2025-11-25' } as Record<string, string>,
  body: { jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method, params },
});

const CASES: [string, { headers: Record<string, string>; body: unknown }][] = [
  [
    '2026-07-28 tools/call',
    modern('tools/call', { name: 'list_all_open_ai_files', arguments: {} }, 'list_all_open_ai_files'),
  ],
  ['2026-07-28 tools/list', modern('tools/list', {})],
  ['2026-07-28 server/discover', modern('server/discover', {})],
  [
    '2026-07-28 progress token (event stream)',
    {
      ...modern('tools/call', { name: 'list_all_open_ai_files', arguments: {} }, 'list_all_open_ai_files'),
      body: {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'list_all_open_ai_files', arguments: {}, _meta: { ...ENVELOPE, progressToken: 'p' } },
      },
    },
  ],
  [
    'a header naming another version (-32020)',
    {
      headers: { 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/list' },
      body: modern('tools/list', {}).body,
    },
  ],
  ['a missing Mcp-Name', modern('tools/call', { name: 'list_all_open_ai_files', arguments: {} })],
  [
    '2025-11-25 initialize',
    {
      headers: {},
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
      },
    },
  ],
  ['2025-11-25 tools/call (stateless)', legacy('tools/call', { name: 'list_all_open_ai_files', arguments: {} })],
  ['2025-11-25 notification', legacy('notifications/initialized', {}, undefined)],
];

describe('the request view given to the SDK handler (service/http/web.ts)', () => {
  for (const [what, { headers, body }] of CASES)
    it(`${what}: the same answer as for a full Request, reading only what the view has`, async () => {
      const send = async (path: string) => {
        const res = await fetch(`${base}/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify(body),
        });
        return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
      };
      const viaView = await send('view');
      const viaRequest = await send('request');
      expect([...unknown]).toEqual([]);
      expect(viaView).toEqual(viaRequest);
    });

  it('the SDK read the view (the guard is live)', () => {
    expect(read.has('method')).toBe(true);
    expect(read.has('headers.get')).toBe(true);
  });
});
