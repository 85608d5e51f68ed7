// What the management operations answer with: the public objects (never a secret, times as ISO strings) and the
// functions that build them from stored rows, plus the small readers of stored columns other modules share.

import { isoOfMs } from '../../runtime/results/pages.js';
import { cutText } from '../../runtime/redact.js';
import type { Action, Scope } from '../auth/principals.js';
import type { ApiTokenRow, ServerRow, TokenBinding } from '../store/store.js';
import type { OAuthPolicy, OAuthPolicyInput, ServerCodeLimits, ServerConfig } from './schemas.js';
import { scopeFromColumn } from '../auth/principals.js';

export interface PublicAccount {
  id: string;
  name: string;
  base_url: string | null;
  api_key: string | null;
  admin_key: string | null;
  organization_id: string | null;
  project_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface PublicServer {
  id: string;
  account_id: string;
  name: string;
  config: Required<Pick<ServerConfig, 'tool_exposure'>> & Omit<ServerConfig, 'tool_exposure'>;
  expires_at: string | null;
  /** How a client proves it may use the server (service/auth/modes.ts). */
  auth: string;
  /** `auth === "url+client-token"`, kept for older clients. */
  require_api_token_auth: boolean;
  /** For `oauth` servers: the non-secret resource and who may log in. */
  oauth?: OAuthPolicy & { resource_path: string };
  tool_count: number;
  created_at: string;
  updated_at: string;
  /**
   * A secret URL only in the answer that creates it (or rotates it, or moves the server off `oauth`): the token is
   * not stored and cannot be shown again. An `oauth` server's resource URL, which is no secret, whenever the public
   * URL is known.
   */
  url?: string;
}

interface PublicTokenBase {
  id: string;
  name: string;
  created_at: string;
  /** The token id or `cli:<user>` that issued it; null for tokens migrated from API tokens. */
  created_by: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Only at creation. */
  token?: string;
}

export interface PublicManagementToken extends PublicTokenBase {
  kind: 'management';
  accounts: Scope<string>;
  actions: Scope<Action>;
}

export interface PublicClientToken extends PublicTokenBase {
  kind: 'client';
  /** The servers it opens (deleted ones drop out). */
  servers: string[];
}

/** What a new token may not exceed: its issuer's own scope and expiry. */
export interface TokenBounds {
  accounts: Scope<string>;
  actions: Scope<Action>;
  expiresAt: number | null;
  /** The token id or `cli:<user>` issuing it. */
  issuer: string;
}

/** The live server a page ends with; the next page starts after it. */
export interface ServerPage {
  data: PublicServer[];
  has_more: boolean;
  next_cursor: string | null;
}

/** The stored secrets of an account, decrypted; only the scoped toolkit ever sees these. */
export interface AccountSecrets {
  apiKey?: string;
  adminKey?: string;
}

export const iso = (ms: number | null) => (ms === null ? null : isoOfMs(ms));

export function policyJson(policy: OAuthPolicyInput | undefined, base?: OAuthPolicy): string {
  const out: OAuthPolicy = {
    allow_emails: [...new Set(policy?.allow_emails ?? base?.allow_emails ?? [])],
    allow_groups: [...new Set(policy?.allow_groups ?? base?.allow_groups ?? [])],
  };
  return JSON.stringify(out);
}

export function oauthPolicyOf(row: Pick<ServerRow, 'oauth_policy'>): OAuthPolicy {
  const p = row.oauth_policy ? (JSON.parse(row.oauth_policy) as Partial<OAuthPolicy>) : {};
  return { allow_emails: p.allow_emails ?? [], allow_groups: p.allow_groups ?? [] };
}

function tokenBase(r: ApiTokenRow) {
  return {
    id: r.id,
    name: r.name,
    created_at: iso(r.created_at)!,
    created_by: r.created_by,
    expires_at: iso(r.expires_at),
    last_used_at: iso(r.last_used_at),
    revoked_at: iso(r.revoked_at),
  };
}

export function publicManagementToken(r: ApiTokenRow): PublicManagementToken {
  return {
    ...tokenBase(r),
    kind: 'management',
    accounts: scopeFromColumn<string>(r.accounts),
    actions: scopeFromColumn<Action>(r.actions),
  };
}

export function publicClientToken(r: ApiTokenRow, bindings: readonly TokenBinding[]): PublicClientToken {
  return { ...tokenBase(r), kind: 'client', servers: bindings.map((b) => b.server_id) };
}

/** `code_limits` with `max_result_chars`, the earlier name of `max_result_bytes`, renamed (the newer name wins). */
export function renamedCodeLimits(limits: ServerCodeLimits): ServerCodeLimits {
  const { max_result_chars, ...rest } = limits;
  return max_result_chars === undefined ? rest : { max_result_bytes: max_result_chars, ...rest };
}

export function storedConfig(r: ServerRow): ServerConfig {
  return JSON.parse(r.config) as ServerConfig;
}

export function serverUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/mcp/${token}`;
}

/** `max` characters of an id or message quoted back, then `…` (runtime/redact.ts `cutText`, surrogate-safe). */
export function clip(s: string, max = 100): string {
  return cutText(s, max + 1);
}
