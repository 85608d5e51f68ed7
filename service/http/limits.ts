// Bounds on the work one request and one tenant can cause: the body a request may declare and nest, JSON-RPC
// batches, the size of one answer, writes to a client that stopped reading, and each server's concurrency and request
// rate. Each is cheap and runs as early as its inputs allow: the declared length before any token lookup, the rate
// and concurrency after the token but before the body is read, the depth on the raw bytes before they are parsed.

import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ServiceError } from '../errors.js';

export const DEFAULT_MAX_JSON_DEPTH = 64;
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_STALLED_WRITE_MS = 30_000;
export const DEFAULT_MAX_CONCURRENT_PER_SERVER = 16;
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 256;
export const DEFAULT_RATE_PER_SERVER = 20;

/** A refusal that carries its JSON-RPC error code and extra headers (Retry-After) besides the service's code. */
export class LimitError extends ServiceError {
  constructor(
    code: ConstructorParameters<typeof ServiceError>[0],
    message: string,
    readonly rpcCode: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

const OPEN = 0x5b; // [
const OPEN_OBJECT = 0x7b; // {
const CLOSE = 0x5d; // ]
const CLOSE_OBJECT = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether JSON text nests arrays and objects deeper than `max`, read off the raw bytes without parsing them.
 * Outside strings every `[` or `{` opens a level and every `]` or `}` closes one; inside a string (from an unescaped
 * `"` to the next unescaped `"`) nothing counts, and a backslash makes the next byte inert. For valid JSON this is its
 * exact nesting depth; for invalid JSON it may say anything, which is harmless: the parser refuses that text anyway.
 * UTF-8 never puts these ASCII bytes inside a multi-byte character, so bytes can be scanned one by one.
 */
export function nestsDeeperThan(buf: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** The first byte that is not JSON whitespace, or undefined. */
export function firstSignificant(buf: Uint8Array): number | undefined {
  for (const c of buf) if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  return undefined;
}

/**
 * The checks that must see a JSON body's bytes before `JSON.parse` does: nesting depth, and (for MCP endpoints)
 * JSON-RPC batches, which protocol 2025-06-18 removed and which no MCP SDK client sends. A batch is refused whole
 * rather than capped: one request is one message, so the per-request limits below bound the work. Run by `jsonBody`
 * and by the MCP fast lane's reader (./fast-lane.ts).
 */
export function jsonBodyChecks(options: { maxDepth: number; refuseBatches: boolean }): (buf: Uint8Array) => void {
  return (buf) => {
    if (options.refuseBatches && firstSignificant(buf) === OPEN)
      throw new LimitError(
        'invalid_request',
        'JSON-RPC batches are not supported (MCP 2025-06-18 removed them): send one message per request',
        -32600,
      );
    if (nestsDeeperThan(buf, options.maxDepth))
      throw new LimitError(
        'invalid_request',
        `The JSON body nests deeper than ${options.maxDepth} levels; flatten the arguments`,
        -32600,
      );
  };
}

/** express.json with `jsonBodyChecks` on the raw bytes. */
export function jsonBody(options: { limit: number; maxDepth: number; refuseBatches: boolean }): RequestHandler {
  const verify = jsonBodyChecks(options);
  return express.json({
    limit: options.limit,
    type: ['application/json', 'application/*+json'],
    verify: (_req, _res, buf) => verify(buf),
  });
}

/**
 * Refuses a request whose declared body is over the limit before anything else is done for it (no token lookup, no
 * body parsed). Node then discards the body unparsed, so the client can read the 413 (closing at once would cut it
 * off mid-upload); a body declared far over the limit is not worth reading at all: that connection is closed.
 */
export function declaredBodyLimit(limit: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      if (declared > 4 * limit) res.set('Connection', 'close');
      throw new LimitError('payload_too_large', `Request body over ${limit} bytes`, -32600);
    }
    next();
  };
}

/**
 * Whether `value`'s JSON text is certainly at most `max` bytes, by an upper bound: a string's character becomes at
 * most 6 bytes (`\u001f`; a UTF-16 unit never needs more than 3 bytes of UTF-8), a number at most 24, and each
 * value one separator. False means "maybe over": the caller then measures. Stops as soon as the bound passes `max`.
 */
export function jsonBytesAtMost(value: unknown, max: number): boolean {
  let budget = max;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') budget -= 2 + 6 * v.length;
    else if (v === null || typeof v !== 'object') budget -= 24;
    else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
    else if (Array.isArray(v)) {
      budget -= 2 + v.length;
      for (const item of v) stack.push(item);
    } else {
      budget -= 2;
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        budget -= 4 + 6 * key.length;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
    if (budget < 0) return false;
  }
  return true;
}

/**
 * Answers of an MCP transport capped in size: an answer whose JSON is over `maxBytes` is replaced by a JSON-RPC error
 * with the same id that names the cap, so the client learns why and its session goes on. Notifications over the cap
 * are dropped (nobody waits for them).
 */
export function capResponses(transport: Transport, maxBytes: number, onCapped: (bytes: number) => void): void {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    // Nearly every answer is far under the cap, which a walk shows without serializing it (the transport serializes
    // it again anyway); only one that might be over is measured exactly.
    if (jsonBytesAtMost(message, maxBytes)) return send(message, options);
    const bytes = Buffer.byteLength(JSON.stringify(message));
    if (bytes <= maxBytes) return send(message, options);
    onCapped(bytes);
    const id = (message as { id?: string | number }).id;
    if (id === undefined) return Promise.resolve();
    const error: JSONRPCMessage = {
      jsonrpc: '2.0',
      id,
      error: {
        code: -32603,
        message: `The answer (${bytes} bytes) is over this service's response cap of ${maxBytes} bytes; ask for less (a smaller limit, fewer fields, a narrower scope)`,
      },
    };
    return send(error, options);
  };
}

