// The server lookup under concurrency: when no kept row answers, concurrent requests for one URL share one query,
// and only when the rule that keeps rows would keep its answer (the same change-probe value, no local write since).
// A real SQLite database (better-sqlite3, in memory, migrated); the store's queries are counted at Kysely.

import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../service/store/migrations.js';
import { KyselyStore, migrate } from '../../service/store/store.js';
import { account, server, T0 } from '../helpers/store-rows.js';

const opened: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
});

/** A migrated store whose change probe the test sets, and how many server lookups reached the database. */
async function storeWithProbe() {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  opened.push(db);
  await migrate(db, migrationProvider);
  let lookups = 0;
  const execute = db.executeQuery.bind(db);
  db.executeQuery = ((query: { sql: string }) => {
    if (/from "mcp_servers" where "token_lookup"/.test(query.sql)) lookups++;
    return execute(query as never);
  }) as typeof db.executeQuery;
  const probe = { version: 1 };
  const store = new KyselyStore(db, { changeProbe: () => probe.version });
  await store.insertAccount(account('acc_a'), 'fp');
  await store.insertServer(server('srv_1', 'acc_a'));
  await store.insertServer(server('srv_2', 'acc_a'));
  return { store, probe, lookups: () => lookups };
}

describe('server lookup: one query per key at a time', () => {
  it('concurrent requests for one URL share one query; other URLs get their own', async () => {
    const { store, lookups } = await storeWithProbe();
    const found = await Promise.all([
      ...Array.from({ length: 20 }, () => store.findServerByLookup('lookup-srv_1')),
      store.findServerByLookup('lookup-srv_2'),
      store.findServerByLookup('unknown'),
      store.findServerByLookup('unknown'),
    ]);
    expect(found.slice(0, 20).every((r) => r?.id === 'srv_1')).toBe(true);
    expect(found[20]?.id).toBe('srv_2');
    expect(found.slice(21)).toEqual([undefined, undefined]);
    expect(lookups()).toBe(3);
    // The row is kept now: no query at all.
    await store.findServerByLookup('lookup-srv_1');
    expect(lookups()).toBe(3);
  });

  it('a request after a local write does not join a lookup started before it, and sees the write', async () => {
    const { store, lookups } = await storeWithProbe();
    const before = store.findServerByLookup('lookup-srv_1');
    const write = store.updateServer('srv_1', { config: '{"tags":["files"]}' }, T0 + 1);
    const after = store.findServerByLookup('lookup-srv_1');
    await write;
    expect((await after)?.config).toBe('{"tags":["files"]}');
    await before;
    expect(lookups()).toBe(2);
    // What the pre-write lookup read is not kept either: the next request reads the new row.
    expect((await store.findServerByLookup('lookup-srv_1'))?.config).toBe('{"tags":["files"]}');
  });

  it("a request after another process's commit (a new probe value) does not join an older lookup", async () => {
    const { store, probe, lookups } = await storeWithProbe();
    const first = store.findServerByLookup('lookup-srv_1');
    probe.version++;
    const second = store.findServerByLookup('lookup-srv_1');
    await Promise.all([first, second]);
    expect(lookups()).toBe(2);
    // Kept under the newer value: the next request is answered without a query.
    await store.findServerByLookup('lookup-srv_1');
    expect(lookups()).toBe(2);
  });
});
