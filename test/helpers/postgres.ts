// One fresh database per caller on the test run's PostgreSQL server (testing/postgres.ts), so test files running
// in parallel never see each other's rows.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** Why Postgres tests are skipped ('' when the server runs). */
export const pgSkip = inject('pgSkip');

/** A new, empty database; returns its URL (with the test server's password). */
export async function freshDatabase(label = 't'): Promise<string> {
  const admin = inject('pgUrl');
  if (!admin) throw new Error(`PostgreSQL is not running: ${pgSkip}`);
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client(admin);
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
