// Serving over stdio without losing the session: the built bin driven by the SDK Client (and by raw JSON-RPC
// lines where the Client would hide what is on the wire), plus the line transport's limits on in-memory streams.
// Needs `npm run build` first (as `npm test` does).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Server } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import { DEFAULT_MAX_MESSAGE_BYTES, idFromEdges, largestUploadBytes, serveStdio } from '../../runtime/stdio.js';
import type { Catalog } from '../../runtime/types.js';
import { json, PROJECT_KEY, startCaptureServer, textOf, type CaptureServer } from './helpers.js';

const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
const ENVELOPE = {
  [VERSION_KEY]: '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const CLI = fileURLToPath(new URL('../../dist/bin/openai-mcp.mjs', import.meta.url));
const catalog = catalogJson as unknown as Catalog;
const byPath = (verb: string, path: string) => catalog.tools.find((t) => t.http.verb === verb && t.http.path === path)!;

let srv: CaptureServer;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  srv = await startCaptureServer();
});
afterAll(() => srv?.close());

function env(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('OPENAI_')) out[k] = v;
  return { ...out, OPENAI_API_KEY: PROJECT_KEY };
}

async function connect(extraArgs: string[] = []) {
  const stderr: string[] = [];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', '--base-url', srv.baseUrl, ...extraArgs],
    env: env(),
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: 'stdio-test', version: '0' });
  await client.connect(transport);
  return { client, stderr };
}

describe('openai-mcp serve keeps the session', () => {
  it('an upload over the stdio message limit gets an error for that call only; the next call works', async () => {
    const upload = byPath('POST', '/files');
    const getFile = byPath('GET', '/files/{file_id}');
    srv.respond((_q, res) => json(res, 200, { id: 'file-1', object: 'file' }));
    const { client, stderr } = await connect();
    const before = srv.requests.length;
    const big = Buffer.alloc(largestUploadBytes() + 1_000_000, 1).toString('base64');
    await expect(
      client.callTool({
        name: upload.name,
        arguments: { file: { content: big, encoding: 'base64', filename: 'big.bin' }, purpose: 'assistants' },
      }),
    ).rejects.toThrow(new RegExp(`over this server's ${DEFAULT_MAX_MESSAGE_BYTES}-byte limit.*serve --http`));
    expect(srv.requests.length).toBe(before);
    const r = await client.callTool({ name: getFile.name, arguments: { file_id: 'file-1' } });
    expect(r.structuredContent).toEqual({ id: 'file-1', object: 'file' });
    await client.close();
    expect(stderr.join('')).toMatch(/dropped an incoming message of \d+ bytes/);
    // The bin reads the validation bundle from dist/generated at the first call; it must have found it.
    expect(stderr.join('')).not.toContain('validation bundle not loaded');
  }, 60_000);

  it('an upload just under the limit goes through', async () => {
    const upload = byPath('POST', '/files');
    srv.respond((_q, res) => json(res, 200, { id: 'file-2', object: 'file' }));
    const { client } = await connect();
    const size = largestUploadBytes() - 100_000;
    const r = await client.callTool({
      name: upload.name,
      arguments: {
        file: { content: Buffer.alloc(size, 2).toString('base64'), encoding: 'base64', filename: 'ok.bin' },
        purpose: 'assistants',
      },
    });
    expect(r.isError).toBeFalsy();
    expect(srv.requests.at(-1)!.body.length).toBeGreaterThan(size);
    await client.close();
  }, 60_000);

  it('an 8 MB image download is refused with a note, and the session goes on', async () => {
    const content = byPath('GET', '/files/{file_id}/content');
    srv.respond(
      (q, res) =>
        void (q.path.endsWith('/content')
          ? res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(8_000_000, 3))
          : json(res, 200, { id: 'file-3' })),
    );
    const { client } = await connect();
    const r = await client.callTool({ name: content.name, arguments: { file_id: 'file-3' } });
    expect(r.isError).toBe(true);
    expect(textOf(r as never)).toMatch(/8000000 bytes of image\/png, over the \d+-byte limit/);
    const next = await client.callTool({
      name: byPath('GET', '/files/{file_id}').name,
      arguments: { file_id: 'file-3' },
    });
    expect(next.isError).toBeFalsy();
    await client.close();
  }, 60_000);

  it('on stdin EOF a call in flight is still answered, then the server exits 0', async () => {
    const getFile = byPath('GET', '/files/{file_id}');
    srv.respond(async (_q, res) => {
      await new Promise((r) => setTimeout(r, 800));
      json(res, 200, { id: 'file-slow', object: 'file' });
    });
    const child = spawn(process.execPath, [CLI, 'serve', '--base-url', srv.baseUrl], {
      env: env(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: getFile.name, arguments: { file_id: 'file-slow' } },
    });
    child.stdin.end();
    expect(await exited).toBe(0);
    const replies = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; result?: { structuredContent?: unknown } });
    expect(replies.find((m) => m.id === 2)?.result?.structuredContent).toEqual({ id: 'file-slow', object: 'file' });
  }, 30_000);
});

