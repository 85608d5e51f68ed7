// Bearer secrets: server URLs, management tokens, client tokens and OAuth tokens. 256 random bits with a
// recognizable prefix (so secret scanners and people can tell what leaked, and each kind is refused where it does not
// belong before any database work). Only a SHA-256 hash is stored; a non-secret prefix of that hash finds the row, and the full hashes
// are then compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * - `server`: the secret part of a server URL (`/mcp/omcp_…`).
 * - `management`: the REST API (`/v1`), scoped to accounts and actions.
 * - `client`: what an MCP client sends besides the URL to a `url+client-token` server; no REST rights at all.
 */
export type TokenKind =
  | 'server'
  | 'management'
  | 'client'
  | 'oauth_access'
  | 'oauth_refresh'
  | 'oauth_code'
  | 'oauth_secret';

/** The prefix each kind is issued with. No prefix starts with another, so the kinds can never be confused. */
export const TOKEN_PREFIX: Record<TokenKind, string> = {
  server: 'omcp_',
  management: 'omcpadm_',
  client: 'omcpcli_',
  // The OAuth authorization server's (service/auth/oauth/): access and refresh tokens, authorization codes and the
  // secrets of confidential clients.
  oauth_access: 'omcpat_',
  oauth_refresh: 'omcprt_',
  oauth_code: 'omcpac_',
  oauth_secret: 'omcpcs_',
};
/** Prefixes still accepted: `omcpapi_` tokens of earlier releases were migrated to full-scope management tokens. */
const ACCEPTED: Record<TokenKind, readonly string[]> = {
  server: ['omcp_'],
  management: ['omcpadm_', 'omcpapi_'],
  client: ['omcpcli_'],
  oauth_access: ['omcpat_'],
  oauth_refresh: ['omcprt_'],
  oauth_code: ['omcpac_'],
  oauth_secret: ['omcpcs_'],
};
/** Any token this service issues or issued, for redaction in logs (every prefix above). */
export const ANY_TOKEN_PATTERN = /\bomcp(?:adm|cli|api|at|rt|ac|cs)?_[A-Za-z0-9_-]{16,}/g;
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
  const token = TOKEN_PREFIX[kind] + randomBytes(32).toString('base64url');
  return { token, lookup: lookupOf(token), hash: digest(token).toString('hex') };
}

/** Whether `token` has the shape of a token of this kind (cheap rejection before any database work). */
export function looksLikeToken(kind: TokenKind, token: string): boolean {
  const prefix = ACCEPTED[kind].find((p) => token.startsWith(p));
  return prefix !== undefined && BODY.test(token.slice(prefix.length));
}

/** The kind a token's shape says it is, if any. */
export function kindOf(token: string): TokenKind | undefined {
  return (Object.keys(ACCEPTED) as TokenKind[]).find((k) => looksLikeToken(k, token));
}

export function tokenMatches(token: string, storedHash: string): boolean {
  return digestMatches(digest(token), storedHash);
}

/**
 * A presented token hashed once: its lookup key and the digest to compare, so a request's token check costs one
 * SHA-256 rather than two (lookup, then compare).
 */
export interface TokenDigest {
  lookup: string;
  digest: Buffer;
}

export function digestOf(token: string): TokenDigest {
  const d = digest(token);
  return { lookup: d.subarray(0, 8).toString('hex'), digest: d };
}

/** Whether a digest from `digestOf` is the stored hash, compared in constant time. */
export function digestMatches(given: Buffer, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
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

/** Whether a value has the shape of a server id (`newId('srv')`: `srv_` and 12 base64url characters). */
export function looksLikeServerId(value: string): boolean {
  return /^srv_[A-Za-z0-9_-]{12}$/.test(value);
}

/** Keys in listings: the last 4 characters at most. */
export function hintOf(secret: string | undefined): string | null {
  return secret ? `…${secret.slice(-4)}` : null;
}

/** The token a redacted log line may keep: its prefix. */
export function redactTokens(text: string): string {
  return text.replace(ANY_TOKEN_PATTERN, (m) => `${m.slice(0, m.indexOf('_') + 1)}[REDACTED]`);
}
