// The SQLite store: one file in the data dir, shared by `serve --http` and the CLI (WAL mode, so the CLI writes
// while a server reads and the server sees each change on its next request).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { ServiceError } from '../errors.js';
import { migrationProvider } from './migrations.js';
import { type Database as Schema, KyselyStore, migrate, type Store } from './store.js';

export const DATABASE_FILE = 'openai-mcp.sqlite';

// An optional dependency (a native module): stdio users never need it, and a failed build must not block installing
// the package. Only the HTTP service and the management commands load it.
async function loadDriver(): Promise<typeof BetterSqlite3> {
  try {
    return (await import('better-sqlite3')).default;
  } catch (err) {
    throw new ServiceError(
      'internal',
      `The SQLite driver (better-sqlite3, an optional dependency) is not installed or did not build: ${(err as Error).message}. ` +
        'Install it in the folder openai-mcp-kit is installed in (`npm root -g` for a global install) with ' +
        '`npm install --no-save better-sqlite3@12`. Where no prebuilt binary can be fetched it builds from source ' +
        "(python3, make, a C++ compiler) against Node's headers; offline, point it at local ones: " +
        '`npm_config_nodedir=/usr npm install --no-save better-sqlite3@12`.',
    );
  }
}

export async function openSqliteStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const Database = await loadDriver();
  const sqlite = new Database(path.join(dataDir, DATABASE_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // The audit log can contain tool names only, yet deleted rows should not linger in free pages either.
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, migrationProvider);
  return new KyselyStore(db);
}
