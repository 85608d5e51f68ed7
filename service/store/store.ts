// The one interface between the service and its database. Everything above it (REST, CLI, the MCP endpoints)
// talks to `Store`; the SQL below is written with Kysely so the SQLite store and a later Postgres one share it.

import { type Generated, type Kysely, Migrator, type Selectable } from 'kysely';
import { type OAuthTables, OAuthStore } from '../auth/oauth/store.js';

export interface AccountsTable {
  id: string;
  name: string;
  base_url: string | null;
  secrets: string;
  api_key_hint: string | null;
  admin_key_hint: string | null;
  organization_id: string | null;
  project_id: string | null;
  created_at: number;
}

export interface McpServersTable {
  id: string;
  account_id: string;
  name: string;
  config: string;
  expires_at: number | null;
  require_api_token_auth: number;
  /** How a client proves it may use the server (see service/auth/modes.ts); `require_api_token_auth` mirrors it. */
  auth: string;
  /** JSON `{allow_emails, allow_groups}` of an `oauth` server; null otherwise. */
  oauth_policy: string | null;
  token_lookup: string;
  token_hash: string;
  created_at: number;
  updated_at: number;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_lookup: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ToolCallsTable {
  id: Generated<number>;
  server_id: string;
  at: number;
  tool: string;
  http_status: number | null;
  duration_ms: number;
  is_error: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database extends OAuthTables {
  accounts: AccountsTable;
  mcp_servers: McpServersTable;
  api_tokens: ApiTokensTable;
  tool_calls: ToolCallsTable;
  settings: SettingsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type ServerRow = Selectable<McpServersTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type ToolCallRow = Selectable<ToolCallsTable>;
export type NewToolCall = Omit<ToolCallRow, 'id'>;

export interface ServerPatch {
  name?: string;
  config?: string;
  expires_at?: number | null;
  require_api_token_auth?: number;
  auth?: string;
  oauth_policy?: string | null;
  token_lookup?: string;
  token_hash?: string;
}

/** Persistence for accounts, scoped servers, API tokens and the audit log. Each method is one transaction. */
export interface Store {
  insertAccount(row: AccountRow): Promise<void>;
  listAccounts(): Promise<AccountRow[]>;
  getAccount(id: string): Promise<AccountRow | undefined>;
  /** Deletes the account and, with it, its servers. Returns whether it existed. */
  deleteAccount(id: string): Promise<boolean>;

  insertServer(row: ServerRow): Promise<void>;
  listServers(accountId?: string): Promise<ServerRow[]>;
  getServer(id: string): Promise<ServerRow | undefined>;
  findServerByLookup(lookup: string): Promise<ServerRow | undefined>;
  updateServer(id: string, patch: ServerPatch, now: number): Promise<ServerRow | undefined>;
  deleteServer(id: string): Promise<boolean>;
  countServers(): Promise<number>;
  /** Removes servers whose `expires_at` is at or before `now`; returns their ids. */
  deleteExpiredServers(now: number): Promise<string[]>;

  insertApiToken(row: ApiTokenRow): Promise<void>;
  listApiTokens(): Promise<ApiTokenRow[]>;
  findApiTokenByLookup(lookup: string): Promise<ApiTokenRow | undefined>;
  revokeApiToken(id: string, now: number): Promise<boolean>;
  touchApiToken(id: string, now: number): Promise<void>;

  recordCall(call: NewToolCall): Promise<void>;
  listCalls(serverId: string, options: { limit: number; before?: number }): Promise<ToolCallRow[]>;
  deleteCallsBefore(at: number): Promise<number>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  /** The OAuth authorization server's tables. */
  readonly oauth: OAuthStore;

  close(): Promise<void>;
}

export async function migrate(db: Kysely<Database>, provider: ConstructorParameters<typeof Migrator>[0]['provider']) {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
}

/** The Kysely implementation; the dialect (SQLite now, Postgres later) is chosen by whoever builds `db`. */
export class KyselyStore implements Store {
  readonly oauth: OAuthStore;
  constructor(private readonly db: Kysely<Database>) {
    this.oauth = new OAuthStore(db);
  }

  async insertAccount(row: AccountRow) {
    await this.db.insertInto('accounts').values(row).execute();
  }
  listAccounts() {
    return this.db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute();
  }
  getAccount(id: string) {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }
  async deleteAccount(id: string) {
    return this.db.transaction().execute(async (tx) => {
      // Explicit rather than relying on ON DELETE CASCADE, which SQLite only honours with foreign_keys on.
      await tx.deleteFrom('mcp_servers').where('account_id', '=', id).execute();
      const r = await tx.deleteFrom('accounts').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async insertServer(row: ServerRow) {
    await this.db.insertInto('mcp_servers').values(row).execute();
  }
  listServers(accountId?: string) {
    let q = this.db.selectFrom('mcp_servers').selectAll();
    if (accountId) q = q.where('account_id', '=', accountId);
    return q.orderBy('created_at').orderBy('id').execute();
  }
  getServer(id: string) {
    return this.db.selectFrom('mcp_servers').selectAll().where('id', '=', id).executeTakeFirst();
  }
  findServerByLookup(lookup: string) {
    return this.db.selectFrom('mcp_servers').selectAll().where('token_lookup', '=', lookup).executeTakeFirst();
  }
  async updateServer(id: string, patch: ServerPatch, now: number) {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('mcp_servers')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return undefined;
      return tx.selectFrom('mcp_servers').selectAll().where('id', '=', id).executeTakeFirst();
    });
  }
  async deleteServer(id: string) {
    const r = await this.db.deleteFrom('mcp_servers').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
  async countServers() {
    const r = await this.db
      .selectFrom('mcp_servers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
  async deleteExpiredServers(now: number) {
    return this.db.transaction().execute(async (tx) => {
      const rows = await tx.selectFrom('mcp_servers').select('id').where('expires_at', '<=', now).execute();
      if (rows.length) await tx.deleteFrom('mcp_servers').where('expires_at', '<=', now).execute();
      return rows.map((r) => r.id);
    });
  }

  async insertApiToken(row: ApiTokenRow) {
    await this.db.insertInto('api_tokens').values(row).execute();
  }
  listApiTokens() {
    return this.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  }
  findApiTokenByLookup(lookup: string) {
    return this.db.selectFrom('api_tokens').selectAll().where('token_lookup', '=', lookup).executeTakeFirst();
  }
  async revokeApiToken(id: string, now: number) {
    const r = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async touchApiToken(id: string, now: number) {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  async recordCall(call: NewToolCall) {
    await this.db.insertInto('tool_calls').values(call).execute();
  }
  listCalls(serverId: string, { limit, before }: { limit: number; before?: number }) {
    let q = this.db.selectFrom('tool_calls').selectAll().where('server_id', '=', serverId);
    if (before !== undefined) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }
  async deleteCallsBefore(at: number) {
    const r = await this.db.deleteFrom('tool_calls').where('at', '<', at).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async getSetting(key: string) {
    const r = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value;
  }
  async setSetting(key: string, value: string) {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async close() {
    await this.db.destroy();
  }
}
