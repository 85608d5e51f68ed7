// The SQLite store: one file in the data dir, shared by `serve --http` and the CLI (WAL mode, so the CLI writes
// while a server reads and the server sees each change on its next request). The driver is better-sqlite3, or
// Node's built-in node:sqlite where better-sqlite3 is absent (see driver.ts).

import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { loadSqliteDriver, SetupError, type SqliteDriver } from './driver.js';
import { migrationProvider } from './migrations.js';
import { type Database as Schema, KyselyStore, migrate, type Store } from './store.js';

export const DATABASE_FILE = 'openai-mcp.sqlite';

/**
 * Creates the data dir (0700) if needed, or says plainly why it cannot be used: a path that is a file, or a folder
 * this user cannot create. Every command that keeps state goes through here first.
 */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const isFile = code === 'EEXIST' || code === 'ENOTDIR';
    const blocker = isFile ? fileOnPath(dataDir) : undefined;
    throw new SetupError(
      'data_dir_unusable',
      isFile
        ? `The data dir ${dataDir} cannot be created: ${blocker ?? 'a part of the path'} is a file, not a folder.`
        : `The data dir ${dataDir} cannot be created: ${(err as Error).message}.`,
      [
        'point --data-dir (or $OPENAI_MCP_DATA_DIR) at a folder, or at a path where one can be created',
        ...(code === 'EACCES' ? [`or give this user write access to ${path.dirname(dataDir)}`] : []),
      ],
    );
  }
}

function fileOnPath(p: string): string | undefined {
  for (let dir = path.resolve(p); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) return dir;
      return undefined;
    } catch {
      /* does not exist: look further up */
    }
  }
  return undefined;
}

export interface OpenStoreOptions {
  driver?: SqliteDriver;
}

export async function openSqliteStore(dataDir: string, options: OpenStoreOptions = {}): Promise<Store> {
  ensureDataDir(dataDir);
  const driver = options.driver ?? (await loadSqliteDriver());
  const { database, exec } = driver.open(path.join(dataDir, DATABASE_FILE));
  exec('PRAGMA journal_mode = WAL');
  // What better-sqlite3 is built with (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), said here so node:sqlite (built with 2: an
  // fsync per commit, ~15x slower writes on a busy disk) behaves the same: in WAL mode no corruption on power loss,
  // at worst the last commits are lost.
  exec('PRAGMA synchronous = NORMAL');
  exec('PRAGMA busy_timeout = 5000');
  exec('PRAGMA foreign_keys = ON');
  // The audit log can contain tool names only, yet deleted rows should not linger in free pages either.
  exec('PRAGMA secure_delete = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
  await migrate(db, migrationProvider);
  return new KyselyStore(db);
}

/**
 * A consistent copy of a live database in one file (SQLite's `VACUUM INTO`: a read transaction, so a running
 * service keeps serving and writing meanwhile). The target must not exist.
 */
export async function backupSqlite(dataDir: string, target: string, options: OpenStoreOptions = {}): Promise<void> {
  const driver = options.driver ?? (await loadSqliteDriver());
  const { database, exec } = driver.open(path.join(dataDir, DATABASE_FILE));
  try {
    exec('PRAGMA busy_timeout = 5000');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
    await sql`VACUUM INTO ${target}`.execute(db);
    await db.destroy();
  } finally {
    try {
      database.close();
    } catch {
      /* closed by destroy */
    }
  }
}
