// One HTTP exchange with OpenAI: exactly one attempt (no retry, no back-off), bounded in time and size,
// cancellable by the MCP client.

import type { EncodedRequest } from './encode.js';
import { httpRequest, type Exchange, type HeaderLookup } from './http-request.js';

export type { HeaderLookup } from './http-request.js';

export interface ExecuteOptions {
  /** A caller's fetch; without one, requests go out over node:http(s) (and multipart uploads over the global fetch). */
  fetch?: typeof fetch;
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
  headers: HeaderLookup;
  bytes: Uint8Array;
  /** True when the body was longer than `maxResponseBytes` and reading stopped. */
  truncated: boolean;
  /** Declared or observed size, when known (observed stops counting at the cap). */
  size?: number;
}

/** The request never produced a response. `kind` tells the caller what to say about it. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'cancelled' | 'network',
    message: string,
  ) {
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

async function readCapped(
  res: Exchange,
  cap: number,
): Promise<{ bytes: Uint8Array; truncated: boolean; size: number }> {
  const declared = res.declaredLength;
  if (declared !== undefined && declared > cap) {
    res.cancel();
    return { bytes: new Uint8Array(0), truncated: true, size: declared };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const value of res.body) {
    size += value.byteLength;
    if (size > cap) {
      res.cancel();
      return { bytes: new Uint8Array(0), truncated: true, size };
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return { bytes: chunks[0], truncated: false, size };
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, truncated: false, size };
}

/** fetch's answer in the shape `readCapped` takes. */
async function viaFetch(fetchImpl: typeof fetch, req: EncodedRequest, signal: AbortSignal): Promise<Exchange> {
  // `manual`: a redirect comes back as the 3xx itself; following it could send the key or a file anywhere.
  const res = await fetchImpl(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal,
    redirect: 'manual',
  });
  const declared = Number(res.headers.get('content-length'));
  const empty: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };
  return {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
    body: (res.body as AsyncIterable<Uint8Array> | null) ?? empty,
    // fetch decompresses, so the declared length may be the compressed one: only a hint, like before.
    declaredLength: Number.isFinite(declared) && res.headers.get('content-length') !== null ? declared : undefined,
    cancel: () => void res.body?.cancel().catch(() => {}),
  };
}

/** Sends the request once and reads the whole (capped) body. */
export async function execute(req: EncodedRequest, opts: ExecuteOptions): Promise<RawResponse> {
  // One controller and a timer cleared when the call ends: `AbortSignal.timeout` would keep every call's signal
  // alive (and promoted to the old generation) for the whole timeout, which is most of a long session's memory.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onCancel = () => controller.abort();
  if (opts.signal?.aborted) controller.abort();
  else opts.signal?.addEventListener('abort', onCancel, { once: true });
  const classify = (err: unknown): TransportError => {
    if (timedOut) return new TransportError('timeout', `OpenAI did not answer within ${opts.timeoutMs} ms`);
    if (opts.signal?.aborted) return new TransportError('cancelled', 'The request was cancelled by the client');
    return new TransportError('network', `Network error calling OpenAI: ${describeNetworkError(err)}`);
  };
  try {
    // Cancelled (or revoked) before it started: nothing is sent, not even on a reused keep-alive socket.
    if (opts.signal?.aborted) throw new TransportError('cancelled', 'The request was cancelled before it was sent');
    const res =
      opts.fetch || typeof req.body === 'object'
        ? await viaFetch(opts.fetch ?? globalThis.fetch, req, controller.signal)
        : await httpRequest(req.url, {
            method: req.method,
            headers: req.headers,
            body: req.body,
            signal: controller.signal,
          });
    opts.onResponse?.(res.status);
    const body = await readCapped(res, opts.maxResponseBytes);
    return { status: res.status, statusText: res.statusText, headers: res.headers, ...body };
  } catch (err) {
    throw classify(err);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCancel);
  }
}
