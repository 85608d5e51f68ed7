// Persistence of the OAuth authorization server: registered clients, pending authorizations (between
// /oauth/authorize and the consent), authorization codes, access and refresh tokens, and the OAuth audit events.
// Who may log in to a server is the server's own `oauth_policy` column. Every secret (client secret, code, token,
// browser binding, CSRF token, upstream state) is stored as a SHA-256 hash only, like the service's other tokens;
// the tables live in the one database, so any replica can continue a flow another started.

import type { Generated, Kysely, Selectable } from 'kysely';
import { serialId } from '../../store/migrations.js';

export interface OAuthClientsTable {
  client_id: string;
  /** The registered metadata (RFC 7591), without any secret. */
  metadata: string;
  /** Hash of the client secret of a confidential client; null for public clients. */
  secret_hash: string | null;
  created_at: number;
}

export interface OAuthPendingTable {
  /** Non-secret id carried in the login pages' URLs; the browser proves it started the flow with a cookie. */
  id: string;
  browser_hash: string;
  csrf_hash: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  /** The client's `state`, echoed back on the redirect. */
  client_state: string | null;
  server_id: string;
  scopes: string;
  /** Hash of the random part of the `state` sent to the upstream identity provider. */
  upstream_state_hash: string | null;
  upstream_nonce: string | null;
  /** PKCE verifier for the upstream provider: useless without the upstream code, deleted with the row. */
  upstream_verifier: string | null;
  /** Set once the user has logged in: `oidc:<iss>#<sub>` or `token:<id>`. */
  subject: string | null;
  /** What the consent page shows for the subject (an email, a token name). */
  subject_label: string | null;
  created_at: number;
  expires_at: number;
}

export interface OAuthCodesTable {
  lookup: string;
  hash: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  server_id: string;
  resource: string;
  scopes: string;
  subject: string;
  grant_id: string;
  expires_at: number;
  used_at: number | null;
}

export type OAuthTokenKind = 'access' | 'refresh';

export interface OAuthTokensTable {
  lookup: string;
  hash: string;
  kind: OAuthTokenKind;
  /** The authorization this token descends from: revoking a refresh token, or reusing a code, ends all of it. */
  grant_id: string;
  client_id: string;
  server_id: string;
  resource: string;
  scopes: string;
  subject: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** A refresh token already exchanged: presenting it again is a replay and ends the grant. */
  used_at: number | null;
}

export type AuthEventKind = 'authorized' | 'token_issued' | 'refreshed' | 'revoked' | 'refused';

export interface AuthEventsTable {
  id: Generated<number>;
  at: number;
  /** The server the event concerns; null when a request named none we know. */
  server_id: string | null;
  event: AuthEventKind;
  /** Who: `oidc:<issuer>#<sub> (<email>)`, `token:<id>`, or null before anyone logged in. Never a token. */
  subject: string | null;
  client_id: string | null;
  /** Why (for refusals) or what (scopes); short and free of secrets. */
  detail: string;
}

export interface OAuthTables {
  oauth_clients: OAuthClientsTable;
  oauth_pending: OAuthPendingTable;
  oauth_codes: OAuthCodesTable;
  oauth_tokens: OAuthTokensTable;
  auth_events: AuthEventsTable;
}

export type OAuthClientRow = Selectable<OAuthClientsTable>;
export type OAuthPendingRow = Selectable<OAuthPendingTable>;
export type OAuthCodeRow = Selectable<OAuthCodesTable>;
export type OAuthTokenRow = Selectable<OAuthTokensTable>;
export type AuthEventRow = Selectable<AuthEventsTable>;
export type NewAuthEvent = Omit<AuthEventRow, 'id'>;

