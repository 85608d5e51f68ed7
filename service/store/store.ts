// The one interface between the service and its database. Everything above it (REST, CLI, the MCP endpoints)
// talks to `Store`; the SQL below is written with Kysely so the SQLite store and a later Postgres one share it.

import {
  type CompiledQuery,
  type Generated,
  type Kysely,
  Migrator,
  type Selectable,
  sql,
  type Transaction,
} from 'kysely';
import type { TaskStore } from '../../runtime/tasks.js';
import { type OAuthTables, OAuthStore } from '../auth/oauth/store.js';
import { ServiceError } from '../errors.js';
import type { SecretBox } from '../secrets.js';
import { KyselyTaskStore, type TasksTable } from './tasks.js';
import { type UiTables, UiSessionStore } from './ui-sessions.js';

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
  /** Null for accounts never updated since migration 0002. */
  updated_at: number | null;
}

export interface McpServersTable {
  id: string;
  account_id: string;
  name: string;
  config: string;
  expires_at: number | null;
  /** Mirrors `auth === 'url+client-token'`, for readers of the older column. */
  require_api_token_auth: number;
  /** How a client proves it may use the server: a mode of service/auth/modes.ts. */
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
  /** `management` or `client` (service/auth/principals.ts). */
  kind: string;
  /** Management tokens: '*' or a JSON array of account ids. */
  accounts: string | null;
  /** Management tokens: '*' or a JSON array of actions. */
  actions: string | null;
  token_lookup: string;
  token_hash: string;
  created_at: number;
  created_by: string | null;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ClientTokenServersTable {
  token_id: string;
  server_id: string;
  account_id: string;
}

export interface ServerTombstonesTable {
  id: string;
  account_id: string;
  name: string;
  deleted_at: number;
}

export interface OperatorEventsTable {
  id: Generated<number>;
  at: number;
  /** A token id, or `cli:<user>` for the CLI on this machine; never a token. */
  actor: string;
  action: string;
  target: string | null;
  account_id: string | null;
  /** `ok`, `denied`, `invalid`, `not_found`, `conflict` or `error`. */
  result: string;
  status: number;
  message: string | null;
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

export interface Database extends OAuthTables, UiTables {
  accounts: AccountsTable;
  mcp_servers: McpServersTable;
  api_tokens: ApiTokensTable;
  client_token_servers: ClientTokenServersTable;
  server_tombstones: ServerTombstonesTable;
  operator_events: OperatorEventsTable;
  tool_calls: ToolCallsTable;
  settings: SettingsTable;
  tasks: TasksTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type ServerRow = Selectable<McpServersTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type TokenBinding = Selectable<ClientTokenServersTable>;
export type TombstoneRow = Selectable<ServerTombstonesTable>;
export type OperatorEventRow = Selectable<OperatorEventsTable>;
export type NewOperatorEvent = Omit<OperatorEventRow, 'id'>;
export type ToolCallRow = Selectable<ToolCallsTable>;
/** Narrows a server's tool-call rows: one tool, errors or successes only, a time window (ms since the epoch). */
export interface CallFilter {
  tool?: string;
  isError?: boolean;
  since?: number;
  until?: number;
}
export interface CallBucket {
  /** The bucket's start, ms since the epoch. */
  at: number;
  calls: number;
  errors: number;
}
export type NewToolCall = Omit<ToolCallRow, 'id'>;

/** The setting that holds the fingerprint of the key the accounts' secrets are sealed with (service/secrets.ts). */
export const KEY_FINGERPRINT_SETTING = 'secret_key_fingerprint';

export interface ServerPatch {
  name?: string;
  config?: string;
  expires_at?: number | null;
  require_api_token_auth?: number;
  auth?: string;
  oauth_policy?: string | null;
  /** A new URL token (rotate-url, or a server moved off `oauth`): the old URL stops matching in the same write. */
  token_lookup?: string;
  token_hash?: string;
}

export interface AccountPatch {
  name?: string;
  base_url?: string | null;
  secrets?: string;
  api_key_hint?: string | null;
  admin_key_hint?: string | null;
  organization_id?: string | null;
  project_id?: string | null;
}

export interface ServerPageQuery {
  /** Only servers of these accounts; undefined for all. */
  accountIds?: readonly string[];
  /** Keyset: servers whose id sorts after this one (a deleted id still works). */
  after?: string;
  limit: number;
  /** Expired servers the sweep has not purged yet are left out. */
  now: number;
}

/** Persistence for accounts, scoped servers, tokens and the audit logs. Each method is one transaction. */
export interface Store {
  /** Refuses (conflict) when the data dir's key fingerprint is set and is not `keyFingerprint`. */
  insertAccount(row: AccountRow, keyFingerprint: string): Promise<void>;
  listAccounts(ids?: readonly string[]): Promise<AccountRow[]>;
  getAccount(id: string): Promise<AccountRow | undefined>;
  countAccounts(): Promise<number>;
  /**
   * Updates an account and bumps its servers' `updated_at`, so cached toolkits and open sessions holding the old
   * keys are rebuilt. With new `secrets`, refuses like insertAccount when the key fingerprint differs.
   */
  updateAccount(id: string, patch: AccountPatch, now: number, keyFingerprint: string): Promise<AccountRow | undefined>;
  /** Re-seals every account's secrets and sets the new key fingerprint, in one transaction. Returns the count. */
  rekeyAccounts(reseal: (row: AccountRow) => string, keyFingerprint: string): Promise<number>;
  /** Deletes the account and, with it, its servers (tombstoned) and their client-token bindings. */
  deleteAccount(id: string, now: number): Promise<boolean>;