/**
 * Abandons a response whose client does not read it: once a write has to wait for the socket to drain, the client has
 * `timeoutMs` to make room, or the connection is destroyed and what was queued for it is freed.
 */
export function abandonStalledWrites(timeoutMs: number, onAbandon: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      clearTimeout(timer);
      timer = undefined;
    };
    const watch = (ok: boolean) => {
      if (ok || timer) return ok;
      timer = setTimeout(() => {
        onAbandon(req, res);
        res.destroy();
      }, timeoutMs);
      res.once('drain', stop);
      return ok;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => watch(write(...args))) as Response['write'];
    res.once('close', stop);
    next();
  };
}

interface Bucket {
  tokens: number;
  at: number;
  inflight: number;
}

/**
 * Each server's share of the process: at most `maxConcurrent` requests open at once (a response still being written
 * counts) and `ratePerSecond` requests per second with bursts of twice that; `maxTotal` requests open over all
 * servers. Refusals are 429s with Retry-After.
 */
export class ServerLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private total = 0;
  private readonly burst: number;

  constructor(
    private readonly options: {
      maxConcurrent: number;
      ratePerSecond: number;
      maxTotal: number;
      now?: () => number;
    },
  ) {
    this.burst = Math.max(2 * options.ratePerSecond, 1);
  }

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  private bucket(serverId: string): Bucket {
    let b = this.buckets.get(serverId);
    const now = this.now();
    if (!b) {
      b = { tokens: this.burst, at: now, inflight: 0 };
      this.buckets.set(serverId, b);
      // Idle, full buckets are forgotten so the map does not grow with every server ever seen.
      if (this.buckets.size > 10_000) this.prune();
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.options.ratePerSecond);
      b.at = now;
    }
    return b;
  }

  private prune(): void {
    for (const [id, b] of this.buckets) if (b.inflight === 0 && b.tokens >= this.burst - 1) this.buckets.delete(id);
  }

  /** Takes one request from the server's rate budget; throws a 429 when it is spent. */
  takeRate(serverId: string): void {
    const b = this.bucket(serverId);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / this.options.ratePerSecond);
      throw new LimitError(
        'too_many_requests',
        `Too many requests to this MCP server (over ${this.options.ratePerSecond} per second); retry after ${wait} s`,
        -32000,
        { 'Retry-After': String(Math.max(1, wait)) },
      );
    }
    b.tokens -= 1;
  }

  /** Holds one of the server's concurrent places until the returned function runs; throws a 429 when none is free. */
  hold(serverId: string): () => void {
    const b = this.bucket(serverId);
    if (b.inflight >= this.options.maxConcurrent || this.total >= this.options.maxTotal) {
      const mine = b.inflight >= this.options.maxConcurrent;
      throw new LimitError(
        'too_many_requests',
        mine
          ? `Too many requests in flight on this MCP server (at most ${this.options.maxConcurrent} at once); retry shortly`
          : 'The service is at its limit of concurrent requests; retry shortly',
        -32000,
        { 'Retry-After': '1' },
      );
    }
    b.inflight++;
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      b.inflight--;
      this.total--;
    };
  }

  /**
   * Middleware for a route whose `res.locals.serverId` is set: the rate always, a concurrent place when `concurrent`
   * (released when the response is finished or its connection closes).
   */
  middleware(concurrent: boolean): RequestHandler {
    return (_req, res, next) => {
      const serverId = String(res.locals.serverId ?? '');
      this.takeRate(serverId);
      if (concurrent) {
        const release = this.hold(serverId);
        res.once('close', release);
        res.once('finish', release);
      }
      next();
    };
  }
}