/** The migration step creating these tables (appended to the store's migration list). */
export async function createOAuthTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('oauth_pending')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text', (c) => c.notNull())
    .addColumn('client_state', 'text')
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('upstream_state_hash', 'text')
    .addColumn('upstream_nonce', 'text')
    .addColumn('upstream_verifier', 'text')
    .addColumn('subject', 'text')
    .addColumn('subject_label', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('oauth_codes')
    .addColumn('lookup', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createTable('oauth_tokens')
    .addColumn('lookup', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('oauth_tokens_grant').on('oauth_tokens').column('grant_id').execute();
  await db.schema.createIndex('oauth_tokens_server').on('oauth_tokens').column('server_id').execute();
  // The id column through the migrations' helper: an identity column on Postgres, SQLite's autoincrement otherwise.
  await serialId(db, db.schema.createTable('auth_events'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('server_id', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('client_id', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_events_server_at').on('auth_events').columns(['server_id', 'at']).execute();
}

/** OAuth persistence; each method is one statement or one transaction. */
export class OAuthStore {
  constructor(private readonly db: Kysely<OAuthTables>) {}

  // Clients ---------------------------------------------------------------------------------------------------

  async insertClient(row: OAuthClientRow): Promise<void> {
    await this.db.insertInto('oauth_clients').values(row).execute();
  }
  getClient(clientId: string): Promise<OAuthClientRow | undefined> {
    return this.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  }

  // Pending authorizations ------------------------------------------------------------------------------------

  async insertPending(row: OAuthPendingRow): Promise<void> {
    await this.db.insertInto('oauth_pending').values(row).execute();
  }
  getPending(id: string): Promise<OAuthPendingRow | undefined> {
    return this.db.selectFrom('oauth_pending').selectAll().where('id', '=', id).executeTakeFirst();
  }
  async updatePending(
    id: string,
    patch: Partial<Omit<OAuthPendingRow, 'id' | 'browser_hash' | 'client_id' | 'server_id'>>,
  ): Promise<void> {
    await this.db.updateTable('oauth_pending').set(patch).where('id', '=', id).execute();
  }
  /** Deletes and returns the row, so a consent can be answered once only even when two arrive together. */
  async takePending(id: string): Promise<OAuthPendingRow | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('oauth_pending').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const r = await tx.deleteFrom('oauth_pending').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0 ? row : undefined;
    });
  }

  // Codes -----------------------------------------------------------------------------------------------------

  async insertCode(row: OAuthCodeRow): Promise<void> {
    await this.db.insertInto('oauth_codes').values(row).execute();
  }
  getCode(lookup: string): Promise<OAuthCodeRow | undefined> {
    return this.db.selectFrom('oauth_codes').selectAll().where('lookup', '=', lookup).executeTakeFirst();
  }
  /** Marks the code used; false when it already was (a replay). Atomic, so two racing exchanges get one win. */
  async useCode(lookup: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('oauth_codes')
      .set({ used_at: now })
      .where('lookup', '=', lookup)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  // Tokens ----------------------------------------------------------------------------------------------------

  async insertTokens(rows: OAuthTokenRow[]): Promise<void> {
    await this.db.insertInto('oauth_tokens').values(rows).execute();
  }
  getToken(lookup: string): Promise<OAuthTokenRow | undefined> {
    return this.db.selectFrom('oauth_tokens').selectAll().where('lookup', '=', lookup).executeTakeFirst();
  }
  /** Marks a refresh token exchanged; false when it already was. */
  async useRefreshToken(lookup: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('oauth_tokens')
      .set({ used_at: now })
      .where('lookup', '=', lookup)
      .where('kind', '=', 'refresh')
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async revokeToken(lookup: string, now: number): Promise<void> {
    await this.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('lookup', '=', lookup)
      .where('revoked_at', 'is', null)
      .execute();
  }
  async revokeGrant(grantId: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('grant_id', '=', grantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
  /** A token of the grant still usable (unrevoked, unexpired): its subject; undefined once the grant is over. */
  async liveGrantSubject(grantId: string, now: number): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('oauth_tokens')
      .select('subject')
      .where('grant_id', '=', grantId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r?.subject;
  }
  /** Ends every token of a server (deleted, or no longer in `oauth` mode). */
  async revokeServer(serverId: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('server_id', '=', serverId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  // Audit -----------------------------------------------------------------------------------------------------

  async recordEvent(event: NewAuthEvent): Promise<void> {
    await this.db.insertInto('auth_events').values(event).execute();
  }
  listEvents(serverId: string, options: { limit: number; before?: number }): Promise<AuthEventRow[]> {
    let q = this.db.selectFrom('auth_events').selectAll().where('server_id', '=', serverId);
    if (options.before !== undefined) q = q.where('id', '<', options.before);
    return q.orderBy('id', 'desc').limit(options.limit).execute();
  }

  // Housekeeping ----------------------------------------------------------------------------------------------

  /** Drops what can no longer be used: expired pending requests, codes and tokens, and audit rows past retention. */
  async sweep(now: number, auditBefore: number): Promise<void> {
    await this.db.deleteFrom('oauth_pending').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('oauth_codes').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('oauth_tokens').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('auth_events').where('at', '<', auditBefore).execute();
  }
}
