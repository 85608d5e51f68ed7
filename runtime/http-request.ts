// The default way requests leave the process: node:http(s) with keep-alive. Node's global fetch loads undici on
// first use, which measured ~15 MB of RSS and ~20 ms on the first tools/call of a fresh server; requests with a
// JSON or empty body don't need it. Multipart uploads and a caller's own `fetch` still go through fetch.

import http from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';

/** What the runtime reads from response headers; satisfied by fetch's `Headers` too. */
export interface HeaderLookup {
  get(name: string): string | null;
}

export interface Exchange {
  status: number;
  statusText: string;
  headers: HeaderLookup;
  /** The (decompressed) body. */
  body: AsyncIterable<Uint8Array>;
  /** Declared body size, when the body is sent as-is. */
  declaredLength?: number;
  /** Stops reading and frees the connection. */
  cancel(): void;
}

export interface HttpInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

// Idle keep-alive sockets are unref'd by the agent, so they never hold a process open.
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

function lookup(headers: http.IncomingHttpHeaders): HeaderLookup {
  return {
    get(name) {
      const v = headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

function decoder(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

/** One request, never redirected (node:http does not follow redirects); resolves once headers arrive. */
export function httpRequest(url: string, init: HttpInit): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const protocol = target.protocol as keyof typeof agents;
    const transport = protocol === 'https:' ? https : http;
    const headers: Record<string, string | number> = { 'accept-encoding': 'gzip, deflate, br', ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const req = transport.request(
      target,
      { method: init.method, headers, agent: agents[protocol], signal: init.signal },
      (res) => {
        const decode = decoder(res.headers['content-encoding']);
        let body: Readable = res;
        if (decode) body = pipeline(res, decode, () => {});
        const declared = Number(res.headers['content-length']);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: lookup(res.headers),
          body,
          declaredLength: !decode && Number.isFinite(declared) ? declared : undefined,
          cancel: () => {
            res.destroy();
            body.destroy();
          },
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
