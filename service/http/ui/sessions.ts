// Dashboard sessions: server-side, in this process's memory, keyed by the SHA-256 of the cookie's value (a copy of
// the map leaks no usable id). A session holds the id of the management token that logged in, never the token: every
// request re-reads that token (service/auth/credentials.ts `managementById`), so revoking or narrowing it reaches
// the session at once. Sessions end on logout, after an idle time, after an absolute lifetime, and at the token's
// expiry, whichever comes first. The number of live sessions is bounded: past it the oldest is dropped.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  tokenId: string;
  /** The CSRF token every state-changing form must echo. */
  csrf: string;
  createdAt: number;
  lastSeen: number;
  /** Absolute end: the earlier of the lifetime and the token's expiry. */
  endsAt: number;
}

export interface SessionOptions {
  idleMs?: number;
  lifetimeMs?: number;
  max?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;
export const DEFAULT_SESSION_LIFETIME_MS = 12 * 3_600_000;
const DEFAULT_MAX_SESSIONS = 10_000;

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');

/** Constant-time comparison of two strings of any lengths. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

export class Sessions {
  private readonly byHash = new Map<string, Session>();
  readonly idleMs: number;
  readonly lifetimeMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(options: SessionOptions = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_SESSION_IDLE_MS;
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS;
    this.max = options.max ?? DEFAULT_MAX_SESSIONS;
    this.now = options.now ?? Date.now;
  }

  /** A new session for the token; returns the cookie value (shown to the browser only). */
  create(tokenId: string, tokenExpiresAt: number | null): { id: string; session: Session } {
    const now = this.now();
    this.sweep(now);
    while (this.byHash.size >= this.max) {
      const oldest = this.byHash.keys().next().value;
      if (oldest === undefined) break;
      this.byHash.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const session: Session = {
      tokenId,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeen: now,
      endsAt: Math.min(now + this.lifetimeMs, tokenExpiresAt ?? Number.POSITIVE_INFINITY),
    };
    this.byHash.set(hash(id), session);
    return { id, session };
  }

  /** The live session of a cookie value, touched; undefined (and forgotten) when expired. */
  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const key = hash(id);
    const s = this.byHash.get(key);
    if (!s) return undefined;
    const now = this.now();
    if (now >= s.endsAt || now - s.lastSeen >= this.idleMs) {
      this.byHash.delete(key);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.byHash.delete(hash(id));
  }

  /** Ends every session of a token (its holder logged out everywhere, or it was found revoked). */
  destroyToken(tokenId: string): void {
    for (const [k, s] of this.byHash) if (s.tokenId === tokenId) this.byHash.delete(k);
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The stored keys, for tests: hashes, never the cookie values. */
  storedKeys(): string[] {
    return [...this.byHash.keys()];
  }

  private sweep(now: number): void {
    for (const [k, s] of this.byHash) if (now >= s.endsAt || now - s.lastSeen >= this.idleMs) this.byHash.delete(k);
  }
}
