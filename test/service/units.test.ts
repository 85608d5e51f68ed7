// The service's building blocks on their own: tokens, the secret box, the SQLite store, the Host/Origin rules.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedHostnames } from '../../service/http/guard.js';
import { Management } from '../../service/manage/index.js';
import { boxFromPassphrase, openSecretBox, SECRET_KEY_FILE } from '../../service/secrets.js';
import { openSqliteStore } from '../../service/store/sqlite.js';
import { issueToken, lookupOf, looksLikeToken, tokenMatches } from '../../service/tokens.js';
import { fixtureCatalog } from '../fixtures/catalog.js';
import { tempDataDir } from './helpers.js';

describe('tokens', () => {
  it('carry 256 random bits behind a recognizable prefix and are stored only as a hash', () => {
    const a = issueToken('server');
    const b = issueToken('server');
    expect(a.token).toMatch(/^omcp_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token.slice(5), 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).not.toContain(a.token.slice(5, 20));
    expect(a.lookup).toBe(lookupOf(a.token));
    expect(tokenMatches(a.token, a.hash)).toBe(true);
    expect(tokenMatches(b.token, a.hash)).toBe(false);
    expect(tokenMatches(a.token, 'abcd')).toBe(false);
  });

  it.each([
    ['server', issueToken('server').token, true],
    ['management', issueToken('management').token, true],
    ['client', issueToken('client').token, true],
    ['management', `omcpapi_${'a'.repeat(43)}`, true],
    ['server', issueToken('management').token, false],
    ['management', issueToken('server').token, false],
    ['management', issueToken('client').token, false],
    ['client', issueToken('management').token, false],
    ['server', 'omcp_short', false],
    ['server', `omcp_${'a'.repeat(42)}=`, false],
  ] as const)('looksLikeToken(%s, …) is %s', (kind, token, ok) => {
    expect(looksLikeToken(kind, token)).toBe(ok);
  });
});

/** A data dir's store and its secret box, as `serve` and the CLI open them. */
async function openDir(dir = tempDataDir(), env: Record<string, string> = {}) {
  const store = await openSqliteStore(dir);
  return { dir, store, box: await openSecretBox(dir, store, env) };
}

