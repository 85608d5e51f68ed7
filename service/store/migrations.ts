// Schema migrations, written with Kysely's schema builder so the same steps run on SQLite today and on Postgres
// when several replicas share one database. Append only: a released migration is never edited.

import type { Kysely, Migration, MigrationProvider } from 'kysely';

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

      await db.schema
        .createTable('tool_calls')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
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
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
