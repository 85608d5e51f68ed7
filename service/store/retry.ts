// Database waits off the event loop. better-sqlite3 is synchronous: with SQLite's busy timeout, a write lock held by
// another process (a CLI command, a backup, `sqlite3` in a shell) would block the whole process (every tenant, the
// health check) for as long as the timeout. The connection is opened with a busy timeout of 0 instead, and every
// store method that meets a lock is retried here after an asynchronous pause, until a deadline. SQLite's error codes
// become the service's: a full disk and an I/O error say so, rather than "Internal error".

import { statfsSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../errors.js';
import type { Store } from './store.js';

export const DEFAULT_LOCK_WAIT_MS = 5_000;

/** SQLite's primary result code of a driver error (`SQLITE_BUSY_SNAPSHOT` → `SQLITE_BUSY`), or undefined. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const m = /^SQLITE_[A-Z]+/.exec(code);
  return m?.[0];
}

/** A lock another connection holds: worth waiting for. */
export const isLocked = (err: unknown) => ['SQLITE_BUSY', 'SQLITE_LOCKED'].includes(sqliteCode(err) ?? '');

/** Whether the file system holding `file` has (next to) no space left: SQLite reports that as an I/O error at times. */
function diskFull(file: string): boolean {
  try {
    const s = statfsSync(path.dirname(file));
    return s.bavail * s.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

/** The service's error for a database failure (`where`: the database file), or the error itself if not one. */
export function storageError(err: unknown, where: string): unknown {
  const code = sqliteCode(err);
  if (code === 'SQLITE_FULL' || (code === 'SQLITE_IOERR' && diskFull(where)))
    return new ServiceError(
      'storage_full',
      `The database disk is full (${where}): free space there; nothing was changed`,
    );
  switch (code) {
    case 'SQLITE_IOERR':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
      return new ServiceError(
        'storage_error',
        `The database cannot be written (${where}): ${(err as Error).message}; nothing was changed`,
      );
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new ServiceError(
        'database_busy',
        `The database is locked by another process (${where}); try again shortly`,
      );
    default:
      return err;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`, retrying it after short asynchronous pauses while the database is locked, until `deadlineMs` passed. */
export async function whileLocked<T>(fn: () => Promise<T>, deadlineMs: number): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isLocked(err) || Date.now() >= until) throw err;
      // 5, 10, 20 … ms, then every 100 ms: short locks cost little, long ones a few attempts a second.
      await pause(Math.min(100, 5 * 2 ** attempt));
    }
  }
}

/**
 * `store` with every method retried while the database is locked (each method is one transaction, so a retry
 * repeats all of it or none) and SQLite's failures turned into the service's errors, naming `where` (the data dir).
 */
export function retryingStore(store: Store, where: string, deadlineMs = DEFAULT_LOCK_WAIT_MS): Store {
  return retrying(store, where, deadlineMs);
}

/** Methods that answer at once with an object of more store methods (the task store), wrapped the same way. */
const SYNC_FACTORIES = new Set<PropertyKey>(['taskStore']);
/** Properties holding more store methods (the dashboard's sessions), wrapped the same way. */
const SUB_STORES = new Set<PropertyKey>(['ui']);

function retrying<T extends object>(store: T, where: string, deadlineMs: number): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (SUB_STORES.has(prop) && typeof value === 'object' && value !== null)
        return retrying(value, where, deadlineMs);
      if (typeof value !== 'function' || prop === 'close') return value;
      if (SYNC_FACTORIES.has(prop))
        return (...args: unknown[]) => retrying(value.apply(target, args) as object, where, deadlineMs);
      return async (...args: unknown[]) => {
        try {
          return await whileLocked(() => value.apply(target, args), deadlineMs);
        } catch (err) {
          throw storageError(err, where);
        }
      };
    },
  });
}