describe('secret box', () => {
  it('creates a 0600 key file once and round-trips secrets bound to their context', async () => {
    const { dir, store, box } = await openDir();
    const file = path.join(dir, SECRET_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = box.seal('sk-proj-secret', 'acc_1');
    expect(sealed).not.toContain('sk-proj-secret');
    expect((await openSecretBox(dir, store, {})).open(sealed, 'acc_1')).toBe('sk-proj-secret');
    expect(() => box.open(sealed, 'acc_2')).toThrow(/cannot be decrypted/);
    expect(readFileSync(file, 'utf8')).toHaveLength(44);
    await store.close();
  });

  it('uses OPENAI_MCP_SECRET_KEY when set, and refuses a short one', async () => {
    const env = { OPENAI_MCP_SECRET_KEY: 'x'.repeat(40) };
    const { store, box } = await openDir(undefined, env);
    const sealed = box.seal('k', 'c');
    expect(boxFromPassphrase('x'.repeat(40), 'test').open(sealed, 'c')).toBe('k');
    expect(() => boxFromPassphrase('y'.repeat(40), 'test').open(sealed, 'c')).toThrow();
    await store.close();
    await expect(openDir(undefined, { OPENAI_MCP_SECRET_KEY: 'short' })).rejects.toThrow(/at least 32/);
  });
});

describe('store and management', () => {
  it('stores keys encrypted, masks them in listings, and cascades account removal', async () => {
    const { store, box } = await openDir();
    const m = new Management({ store, box, catalog: fixtureCatalog });
    const acc = await m.accounts.createAccount({ name: 'acme', api_key: 'sk-proj-ABCDEFGHIJKLMNOP1234' });
    expect(acc.api_key).toBe('…1234');
    const row = (await store.listAccounts())[0]!;
    expect(JSON.stringify(row)).not.toContain('ABCDEFGHIJKLMNOP');
    expect(m.accounts.accountSecrets(row).apiKey).toBe('sk-proj-ABCDEFGHIJKLMNOP1234');
    const srv = await m.servers.createServer(acc.id, { name: 's' }, 'http://127.0.0.1:1');
    expect((await m.servers.listServers()).map((s) => s.id)).toEqual([srv.id]);
    await m.accounts.removeAccount(acc.id);
    expect(await m.servers.listServers()).toEqual([]);
    await expect(m.servers.getServer(srv.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await store.close();
  });

  it('pages server listings past any cap: every server seen once, in order, with has_more and a cursor', async () => {
    const { store, box } = await openDir();
    let now = 1_000_000;
    const m = new Management({ store, box, catalog: fixtureCatalog, now: () => now++ });
    const acc = await m.accounts.createAccount({ name: 'a', api_key: 'sk-1' });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await m.servers.createServer(acc.id, { name: `s${i}` }, 'http://h')).id);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await m.servers.listServersPage(undefined, { limit: 3, after });
      seen.push(...page.data.map((s) => s.id));
      pages++;
      if (!page.has_more) {
        expect(page.next_cursor).toBeNull();
        break;
      }
      after = page.next_cursor ?? undefined;
    }
    // Keyset on id: every server once, in id order; a cursor naming a deleted row still pages on.
    expect([seen, pages]).toEqual([[...ids].sort(), 3]);
    const rest = await m.servers.listServersPage(undefined, { after: seen[2] });
    await m.servers.deleteServer(seen[2]!);
    expect((await m.servers.listServersPage(undefined, { after: seen[2] })).data).toEqual(rest.data);
    expect((await m.servers.listServers()).length).toBe(6);
    await store.close();
  });

  it('runs migrations once: a second open of the same data dir keeps the rows', async () => {
    const dir = tempDataDir();
    const first = await openSqliteStore(dir);
    await first.setSetting('k', 'v');
    await first.close();
    const second = await openSqliteStore(dir);
    expect(await second.getSetting('k')).toBe('v');
    await second.close();
  });

  it('purges expired servers and old audit rows', async () => {
    const { store, box } = await openDir();
    let now = 1_000_000;
    const m = new Management({ store, box, catalog: fixtureCatalog, now: () => now });
    const acc = await m.accounts.createAccount({ name: 'a', api_key: 'sk-1' });
    const s = await m.servers.createServer(
      acc.id,
      { name: 's', expires_at: new Date(now + 61_000).toISOString() },
      'http://h',
    );
    await store.recordCall({ server_id: s.id, at: 10, tool: 't', http_status: 200, duration_ms: 1, is_error: 0 });
    now += 62_000;
    expect(await m.servers.listServers()).toEqual([]);
    expect(await store.deleteExpiredServers(now)).toEqual([s.id]);
    // Its audit rows stay reachable by id until retention removes them.
    expect(await m.servers.calls(s.id)).toHaveLength(1);
    expect(await store.deleteCallsBefore(11)).toBe(1);
    await store.close();
  });
});

describe('allowed hosts', () => {
  it.each([
    [{ host: '127.0.0.1', publicUrl: 'http://127.0.0.1:8787' }, ['localhost', '127.0.0.1', '[::1]']],
    [{ host: '0.0.0.0', publicUrl: 'https://mcp.example.com' }, ['localhost', '127.0.0.1', '[::1]', 'mcp.example.com']],
    [
      { host: '::1', publicUrl: 'http://[::1]:1', extra: ['Proxy.Internal'] },
      ['localhost', '127.0.0.1', '[::1]', 'proxy.internal'],
    ],
  ])('%j', (options, want) => {
    expect([...allowedHostnames(options)].sort()).toEqual([...want].sort());
  });
});
