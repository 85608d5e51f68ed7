// The tokens aggregate: management tokens (scoped to accounts and actions, expiring, never broader than their
// issuer) and client tokens (bound to servers); stored as hashes, shown once.

import { type Action, type Scope, scopeCovers, scopeFromColumn, scopeToColumn } from '../auth/principals.js';
import { ServiceError } from '../errors.js';
import type { ApiTokenRow, TokenBinding } from '../store/store.js';
import { isExpired } from '../expiry.js';
import { issueToken, newId } from '../tokens.js';
import type { Accounts } from './accounts.js';
import { expiry, type ManageContext } from './context.js';
import {
  clientTokenInputSchema,
  DEFAULT_TOKEN_LIFETIME_MS,
  managementTokenInputSchema,
  parseInput,
} from './schemas.js';
import {
  clip,
  iso,
  type PublicClientToken,
  type PublicManagementToken,
  publicClientToken,
  publicManagementToken,
  type TokenBounds,
} from './views.js';

export class Tokens {
  constructor(
    private readonly ctx: ManageContext,
    private readonly accounts: Accounts,
  ) {}

  /** The expiry of a new token: as asked, else the default, and never past its issuer's. */
  private tokenExpiry(value: string | null | undefined, bounds: TokenBounds, fallback: number | null): number | null {
    const asked = expiry(this.ctx, value);
    const at = asked === undefined ? fallback : asked;
    if (bounds.expiresAt === null) return at;
    if (asked === undefined) return at === null ? bounds.expiresAt : Math.min(at, bounds.expiresAt);
    if (at === null || at > bounds.expiresAt)
      throw new ServiceError(
        'forbidden',
        `expires_at: a token cannot outlive the token that issues it (${iso(bounds.expiresAt)})`,
        'expires_at',
      );
    return at;
  }

  /** The stored row of a new token: its hash and lookup, never the token. */
  private tokenRow(
    id: string,
    name: string,
    token: { lookup: string; hash: string },
    bounds: TokenBounds,
    expiresAt: number | null,
    reach: Pick<ApiTokenRow, 'kind' | 'accounts' | 'actions'>,
  ): ApiTokenRow {
    return {
      id,
      name,
      ...reach,
      token_lookup: token.lookup,
      token_hash: token.hash,
      created_at: this.ctx.now(),
      created_by: bounds.issuer,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
    };
  }

  /** A management token within `bounds`: accounts, actions and expiry no broader than its issuer's. */
  async createManagementToken(raw: unknown, bounds: TokenBounds): Promise<PublicManagementToken> {
    const input = parseInput(managementTokenInputSchema, raw);
    const accounts: Scope<string> = input.accounts === '*' ? '*' : [...new Set(input.accounts)];
    const actions: Scope<Action> = input.actions === '*' ? '*' : [...new Set(input.actions)];
    // Scope before existence: a scoped issuer learns nothing about accounts outside its scope.
    if (!scopeCovers(bounds.accounts, accounts))
      throw new ServiceError('forbidden', 'accounts: a token cannot reach accounts its issuer cannot', 'accounts');
    if (!scopeCovers(bounds.actions, actions))
      throw new ServiceError('forbidden', 'actions: a token cannot have actions its issuer lacks', 'actions');
    if (accounts !== '*') for (const id of accounts) await this.accounts.accountRow(id);
    const expiresAt = this.tokenExpiry(input.expires_at, bounds, this.ctx.now() + DEFAULT_TOKEN_LIFETIME_MS);
    const token = issueToken('management');
    const row = this.tokenRow(newId('tok'), input.name, token, bounds, expiresAt, {
      kind: 'management',
      accounts: scopeToColumn(accounts),
      actions: scopeToColumn(actions),
    });
    await this.ctx.store.insertApiToken(row);
    return { ...publicManagementToken(row), token: token.token };
  }

  /** A client token bound to live servers on accounts within `bounds`. */
  async createClientToken(raw: unknown, bounds: TokenBounds): Promise<PublicClientToken> {
    const input = parseInput(clientTokenInputSchema, raw);
    const bindings: TokenBinding[] = [];
    const tokenId = newId('tok');
    for (const serverId of new Set(input.servers)) {
      const row = await this.ctx.store.getServer(serverId);
      if (!row || isExpired(row, this.ctx.now()) || !scopeCovers(bounds.accounts, [row.account_id])) {
        const err = new ServiceError('not_found', `No server ${JSON.stringify(clip(serverId))}`, 'servers');
        err.denied = !!row && !scopeCovers(bounds.accounts, [row.account_id]);
        throw err;
      }
      bindings.push({ token_id: tokenId, server_id: row.id, account_id: row.account_id });
    }
    const expiresAt = this.tokenExpiry(input.expires_at, { ...bounds, expiresAt: null }, null);
    const token = issueToken('client');
    const row = this.tokenRow(tokenId, input.name, token, bounds, expiresAt, {
      kind: 'client',
      accounts: null,
      actions: null,
    });
    await this.ctx.store.insertApiToken(row, bindings);
    return { ...publicClientToken(row, bindings), token: token.token };
  }

  /** Management tokens whose accounts lie within `accounts`. */
  async listManagementTokens(accounts: Scope<string> = '*'): Promise<PublicManagementToken[]> {
    return (await this.ctx.store.listApiTokens('management'))
      .filter((r) => scopeCovers(accounts, scopeFromColumn<string>(r.accounts)))
      .map(publicManagementToken);
  }

  /** Client tokens whose servers all lie on accounts within `accounts`. */
  async listClientTokens(accounts: Scope<string> = '*', serverId?: string): Promise<PublicClientToken[]> {
    const rows = await this.ctx.store.listApiTokens('client');
    const bindings = await this.ctx.store.bindingsOf(rows.map((r) => r.id));
    return rows
      .map((r) => ({ row: r, bound: bindings.filter((b) => b.token_id === r.id) }))
      .filter(({ bound }) =>
        scopeCovers(
          accounts,
          bound.map((b) => b.account_id),
        ),
      )
      .filter(({ bound }) => serverId === undefined || bound.some((b) => b.server_id === serverId))
      .map(({ row, bound }) => publicClientToken(row, bound));
  }

  /** Revokes a token of `kind` within `accounts` (404 for others, as for unknown ids). */
  async revokeToken(kind: 'management' | 'client', id: string, accounts: Scope<string> = '*'): Promise<void> {
    const row = await this.ctx.store.getApiToken(id);
    const notFound = () => new ServiceError('not_found', `No active ${kind} token ${JSON.stringify(clip(id))}`);
    if (!row || row.kind !== kind) throw notFound();
    const reach =
      kind === 'management'
        ? scopeFromColumn<string>(row.accounts)
        : (await this.ctx.store.bindingsOf([id])).map((b) => b.account_id);
    if (!scopeCovers(accounts, reach)) {
      const err = notFound();
      err.denied = true;
      throw err;
    }
    if (!(await this.ctx.store.revokeApiToken(id, this.ctx.now()))) throw notFound();
  }
}
