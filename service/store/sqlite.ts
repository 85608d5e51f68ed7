// The SQLite store: one file in the data dir, shared by `serve --http` and the CLI (WAL mode, so the CLI writes
// while a server reads and the server sees each change on its next request). The driver is better-sqlite3, or
// Node's built-in node:sqlite where better-sqlite3 is absent (see driver.ts).

import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  sql,
} from 'kysely';
import { loadSqliteDriver, SetupError, type SqliteDriver } from './driver.js';
import { migrationProvider } from './migrations.js';
import { DEFAULT_LOCK_WAIT_MS, retryingStore, storageError, whileLocked } from './retry.js';
import { type Database as Schema, KyselyStore, migrate, type Store } from './store.js';

export const DATABASE_FILE = 'openai-mcp.sqlite';

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
  /** Another database file than the data dir's (a `sqlite:<file>` database URL). */
  file?: string;
  /** How long a lock another process holds is waited for (asynchronously) before a 503. */
  lockWaitMs?: number;
}

/**
 * Creates the data dir (0700) and its missing parents, one level at a time. Not `mkdirSync(…, {recursive: true})`:
 * where mkdir answers ENOENT under a parent that exists (`/proc/nope`), Node's recursive mkdir retries forever at
 * 100 % CPU. Any failure names the dir.
 */
export function ensureDataDir(dataDir: string): void {
  const fail = (err: unknown): never => {
    const e = err as NodeJS.ErrnoException;
    const isFile = e.code === 'EEXIST' || e.code === 'ENOTDIR';
    const blocker = isFile ? fileOnPath(dataDir) : undefined;
    throw new SetupError(
      'data_dir_unusable',
      isFile
        ? `Cannot create the data dir ${dataDir}: ${blocker ?? 'a part of the path'} is a file, not a folder.`
        : `Cannot create the data dir ${dataDir}: ${e.code ?? 'error'} (${e.message ?? String(err)}).`,
      [
        'point --data-dir (or $OPENAI_MCP_DATA_DIR) at a folder, or at a path where one can be created',
        ...(e.code === 'EACCES' ? [`or give this user write access to ${path.dirname(dataDir)}`] : []),
      ],
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
    if (err instanceof SetupError) throw err;
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

/** Prepared statements kept per SQL text (Kysely's dialect prepares every query afresh). */
const STATEMENT_CACHE = 200;

/**
 * `database` with its prepared statements reused: preparing the server lookup again on every request was about a
 * third of the store's CPU per tools/call. Safe here: Kysely runs one query at a time on its single SQLite
 * connection, and SQLite re-prepares a statement by itself when the schema changed under it.
 */
function reusingStatements(database: SqliteDatabase, max = STATEMENT_CACHE): SqliteDatabase {
  const statements = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  return {
    close() {
      statements.clear();
      return database.close();
    },
    prepare(text) {
      let statement = statements.get(text);
      if (statement) return statement;
      statement = database.prepare(text);
      // Queries with lists (`in (?, ?, …)`) make many texts; the oldest goes first.
      if (statements.size >= max) statements.delete(statements.keys().next().value!);
      statements.set(text, statement);
      return statement;
    },
  };
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

export async function openSqliteStore(dataDir: string, options: OpenStoreOptions = {}): Promise<Store> {
  ensureDataDir(dataDir);
  const file = options.file ?? path.join(dataDir, DATABASE_FILE);
  if (options.file) ensureDataDir(path.dirname(file));
  const driver = options.driver ?? (await loadSqliteDriver());
  const lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  // Created 0600 before SQLite opens it; SQLite gives the -wal and -shm files the database file's mode.
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  restrictFiles(file);
  const { database, exec } = driver.open(file);
  try {
    // 0: a lock is never waited for synchronously (that would block every tenant); retry.ts waits between attempts.
    exec('PRAGMA busy_timeout = 0');
    // Switching to WAL takes a lock that a parallel first start may hold.
    await whileLocked(async () => exec('PRAGMA journal_mode = WAL'), lockWaitMs);
    // What better-sqlite3 is built with (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), said here so node:sqlite (built with 2:
    // an fsync per commit, ~15x slower writes on a busy disk) behaves the same: in WAL mode no corruption on power
    // loss, at worst the last commits are lost.
    exec('PRAGMA synchronous = NORMAL');
    exec('PRAGMA foreign_keys = ON');
    // The audit log can contain tool names only, yet deleted rows should not linger in free pages either.
    exec('PRAGMA secure_delete = ON');
    restrictFiles(file);
    const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: reusingStatements(database) }) });
    await whileLocked(() => migrate(db, migrationProvider), lockWaitMs);
    // Changes whenever another connection committed; this connection's own writes go through the store, which
    // clears its cache itself. Its own statement, outside Kysely: read on every tools/call.
    const dataVersion = database.prepare('PRAGMA data_version') as ReturnType<SqliteDatabase['prepare']> & {
      pluck?: () => { get(): unknown };
    };
    // better-sqlite3's plucked get() allocates no row object; node:sqlite's statement has no pluck.
    const plucked = dataVersion.pluck?.();
    const changeProbe = plucked
      ? () => plucked.get()
      : () => (dataVersion.all([])[0] as { data_version: number }).data_version;
    return retryingStore(new KyselyStore(db, { changeProbe }), file, lockWaitMs);
  } catch (err) {
    try {
      database.close();
    } catch {
      /* already closed */
    }
    throw storageError(err, file);
  }
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
