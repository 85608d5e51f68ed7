// The one place a store is opened, for `serve --http` and every management command alike: `--database-url` or
// $OPENAI_MCP_DATABASE_URL picks the engine (`sqlite:<file>` or `postgres://…`); without one, SQLite in the data dir,
// as before. The data dir stays the home of a SQLite database and its key file; with Postgres the secret key comes
// from $OPENAI_MCP_SECRET_KEY, the same on every replica.

import path from 'node:path';
import { SetupError } from './driver.js';
import { describeDatabaseUrl, openPostgresStore, type PostgresStoreOptions } from './postgres.js';
import { DATABASE_FILE, type OpenStoreOptions, openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export const DATABASE_URL_ENV = 'OPENAI_MCP_DATABASE_URL';

export type DatabaseTarget =
  | { kind: 'sqlite' /** The database file. */; file: string }
  | { kind: 'postgres'; url: string };

/**
 * What a database URL names. `sqlite:` alone (or no URL) is the data dir's file; `sqlite:<path>` (or
 * `sqlite:///abs/path`) another file, relative to the working directory; `postgres://` and `postgresql://` a server.
 */
export function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseTarget {
  const value = url?.trim();
  if (!value) return { kind: 'sqlite', file: path.join(dataDir, DATABASE_FILE) };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      const u = new URL(value);
      if (!u.hostname && !u.searchParams.get('host')) throw new Error('no host');
    } catch {
      throw new SetupError(
        'database_url_invalid',
        `The database URL ${describeDatabaseUrl(value)} is not a valid postgres:// URL`,
        [
          'use postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode @ : / in the password), in $OPENAI_MCP_DATABASE_URL or --database-url',
        ],
      );
    }
    return { kind: 'postgres', url: value };
  }
  if (/^sqlite:/i.test(value)) {
    let rest = value.slice('sqlite:'.length);
    if (rest.startsWith('///')) rest = rest.slice(2);
    else if (rest.startsWith('//')) rest = rest.slice(2);
    return { kind: 'sqlite', file: rest ? path.resolve(rest) : path.join(dataDir, DATABASE_FILE) };
  }
  // Never echo the value: it may be a URL with a password in an unexpected form.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  throw new SetupError(
    'database_url_invalid',
    `The database URL's scheme ${scheme ? `"${scheme}:"` : '(none)'} is not one the store knows`,
    ['use sqlite:<file> or postgres://USER:PASSWORD@HOST:PORT/DATABASE, or leave it unset for SQLite in the data dir'],
  );
}

/** `--database-url`, else $OPENAI_MCP_DATABASE_URL. */
export function databaseTarget(
  flag: string | undefined,
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): DatabaseTarget {
  return parseDatabaseUrl(flag ?? env[DATABASE_URL_ENV], dataDir);
}

/** For messages and logs: the file, or the URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  return target.kind === 'sqlite' ? target.file : describeDatabaseUrl(target.url);
}

export interface OpenedStore {
  store: Store;
  target: DatabaseTarget;
  /** Whether other processes on other machines may share it (then the secret key must come from the environment). */
  shared: boolean;
}

export async function openStore(
  options: {
    dataDir: string;
    databaseUrl?: string;
    env?: Record<string, string | undefined>;
    log?: (line: string) => void;
  } & OpenStoreOptions &
    PostgresStoreOptions,
): Promise<OpenedStore> {
  const target = databaseTarget(options.databaseUrl, options.dataDir, options.env);
  if (target.kind === 'postgres') return { store: await openPostgresStore(target.url, options), target, shared: true };
  return { store: await openSqliteStore(options.dataDir, { ...options, file: target.file }), target, shared: false };
}
