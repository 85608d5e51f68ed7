// The store's contract, run case for case against both engines: SQLite in a temp data dir, and a real PostgreSQL 15
// server (testing/postgres.ts), a fresh database per case. Anything the service relies on (numbers that stay
// numbers, keyset pages, tombstones, one-transaction key rotation, concurrent first starts) is stated here once.

import { describe, expect, it } from 'vitest';
import { boxFromPassphrase } from '../../service/secrets.js';
import { openStore } from '../../service/store/open.js';
import { parseInt8 } from '../../service/store/postgres.js';
import { SERVER_CACHE_MS, type Store } from '../../service/store/store.js';
import type { UiSessionRow } from '../../service/store/ui-sessions.js';
import { freshDatabase, pgSkip } from '../helpers/postgres.js';
import { account, server, T0 } from '../helpers/store-rows.js';
import { tempDataDir } from './helpers.js';

interface Engine {
  name: string;
  skip: string;
  /** A new empty database's URL (undefined: SQLite in the data dir). */
  fresh(): Promise<string | undefined>;
}

const engines: Engine[] = [
  { name: 'sqlite', skip: '', fresh: async () => undefined },
  { name: 'postgres', skip: pgSkip, fresh: () => freshDatabase('contract') },
];

// Milliseconds a few centuries out: far past 2^32, still exact in a double (int8 on Postgres, integer on SQLite).
const FAR = 9_000_000_000_000;
for (const engine of engines) {
  describe.skipIf(!!engine.skip)(`store contract on ${engine.name}${engine.skip ? ` (${engine.skip})` : ''}`, () => {
    async function open(url?: string, dataDir = tempDataDir()): Promise<Store> {
      const { store } = await openStore({ dataDir, databaseUrl: url ?? (await engine.fresh()), env: {} });
      return store;
    }
    async function withStore(fn: (store: Store) => Promise<void>) {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    }

    it('keeps int8 columns numbers (times past 2^32, counts, generated ids), never strings', () =>
      withStore(async (store) => {
        await store.insertAccount(account('acc_a', { created_at: FAR }), 'fp');
        const row = await store.getAccount('acc_a');
        expect(row?.created_at).toBe(FAR);
        expect(typeof row?.created_at).toBe('number');
        expect(await store.countAccounts()).toBe(1);
        await store.recordCall({
          server_id: 'srv_x',
          at: FAR,
          tool: 't',
          http_status: 200,
          duration_ms: 5,
          is_error: 0,
        });
        await store.recordCall({
          server_id: 'srv_x',
          at: FAR + 1,
          tool: 't2',
          http_status: null,
          duration_ms: 0,
          is_error: 1,
        });
        const calls = await store.listCalls('srv_x', { limit: 10 });
        expect(calls.map((c) => c.tool)).toEqual(['t2', 't']);
        for (const c of calls) {
          expect(typeof c.id).toBe('number');
          expect(typeof c.at).toBe('number');
        }
        expect(calls[0]!.id).toBeGreaterThan(calls[1]!.id);
        // Arithmetic on a read value adds, it does not concatenate.
        expect(calls[0]!.at + 1).toBe(FAR + 2);
        expect(await store.listCalls('srv_x', { limit: 10, before: calls[0]!.id })).toHaveLength(1);
        expect(await store.deleteCallsBefore(FAR + 1)).toBe(1);
      }));

    it('filters a server’s calls by tool, status and time, and counts them per time bucket', () =>
      withStore(async (store) => {
        const base = 1_800_000_000_000;
        const call = (at: number, tool: string, err: number) => ({
          server_id: 'srv_f',
          at,
          tool,
          http_status: err ? 500 : 200,
          duration_ms: 1,
          is_error: err,
        });
        await store.recordCalls([
          call(base, 'a', 0),
          call(base + 10, 'b', 1),
          call(base + 60_000, 'a', 1),
          call(base + 61_000, 'a', 0),
          { ...call(base, 'a', 0), server_id: 'srv_other' },
        ]);
        const tools = async (o: Parameters<typeof store.listCalls>[1]) =>
          (await store.listCalls('srv_f', o)).map((c) => `${c.tool}${c.is_error}`);
        expect(await tools({ limit: 10 })).toEqual(['a0', 'a1', 'b1', 'a0']);
        expect(await tools({ limit: 10, tool: 'a' })).toEqual(['a0', 'a1', 'a0']);
        expect(await tools({ limit: 10, isError: true })).toEqual(['a1', 'b1']);
        expect(await tools({ limit: 10, since: base + 60_000 })).toEqual(['a0', 'a1']);
        expect(await tools({ limit: 10, until: base + 60_000 })).toEqual(['b1', 'a0']);
        expect(await store.callStats('srv_f', { bucketMs: 60_000, since: base })).toEqual([
          { at: base - (base % 60_000), calls: 2, errors: 1 },
          { at: base - (base % 60_000) + 60_000, calls: 2, errors: 1 },
        ]);
        expect(await store.callStats('srv_f', { bucketMs: 60_000, tool: 'b' })).toEqual([
          { at: base - (base % 60_000), calls: 1, errors: 1 },
        ]);
      }));

    it('updates an account and moves its servers’ updated_at strictly forward', () =>
      withStore(async (store) => {
        await store.insertAccount(account('acc_a'), 'fp');
        await store.insertServer(server('srv_1', 'acc_a', { updated_at: T0 + 10 }));
        const updated = await store.updateAccount('acc_a', { name: 'renamed' }, T0 + 5, 'fp');
        expect(updated?.name).toBe('renamed');
        expect(updated?.updated_at).toBe(T0 + 5);
        // updated_at (T0 + 10) was later than now (T0 + 5): it still moves, by one.
        expect((await store.getServer('srv_1'))?.updated_at).toBe(T0 + 11);
        expect(await store.updateAccount('nope', { name: 'x' }, T0, 'fp')).toBeUndefined();
        // New secrets under another key fingerprint than the stored one are refused.
        await store.setSetting('secret_key_fingerprint', 'fp');
        await expect(store.updateAccount('acc_a', { secrets: 's2' }, T0, 'other')).rejects.toThrow(/secret key/);
        await expect(store.insertAccount(account('acc_b'), 'other')).rejects.toThrow(/secret key/);
      }));

    it('deletes servers and accounts behind tombstones, unbinding client tokens', () =>
      withStore(async (store) => {
        await store.insertAccount(account('acc_a'), 'fp');
        await store.insertServer(server('srv_1', 'acc_a'));
        await store.insertServer(server('srv_2', 'acc_a'));
        await store.insertApiToken(
          {
            id: 'tok_c',
            name: 'c',
            kind: 'client',
            accounts: null,
            actions: null,
            token_lookup: 'lk_c',
            token_hash: 'h',
            created_at: T0,
            created_by: null,
            expires_at: null,
            last_used_at: null,
            revoked_at: null,
          },
          [
            { token_id: 'tok_c', server_id: 'srv_1', account_id: 'acc_a' },
            { token_id: 'tok_c', server_id: 'srv_2', account_id: 'acc_a' },
          ],
        );
        expect(await store.isBound('tok_c', 'srv_1')).toBe(true);
        expect(await store.deleteServer('srv_1', T0 + 1)).toBe(true);
        expect(await store.deleteServer('srv_1', T0 + 2)).toBe(false);
        expect(await store.getTombstone('srv_1')).toEqual({
          id: 'srv_1',
          account_id: 'acc_a',
          name: 'srv_1',
          deleted_at: T0 + 1,
        });
        expect(await store.isBound('tok_c', 'srv_1')).toBe(false);
        expect(await store.findServerByLookup('lookup-srv_1')).toBeUndefined();
        expect(await store.deleteAccount('acc_a', T0 + 3)).toBe(true);
        expect(await store.getServer('srv_2')).toBeUndefined();
        expect((await store.getTombstone('srv_2'))?.deleted_at).toBe(T0 + 3);
        expect(await store.bindingsOf(['tok_c'])).toEqual([]);
        expect(await store.countServers()).toBe(0);
      }));

    it('purges expired servers and pages live ones by id (keyset), each exactly once', () =>
      withStore(async (store) => {
        await store.insertAccount(account('acc_a'), 'fp');
        await store.insertAccount(account('acc_b'), 'fp');
        const ids: string[] = [];
        for (let i = 0; i < 23; i++) {
          // Mixed case and digits: pages follow the engine's own order of ids, whatever its collation.
          const id = `srv_${i % 2 ? 'A' : 'b'}${String(i).padStart(2, '0')}x${i}`;
          ids.push(id);
          await store.insertServer(
            server(id, i % 3 ? 'acc_a' : 'acc_b', { expires_at: i === 4 ? T0 - 1 : i === 5 ? FAR : null }),
          );
        }
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listServersPage({ limit: 5, after, now: T0 });
          seen.push(...page.map((r) => r.id));
          if (page.length < 5) break;
          after = page.at(-1)!.id;
        }
        const live = ids.filter((_, i) => i !== 4);
        expect([...seen].sort()).toEqual([...live].sort());
        expect(new Set(seen).size).toBe(seen.length);
        const onlyB = await store.listServersPage({ limit: 100, now: T0, accountIds: ['acc_b'] });
        expect(onlyB.every((r) => r.account_id === 'acc_b')).toBe(true);
        expect(await store.listServersPage({ limit: 100, now: T0, accountIds: [] })).toEqual([]);
        // A deleted id still works as a cursor.
        const first = await store.listServersPage({ limit: 3, now: T0 });
        await store.deleteServer(first[2]!.id, T0);
        const next = await store.listServersPage({ limit: 3, now: T0, after: first[2]!.id });
        expect(next[0]?.id).toBe(seen[3]);
        expect(await store.deleteExpiredServers(T0)).toEqual([ids[4]]);
        expect((await store.getTombstone(ids[4]!))?.deleted_at).toBe(T0);
      }));

    it('updates servers, finds them by lookup, and refuses a duplicate lookup', () =>
      withStore(async (store) => {
        await store.insertAccount(account('acc_a'), 'fp');
        await store.insertServer(server('srv_1', 'acc_a'));
        const r = await store.updateServer('srv_1', { name: 'n2', token_lookup: 'new', token_hash: 'h2' }, T0 + 9);
        expect(r).toMatchObject({ name: 'n2', updated_at: T0 + 9 });
        expect(await store.findServerByLookup('lookup-srv_1')).toBeUndefined();
        expect((await store.findServerByLookup('new'))?.id).toBe('srv_1');
        await expect(store.insertServer(server('srv_2', 'acc_a', { token_lookup: 'new' }))).rejects.toThrow();
        expect(await store.updateServer('missing', { name: 'x' }, T0)).toBeUndefined();
      }));

    it("sees another process's change to a server it found: at once on SQLite, within SERVER_CACHE_MS on Postgres", async () => {
      const url = await engine.fresh();
      const dataDir = tempDataDir();
      // `a` serves, `b` is the CLI (or another replica) on the same database: its own connection.
      const a = await open(url, dataDir);
      const b = await open(url, dataDir);
      const settle = () =>
        engine.name === 'postgres' ? new Promise((r) => setTimeout(r, SERVER_CACHE_MS + 50)) : Promise.resolve();
      try {
        await a.insertAccount(account('acc_a'), 'fp');
        await a.insertServer(server('srv_1', 'acc_a'));
        await a.insertServer(server('srv_2', 'acc_a'));
        // Found twice (the second time from the lookup cache, where there is one).
        expect((await a.findServerByLookup('lookup-srv_1'))?.config).toBe('{}');
        expect((await a.findServerByLookup('lookup-srv_1'))?.config).toBe('{}');
        expect((await a.findServerByLookup('lookup-srv_2'))?.id).toBe('srv_2');
        // Narrowed by b: a's next lookup has the new scope.
        await b.updateServer('srv_1', { config: '{"tags":["files"]}' }, T0 + 1);
        await settle();
        expect((await a.findServerByLookup('lookup-srv_1'))?.config).toBe('{"tags":["files"]}');
        // A write b makes elsewhere (an audit row) leaves what a found intact.
        await b.recordCall({ server_id: 'srv_1', at: T0, tool: 't', http_status: 200, duration_ms: 1, is_error: 0 });
        expect((await a.findServerByLookup('lookup-srv_1'))?.config).toBe('{"tags":["files"]}');
        // Revoked by b (a new URL), then deleted by b: a finds neither any more.
        await b.updateServer('srv_1', { token_lookup: 'rotated', token_hash: 'h2' }, T0 + 2);
        await settle();
        expect(await a.findServerByLookup('lookup-srv_1')).toBeUndefined();
        expect((await a.findServerByLookup('rotated'))?.id).toBe('srv_1');
        await b.deleteServer('srv_2', T0 + 3);
        await settle();
        expect(await a.findServerByLookup('lookup-srv_2')).toBeUndefined();
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('revokes and touches tokens; operator events page backwards by id', () =>
      withStore(async (store) => {
        await store.insertApiToken({
          id: 'tok_m',
          name: 'm',
          kind: 'management',
          accounts: '*',
          actions: '*',
          token_lookup: 'lk_m',
          token_hash: 'h',
          created_at: T0,
          created_by: 'cli:x',
          expires_at: FAR,
          last_used_at: null,
          revoked_at: null,
        });
        await store.touchApiToken('tok_m', T0 + 1);
        expect(await store.revokeApiToken('tok_m', T0 + 2)).toBe(true);
        expect(await store.revokeApiToken('tok_m', T0 + 3)).toBe(false);
        expect(await store.findApiTokenByLookup('lk_m')).toMatchObject({
          last_used_at: T0 + 1,
          revoked_at: T0 + 2,
          expires_at: FAR,
        });
        expect((await store.listApiTokens('management')).map((t) => t.id)).toEqual(['tok_m']);
        for (let i = 0; i < 5; i++)
          await store.recordOperatorEvent({
            at: T0 + i,
            actor: 'cli:x',
            action: 'a',
            target: null,
            account_id: i % 2 ? 'acc_a' : null,
            result: 'ok',
            status: 200,
            message: null,
          });
        const page = await store.listOperatorEvents({ limit: 2 });
        expect(page.map((e) => e.at)).toEqual([T0 + 4, T0 + 3]);
        const older = await store.listOperatorEvents({ limit: 10, before: page[1]!.id });
        expect(older.map((e) => e.at)).toEqual([T0 + 2, T0 + 1, T0]);
        expect((await store.listOperatorEvents({ limit: 10, accountIds: ['acc_a'] })).length).toBe(2);
        expect(await store.deleteOperatorEventsBefore(T0 + 2)).toBe(2);
      }));

    it('settings: set, overwrite, and set-if-absent keeps the first value', () =>
      withStore(async (store) => {
        expect(await store.getSetting('k')).toBeUndefined();
        await store.setSetting('k', 'v1');
        await store.setSetting('k', 'v2');
        expect(await store.getSetting('k')).toBe('v2');
        expect(await store.setSettingIfAbsent('k', 'v3')).toBe('v2');
        expect(await store.setSettingIfAbsent('j', 'w')).toBe('w');
      }));

    it('re-seals every account and the fingerprint in one transaction, or none on a failure', () =>
      withStore(async (store) => {
        const old = boxFromPassphrase('o'.repeat(40), 'old');
        const next = boxFromPassphrase('n'.repeat(40), 'new');
        await store.setSetting('secret_key_fingerprint', old.fingerprint);
        for (const id of ['acc_a', 'acc_b'])
          await store.insertAccount(account(id, { secrets: old.seal(`sk-${id}`, id) }), old.fingerprint);
        // A reseal that fails on the second account leaves the first, and the fingerprint, untouched.
        let n = 0;
        await expect(
          store.rekeyAccounts((row) => {
            if (++n === 2) throw new Error('boom');
            return next.seal(old.open(row.secrets, row.id), row.id);
          }, next.fingerprint),
        ).rejects.toThrow('boom');
        expect(await store.getSetting('secret_key_fingerprint')).toBe(old.fingerprint);
        for (const a of await store.listAccounts()) expect(old.open(a.secrets, a.id)).toBe(`sk-${a.id}`);
        expect(
          await store.rekeyAccounts((row) => next.seal(old.open(row.secrets, row.id), row.id), next.fingerprint),
        ).toBe(2);
        for (const a of await store.listAccounts()) expect(next.open(a.secrets, a.id)).toBe(`sk-${a.id}`);
        expect(await store.getSetting('secret_key_fingerprint')).toBe(next.fingerprint);
      }));

    it('keeps task records, sealed, with numbers for times', () =>
      withStore(async (store) => {
        const box = boxFromPassphrase('t'.repeat(40), 'test');
        const tasks = store.taskStore(box);
        await tasks.insert({
          id: 'task_1',
          scope: 'srv_1',
          tool: 'wait',
          status: 'working',
          statusMessage: null,
          createdAt: T0,
          updatedAt: T0,
          ttlMs: 60_000,
          pollIntervalMs: 500,
          result: null,
          error: null,
        });
        expect(await tasks.countWorking('srv_1', T0)).toBe(1);
        expect(
          await tasks.updateWorking('srv_1', 'task_1', {
            status: 'completed',
            updatedAt: T0 + 1,
            result: { content: [{ type: 'text', text: 'secret result' }] },
          }),
        ).toBe(true);
        const got = await tasks.get('srv_1', 'task_1', T0 + 2);
        expect(got).toMatchObject({ status: 'completed', updatedAt: T0 + 1, ttlMs: 60_000, pollIntervalMs: 500 });
        expect(got?.result).toEqual({ content: [{ type: 'text', text: 'secret result' }] });
        expect(await tasks.get('srv_2', 'task_1', T0)).toBeUndefined();
        expect(await tasks.deleteExpired(T0 + 60_000)).toBe(1);
      }));

    const uiRow = (id: string, principal: string, over: Partial<UiSessionRow> = {}): UiSessionRow => ({
      id_hash: `hash-${id}`,
      kind: 'token',
      principal,
      label: null,
      claims: null,
      created_at: T0,
      last_seen: T0,
      ends_at: FAR,
      ...over,
    });

    it('keeps dashboard sessions by hash, bounded per principal, swept when idle or ended', () =>
      withStore(async (store) => {
        for (let i = 0; i < 5; i++) await store.ui.insert(uiRow(`a${i}`, 'tok_a', { created_at: T0 + i }), 3);
        await store.ui.insert(uiRow('b0', 'tok_b'), 3);
        // The principal's newest three stay; the other principal's is untouched.
        expect((await store.ui.ofPrincipal('tok_a')).map((r) => r.id_hash)).toEqual(['hash-a2', 'hash-a3', 'hash-a4']);
        expect(await store.ui.get('hash-b0')).toMatchObject({ principal: 'tok_b', ends_at: FAR, created_at: T0 });
        expect(typeof (await store.ui.get('hash-b0'))?.ends_at).toBe('number');
        await store.ui.touch('hash-a4', T0 + 100);
        expect((await store.ui.get('hash-a4'))?.last_seen).toBe(T0 + 100);
        // Logout deletes the row; a second delete finds nothing.
        expect(await store.ui.delete('hash-a2')).toBe(true);
        expect(await store.ui.delete('hash-a2')).toBe(false);
        // Sweep: past the end, or idle since before the cut.
        await store.ui.insert(uiRow('ended', 'tok_c', { ends_at: T0 + 10 }), 3);
        expect(await store.ui.deleteExpired(T0 + 50, T0 + 50)).toBe(3); // a3 and b0 (idle), ended
        expect((await store.ui.ofPrincipal('tok_a')).map((r) => r.id_hash)).toEqual(['hash-a4']);
        expect(await store.ui.deletePrincipal('tok_a')).toBe(1);
      }));

    it("ends a management token's dashboard sessions in the write that revokes it", () =>
      withStore(async (store) => {
        await store.insertApiToken({
          id: 'tok_r',
          name: 'r',
          kind: 'management',
          accounts: '*',
          actions: '*',
          token_lookup: 'lookup-r',
          token_hash: 'hash-r',
          created_at: T0,
          created_by: null,
          expires_at: null,
          last_used_at: null,
          revoked_at: null,
        });
        await store.ui.insert(uiRow('r1', 'tok_r'), 20);
        await store.ui.insert(uiRow('r2', 'tok_r'), 20);
        // An identity-provider session whose subject happens to look alike is another principal kind: kept.
        await store.ui.insert(uiRow('o1', 'oidc:https://idp#tok_r', { kind: 'oidc' }), 20);
        expect(await store.revokeApiToken('tok_r', T0 + 1)).toBe(true);
        expect(await store.ui.ofPrincipal('tok_r')).toEqual([]);
        expect(await store.ui.get('hash-o1')).toBeDefined();
      }));

    it('gives a pending identity-provider login to one callback only, and not after it expired', async () => {
      const url = await engine.fresh();
      const dataDir = tempDataDir();
      const [a, b] = [await open(url, dataDir), await open(url, dataDir)];
      try {
        const login = { state_hash: 's1', browser_hash: 'b1', verifier: 'v', nonce: 'n', expires_at: T0 + 600_000 };
        await a.ui.insertLogin(login);
        await a.ui.insertLogin({ ...login, state_hash: 's2', expires_at: T0 });
        // Two replicas race for the same state: one wins.
        const taken = await Promise.all([a.ui.takeLogin('s1', T0), b.ui.takeLogin('s1', T0)]);
        expect(taken.filter(Boolean)).toEqual([login]);
        expect(await b.ui.takeLogin('s1', T0)).toBeUndefined();
        expect(await b.ui.takeLogin('s2', T0 + 1)).toBeUndefined(); // expired (and gone)
        expect(await a.ui.takeLogin('s2', T0 - 1)).toBeUndefined();
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('runs exclusive work on one process at a time (Postgres), or always (SQLite, one machine)', async () => {
      const url = await engine.fresh();
      const dataDir = tempDataDir();
      const [a, b] = [await open(url, dataDir), await open(url, dataDir)];
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const first = a.exclusive('sweep', async () => {
        await held;
        return 'a';
      });
      await new Promise((r) => setTimeout(r, 50));
      const second = await b.exclusive('sweep', async () => 'b');
      expect(second).toBe(engine.name === 'postgres' ? undefined : 'b');
      // Another name is another lock.
      expect(await b.exclusive('other', async () => 'o')).toBe('o');
      release();
      expect(await first).toBe('a');
      expect(await b.exclusive('sweep', async () => 'b')).toBe('b');
      await a.close();
      await b.close();
    });

    it('migrates once when several processes open a new database at the same time', async () => {
      const url = await engine.fresh();
      const dataDir = tempDataDir();
      // Three at once: Postgres's Migrator takes an advisory lock, SQLite's BEGIN IMMEDIATE the write lock (waited
      // for asynchronously); one migrates, the others wait, then find nothing to do.
      const stores = await Promise.all([1, 2, 3].map(() => open(url, dataDir)));
      await stores[0]!.insertAccount(account('acc_a'), 'fp');
      expect(await stores[2]!.countAccounts()).toBe(1);
      for (const s of stores) await s.close();
      // And again: nothing left to run.
      const again = await open(url, dataDir);
      expect(await again.countAccounts()).toBe(1);
      await again.close();
    });
  });
}

describe('int8 parsing', () => {
  it('parses safe integers and refuses what a number cannot hold exactly', () => {
    expect(parseInt8('0')).toBe(0);
    expect(parseInt8('-42')).toBe(-42);
    expect(parseInt8(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseInt8('9223372036854775807')).toThrow(/outside the range/);
  });
});
