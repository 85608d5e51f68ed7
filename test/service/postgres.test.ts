// The built `openai-mcp` on a real PostgreSQL server: a wrong database URL or key fails at start-up with a message
// that names the host and never the password; the secret key must come from the environment and every process
// must share it; rotation re-encrypts every account in one go.

import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { freshDatabase, pgSkip } from '../helpers/postgres.js';
import { cli, cliJson, tempDataDir } from './helpers.js';

const KEY = 'k'.repeat(40);
const NEW_KEY = 'n'.repeat(40);

describe('database URL errors', () => {
  it('an unreachable host fails start-up naming host and port, never the password', () => {
    const r = cli(['serve', '--http', '--port', '0', '--data-dir', tempDataDir()], {
      env: { OPENAI_MCP_DATABASE_URL: 'postgres://bob:Hunter2Secret@127.0.0.1:1/app', OPENAI_MCP_SECRET_KEY: KEY },
      timeoutMs: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('postgres://bob@127.0.0.1:1/app');
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    expect(r.stderr + r.stdout).not.toContain('Hunter2Secret');
  });

  it('an unknown scheme is refused without echoing the URL', () => {
    const r = cli(['accounts', 'list', '--data-dir', tempDataDir()], {
      env: { OPENAI_MCP_DATABASE_URL: 'mysql://bob:Hunter2Secret@db/app' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/scheme "mysql:" is not one the store knows/);
    expect(r.stderr).not.toContain('Hunter2Secret');
  });

  it('backup refuses a Postgres store (pg_dump is the tool), naming the host, never the password', () => {
    const r = cli(['backup', `${tempDataDir()}/b`, '--data-dir', tempDataDir()], {
      env: { OPENAI_MCP_DATABASE_URL: 'postgres://bob:Hunter2Secret@db.internal:5432/app' },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/postgres:\/\/bob@db.internal:5432\/app.*pg_dump/);
    expect(r.stderr).not.toContain('Hunter2Secret');
  });

  it('a sqlite: URL puts the database in that file', () => {
    const dir = tempDataDir();
    const file = `${tempDataDir()}/other.sqlite`;
    const env = { OPENAI_MCP_DATABASE_URL: `sqlite:${file}` };
    cliJson(['accounts', 'add', '--name', 'acme', '--data-dir', dir], {
      env: { ...env, OPENAI_API_KEY: 'sk-proj-A1234' },
    });
    expect(cliJson(['accounts', 'list', '--data-dir', dir], { env })).toHaveLength(1);
    // The data dir's own database is another one, and empty.
    expect(cliJson(['accounts', 'list', '--data-dir', dir])).toHaveLength(0);
  });
});

describe.skipIf(!!pgSkip)(`on PostgreSQL${pgSkip ? ` (${pgSkip})` : ''}`, () => {
  it('doctor checks the Postgres store and the key from the environment, writing nothing', async () => {
    const db = await freshDatabase('doctor');
    const password = new URL(db).password;
    const env = { OPENAI_MCP_DATABASE_URL: db };
    const noKey = cli(['doctor', '--only', 'store,secret-key', '--json', '--data-dir', tempDataDir()], { env });
    const report = JSON.parse(noKey.stdout);
    expect(report.checks).toEqual([
      expect.objectContaining({
        id: 'store',
        status: 'ok',
        detail: expect.stringMatching(/^Postgres 15\..* not migrated yet/),
      }),
      expect.objectContaining({
        id: 'secret-key',
        status: 'fail',
        detail: expect.stringMatching(/required with a Postgres/),
      }),
    ]);
    const withKey = cli(['doctor', '--only', 'store,secret-key', '--json', '--data-dir', tempDataDir()], {
      env: { ...env, OPENAI_MCP_SECRET_KEY: KEY },
    });
    expect(JSON.parse(withKey.stdout).ok).toBe(true);
    const bad = new URL(db);
    bad.port = '1';
    const down = cli(['doctor', '--only', 'store', '--json', '--data-dir', tempDataDir()], {
      env: { OPENAI_MCP_DATABASE_URL: bad.toString() },
    });
    expect(JSON.parse(down.stdout).checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/127\.0\.0\.1:1.*ECONNREFUSED/),
    });
    for (const r of [noKey, withKey, down]) expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('a wrong password is refused at start-up, naming user and host, never the password', async () => {
    const url = new URL(await freshDatabase('pw'));
    url.password = 'WrongHunter2';
    const r = cli(['accounts', 'list', '--data-dir', tempDataDir()], {
      env: { OPENAI_MCP_DATABASE_URL: url.toString(), OPENAI_MCP_SECRET_KEY: KEY },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(r.stderr).toContain(`postgres://${url.username}@${url.host}${url.pathname}`);
    expect(r.stderr).not.toContain('WrongHunter2');
    expect(r.stderr).not.toContain(new URL(inject('pgUrl')).password);
  });

  it('requires OPENAI_MCP_SECRET_KEY, refuses a wrong one naming the accounts, and rotates in one transaction', async () => {
    const db = await freshDatabase('key');
    const password = new URL(db).password;
    const base = { OPENAI_MCP_DATABASE_URL: db };
    // Two machines: two data dirs, one database.
    const dirA = tempDataDir();
    const dirB = tempDataDir();

    const noKey = cli(['accounts', 'list', '--data-dir', dirA], { env: base });
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toMatch(/OPENAI_MCP_SECRET_KEY is required with a shared database/);
    expect(noKey.stderr).not.toContain(password);

    const acme = cliJson(['accounts', 'add', '--name', 'acme', '--data-dir', dirA], {
      env: { ...base, OPENAI_MCP_SECRET_KEY: KEY, OPENAI_API_KEY: 'sk-proj-ACME0000000000001234' },
    });
    // The other machine, same key: sees and decrypts it.
    expect(
      cliJson(['accounts', 'get', acme.id, '--data-dir', dirB], { env: { ...base, OPENAI_MCP_SECRET_KEY: KEY } }),
    ).toMatchObject({ name: 'acme', api_key: '…1234' });

    const wrong = cli(['accounts', 'add', '--name', 'x', '--data-dir', dirB], {
      env: { ...base, OPENAI_MCP_SECRET_KEY: 'w'.repeat(40), OPENAI_API_KEY: 'sk-proj-X' },
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(new RegExp(`cannot decrypt 1 account\\(s\\): ${acme.id} \\(acme\\)`));
    expect(wrong.stderr).toMatch(/nothing was changed/);
    expect(
      cliJson(['accounts', 'list', '--data-dir', dirA], { env: { ...base, OPENAI_MCP_SECRET_KEY: KEY } }),
    ).toHaveLength(1);

    const rotated = cli(['secrets', 'rotate', '--data-dir', dirA], {
      env: { ...base, OPENAI_MCP_SECRET_KEY: KEY, OPENAI_MCP_NEW_SECRET_KEY: NEW_KEY },
    });
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(cli(['accounts', 'list', '--data-dir', dirB], { env: { ...base, OPENAI_MCP_SECRET_KEY: KEY } }).status).toBe(
      1,
    );
    expect(
      cliJson(['accounts', 'get', acme.id, '--data-dir', dirB], { env: { ...base, OPENAI_MCP_SECRET_KEY: NEW_KEY } }),
    ).toMatchObject({ api_key: '…1234' });
  });
});
