// Refused uploads cost the service what it reads of them. A request refused before its body is read (unknown token,
// no credentials, a foreign Host, a declared size over the limit) is answered at once, and Node then reads the rest of
// the body and throws it away so the connection can carry the next request. That keeps a well-behaved client's
// keep-alive connection and lets it read why it was refused, but each discarded 2 MiB still costs the event loop
// 1–2 ms of socket reads: two loops posting 2 MiB without a token made another tenant's calls ~6× slower (issue 15).
//
// So discarding is budgeted per client address, in bytes: within the budget, a refusal behaves as above; past it, the
// connection of a refused upload is destroyed right after the answer is written, and the rest of the body is never
// read. Only refused uploads are charged, never accepted requests, so a client that shares an address with an
// attacker (a NAT, or loopback in our tests) keeps working; and only bodies, so small refusals (a bad token on a GET,
// a wrong header) are answered as always.

import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

export interface RefusalBudgetOptions {
  /** Bytes of refused bodies an address may have discarded at once (the bucket's size). */
  burstBytes: number;
  /** Bytes per second the budget refills. */
  bytesPerSecond: number;
  now?: () => number;
  /** Addresses remembered at most; full, idle buckets are forgotten first. */
  maxAddresses?: number;
}

/** Defaults: 32 MiB at once (a dozen refused maximum-size bodies in a row), 4 MiB/s after that (~4 ms CPU/s). */
export const DEFAULT_REFUSAL_BUDGET: RefusalBudgetOptions = {
  burstBytes: 32 * 1024 * 1024,
  bytesPerSecond: 4 * 1024 * 1024,
};

/** A body whose size is not declared (chunked) is charged as this many bytes: it may be as large as the limit. */
const UNDECLARED_BODY_BYTES = 1024 * 1024;

interface Bucket {
  bytes: number;
  at: number;
}

export class RefusalBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RefusalBudgetOptions) {}

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  /** Charges `bytes` to `address`; false when its budget cannot cover them (the connection should then be cut). */
  charge(address: string, bytes: number): boolean {
    const now = this.now();
    let b = this.buckets.get(address);
    if (!b) {
      b = { bytes: this.options.burstBytes, at: now };
      this.buckets.set(address, b);
      if (this.buckets.size > (this.options.maxAddresses ?? 10_000)) this.prune(now);
    } else {
      b.bytes = Math.min(this.options.burstBytes, b.bytes + ((now - b.at) / 1000) * this.options.bytesPerSecond);
      b.at = now;
    }
    if (b.bytes < bytes) return false;
    b.bytes -= bytes;
    return true;
  }

  private prune(now: number): void {
    const full = (b: Bucket) =>
      b.bytes + ((now - b.at) / 1000) * this.options.bytesPerSecond >= this.options.burstBytes;
    for (const [address, b] of this.buckets) if (full(b)) this.buckets.delete(address);
    // Still too many (a spread of addresses all spending): forget the oldest, which only makes the service lenient.
    const max = this.options.maxAddresses ?? 10_000;
    for (const address of this.buckets.keys()) {
      if (this.buckets.size <= max) break;
      this.buckets.delete(address);
    }
  }
}

/** Body bytes of `req` still to come, as far as the service can tell without reading them. */
function unreadBodyBytes(req: IncomingMessage): number {
  if (req.complete) return 0;
  const declared = Number(req.headers['content-length']);
  // The declared size, not what is left of it: part may sit in buffers already, but counting it keeps this simple
  // and only errs towards cutting sooner.
  if (Number.isFinite(declared)) return declared;
  return req.headers['transfer-encoding'] ? UNDECLARED_BODY_BYTES : 0;
}

/**
 * Middleware, first in the chain: when a refusal (status ≥ 400) finishes while its body is still unread, the body's
 * remaining size is charged to the client's address, and past the budget the connection is destroyed instead of
 * drained. `log` hears of an address going over, at most once a minute per address.
 */
export function cutRefusedUploads(budget: RefusalBudget, log: (line: string) => void): RequestHandler {
  const warned = new Map<string, number>();
  return (req, res, next) => {
    res.once('finish', () => {
      if (res.statusCode < 400) return;
      const bytes = unreadBodyBytes(req);
      if (bytes === 0) return;
      const address = req.socket.remoteAddress ?? 'unknown';
      if (budget.charge(address, bytes)) return;
      // Node has begun discarding the body (its own 'finish' listener ran first); destroying the socket now stops
      // that before more than what is already buffered is read. The answer was handed to the socket already.
      req.socket.destroy();
      const now = Date.now();
      if ((warned.get(address) ?? 0) < now - 60_000) {
        warned.set(address, now);
        if (warned.size > 1_000) warned.clear();
        log(`refused uploads from ${address} are over the discard budget: their connections are closed unread`);
      }
    });
    next();
  };
}
