// The one place a store is opened, for `serve --http` and every management command alike: `--database-url` or
// $OPENAI_MCP_DATABASE_URL picks the engine (`sqlite:<file>` or `postgres://…`); without one, SQLite in the data dir,
// as before. The data dir stays the home of a SQLite database and its key file; with Postgres the secret key comes
// from $OPENAI_MCP_SECRET_KEY, the same on every replica.

import type { DatabaseTarget, StoreBackend } from './backend.js';
import { SetupError } from './driver.js';
import type { PostgresStoreOptions } from './postgres.js';
import { postgresBackend } from './postgres-backend.js';
import type { OpenStoreOptions } from './sqlite.js';
import { dataDirTarget, sqliteBackend } from './sqlite-backend.js';
import type { Store } from './store.js';

export const DATABASE_URL_ENV = 'OPENAI_MCP_DATABASE_URL';

/**
 * The backends, in the order their URL schemes are tried: a new one is its own file in this folder and one entry
 * here (see backend.ts).
 */
export const BACKENDS: readonly StoreBackend<DatabaseTarget>[] = [
  sqliteBackend as StoreBackend<DatabaseTarget>,
  postgresBackend as StoreBackend<DatabaseTarget>,
];

export type { DatabaseTarget } from './backend.js';

/** The backend of a parsed target. */
export function backendOf(target: DatabaseTarget): StoreBackend<DatabaseTarget> {
  const backend = BACKENDS.find((b) => b.kind === target.kind);
  if (!backend) throw new Error(`no store backend ${target.kind}`);
  return backend;
}

/**
 * What a database URL names: no URL (or `sqlite:` alone) is the data dir's SQLite file; otherwise the backend whose
 * scheme it has (`sqlite:<path>` another file, relative to the working directory; `postgres://` a server).
 */
export function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseTarget {
  const value = url?.trim();
  if (!value) return dataDirTarget(dataDir);
  for (const backend of BACKENDS) {
    const target = backend.parse(value, dataDir);
    if (target) return target;
  }
  // Never echo the value: it may be a URL with a password in an unexpected form.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  throw new SetupError(
    'database_url_invalid',
    `The database URL's scheme ${scheme ? `"${scheme}:"` : '(none)'} is not one the store knows`,
    [`use ${BACKENDS.map((b) => b.example).join(' or ')}, or leave it unset for SQLite in the data dir`],
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
  return backendOf(target).describe(target);
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
  const backend = backendOf(target);
  return { store: await backend.open(target, options), target, shared: backend.shared };
}