describe('the line transport', () => {
  it('finds the id of a line it only saw the edges of, in either member order', () => {
    expect(idFromEdges('{"method":"tools/call","params":{"arguments":{"id":99', '"}}},"jsonrpc":"2.0","id":7}')).toBe(
      7,
    );
    expect(idFromEdges('{"jsonrpc":"2.0","id":"abc","method":"tools/call","params":{', 'xx"}}}')).toBe('abc');
    expect(idFromEdges('{"method":"tools/call","params":{"id":5', 'x":{"id":5}}}')).toBeUndefined();
  });

  /** A real low-level v2 Server (from a factory, as the SDK's serveStdio wants) on in-memory streams. */
  async function harness(
    opts: { maxMessageBytes?: number; maxReplyBytes?: number; era?: 'legacy' | 'modern' },
    reply: (args: Record<string, unknown>) => string,
  ) {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const logs: string[] = [];
    const factory = () => {
      const server = new Server({ name: 't', version: '0' }, { capabilities: { tools: {} } });
      server.setRequestHandler('tools/call', (req) => ({
        content: [{ type: 'text', text: reply(req.params.arguments ?? {}) }],
      }));
      return server;
    };
    const done = serveStdio(factory, { log: (m) => logs.push(m), stdin, stdout, ...opts });
    const lines: Array<Record<string, unknown>> = [];
    let buf = '';
    stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
        lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
      }
    });
    const answer = async (id: number) => {
      for (let i = 0; i < 200 && !lines.some((l) => l.id === id); i++) await new Promise((r) => setTimeout(r, 5));
      return lines.find((l) => l.id === id);
    };
    // A 2025 client opens with initialize; a 2026-07-28 one sends its first request as it is.
    if (opts.era !== 'modern') {
      stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '0' } } })}\n`,
      );
      await answer(0);
    }
    return { stdin, logs, answer, done };
  }
  const call = (id: number, args: object) =>
    `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 't', arguments: args } })}\n`;
  const modernCall = (id: number, args: object, meta: Record<string, unknown> = ENVELOPE) =>
    `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 't', arguments: args, _meta: meta } })}\n`;

  it('serves a 2026-07-28 request with no handshake, and keeps serving after an oversized one', async () => {
    const h = await harness({ maxMessageBytes: 50_000, era: 'modern' }, (a) => `echo ${String(a.v).length}`);
    h.stdin.write(modernCall(1, { v: 'a' }));
    expect(await h.answer(1)).toMatchObject({ result: { content: [{ text: 'echo 1' }], resultType: 'complete' } });
    h.stdin.write(modernCall(2, { v: 'x'.repeat(200_000) }));
    expect((await h.answer(2))?.error).toMatchObject({ code: -32600, message: expect.stringContaining('50000-byte') });
    h.stdin.write(modernCall(3, { v: 'y'.repeat(10) }));
    expect(await h.answer(3)).toMatchObject({ result: { content: [{ text: 'echo 10' }] } });
    h.stdin.end();
    await h.done;
  });

  it('refuses an unknown protocol version with -32022 naming the served ones, and keeps the session', async () => {
    const h = await harness({ era: 'modern' }, () => 'ok');
    h.stdin.write(modernCall(1, {}, { ...ENVELOPE, [VERSION_KEY]: '2099-01-01' }));
    const refused = await h.answer(1);
    expect(refused?.error).toMatchObject({
      code: -32022,
      data: { supported: expect.arrayContaining(['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26']) },
    });
    h.stdin.write(modernCall(2, {}));
    expect(await h.answer(2)).toMatchObject({ result: { content: [{ text: 'ok' }] } });
    h.stdin.end();
    await h.done;
  });

  it('names the missing _meta field of a 2026-07-28 request', async () => {
    const h = await harness({ era: 'modern' }, () => 'ok');
    h.stdin.write(modernCall(1, {}));
    await h.answer(1);
    h.stdin.write(modernCall(2, {}, { [VERSION_KEY]: '2026-07-28' }));
    expect((await h.answer(2))?.error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('io.modelcontextprotocol/clientCapabilities'),
    });
    h.stdin.end();
    await h.done;
  });

  it('answers an oversized request (arriving in many chunks) with an error and keeps serving', async () => {
    const h = await harness({ maxMessageBytes: 50_000 }, (a) => `echo ${String(a.v).length}`);
    const line = call(1, { v: 'x'.repeat(200_000) });
    for (let i = 0; i < line.length; i += 7000) h.stdin.write(line.slice(i, i + 7000));
    expect((await h.answer(1))?.error).toMatchObject({
      code: -32600,
      message: expect.stringContaining('50000-byte limit'),
    });
    h.stdin.write(call(2, { v: 'y'.repeat(100) }));
    expect(await h.answer(2)).toMatchObject({ result: { content: [{ type: 'text', text: 'echo 100' }] } });
    h.stdin.end();
    await h.done;
  });

  it('replaces a reply over the limit with an error for that request', async () => {
    const h = await harness({ maxReplyBytes: 10_000 }, (a) => 'r'.repeat(Number(a.n)));
    h.stdin.write(call(1, { n: 20_000 }));
    expect((await h.answer(1))?.error).toMatchObject({
      code: -32603,
      message: expect.stringContaining('10000-byte limit'),
    });
    h.stdin.write(call(2, { n: 10 }));
    expect(await h.answer(2)).toMatchObject({ result: { content: [{ text: 'rrrrrrrrrr' }] } });
    expect(h.logs.join('\n')).toContain('replaced an outgoing message');
    h.stdin.end();
    await h.done;
  });

  it('ignores a line that is not JSON and answers the next one', async () => {
    const h = await harness({}, () => 'fine');
    h.stdin.write('this is not json\n\n');
    h.stdin.write(call(3, {}));
    expect(await h.answer(3)).toMatchObject({ result: { content: [{ text: 'fine' }] } });
    h.stdin.end();
    await h.done;
  });
});