  insertServer(row: ServerRow): Promise<void>;
  listServers(accountId?: string): Promise<ServerRow[]>;
  /** Live servers in id order, at most `limit`. */
  listServersPage(query: ServerPageQuery): Promise<ServerRow[]>;
  getServer(id: string): Promise<ServerRow | undefined>;
  /** A deleted or purged server's id, account and name. */
  getTombstone(id: string): Promise<TombstoneRow | undefined>;
  findServerByLookup(lookup: string): Promise<ServerRow | undefined>;
  updateServer(id: string, patch: ServerPatch, now: number): Promise<ServerRow | undefined>;
  deleteServer(id: string, now: number): Promise<boolean>;
  countServers(): Promise<number>;
  /** Removes servers whose `expires_at` is at or before `now`; returns their ids. */
  deleteExpiredServers(now: number): Promise<string[]>;

  /** A token and, for a client token, the servers it opens. */
  insertApiToken(row: ApiTokenRow, bindings?: readonly TokenBinding[]): Promise<void>;
  listApiTokens(kind?: string): Promise<ApiTokenRow[]>;
  getApiToken(id: string): Promise<ApiTokenRow | undefined>;
  findApiTokenByLookup(lookup: string): Promise<ApiTokenRow | undefined>;
  bindingsOf(tokenIds: readonly string[]): Promise<TokenBinding[]>;
  isBound(tokenId: string, serverId: string): Promise<boolean>;
  /** Revokes a token and deletes its dashboard sessions, in one transaction. */
  revokeApiToken(id: string, now: number): Promise<boolean>;
  touchApiToken(id: string, now: number): Promise<void>;

  recordOperatorEvent(event: NewOperatorEvent): Promise<void>;
  listOperatorEvents(options: {
    limit: number;
    before?: number;
    accountIds?: readonly string[];
  }): Promise<OperatorEventRow[]>;
  deleteOperatorEventsBefore(at: number): Promise<number>;

