// A real HTTP server on 127.0.0.1 that records every request byte for byte and answers as told, so tests
// check the actual wire rather than a mocked fetch. `useCaptureServer()` is the whole per-file setup.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface Captured {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Responder = (req: Captured, res: ServerResponse) => void | Promise<void>;

export interface CaptureServer {
  baseUrl: string;
  requests: Captured[];
  respond(fn: Responder): void;
  close(): Promise<void>;
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const answerOk: Responder = (_req, res) => json(res, 200, { ok: true });

export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: Captured[] = [];
  let responder = answerOk;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const captured: Captured = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(captured);
      Promise.resolve(responder(captured, res)).catch((err) => {
        res.destroy(err as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    respond(fn) {
      responder = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * One capture server for the test file: started before the first test, closed after the last, and before
 * each test emptied of requests and set back to `respond` (default: 200 `{ok: true}`).
 */
export function useCaptureServer(respond: Responder = answerOk): CaptureServer {
  let srv: CaptureServer | undefined;
  const started = () => {
    if (!srv) throw new Error('the capture server starts in beforeAll; use it inside a test or hook');
    return srv;
  };
  beforeAll(async () => {
    srv = await startCaptureServer();
  });
  afterAll(() => srv?.close());
  beforeEach(() => {
    started().requests.length = 0;
    started().respond(respond);
  });
  return {
    get baseUrl() {
      return started().baseUrl;
    },
    get requests() {
      return started().requests;
    },
    respond: (fn) => started().respond(fn),
    close: () => started().close(),
  };
}

/** Parses a captured multipart body with the platform's own parser (the same one servers use). */
export async function parseMultipart(c: Captured): Promise<FormData> {
  return new Request('http://x/', {
    method: 'POST',
    headers: { 'content-type': String(c.headers['content-type']) },
    body: new Uint8Array(c.body),
  }).formData();
}
