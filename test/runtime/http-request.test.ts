// The default request path (node:http with keep-alive instead of fetch): compressed bodies are decoded, size caps
// apply to the decoded bytes, and uploads (multipart) still go out through fetch.

import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtureKit, parseMultipart, startCaptureServer, textOf, type CaptureServer } from './helpers.js';

let srv: CaptureServer;
beforeAll(async () => {
  srv = await startCaptureServer();
});
afterAll(() => srv.close());
beforeEach(() => {
  srv.requests.length = 0;
});

describe('default HTTP path', () => {
  it('asks for and decodes gzip, deflate and br bodies', async () => {
    const body = JSON.stringify({ id: 'file-z', object: 'file', note: 'n'.repeat(5000) });
    for (const [encoding, encode] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      srv.respond(
        (_q, res) =>
          void res
            .writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding })
            .end(encode(body)),
      );
      const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-z' });
      expect(r.isError, encoding).toBeFalsy();
      expect(r.structuredContent).toEqual(JSON.parse(body));
    }
    expect(String(srv.requests[0]!.headers['accept-encoding'])).toContain('gzip');
  });

  it('the response cap counts decoded bytes (a small gzip bomb is refused)', async () => {
    srv.respond(
      (_q, res) =>
        void res
          .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
          .end(gzipSync(Buffer.alloc(5_000_000, 0x20))),
    );
    const r = await fixtureKit(srv.baseUrl, { maxResponseBytes: 1_000_000 }).callTool('files_get', { file_id: 'x' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/exceeds the 1000000-byte cap/);
  });

  it('a response with both Transfer-Encoding and Content-Length is refused, as fetch does', async () => {
    srv.respond((_q, res) => {
      // writeHead would refuse to send both; a raw socket write is what a broken mock or proxy does.
      res.socket!.end(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: string\r\ncontent-length: 11\r\n\r\n{"id":"ok"}',
      );
    });
    const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'x' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("Content-Length can't be present with Transfer-Encoding");
  });

  it('a JSON body is sent with its length, and an upload still arrives as multipart', async () => {
    srv.respond((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"ok"}'));
    await fixtureKit(srv.baseUrl).callTool('chat_completions_create', {
      model: 'm',
      messages: [{ role: 'user', content: 'hé' }],
    });
    const sent = srv.requests.at(-1)!;
    expect(Number(sent.headers['content-length'])).toBe(sent.body.length);
    // Only what the caller sent: no `stream` the caller did not give (issue 21).
    expect(JSON.parse(sent.body.toString())).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hé' }] });
    await fixtureKit(srv.baseUrl).callTool('files_create', {
      file: { content: 'abc', filename: 'a.txt' },
      purpose: 'assistants',
    });
    const form = await parseMultipart(srv.requests.at(-1)!);
    expect(await (form.get('file') as File).text()).toBe('abc');
  });
});
