// A real HTTP server on 127.0.0.1 that records every request byte for byte and answers as told,
// so tests check the actual wire rather than a mocked fetch.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createToolkit, type OpenAiToolsOptions } from '../../runtime/toolkit.js';
import { fixtureCatalog, fixtureValidation } from '../fixtures/catalog.js';

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

export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: Captured[] = [];
  let responder: Responder = (_req, res) => json(res, 200, { ok: true });
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

export const PROJECT_KEY = 'sk-proj-TESTKEY0123456789abcdefABCDEF';
export const ADMIN_KEY = 'sk-admin-ADMINKEY0123456789abcdefXYZ';

/** A fixture toolkit pointed at `baseUrl`, isolated from the real environment. */
export function fixtureKit(baseUrl: string, options: Partial<OpenAiToolsOptions> = {}) {
  return createToolkit({
    catalog: fixtureCatalog,
    validation: fixtureValidation,
    baseUrl,
    env: {},
    credentials: { apiKey: PROJECT_KEY, adminKey: ADMIN_KEY },
    ...options,
  });
}

export function textOf(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

/** Parses a captured multipart body with the platform's own parser (the same one servers use). */
export async function parseMultipart(c: Captured): Promise<FormData> {
  return new Request('http://x/', {
    method: 'POST',
    headers: { 'content-type': String(c.headers['content-type']) },
    body: new Uint8Array(c.body),
  }).formData();
}
