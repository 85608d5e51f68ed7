// Schema migrations, written with Kysely's schema builder so the same steps run on SQLite (one process's data dir)
// and on Postgres (several replicas sharing one database). Append only: a released migration is never edited; the
// one dialect difference (an auto-incrementing id) compiles to exactly what SQLite always ran.

import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  PostgresAdapter,
  sql,
} from 'kysely';
import { createOAuthTables } from '../auth/oauth/store.js';
import { createUiTables } from './ui-sessions.js';

/** Whether `db` speaks Postgres (the migrations run through whichever dialect the store was opened with). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * An auto-incrementing integer primary key. Kysely's `autoIncrement()` compiles to SQLite's `autoincrement` but to
 * MySQL's `auto_increment` on Postgres, which has no such keyword: there it is an identity column of type bigint
 * (returned as a number by the store's int8 parser, see postgres.ts).
 */
export function serialId<T extends string>(db: Kysely<unknown>, table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return isPostgres(db)
    ? table.addColumn('id', 'bigint', (c: ColumnDefinitionBuilder) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text')
        // Keys are AES-256-GCM envelopes (see secrets.ts); the hints are the last 4 characters, for listings.
        .addColumn('secrets', 'text', (c) => c.notNull())
        .addColumn('api_key_hint', 'text')
        .addColumn('admin_key_hint', 'text')
        .addColumn('organization_id', 'text')
        .addColumn('project_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('mcp_servers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('require_api_token_auth', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('token_lookup', 'text', (c) => c.notNull().unique())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mcp_servers_account').on('mcp_servers').column('account_id').execute();
      await db.schema.createIndex('mcp_servers_expires').on('mcp_servers').column('expires_at').execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_lookup', 'text', (c) => c.notNull().unique())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();

      await serialId(db, db.schema.createTable('tool_calls'))
        .addColumn('server_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('is_error', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tool_calls_server_at').on('tool_calls').columns(['server_id', 'at']).execute();

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_credentials': {
    async up(db: Kysely<unknown>) {
      // API tokens become management tokens (scoped to accounts and actions, expiring) or client tokens (bound to
      // servers, no REST rights). Tokens of earlier releases keep working as management tokens of full scope.
      await db.schema
        .alterTable('api_tokens')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('management'))
        .execute();
      // '*' or a JSON array of account ids; client tokens: null (their servers say which accounts).
      await db.schema.alterTable('api_tokens').addColumn('accounts', 'text').execute();
      // '*' or a JSON array of actions (see service/auth/principals.ts).
      await db.schema.alterTable('api_tokens').addColumn('actions', 'text').execute();
      await db.schema.alterTable('api_tokens').addColumn('expires_at', 'bigint').execute();
      // Who issued it: a token id or `cli:<user>`; null for migrated tokens.
      await db.schema.alterTable('api_tokens').addColumn('created_by', 'text').execute();
      await sql`update api_tokens set accounts = '*', actions = '*'`.execute(db);

      await db.schema
        .createTable('client_token_servers')
        .addColumn('token_id', 'text', (c) => c.notNull())
        .addColumn('server_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('client_token_servers_pk', ['token_id', 'server_id'])
        .execute();
      await db.schema
        .createIndex('client_token_servers_server')
        .on('client_token_servers')
        .column('server_id')
        .execute();

      // The per-server auth mode (service/auth/modes.ts); servers that required an API token now require a client
      // token. `require_api_token_auth` stays, mirrored, for readers of the older column.
      await db.schema
        .alterTable('mcp_servers')
        .addColumn('auth', 'text', (c) => c.notNull().defaultTo('url'))
        .execute();
      await sql`update mcp_servers set auth = 'url+client-token' where require_api_token_auth = 1`.execute(db);

      await db.schema.alterTable('accounts').addColumn('updated_at', 'bigint').execute();

      // Servers deleted or expired: their audit rows stay readable by id, and scoped to their account.
      await db.schema
        .createTable('server_tombstones')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint', (c) => c.notNull())
        .execute();

      // The operator audit log: every REST and CLI change, and every refusal of an authenticated request.
      await serialId(db, db.schema.createTable('operator_events'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('account_id', 'text')
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('message', 'text')
        .execute();
      await db.schema.createIndex('operator_events_at').on('operator_events').column('at').execute();
      await db.schema.createIndex('operator_events_account').on('operator_events').column('account_id').execute();
    },
  },
  // MCP tasks (long calls answered with a handle): found by id within their server on any replica; the outcome
  // column is a sealed envelope. Expired rows are swept with the audit log.
  '0003_tasks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('server_id', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_message', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('ttl_ms', 'bigint', (c) => c.notNull())
        .addColumn('poll_interval_ms', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .execute();
      await db.schema.createIndex('tasks_server_status').on('tasks').columns(['server_id', 'status']).execute();
      await db.schema.createIndex('tasks_expires').on('tasks').column('expires_at').execute();
    },
  },
  // OAuth for managed servers (service/auth/oauth/): `auth = 'oauth'` is a value of 0002's mode column; who may log
  // in to such a server, and the authorization server's clients, grants, codes, tokens and login state.
  '0004_oauth': {
    async up(db: Kysely<unknown>) {
      // JSON {allow_emails, allow_groups} of an `oauth` server; null for other modes.
      await db.schema.alterTable('mcp_servers').addColumn('oauth_policy', 'text').execute();
      await createOAuthTables(db);
    },
  },
  // Dashboard sessions and pending identity-provider logins (ui-sessions.ts): in the database, so a session
  // survives a restart and works on every replica. Sessions of 0004 and before lived in memory: none to carry over.
  '0005_ui_sessions': {
    async up(db: Kysely<unknown>) {
      await createUiTables(db);
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
