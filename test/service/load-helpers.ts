// Shared pieces of the load and lifecycle attack matrix: raw HTTP (for headers fetch will not forge and bodies it
// would buffer), the JSON-RPC answers inside an SSE-framed reply, a process's CPU time, and a fixture account with
// a slow OpenAI stand-in.

import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request with exactly these headers and body; the whole answer is read. */
export function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A JSON-RPC POST to an MCP URL. */
export const rpc = (url: string, message: unknown, headers: Record<string, string> = {}) =>
  raw(url, { headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(message) });

/** The JSON-RPC messages of an answer, framed as SSE events or as plain JSON. */
export function messagesOf(text: string): any[] {
  const data = text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)));
  if (data.length) return data;
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [];
  }
}

export { cpuSeconds } from '../../testing/proc.js';

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on the port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(true);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'ECONNREFUSED'));
    req.end();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the promise's value, or with `timedOut` if it takes longer than `ms`. */
export function within<T, U>(p: Promise<T>, ms: number, timedOut: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<U>((r) => {
      timer = setTimeout(() => r(timedOut), ms);
    }),
  ]);
}

/** Whether this machine lets a process mount a private tmpfs (a real, small, fillable disk for full-disk tests). */
export function canMountTmpfs(): boolean {
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d"'], {
    encoding: 'utf8',
  });
  return r.status === 0;
}
