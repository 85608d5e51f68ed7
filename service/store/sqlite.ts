// The SQLite store: one file in the data dir, shared by `serve --http` and the CLI (WAL mode, so the CLI writes
// while a server reads and the server sees each change on its next request).

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { ServiceError } from '../errors.js';
import { migrationProvider } from './migrations.js';
import { storageError, whileLocked, retryingStore } from './retry.js';
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
 * Creates the data dir (0700) and any missing parents, one level at a time: Node's recursive mkdir loops forever on
 * some paths (under /proc, for one) instead of failing, and a command must fail at once, naming the folder.
 */
export function ensureDataDir(dataDir: string): void {
  const missing: string[] = [];
  for (let dir = path.resolve(dataDir); !existsSync(dir); dir = path.dirname(dir)) {
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new ServiceError(
        'storage_error',
        `Cannot create the data dir ${dataDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message} at ${dir})`,
      );
    }
  }
}

const isRaceOnFirstUse = (err: unknown) => /already exists/.test(String((err as Error)?.message));

/**
 * The store in `dataDir`, its schema migrated. Locks met while opening and migrating are waited for without
 * blocking the event loop (several processes may start on a fresh data dir at once: the loser of the race retries
 * and finds the schema made).
 */
export async function openSqliteStore(dataDir: string, options: { lockWaitMs?: number } = {}): Promise<Store> {
  ensureDataDir(dataDir);
  const Database = await loadDriver();
  const where = path.join(dataDir, DATABASE_FILE);
  const sqlite = new Database(where);
  try {
    // 0: a lock is never waited for synchronously; retry.ts waits between attempts instead.
    sqlite.pragma('busy_timeout = 0');
    await whileLocked(async () => sqlite.pragma('journal_mode = WAL'), options.lockWaitMs ?? 5_000);
    sqlite.pragma('foreign_keys = ON');
    // The audit log can contain tool names only, yet deleted rows should not linger in free pages either.
    sqlite.pragma('secure_delete = ON');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    for (let attempt = 0; ; attempt++) {
      try {
        await whileLocked(() => migrate(db, migrationProvider), options.lockWaitMs ?? 5_000);
        break;
      } catch (err) {
        if (!isRaceOnFirstUse(err) || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
    return retryingStore(new KyselyStore(db), where, options.lockWaitMs);
  } catch (err) {
    sqlite.close();
    throw storageError(err, where);
  }
}
