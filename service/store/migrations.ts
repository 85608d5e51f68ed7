// Schema migrations, written with Kysely's schema builder so the same steps run on SQLite today and on Postgres
// when several replicas share one database. Append only: a released migration is never edited.

import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { createOAuthTables } from '../auth/oauth/store.js';

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
  '0002_oauth': {
    async up(db: Kysely<unknown>) {
      // The per-server auth mode; servers that required an API token keep doing so.
      await db.schema
        .alterTable('mcp_servers')
        .addColumn('auth', 'text', (c) => c.notNull().defaultTo('url'))
        .execute();
      // Who may log in to an `oauth` server: JSON {allow_emails, allow_groups}; null for other modes.
      await db.schema.alterTable('mcp_servers').addColumn('oauth_policy', 'text').execute();
      await sql`update mcp_servers set auth = 'url+api-token' where require_api_token_auth = 1`.execute(db);
      await createOAuthTables(db);
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
