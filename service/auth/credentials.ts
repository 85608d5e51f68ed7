// The verifiers: from a presented secret to a principal. Each looks at the token's shape first (no database work for
// a string that cannot be a token of its kind), finds the row by the non-secret prefix of its hash, and compares the
// full hashes in constant time. One answer for unknown, revoked and expired tokens of a kind, except that an
// expired management token says so (its holder is an operator, who needs to know why).

import { isExpired } from '../expiry.js';
import type { ApiTokenRow, ServerRow, Store } from '../store/store.js';
import { digestMatches, digestOf, kindOf, lookupOf, looksLikeToken, tokenMatches } from '../tokens.js';
import type { Admission, AuthRequest } from './modes.js';
import {
  type Action,
  type ClientPrincipal,
  type ManagementPrincipal,
  mayLogInTo,
  scopeFromColumn,
} from './principals.js';

const TOUCH_INTERVAL_MS = 60_000;

/** The token of an `Authorization: Bearer …` header, if the header has that shape. */
export function bearerOf(authorization: string | undefined): string | undefined {
  return authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
}

export type ManagementCheck =
  | { ok: true; principal: ManagementPrincipal }
  /** `client`: a valid client token, which has no REST rights; `expired`: a management token past its expiry. */
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'client' };

export interface CredentialsOptions {
  store: Store;
  now?: () => number;
}

/** The resource side of the OAuth authorization server (service/auth/oauth/), which the HTTP app attaches. */
export interface OAuthResourceVerifier {
  /** Whether the request's access token was issued for this `oauth` server, and with which scopes. */
  admit(req: AuthRequest, row: ServerRow): Promise<Admission>;
  /** Whether work done under grant `grantId` of this `oauth` server may go on (unrevoked, subject still allowed). */
  grantLive(row: ServerRow, grantId: string): Promise<boolean>;
}

export class Credentials {
  private readonly now: () => number;
  private oauthVerifier?: OAuthResourceVerifier;

  constructor(private readonly options: CredentialsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The live server a URL token opens, or undefined for unknown, deleted and expired ones alike. */
  async serverUrl(token: string): Promise<ServerRow | undefined> {
    if (!looksLikeToken('server', token)) return undefined;
    // Hashed once: the lookup key and the compared digest come from the same SHA-256 (the hottest check there is).
    const { lookup, digest } = digestOf(token);
    const row = await this.options.store.findServerByLookup(lookup);
    if (!row || !digestMatches(digest, row.token_hash) || isExpired(row, this.now())) return undefined;
    return row;
  }

  /** The live server with this id (for modes whose path names the server, not a secret). */
  async serverById(id: string): Promise<ServerRow | undefined> {
    const row = await this.options.store.getServer(id);
    return row && !isExpired(row, this.now()) ? row : undefined;
  }

  /** Attaches the OAuth resource check (once, by the HTTP app that serves the authorization server). */
  useOAuth(verifier: OAuthResourceVerifier): void {
    this.oauthVerifier = verifier;
  }

  /** An `oauth` server's admission; refused when no authorization server is attached to this process. */
  async oauthResource(req: AuthRequest, row: ServerRow): Promise<Admission> {
    if (!this.oauthVerifier)
      return { ok: false, status: 503, message: 'OAuth is not available in this process', headers: {} };
    return this.oauthVerifier.admit(req, row);
  }

  /** Whether an `oauth` server's grant still allows running work; false when no authorization server is attached. */
  async oauthGrantLive(row: ServerRow, grantId: string): Promise<boolean> {
    return this.oauthVerifier ? this.oauthVerifier.grantLive(row, grantId) : false;
  }

  /** A token row of `kind` that `token` proves, unrevoked; expiry is the caller's to judge. */
  private async row(kind: 'management' | 'client', token: string): Promise<ApiTokenRow | undefined> {
    if (!looksLikeToken(kind, token)) return undefined;
    const row = await this.options.store.findApiTokenByLookup(lookupOf(token));
    if (!row || row.kind !== kind || !tokenMatches(token, row.token_hash) || row.revoked_at !== null) return undefined;
    return row;
  }

  private touch(row: ApiTokenRow): void {
    const now = this.now();
    if (!row.last_used_at || now - row.last_used_at > TOUCH_INTERVAL_MS)
      void this.options.store.touchApiToken(row.id, now).catch(() => {});
  }

  /** The management principal an `Authorization` header proves, or why not. */
  async management(authorization: string | undefined): Promise<ManagementCheck> {
    const token = bearerOf(authorization);
    if (!token) return { ok: false, reason: 'missing' };
    if (kindOf(token) === 'client') {
      const client = await this.row('client', token);
      return { ok: false, reason: client ? 'client' : 'unknown' };
    }
    const row = await this.row('management', token);
    if (!row) return { ok: false, reason: 'unknown' };
    if (isExpired(row, this.now())) return { ok: false, reason: 'expired' };
    this.touch(row);
    return {
      ok: true,
      principal: {
        kind: 'management',
        tokenId: row.id,
        accounts: scopeFromColumn<string>(row.accounts),
        actions: scopeFromColumn<Action>(row.actions),
        expiresAt: row.expires_at,
      },
    };
  }

  /**
   * The principal of the management token `tokenId` if it is still unrevoked and unexpired: a dashboard session holds
   * the id, not the token, and is checked through here on every request, so revoking or narrowing the token reaches
   * the session at once.
   */
  async managementById(tokenId: string): Promise<ManagementPrincipal | undefined> {
    const t = await this.options.store.getApiToken(tokenId);
    if (t?.kind !== 'management' || t.revoked_at !== null || isExpired(t, this.now())) return undefined;
    return {
      kind: 'management',
      tokenId: t.id,
      accounts: scopeFromColumn<string>(t.accounts),
      actions: scopeFromColumn<Action>(t.actions),
      expiresAt: t.expires_at,
    };
  }

  /**
   * Whether the management token `tokenId` (an OAuth grant's subject after a token login) still may use this server:
   * unrevoked, unexpired, and still covering its account with `servers:write`. Checked on every request of such a
   * grant, so revoking or narrowing the token ends the OAuth access it gave.
   */
  async operatorMayUse(tokenId: string, row: ServerRow): Promise<boolean> {
    const t = await this.options.store.getApiToken(tokenId);
    if (t?.kind !== 'management' || t.revoked_at !== null || isExpired(t, this.now())) return false;
    return mayLogInTo(
      {
        kind: 'management',
        tokenId: t.id,
        accounts: scopeFromColumn<string>(t.accounts),
        actions: scopeFromColumn<Action>(t.actions),
        expiresAt: t.expires_at,
      },
      row.account_id,
    );
  }

  /** The client principal an `Authorization` header proves for this server, or undefined. */
  async client(authorization: string | undefined, serverId: string): Promise<ClientPrincipal | undefined> {
    const token = bearerOf(authorization);
    if (!token) return undefined;
    const row = await this.row('client', token);
    if (!row || isExpired(row, this.now())) return undefined;
    if (!(await this.options.store.isBound(row.id, serverId))) return undefined;
    this.touch(row);
    return { kind: 'client', tokenId: row.id };
  }
}