  recordCall(call: NewToolCall): Promise<void>;
  /** Several audit rows in one transaction (the audit queue writes in batches). */
  recordCalls(calls: readonly NewToolCall[]): Promise<void>;
  listCalls(serverId: string, options: CallFilter & { limit: number; before?: number }): Promise<ToolCallRow[]>;
  /** Calls and errors per time bucket of a server since a time, for the dashboard's chart (one grouped query). */
  callStats(serverId: string, options: CallFilter & { bucketMs: number }): Promise<CallBucket[]>;
  /** Deletes up to `chunk` rows older than `at`; returns how many (call again until it answers less than `chunk`). */
  deleteCallsBefore(at: number, chunk?: number): Promise<number>;
  /** Servers (ids, live or not) with more than `max` audit rows. */
  serversOverCallCap(max: number): Promise<string[]>;
  /** Deletes up to `chunk` of the server's oldest rows beyond its newest `keep`; returns how many. */
  trimCalls(serverId: string, keep: number, chunk?: number): Promise<number>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /** Stores `value` unless the key has one already; returns what is stored. */
  setSettingIfAbsent(key: string, value: string): Promise<string>;

  /** MCP task records of managed servers (outcomes sealed with `box`). */
  taskStore(box: SecretBox): TaskStore;

  /** The OAuth authorization server's tables. */
  readonly oauth: OAuthStore;
  /** The dashboard's sessions and pending identity-provider logins. */
  readonly ui: UiSessionStore;
  /**
   * Runs `fn` unless another process runs work of the same `name` now (Postgres: a session advisory lock, released
   * even if this process dies); answers undefined when it skipped. SQLite serves one machine's processes and runs it.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;

  close(): Promise<void>;
}

export async function migrate(db: Kysely<Database>, provider: ConstructorParameters<typeof Migrator>[0]['provider']) {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
}

export type StoreDialect = 'sqlite' | 'postgres';

/** How long a found server row is reused by findServerByLookup on Postgres (no change probe); another replica's revocation is seen within it. */
export const SERVER_CACHE_MS = 250;
const SERVER_CACHE_MAX = 10_000;
/** The writes that can change or remove a server row (directly, or through its account). */
const SERVER_WRITES = [
  'updateAccount',
  'rekeyAccounts',
  'deleteAccount',
  'insertServer',
  'updateServer',
  'deleteServer',
  'deleteExpiredServers',
] as const;

export interface KyselyStoreOptions {
  dialect?: StoreDialect;
  /**
   * A value that changes whenever another connection (another process: the CLI, a second service) committed to the
   * database since it was last read, read without a query through Kysely (SQLite: `PRAGMA data_version` on its own
   * prepared statement, microseconds). With it, found server rows are kept for as long as it does not change, so a
   * tools/call skips the lookup query while every other process's write is still seen on the very next request.
   */
  changeProbe?: () => unknown;
}

/** The Kysely implementation; the dialect (sqlite.ts or postgres.ts) is chosen by whoever builds `db`. */
export class KyselyStore implements Store {
  readonly oauth: OAuthStore;
  readonly ui: UiSessionStore;
  readonly dialect: StoreDialect;
  /** See KyselyStoreOptions.changeProbe. */
  private readonly changeProbe?: () => unknown;
  constructor(
    private readonly db: Kysely<Database>,
    options: KyselyStoreOptions = {},
  ) {
    this.dialect = options.dialect ?? 'sqlite';
    this.changeProbe = options.changeProbe;
    this.oauth = new OAuthStore(db);
    this.ui = new UiSessionStore(db);
    // Before and after: a lookup that overlaps the write in any way is not kept (see findServerByLookup).
    const self = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of SERVER_WRITES) {
      const write = self[name]!.bind(this);
      self[name] = async (...args: unknown[]) => {
        this.serversChanged();
        try {
          return await write(...args);
        } finally {
          this.serversChanged();
        }
      };
    }
  }

