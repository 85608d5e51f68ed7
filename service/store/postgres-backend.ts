// The Postgres backend: one database shared by several replicas; `backup` leaves it to pg_dump, and `doctor`
// connects (one `select`, nothing written) to report its version, its accounts and whether the key matches.

import { boxFromPassphrase } from '../secrets.js';
import type { DoctorLine, StoreBackend } from './backend.js';
import { SetupError } from './driver.js';
import { connectPostgres, describeDatabaseUrl, openPostgresStore } from './postgres.js';

export interface PostgresTarget {
  kind: 'postgres';
  url: string;
}

/** Connects (one `select`, nothing written) and reads what the doctor's checks need. */
async function facts(url: string): Promise<{ version: string; accounts?: number; fingerprint?: string }> {
  const { pool } = await connectPostgres(url, { poolMax: 1 });
  try {
    const version = String((await pool.query('show server_version')).rows[0]?.server_version ?? '?');
    const migrated = (await pool.query("select to_regclass('accounts') is not null as ok")).rows[0]?.ok === true;
    if (!migrated) return { version };
    const accounts = Number((await pool.query('select count(*) as n from accounts')).rows[0]?.n ?? 0);
    const fp = await pool.query("select value from settings where key = 'secret_key_fingerprint'");
    return { version, accounts, fingerprint: fp.rows[0]?.value as string | undefined };
  } finally {
    await pool.end();
  }
}

export const postgresBackend: StoreBackend<PostgresTarget> = {
  kind: 'postgres',
  example: 'postgres://USER:PASSWORD@HOST:PORT/DATABASE',
  parse(url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) return undefined;
    try {
      const u = new URL(url);
      if (!u.hostname && !u.searchParams.get('host')) throw new Error('no host');
    } catch {
      throw new SetupError(
        'database_url_invalid',
        `The database URL ${describeDatabaseUrl(url)} is not a valid postgres:// URL`,
        [
          'use postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode @ : / in the password), in $OPENAI_MCP_DATABASE_URL or --database-url',
        ],
      );
    }
    return { kind: 'postgres', url };
  },
  describe: (target) => describeDatabaseUrl(target.url),
  where: (target) => `database ${describeDatabaseUrl(target.url)}`,
  shared: true,
  open: (target, options) => openPostgresStore(target.url, options),
  copyRefusal: (target, command) =>
    `${command}: the store is the Postgres database ${describeDatabaseUrl(target.url)} (OPENAI_MCP_DATABASE_URL), which ${command} does not copy: use pg_dump / pg_restore, and keep OPENAI_MCP_SECRET_KEY's value with the dump`,
  doctor: {
    async store(target) {
      try {
        const f = await facts(target.url);
        return [
          {
            status: 'ok',
            detail: `Postgres ${f.version} at ${describeDatabaseUrl(target.url)} ($OPENAI_MCP_DATABASE_URL), ${f.accounts === undefined ? 'not migrated yet (serve --http migrates it)' : `${f.accounts} account(s)`}`,
          },
        ];
      } catch (err) {
        if (!(err instanceof SetupError)) throw err;
        const [message] = err.message.split('\nFix:');
        return [{ status: 'fail', detail: message ?? err.message, fix: err.fix }];
      }
    },
    /** The key must come from the environment (every replica the same) and match the stored fingerprint. */
    async secretKey(target, env): Promise<DoctorLine[]> {
      const value = env.OPENAI_MCP_SECRET_KEY?.trim();
      if (!value)
        return [
          {
            status: 'fail',
            detail: 'OPENAI_MCP_SECRET_KEY is required with a Postgres database (no key file is used)',
            fix: ['set OPENAI_MCP_SECRET_KEY to the key every replica uses (32+ characters)'],
          },
        ];
      let fingerprint: string;
      try {
        fingerprint = boxFromPassphrase(value, 'OPENAI_MCP_SECRET_KEY').fingerprint;
      } catch (err) {
        return [{ status: 'fail', detail: (err as Error).message }];
      }
      const stored = await facts(target.url).catch(() => undefined);
      if (stored?.fingerprint && stored.fingerprint !== fingerprint)
        return [
          {
            status: 'fail',
            detail: `OPENAI_MCP_SECRET_KEY (fingerprint ${fingerprint}) is not the key the database's accounts are sealed with (${stored.fingerprint})`,
            fix: ['use the key the running replicas use'],
          },
        ];
      return [
        {
          status: 'ok',
          detail: `from OPENAI_MCP_SECRET_KEY, fingerprint ${fingerprint} (keep its value safe: it is not in any backup)`,
        },
      ];
    },
  },
};
