// Dashboard sessions, kept in the store (service/store/ui-sessions.ts) so they survive a restart and work on every
// replica. A row is keyed by the SHA-256 of the cookie's value (a copy of the table leaks no usable id) and holds
// the principal's id, never a credential: every request re-reads that token (service/auth/credentials.ts
// `managementById`) or re-checks the identity-provider allow-list, so revoking or narrowing reaches the session at
// once. Sessions end on logout, after an idle time, after an absolute lifetime, and at the token's expiry, whichever
// comes first; a principal holds at most `maxPerPrincipal` of them (past it, its oldest ends).

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UiSessionKind, UiSessionRow, UiSessionStore } from '../../store/ui-sessions.js';

export interface Session {
  kind: UiSessionKind;
  /** A management token's id, or `oidc:<issuer>#<sub>`. */
  principal: string;
  /** An email for identity-provider sessions. */
  label: string | null;
  /** What the identity provider said at login (`oidc` only). */
  claims: { email?: string; groups: string[] } | null;
  /** The CSRF token every state-changing form must echo: derived from the cookie's value, so never stored. */
  csrf: string;
  createdAt: number;
  lastSeen: number;
  /** Absolute end: the earlier of the lifetime and the token's expiry. */
  endsAt: number;
}

export interface NewSession {
  kind: UiSessionKind;
  principal: string;
  label?: string;
  claims?: { email?: string; groups: string[] };
  /** The principal's own end (a token's expiry); null for none. */
  expiresAt: number | null;
}

export interface SessionOptions {
  idleMs?: number;
  lifetimeMs?: number;
  maxPerPrincipal?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;
export const DEFAULT_SESSION_LIFETIME_MS = 12 * 3_600_000;
export const DEFAULT_SESSIONS_PER_PRINCIPAL = 20;

/** The stored key of a cookie value. */
export const sessionHash = (id: string) => createHash('sha256').update(id).digest('base64url');
const csrfOf = (id: string) => createHmac('sha256', id).update('omcp-ui-csrf').digest('base64url');

/** Constant-time comparison of two strings of any lengths. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

export class Sessions {
  readonly idleMs: number;
  readonly lifetimeMs: number;
  readonly maxPerPrincipal: number;
  private readonly now: () => number;
  /** Last-seen is written at most this often per session: a page load is a read, not a write, most of the time. */
  private readonly touchEveryMs: number;

  constructor(
    private readonly store: UiSessionStore,
    options: SessionOptions = {},
  ) {
    this.idleMs = options.idleMs ?? DEFAULT_SESSION_IDLE_MS;
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS;
    this.maxPerPrincipal = options.maxPerPrincipal ?? DEFAULT_SESSIONS_PER_PRINCIPAL;
    this.now = options.now ?? Date.now;
    this.touchEveryMs = Math.min(60_000, Math.floor(this.idleMs / 10));
  }

  /** A new session; returns the cookie value (shown to the browser only). */
  async create(s: NewSession): Promise<{ id: string; session: Session }> {
    const now = this.now();
    const id = randomBytes(32).toString('base64url');
    const row: UiSessionRow = {
      id_hash: sessionHash(id),
      kind: s.kind,
      principal: s.principal,
      label: s.label ?? null,
      claims: s.claims ? JSON.stringify(s.claims) : null,
      created_at: now,
      last_seen: now,
      ends_at: Math.min(now + this.lifetimeMs, s.expiresAt ?? Number.POSITIVE_INFINITY),
    };
    await this.store.insert(row, this.maxPerPrincipal);
    return { id, session: toSession(row, id) };
  }

  /** The live session of a cookie value, touched; undefined (and deleted) when expired. */
  async get(id: string | undefined): Promise<Session | undefined> {
    if (!id || id.length > 100) return undefined;
    const key = sessionHash(id);
    const row = await this.store.get(key);
    if (!row) return undefined;
    const now = this.now();
    if (now >= row.ends_at || now - row.last_seen >= this.idleMs) {
      await this.store.delete(key);
      return undefined;
    }
    if (now - row.last_seen >= this.touchEveryMs) {
      await this.store.touch(key, now);
      row.last_seen = now;
    }
    return toSession(row, id);
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id && id.length <= 100) await this.store.delete(sessionHash(id));
  }

  /** Ends every session of a principal (its holder logged out everywhere, or it was found revoked). */
  async destroyPrincipal(principal: string): Promise<number> {
    return this.store.deletePrincipal(principal);
  }
}

function toSession(row: UiSessionRow, id: string): Session {
  let claims: Session['claims'] = null;
  if (row.claims) {
    try {
      const c = JSON.parse(row.claims) as { email?: unknown; groups?: unknown };
      claims = {
        ...(typeof c.email === 'string' ? { email: c.email } : {}),
        groups: Array.isArray(c.groups) ? c.groups.filter((g): g is string => typeof g === 'string') : [],
      };
    } catch {
      claims = { groups: [] };
    }
  }
  return {
    kind: row.kind === 'oidc' ? 'oidc' : 'token',
    principal: row.principal,
    label: row.label,
    claims,
    csrf: csrfOf(id),
    createdAt: row.created_at,
    lastSeen: row.last_seen,
    endsAt: row.ends_at,
  };
}
