// Dashboard sessions in the database, so they survive a restart and work on every replica. A row is keyed by the
// SHA-256 of the cookie's value (the cookie itself is never stored, so a copy of the table logs nobody in) and names
// the principal, never a credential: a management token's id, or `oidc:<issuer>#<sub>` for someone who logged in
// through the identity provider. Pending identity-provider logins (state, PKCE verifier, nonce between the redirect
// and the callback) live here too, keyed by the hash of the state, single use.

import type { Kysely, Selectable } from 'kysely';

export type UiSessionKind = 'token' | 'oidc';

export interface UiSessionsTable {
  /** SHA-256 (base64url) of the cookie's value. */
  id_hash: string;
  kind: UiSessionKind;
  /** A management token's id (`token`), or `oidc:<issuer>#<sub>` (`oidc`). Never a token. */
  principal: string;
  /** What the pages show for the principal (an email); null for tokens. */
  label: string | null;
  /** `oidc`: JSON `{email, groups}` as the identity provider said at login, re-checked against the allow-list. */
  claims: string | null;
  created_at: number;
  last_seen: number;
  /** Absolute end: the earlier of the session lifetime and the token's expiry. */
  ends_at: number;
}

export interface UiLoginsTable {
  /** SHA-256 of the random `state` sent to the identity provider. */
  state_hash: string;
  /** SHA-256 of the browser-binding cookie set when the login started: the callback must come from that browser. */
  browser_hash: string;
  /** PKCE verifier for the identity provider: useless without its code, deleted with the row. */
  verifier: string;
  nonce: string;
  expires_at: number;
}

export interface UiTables {
  ui_sessions: UiSessionsTable;
  ui_logins: UiLoginsTable;
}

export type UiSessionRow = Selectable<UiSessionsTable>;
export type UiLoginRow = Selectable<UiLoginsTable>;

/** The migration step creating these tables. */
export async function createUiTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ui_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('claims', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ui_sessions_principal').on('ui_sessions').columns(['principal', 'created_at']).execute();
  await db.schema.createIndex('ui_sessions_ends').on('ui_sessions').column('ends_at').execute();
  await db.schema
    .createTable('ui_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ui_logins_expires').on('ui_logins').column('expires_at').execute();
}

export class UiSessionStore {
  constructor(private readonly db: Kysely<UiTables>) {}

  /**
   * Stores a session and, in the same transaction, drops the principal's oldest sessions beyond `maxPerPrincipal`
   * (a leaked or scripted login loop cannot grow the table without bound).
   */
  async insert(row: UiSessionRow, maxPerPrincipal: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('ui_sessions').values(row).execute();
      const mine = await tx
        .selectFrom('ui_sessions')
        .select('id_hash')
        .where('principal', '=', row.principal)
        .orderBy('created_at', 'desc')
        .orderBy('id_hash', 'desc')
        .execute();
      const beyond = mine.slice(Math.max(1, maxPerPrincipal)).map((r) => r.id_hash);
      if (beyond.length) await tx.deleteFrom('ui_sessions').where('id_hash', 'in', beyond).execute();
    });
  }

  get(idHash: string): Promise<UiSessionRow | undefined> {
    return this.db.selectFrom('ui_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  }

  async touch(idHash: string, now: number): Promise<void> {
    await this.db.updateTable('ui_sessions').set({ last_seen: now }).where('id_hash', '=', idHash).execute();
  }

  async delete(idHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('ui_sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Ends every session of a principal (its token revoked, or logged out everywhere); returns how many. */
  async deletePrincipal(principal: string): Promise<number> {
    const r = await this.db.deleteFrom('ui_sessions').where('principal', '=', principal).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Deletes sessions past their end or idle since `idleBefore`, and expired pending logins; returns the sessions. */
  async deleteExpired(now: number, idleBefore: number): Promise<number> {
    const r = await this.db
      .deleteFrom('ui_sessions')
      .where((eb) => eb.or([eb('ends_at', '<=', now), eb('last_seen', '<=', idleBefore)]))
      .executeTakeFirst();
    await this.db.deleteFrom('ui_logins').where('expires_at', '<=', now).execute();
    return Number(r.numDeletedRows);
  }

  /** The stored hashes of a principal's sessions (for tests and listings): never a cookie value. */
  async ofPrincipal(principal: string): Promise<UiSessionRow[]> {
    return this.db
      .selectFrom('ui_sessions')
      .selectAll()
      .where('principal', '=', principal)
      .orderBy('created_at', 'asc')
      .execute();
  }

  async insertLogin(row: UiLoginRow): Promise<void> {
    await this.db.insertInto('ui_logins').values(row).execute();
  }

  /** The pending login of a state, deleted by the same statement: a state is good for one callback, on any replica. */
  async takeLogin(stateHash: string, now: number): Promise<UiLoginRow | undefined> {
    const row = await this.db
      .deleteFrom('ui_logins')
      .where('state_hash', '=', stateHash)
      .returningAll()
      .executeTakeFirst();
    return row && row.expires_at > now ? row : undefined;
  }
}
