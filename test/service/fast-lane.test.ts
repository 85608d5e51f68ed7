// The fast lane (service/http/fast-lane.ts) answers a canonical POST /mcp/<token> without express's router and
// body-parser. Its contract: the same answer as express's route for every request it takes, good or bad. Two real
// services on one data dir, one with the lane and one without, get the same raw HTTP requests; status, the headers a
// client acts on, the body and the access-log line must be the same, and the lane must have taken the request.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHttpService, startHttpService } from '../../service/serve.js';
import { type CaptureServer, json, startCaptureServer } from '../helpers/capture-server.js';
import { cliJson, tempDataDir } from './helpers.js';
import { type RawAnswer, raw } from './load-helpers.js';

const KEY = { OPENAI_API_KEY: 'sk-proj-LANEprojectKEY0123456789abcd' };
const MAX_BODY = 4096;
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

const dataDir = tempDataDir();
let stub: CaptureServer;
let lane: RunningHttpService;
let plain: RunningHttpService;
let path = '';
let laneTaken = 0;
const logs = { lane: [] as string[], plain: [] as string[] };

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((q, res) => {
    if (q.path === '/v1/files/file-missing') return json(res, 404, { error: { message: 'No such file', type: 'x' } });
    json(res, 200, { object: 'list', data: [{ id: 'file-1', object: 'file' }], has_more: false });
  });
  const account = cliJson(['accounts', 'add', '--name', 'lane', '--base-url', stub.baseUrl, '--data-dir', dataDir], {
    env: KEY,
  });
  const server = cliJson([
    ...['servers', 'create', '--account', account.id, '--name', 'files', '--methods', 'read', '--tags', 'files'],
    ...['--data-dir', dataDir],
  ]);
  path = new URL(server.url).pathname;
  const common = {
    dataDir,
    port: 0,
    allowPrivateBaseUrls: true,
    maxBodyBytes: MAX_BODY,
    ratePerServer: 100_000,
    maxConcurrentPerServer: 1000,
  };
  lane = await startHttpService({
    ...common,
    onFastLane: () => laneTaken++,
    log: (l) => logs.lane.push(l),
  });
  plain = await startHttpService({ ...common, fastLane: false, log: (l) => logs.plain.push(l) });
}, 60_000);

afterAll(async () => {
  await lane?.close();
  await plain?.close();
  await stub?.close();
});

/** One request with exactly these headers and bytes (fetch would add or refuse some, such as Host). */
const send = (base: string, p: string, headers: Record<string, string>, body: string | Buffer) =>
  raw(`${base}${p}`, { headers, body });

/** What a client acts on: status, content type, retry and auth hints, connection handling, and the body. */
const seen = (r: RawAnswer) => ({
  status: r.status,
  type: r.headers['content-type'],
  retry: r.headers['retry-after'],
  auth: r.headers['www-authenticate'],
  connection: r.headers.connection,
  body: r.text,
});

