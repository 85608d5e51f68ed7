// The SQLite store: one file in the data dir, shared by `serve --http` and the CLI (WAL mode, so the CLI writes
// while a server reads and the server sees each change on its next request).

import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
} from 'kysely';
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

/**
 * Creates the data dir (0700) and its missing parents, one level at a time. Not `mkdirSync(…, {recursive: true})`:
 * where mkdir answers ENOENT under a parent that exists (`/proc/nope`), Node's recursive mkdir retries forever at
 * 100 % CPU. Any failure names the dir.
 */
export function ensureDataDir(dataDir: string): void {
  const fail = (err: unknown): never => {
    const e = err as NodeJS.ErrnoException;
    throw new ServiceError(
      'data_dir',
      `Cannot create the data dir ${dataDir}: ${e.code ?? 'error'} (${e.message ?? String(err)}); choose another with --data-dir or OPENAI_MCP_DATA_DIR`,
    );
  };
  const missing: string[] = [];
  let at = path.resolve(dataDir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') fail(err);
    }
  }
  try {
    if (!statSync(dataDir).isDirectory()) fail(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    fail(err);
  }
}

/**
 * Every transaction starts with BEGIN IMMEDIATE: it takes the write lock before reading, so two processes never
 * both read "not migrated yet" (or "no key yet") and then both write. A deferred BEGIN let parallel first starts
 * race to `table "accounts" already exists`.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  // SQLite runs DDL in transactions; saying so makes Kysely's Migrator run each migration in one (BEGIN IMMEDIATE).
  override createAdapter(): DialectAdapter {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl() {
        return true;
      }
    })();
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/** The database and its WAL files: readable by this user only, also when the data dir existed before. */
function restrictFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
    } catch {
      // Owned by another user: SQLite opened it, so it is readable here; nothing more this process can do.
    }
  }
}

export async function openSqliteStore(dataDir: string): Promise<Store> {
  ensureDataDir(dataDir);
  const Database = await loadDriver();
  const file = path.join(dataDir, DATABASE_FILE);
  // Created 0600 before SQLite opens it; SQLite gives the -wal and -shm files the database file's mode.
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  restrictFiles(file);
  const sqlite = new Database(file);
  // Before the journal mode: switching to WAL takes a lock that a parallel first start may hold.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // The audit log can contain tool names only, yet deleted rows should not linger in free pages either.
  sqlite.pragma('secure_delete = ON');
  restrictFiles(file);
  const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  await migrate(db, migrationProvider);
  return new KyselyStore(db);
}
