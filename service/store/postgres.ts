// The Postgres store: one database shared by several `serve --http` replicas and the management CLI. Same Kysely
// queries as the SQLite store (store.ts), through Kysely's Postgres dialect and `pg`, an optional dependency like
// better-sqlite3: only installs that use Postgres need it.
//
// A database URL holds a password: nothing here ever prints one. Messages name the host, port, database and user.

import { createRequire } from 'node:module';
import { Kysely, PostgresDialect } from 'kysely';
import type { CustomTypesConfig, Pool, PoolConfig } from 'pg';
import { ServiceError } from '../errors.js';
import { SetupError } from './driver.js';
import { migrationProvider } from './migrations.js';
import { type Database as Schema, KyselyStore, migrate, type Store } from './store.js';

/** Postgres type OIDs whose text form `pg` hands back as a string unless told otherwise. */
const INT8_OID = 20;

/**
 * int8 (bigint) columns, `count(*)` and identity ids come back from `pg` as strings (a JS number cannot hold every
 * int8). Every one the store keeps (milliseconds since 1970, counts, row ids) fits in 2^53, so they are parsed to
 * numbers; one that does not is an error rather than a silently rounded value (or a string that `+` concatenates).
 */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is outside the range a number holds exactly`);
  return n;
}

/** `postgres://user@host:port/db`: the URL without its password or query, for messages and logs. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** Removes the URL's password (raw and decoded) from a message a driver wrote, should it ever quote it. */
function scrub(message: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    /* nothing to hide */
  }
  if (!password) return message;
  let out = message.replaceAll(password, '***');
  try {
    out = out.replaceAll(decodeURIComponent(password), '***');
  } catch {
    /* not percent-encoded */
  }
  return out;
}

type PgModule = typeof import('pg');

function loadPg(): PgModule {
  const require = createRequire(import.meta.url);
  try {
    // require, not import: the bundle keeps pg external, and a missing module must be catchable here.
    return require('pg') as PgModule;
  } catch (err) {
    throw new SetupError(
      'database_driver_missing',
      `A postgres:// database URL needs the \`pg\` package (an optional dependency of openai-mcp-kit), which does not load: ${(err as Error).message.split('\n')[0]}`,
      ['npm install pg@8 (in the folder openai-mcp-kit is installed in), or use a sqlite: URL'],
    );
  }
}

export interface PostgresStoreOptions {
  /** Connections per process (default 10). */
  poolMax?: number;
  /** How long a new connection may take before start-up (or a request) fails (default 5 s). */
  connectTimeoutMs?: number;
  /** Idle-connection errors (the server restarted): logged, never a crash. */
  log?: (line: string) => void;
}

export function poolConfig(url: string, options: PostgresStoreOptions, pg: PgModule): PoolConfig {
  return {
    connectionString: url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'openai-mcp',
    // Per pool, not pg.types.setTypeParser: another user of `pg` in the same process keeps its own parsing.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text'),
    } as CustomTypesConfig,
  };
}

/** The start-up error for a database that cannot be reached or refuses us: names the host, never the password. */
export function unreachable(url: string, err: unknown): SetupError {
  const where = describeDatabaseUrl(url);
  const e = err as { code?: string; message?: string };
  const reason = scrub(e.message ?? String(err), url);
  const fix: string[] = [];
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || /timeout/i.test(reason))
    fix.push(
      'check that Postgres runs and that this host and port reach it (OPENAI_MCP_DATABASE_URL / --database-url)',
    );
  else if (e.code === '28P01' || e.code === '28000')
    fix.push("check the URL's user and password (a password with @ : / must be percent-encoded)");
  else if (e.code === '3D000') fix.push('create the database first (createdb), or name one that exists');
  else fix.push('check OPENAI_MCP_DATABASE_URL / --database-url');
  return new SetupError(
    'database_unreachable',
    `Cannot use the database at ${where}: ${reason}${e.code && !reason.includes(e.code) ? ` (${e.code})` : ''}`,
    fix,
  );
}

/** A Kysely instance on a new pool, checked with one round trip (so a wrong URL fails at start-up, clearly). */
export async function connectPostgres(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<{ db: Kysely<Schema>; pool: Pool }> {
  const pg = loadPg();
  const pool = new pg.Pool(poolConfig(url, options, pg));
  // An idle client's connection dropping (a restart, a failover) is reported here; unhandled it would end the process.
  pool.on('error', (err) =>
    options.log?.(`database connection lost (${describeDatabaseUrl(url)}): ${scrub(err.message, url)}`),
  );
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw unreachable(url, err);
  }
  return { db: new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), pool };
}

/**
 * Opens (and migrates) the store on Postgres. Two replicas migrating at once: Kysely's Migrator holds a transaction
 * advisory lock, so one runs the migrations and the other waits, then finds nothing left to do.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const { db } = await connectPostgres(url, options);
  try {
    await migrate(db, migrationProvider);
  } catch (err) {
    await db.destroy().catch(() => {});
    throw unreachable(url, err);
  }
  return unavailableAs503(new KyselyStore(db, { dialect: 'postgres' }), describeDatabaseUrl(url));
}

/** Error codes (socket errors and SQLSTATE classes 08, 57P, 53300) that mean "the database is not reachable now". */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
]);

/** Whether `err` says the database went away or cannot take us now (rather than that a query was wrong). */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNAVAILABLE.has(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i.test(
    message,
  );
}

/**
 * `store` with a lost database turned into the service's 503 (`database_unavailable`, which the HTTP layer answers
 * with Retry-After), naming the host, never the password. The pool reconnects by itself when the database is back.
 */
export function unavailableAs503<T extends object>(store: T, where: string): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      if (prop === 'taskStore')
        return (...args: unknown[]) => unavailableAs503(value.apply(target, args) as object, where);
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (err) {
          if (isUnavailable(err))
            throw new ServiceError(
              'database_unavailable',
              `The database (${where}) cannot be reached right now; try again shortly`,
            );
          throw err;
        }
      };
    },
  });
}
