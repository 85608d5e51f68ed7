// Bearer secrets for server URLs and the REST API: 256 random bits with a recognizable prefix (so secret scanners
// and people can tell what leaked). Only a SHA-256 hash is stored; a non-secret prefix of that hash finds the row,
// and the full hashes are then compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'server' | 'api' | 'oauth_access' | 'oauth_refresh' | 'oauth_code' | 'oauth_secret';
// No prefix starts with another, so the kinds can never be confused.
const PREFIX: Record<TokenKind, string> = {
  server: 'omcp_',
  api: 'omcpapi_',
  oauth_access: 'omcpat_',
  oauth_refresh: 'omcprt_',
  oauth_code: 'omcpac_',
  oauth_secret: 'omcpcs_',
};
// base64url of 32 bytes is 43 characters.
const BODY = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  token: string;
  lookup: string;
  hash: string;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The indexed, non-secret part of a token's hash. */
export function lookupOf(token: string): string {
  return digest(token).subarray(0, 8).toString('hex');
}

export function issueToken(kind: TokenKind): IssuedToken {
  const token = PREFIX[kind] + randomBytes(32).toString('base64url');
  return { token, lookup: lookupOf(token), hash: digest(token).toString('hex') };
}

/** Whether `token` has the shape of a token of this kind (cheap rejection before any database work). */
export function looksLikeToken(kind: TokenKind, token: string): boolean {
  const prefix = PREFIX[kind];
  if (!token.startsWith(prefix)) return false;
  return BODY.test(token.slice(prefix.length));
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  const given = digest(token);
  return stored.length === given.length && timingSafeEqual(stored, given);
}

/** The SHA-256 of a secret, hex: how a secret that is not a prefixed token (a cookie, a CSRF token) is stored. */
export function hashOf(secret: string): string {
  return digest(secret).toString('hex');
}

/** A random secret without a prefix (cookies, CSRF tokens, upstream state). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Short random ids for rows (`acc_…`, `srv_…`, `tok_…`); not secrets. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

/** Keys in listings: the last 4 characters at most. */
export function hintOf(secret: string | undefined): string | null {
  return secret ? `…${secret.slice(-4)}` : null;
}