  private async checkFingerprint(tx: Transaction<Database>, keyFingerprint: string) {
    let q = tx.selectFrom('settings').select('value').where('key', '=', KEY_FINGERPRINT_SETTING);
    // SQLite's BEGIN IMMEDIATE serializes writers already. Postgres reads committed data without a lock: the row lock
    // makes a concurrent `secrets rotate` (which updates this row first) finish before an account is sealed with the
    // key it replaces, or wait for this write and then re-seal it too.
    if (this.dialect === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    if (r && r.value !== keyFingerprint)
      throw new ServiceError(
        'conflict',
        'The secret key of this data dir changed (secrets rotate ran meanwhile?); run the command again with the current key',
      );
  }

  async insertAccount(row: AccountRow, keyFingerprint: string) {
    await this.db.transaction().execute(async (tx) => {
      await this.checkFingerprint(tx, keyFingerprint);
      await tx.insertInto('accounts').values(row).execute();
    });
  }
  listAccounts(ids?: readonly string[]) {
    if (ids && ids.length === 0) return Promise.resolve([]);
    let q = this.db.selectFrom('accounts').selectAll();
    if (ids) q = q.where('id', 'in', ids);
    return q.orderBy('created_at').orderBy('id').execute();
  }
  getAccount(id: string) {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }
  async countAccounts() {
    const r = await this.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
  async updateAccount(id: string, patch: AccountPatch, now: number, keyFingerprint: string) {
    return this.db.transaction().execute(async (tx) => {
      if (patch.secrets !== undefined) await this.checkFingerprint(tx, keyFingerprint);
      const r = await tx
        .updateTable('accounts')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return undefined;
      // Strictly increasing per server, like updateServer: caches keyed on (id, updated_at) see the change.
      await tx
        .updateTable('mcp_servers')
        .set((eb) => ({
          updated_at: eb
            .case()
            .when('updated_at', '<', now)
            .then(now)
            .else(eb('updated_at', '+', 1))
            .end(),
        }))
        .where('account_id', '=', id)
        .execute();
      return tx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    });
  }
  async rekeyAccounts(reseal: (row: AccountRow) => string, keyFingerprint: string) {
    return this.db.transaction().execute(async (tx) => {
      // The fingerprint first: on Postgres that write locks the row every account insert or key update checks, so
      // none of them can seal with the old key while (or after) the accounts below are read.
      await tx
        .insertInto('settings')
        .values({ key: KEY_FINGERPRINT_SETTING, value: keyFingerprint })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: keyFingerprint }))
        .execute();
      const rows = await tx.selectFrom('accounts').selectAll().execute();
      for (const row of rows)
        await tx
          .updateTable('accounts')
          .set({ secrets: reseal(row) })
          .where('id', '=', row.id)
          .execute();
      return rows.length;
    });
  }
  async deleteAccount(id: string, now: number) {
    return this.db.transaction().execute(async (tx) => {
      const servers = await tx.selectFrom('mcp_servers').select('id').where('account_id', '=', id).execute();
      await this.tombstone(
        tx,
        servers.map((s) => s.id),
        now,
      );
      // Explicit rather than relying on ON DELETE CASCADE, which SQLite only honours with foreign_keys on.
      await tx.deleteFrom('mcp_servers').where('account_id', '=', id).execute();
      const r = await tx.deleteFrom('accounts').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  /** Keeps a deleted server's id, account and name, and unbinds it from client tokens. */
  private async tombstone(tx: Transaction<Database>, ids: readonly string[], now: number) {
    if (!ids.length) return;
    await tx
      .insertInto('server_tombstones')
      .columns(['id', 'account_id', 'name', 'deleted_at'])
      .expression((eb) =>
        eb
          .selectFrom('mcp_servers')
          // Cast: Postgres cannot type a bare parameter in a select list (it would be text, not bigint).
          .select(['id', 'account_id', 'name', sql<number>`cast(${now} as bigint)`.as('deleted_at')])
          .where('id', 'in', ids),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await tx.deleteFrom('client_token_servers').where('server_id', 'in', ids).execute();
  }

  async insertServer(row: ServerRow) {
    await this.db.insertInto('mcp_servers').values(row).execute();
  }
  listServers(accountId?: string) {
    let q = this.db.selectFrom('mcp_servers').selectAll();
    if (accountId) q = q.where('account_id', '=', accountId);
    return q.orderBy('created_at').orderBy('id').execute();
  }
  listServersPage({ accountIds, after, limit, now }: ServerPageQuery) {
    if (accountIds && accountIds.length === 0) return Promise.resolve([]);
    let q = this.db
      .selectFrom('mcp_servers')
      .selectAll()
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    if (accountIds) q = q.where('account_id', 'in', accountIds);
    if (after !== undefined) q = q.where('id', '>', after);
    return q.orderBy('id').limit(limit).execute();
  }
  getServer(id: string) {
    return this.db.selectFrom('mcp_servers').selectAll().where('id', '=', id).executeTakeFirst();
  }
  getTombstone(id: string) {
    return this.db.selectFrom('server_tombstones').selectAll().where('id', '=', id).executeTakeFirst();
  }
  /**
   * The server lookup, compiled once: it runs on every MCP request (the URL's token), and building and compiling the
   * same query again each time was a few per cent of a tools/call's CPU. Only its one parameter changes.
   */
  private serverByLookup?: CompiledQuery<ServerRow>;
  /**
   * Found server rows by lookup key, so that at load most requests on a URL skip the database:
   * - with a change probe (SQLite), a row is kept while the probe reads the same value as when the row was read: a
   *   write by another process (the CLI revoking a server) is seen on the next request, as without the cache;
   * - on Postgres, for SERVER_CACHE_MS at most: a write by another replica is seen within it (the goal is 1 s).
   * A write to servers or accounts through this store clears it at once (revocation here is immediate). Unknown keys
   * are never kept, so a new server is usable at once and guessed tokens cannot fill it. The caller still compares the
   * full hash in constant time and checks expiry on every request.
   */
  private readonly serverCache = new Map<string, { row: ServerRow; at: number; version: unknown }>();
  private clearServerCache(): void {
    this.serverCache.clear();
  }
  async findServerByLookup(lookup: string): Promise<ServerRow | undefined> {
    const now = performance.now();
    // Read before the query: a row read after a concurrent commit by another process is kept under the older value,
    // so the next request, seeing the newer one, reads again.
    const version = this.changeProbe?.();
    const cached = this.changeProbe !== undefined || this.dialect === 'postgres';
    const hit = cached ? this.serverCache.get(lookup) : undefined;
    if (hit && (this.changeProbe ? hit.version === version : now - hit.at < SERVER_CACHE_MS)) return hit.row;
    const epoch = this.serverEpoch;
    if (!cached) return this.queryServerByLookup(lookup);
    // One query per key at a time: when a kept row runs out under load, every request arriving before the new read
    // returns used to send its own (at 800 calls/s a replica sent ~25 a time, half its statements; bench:replicas).
    // Joined only under the rule that would keep its answer: the same probe value and no local write since.
    const pending = this.serverLookups.get(lookup);
    if (pending && pending.epoch === epoch && pending.version === version) return pending.row;
    const read = this.queryServerByLookup(lookup).then((row) => {
      // Not kept when a local write ran meanwhile: the row read may predate it.
      if (row && epoch === this.serverEpoch) {
        if (this.serverCache.size >= SERVER_CACHE_MAX) this.serverCache.clear();
        this.serverCache.set(lookup, { row, at: now, version });
      } else if (!row) this.serverCache.delete(lookup);
      return row;
    });
    this.serverLookups.set(lookup, { row: read, epoch, version });
    try {
      return await read;
    } finally {
      if (this.serverLookups.get(lookup)?.row === read) this.serverLookups.delete(lookup);
    }
  }
  /** Lookups in flight by key, with the epoch and probe value they started under (see findServerByLookup). */
  private readonly serverLookups = new Map<
    string,
    { row: Promise<ServerRow | undefined>; epoch: number; version: unknown }
  >();
  private async queryServerByLookup(lookup: string): Promise<ServerRow | undefined> {
    this.serverByLookup ??= this.db.selectFrom('mcp_servers').selectAll().where('token_lookup', '=', '').compile();
    const r = await this.db.executeQuery<ServerRow>({ ...this.serverByLookup, parameters: [lookup] });
    return r.rows[0];
  }
  private serverEpoch = 0;
  /** Bumped before and after every write that can change or remove a server row (SERVER_WRITES). */
  private serversChanged(): void {
    this.serverEpoch++;
    this.clearServerCache();
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
  async deleteServer(id: string, now: number) {
    return this.db.transaction().execute(async (tx) => {
      await this.tombstone(tx, [id], now);
      const r = await tx.deleteFrom('mcp_servers').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
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
      if (rows.length) {
        await this.tombstone(
          tx,
          rows.map((r) => r.id),
          now,
        );
        await tx.deleteFrom('mcp_servers').where('expires_at', '<=', now).execute();
      }
      return rows.map((r) => r.id);
    });
  }

  async insertApiToken(row: ApiTokenRow, bindings: readonly TokenBinding[] = []) {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('api_tokens').values(row).execute();
      if (bindings.length)
        await tx
          .insertInto('client_token_servers')
          .values([...bindings])
          .execute();
    });
  }
  listApiTokens(kind?: string) {
    let q = this.db.selectFrom('api_tokens').selectAll();
    if (kind) q = q.where('kind', '=', kind);
    return q.orderBy('created_at').orderBy('id').execute();
  }
  getApiToken(id: string) {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }
  findApiTokenByLookup(lookup: string) {
    return this.db.selectFrom('api_tokens').selectAll().where('token_lookup', '=', lookup).executeTakeFirst();
  }
  bindingsOf(tokenIds: readonly string[]) {
    if (!tokenIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('client_token_servers')
      .selectAll()
      .where('token_id', 'in', tokenIds)
      .orderBy('token_id')
      .orderBy('server_id')
      .execute();
  }
  async isBound(tokenId: string, serverId: string) {
    const r = await this.db
      .selectFrom('client_token_servers')
      .select('token_id')
      .where('token_id', '=', tokenId)
      .where('server_id', '=', serverId)
      .executeTakeFirst();
    return r !== undefined;
  }
  async revokeApiToken(id: string, now: number) {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      // Its dashboard sessions end in the same write, on every replica (each request re-reads the token too).
      await tx.deleteFrom('ui_sessions').where('kind', '=', 'token').where('principal', '=', id).execute();
      return Number(r.numUpdatedRows) > 0;
    });
  }
  async touchApiToken(id: string, now: number) {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  async recordOperatorEvent(event: NewOperatorEvent) {
    await this.db.insertInto('operator_events').values(event).execute();
  }
  listOperatorEvents({
    limit,
    before,
    accountIds,
  }: {
    limit: number;
    before?: number;
    accountIds?: readonly string[];
  }) {
    if (accountIds && accountIds.length === 0) return Promise.resolve([]);
    let q = this.db.selectFrom('operator_events').selectAll();
    if (accountIds) q = q.where('account_id', 'in', accountIds);
    if (before !== undefined) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }
  async deleteOperatorEventsBefore(at: number) {
    const r = await this.db.deleteFrom('operator_events').where('at', '<', at).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async recordCall(call: NewToolCall) {
    await this.db.insertInto('tool_calls').values(call).execute();
  }
  async recordCalls(calls: readonly NewToolCall[]) {
    if (!calls.length) return;
    // 7 parameters a row: 500 rows stay far below SQLite's 32,766 bound variables.
    const insert = (db: Kysely<Database>, from: number) =>
      db
        .insertInto('tool_calls')
        .values(calls.slice(from, from + 500) as NewToolCall[])
        .execute();
    // One statement is atomic by itself: no BEGIN and COMMIT around it (on Postgres, two round trips fewer per batch).
    if (calls.length <= 500) {
      await insert(this.db, 0);
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < calls.length; i += 500) await insert(tx, i);
    });
  }
  listCalls(serverId: string, options: CallFilter & { limit: number; before?: number }) {
    let q = this.db.selectFrom('tool_calls').selectAll().where('server_id', '=', serverId);
    if (options.before !== undefined) q = q.where('id', '<', options.before);
    if (options.tool !== undefined) q = q.where('tool', '=', options.tool);
    if (options.isError !== undefined) q = q.where('is_error', '=', options.isError ? 1 : 0);
    if (options.since !== undefined) q = q.where('at', '>=', options.since);
    if (options.until !== undefined) q = q.where('at', '<', options.until);
    return q.orderBy('id', 'desc').limit(options.limit).execute();
  }
  async callStats(serverId: string, options: CallFilter & { bucketMs: number }) {
    // The bucket width is a whole number this code chose, inlined so both dialects divide integers.
    const width = sql.lit(Math.max(1, Math.floor(options.bucketMs)));
    const bucket = sql<number>`(at / ${width})`;
    let q = this.db
      .selectFrom('tool_calls')
      .select([
        bucket.as('bucket'),
        (eb) => eb.fn.countAll<number>().as('calls'),
        (eb) => eb.fn.sum<number>('is_error').as('errors'),
      ])
      .where('server_id', '=', serverId);
    if (options.tool !== undefined) q = q.where('tool', '=', options.tool);
    if (options.isError !== undefined) q = q.where('is_error', '=', options.isError ? 1 : 0);
    if (options.since !== undefined) q = q.where('at', '>=', options.since);
    if (options.until !== undefined) q = q.where('at', '<', options.until);
    const rows = await q.groupBy(sql`1`).orderBy(sql`1`).execute();
    const w = Math.max(1, Math.floor(options.bucketMs));
    return rows.map((r) => ({ at: Number(r.bucket) * w, calls: Number(r.calls), errors: Number(r.errors ?? 0) }));
  }
  // In chunks: one statement deleting a million rows would hold the (synchronous) driver, and so the event loop, for
  // seconds.
  async deleteCallsBefore(at: number, chunk = 5000) {
    const r = await this.db
      .deleteFrom('tool_calls')
      .where('id', 'in', (eb) => eb.selectFrom('tool_calls').select('id').where('at', '<', at).limit(chunk))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
  async serversOverCallCap(max: number) {
    const rows = await this.db
      .selectFrom('tool_calls')
      .select('server_id')
      .groupBy('server_id')
      .having((eb) => eb.fn.countAll(), '>', max)
      .execute();
    return rows.map((r) => r.server_id);
  }
  async trimCalls(serverId: string, keep: number, chunk = 5000) {
    const newest = await this.db
      .selectFrom('tool_calls')
      .select('id')
      .where('server_id', '=', serverId)
      .orderBy('id', 'desc')
      .limit(1)
      .offset(keep)
      .executeTakeFirst();
    if (!newest) return 0;
    const r = await this.db
      .deleteFrom('tool_calls')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('tool_calls')
          .select('id')
          .where('server_id', '=', serverId)
          .where('id', '<=', newest.id)
          .orderBy('id')
          .limit(chunk),
      )
      .executeTakeFirst();
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
  async setSettingIfAbsent(key: string, value: string) {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const r = await tx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return r?.value ?? value;
    });
  }

  taskStore(box: SecretBox): TaskStore {
    return new KyselyTaskStore(this.db, box);
  }

  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.dialect !== 'postgres') return fn();
    // One pooled connection holds the lock while `fn` works through the others; hashtext gives the lock's int key.
    return this.db.connection().execute(async (conn) => {
      const key = `openai-mcp:${name}`;
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext(${key})) as ok`.execute(conn);
      if (!got.rows[0]?.ok) return undefined;
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
      }
    });
  }

  async close() {
    await this.db.destroy();
  }
}