const call = (name: string, args: unknown, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: ENVELOPE } });
const modern = (name: string) => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': name,
});
const legacy = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const deep = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}}`;

interface Case {
  name: string;
  /** Whether the lane takes it (else express serves it on both services). */
  taken: boolean;
  headers: () => Record<string, string>;
  body: string | Buffer;
  path?: () => string;
}

const LIST = 'list_all_open_ai_files';
const cases: Case[] = [
  { name: 'a 2026-07-28 tools/call', taken: true, headers: () => modern(LIST), body: call(LIST, { limit: 2 }) },
  {
    name: 'a tools/call whose upstream answers 404',
    taken: true,
    headers: () => modern('get_single_open_ai_file_by_id'),
    body: call('get_single_open_ai_file_by_id', { file_id: 'file-missing' }),
  },
  { name: 'a bad argument', taken: true, headers: () => modern(LIST), body: call(LIST, { limit: 'many' }) },
  { name: 'an unknown tool', taken: true, headers: () => modern('nope'), body: call('nope', {}) },
  {
    name: 'a 2025-11-25 stateless tools/call',
    taken: true,
    headers: () => ({ ...legacy, 'mcp-protocol-version': '2025-11-25' }),
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: LIST, arguments: {} } }),
  },
  {
    name: 'a 2025 initialize',
    taken: true,
    headers: () => legacy,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    }),
  },
  {
    name: 'a notification',
    taken: true,
    headers: () => ({ ...legacy, 'mcp-protocol-version': '2025-11-25' }),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  },
  { name: 'malformed JSON', taken: true, headers: () => modern(LIST), body: '{"jsonrpc": "2.0", "id": ' },
  { name: 'JSON that is not an object', taken: true, headers: () => modern(LIST), body: '  "tools/call"' },
  { name: 'an empty body', taken: true, headers: () => modern(LIST), body: '' },
  { name: 'a batch', taken: true, headers: () => modern(LIST), body: `[${call(LIST, {})}]` },
  { name: 'nesting past the depth limit', taken: true, headers: () => modern('x'), body: deep },
  {
    name: 'a body with a UTF-8 byte-order mark',
    taken: true,
    headers: () => modern(LIST),
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(call(LIST, {}))]),
  },
  {
    name: 'a body over the limit',
    taken: true,
    headers: () => modern(LIST),
    body: call(LIST, { limit: 1, after: 'x'.repeat(MAX_BODY) }),
  },
  { name: 'an unknown token', taken: true, headers: () => modern(LIST), body: call(LIST, {}), path: () => '/mcp/nope' },
  {
    // The token is checked before a byte of the body is read: a 404, not the body's 400.
    name: 'an unknown token with a malformed body',
    taken: true,
    headers: () => modern(LIST),
    body: '{"jsonrpc": ',
    path: () => '/mcp/nope',
  },
  {
    name: 'a Host not allowed',
    taken: true,
    headers: () => ({ ...modern(LIST), host: 'evil.example' }),
    body: call(LIST, {}),
  },
  {
    name: 'an Origin not allowed',
    taken: true,
    headers: () => ({ ...modern(LIST), origin: 'https://evil.example' }),
    body: call(LIST, {}),
  },
  {
    name: 'a charset parameter (express serves it)',
    taken: false,
    headers: () => ({ ...modern(LIST), 'content-type': 'application/json; charset=utf-8' }),
    body: call(LIST, {}),
  },
  {
    name: 'a query string (express serves it)',
    taken: false,
    headers: () => modern(LIST),
    body: call(LIST, {}),
    path: () => `${path}?x=1`,
  },
];

/** The access-log line a request left, without its time. */
function lastLogLine(lines: string[]): string | undefined {
  const l = [...lines].reverse().find((x) => /^POST /.test(x));
  return l?.replace(/ \d+ms$/, ' <t>ms');
}

describe('the MCP fast lane', () => {
  it.each(cases)('answers $name exactly as the express route does', async (c) => {
    const p = c.path?.() ?? path;
    const before = laneTaken;
    const a = await send(lane.url, p, c.headers(), c.body);
    expect(laneTaken - before).toBe(c.taken ? 1 : 0);
    const b = await send(plain.url, p, c.headers(), c.body);
    expect(seen(a)).toEqual(seen(b));
    // The access log names the same route, server and status.
    await new Promise((r) => setTimeout(r, 20));
    expect(lastLogLine(logs.lane)).toBe(lastLogLine(logs.plain));
  });

  it('the compared answers are the real ones (a call reached OpenAI; refusals said why)', async () => {
    const ok = await send(lane.url, path, modern(LIST), call(LIST, { limit: 2 }));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).result.structuredContent).toMatchObject({ has_more: false });
    const batch = await send(lane.url, path, modern(LIST), `[${call(LIST, {})}]`);
    expect(batch.status).toBe(400);
    expect(batch.text).toContain('batches are not supported');
    const big = await send(lane.url, path, modern(LIST), call(LIST, { after: 'x'.repeat(MAX_BODY) }));
    expect(big.status).toBe(413);
    const host = await send(lane.url, path, { ...modern(LIST), host: 'evil.example' }, call(LIST, {}));
    expect(host.status).toBe(403);
    const unknown = await send(lane.url, '/mcp/nope', modern(LIST), '{"jsonrpc": ');
    expect(unknown.status).toBe(404);
  });
});
