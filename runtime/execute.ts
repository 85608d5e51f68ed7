// One HTTP exchange with OpenAI: exactly one attempt (no retry, no back-off), bounded in time and size,
// cancellable by the MCP client.

import type { EncodedRequest } from './encode.js';

export interface ExecuteOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxResponseBytes: number;
  /** The MCP request's abort signal: the client cancelled, so stop the upstream call too. */
  signal?: AbortSignal;
  /** Called once response headers arrive (for progress notifications). */
  onResponse?: (status: number) => void;
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  bytes: Uint8Array;
  /** True when the body was longer than `maxResponseBytes` and reading stopped. */
  truncated: boolean;
  /** Declared or observed size, when known (observed stops counting at the cap). */
  size?: number;
}

/** The request never produced a response. `kind` tells the caller what to say about it. */
export class TransportError extends Error {
  constructor(readonly kind: 'timeout' | 'cancelled' | 'network', message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${e?.message ?? 'fetch failed'} (${detail})` : (e?.message ?? String(err));
}

async function readCapped(res: Response, cap: number): Promise<{ bytes: Uint8Array; truncated: boolean; size: number }> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await res.body?.cancel().catch(() => {});
    return { bytes: new Uint8Array(0), truncated: true, size: declared };
  }
  if (!res.body) return { bytes: new Uint8Array(0), truncated: false, size: 0 };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      return { bytes: new Uint8Array(0), truncated: true, size };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, truncated: false, size };
}

/** Sends the request once and reads the whole (capped) body. */
export async function execute(req: EncodedRequest, opts: ExecuteOptions): Promise<RawResponse> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const classify = (err: unknown): TransportError => {
    if (timeout.aborted) return new TransportError('timeout', `OpenAI did not answer within ${opts.timeoutMs} ms`);
    if (opts.signal?.aborted) return new TransportError('cancelled', 'The request was cancelled by the client');
    return new TransportError('network', `Network error calling OpenAI: ${describeNetworkError(err)}`);
  };
  try {
    // `manual`: a redirect comes back as the 3xx itself; following it could send the key or a file anywhere.
    const res = await opts.fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal, redirect: 'manual' });
    opts.onResponse?.(res.status);
    const body = await readCapped(res, opts.maxResponseBytes);
    return { status: res.status, statusText: res.statusText, headers: res.headers, ...body };
  } catch (err) {
    throw classify(err);
  }
}
