// A stranger's first hour, as they would meet it: every set-up problem answered with what is wrong and the next
// step (never a raw errno), `doctor` on a healthy and on a broken install, a missing SQLite driver in each install
// kind (the built bin copied into a global, an npx and a project layout, without better-sqlite3), and a server URL
// reissued in place.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import { ENV_NAMES, FIELD_NAMES, keyKind, keyProblem } from '../../runtime/key-kind.js';
import { atLeast } from '../../runtime/node-floor.js';
import { NODE_SQLITE_MIN } from '../../service/store/driver.js';
import { BIN, cleanEnv, cli, cliJson, connect, restClient, startService, tempDataDir } from './helpers.js';

const PROJECT = 'sk-proj-FIRSThourKEY0123456789abcd';
const ADMIN = 'sk-admin-FIRSThourADMIN0123456789wxyz';

describe('key kinds', () => {
  it.each([
    ['sk-proj-abc', 'project'],
    ['sk-svcacct-abc', 'project'],
    ['sk-abc123', 'project'],
    ['sk-admin-abc', 'admin'],
    ['hello', 'unknown'],
    ['sk-proj abc', 'unknown'],
    ['', 'unknown'],
  ])('%s is a %s key', (key, kind) => expect(keyKind(key)).toBe(kind));

  it('names the variable, or the REST field, and never the key', () => {
    const p = keyProblem('api_key', ADMIN)!;
    expect(p.message).toContain('OPENAI_API_KEY holds an admin key');
    expect(p.fix).toContain('OPENAI_ADMIN_KEY');
    expect(keyProblem('admin_key', PROJECT, FIELD_NAMES)!.message).toContain('admin_key holds a project key');
    expect(keyProblem('api_key', PROJECT, ENV_NAMES)).toBeUndefined();
    for (const p2 of [p, keyProblem('admin_key', 'hello')!]) expect(`${p2.message}${p2.fix}`).not.toMatch(/FIRSThour/);
  });
});

describe('messages that lead somewhere', () => {
  it('accounts add without keys names the variables and --stdin', () => {
    const r = cli(['accounts', 'add', '--name', 'a', '--data-dir', tempDataDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('OPENAI_API_KEY');
    expect(r.stderr).toContain('OPENAI_ADMIN_KEY');
    expect(r.stderr).toContain('--stdin');
  });

  it.each([
    [
      'an admin key as the project key',
      { OPENAI_API_KEY: ADMIN },
      /OPENAI_API_KEY holds an admin key.*OPENAI_ADMIN_KEY instead/,
    ],
    ['a project key as the admin key', { OPENAI_ADMIN_KEY: PROJECT }, /OPENAI_ADMIN_KEY holds a project key/],
    ['"hello"', { OPENAI_API_KEY: 'hello' }, /OPENAI_API_KEY does not look like an OpenAI key/],
  ])('accounts add refuses %s, and stores nothing', (_label, env, message) => {
    const dir = tempDataDir();
    const r = cli(['accounts', 'add', '--name', 'a', '--data-dir', dir], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/FIRSThour/);
    expect(cliJson(['accounts', 'list', '--data-dir', dir])).toEqual([]);
  });

  it('the REST API refuses a wrong key kind by field, without echoing it', async () => {
    const dir = tempDataDir();
    const token = cli(['api-tokens', 'create', '--name', 't', '--data-dir', dir]).stdout.split('\n')[1]!;
    const svc = await startService(dir);
    try {
      const answers: string[] = [];
      const rest = restClient(svc.url, answers);
      const r = await rest('POST', '/v1/accounts', { token, body: { name: 'x', api_key: ADMIN } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_request', field: 'api_key' });
      expect(r.body.error.message).toMatch(/api_key holds an admin key/);
      expect(answers.join('')).not.toContain('FIRSThour');
    } finally {
      await svc.stop();
    }
  });

  it('serve warns at start-up about a key of the wrong kind, naming the variable only', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--methods', 'read', '--tags', 'files'], {
      env: cleanEnv({ OPENAI_API_KEY: ADMIN }),
      input: '',
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.stderr).toMatch(/warning: OPENAI_API_KEY holds an admin key/);
    expect(r.stderr).not.toContain(ADMIN);
  });

  it.each([
    ['2020-01-01', /"2020-01-01" is in the past \(2020-01-01T00:00:00\.000Z\); give a future time, e\.g\. \+7d/],
    ['7d', /"7d": a relative time needs its sign: \+7d/],
    ['P7D', /needs its sign: \+P7D/],
    ['soon', /"soon" is not a time; give a relative time such as \+7d/],
  ])('--expires-at %s says what is wrong and the form that works', (value, message) => {
    const dir = tempDataDir();
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dir], { env: { OPENAI_API_KEY: PROJECT } });
    const r = cli(['servers', 'create', '--account', acc.id, '--name', 's', '--expires-at', value, '--data-dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/Invalid ISO/);
    expect(cliJson(['servers', 'list', '--data-dir', dir])).toEqual([]);
  });

  it('--expires-at takes a plain date (UTC midnight)', () => {
    const dir = tempDataDir();
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dir], { env: { OPENAI_API_KEY: PROJECT } });
    const year = new Date().getUTCFullYear() + 2;
    const s = cliJson([
      'servers',
      'create',
      '--account',
      acc.id,
      '--name',
      's',
      '--expires-at',
      `${year}-12-31`,
      '--data-dir',
      dir,
    ]);
    expect(s.expires_at).toBe(`${year}-12-31T00:00:00.000Z`);
  });

  it('a --data-dir that is a file (or under one) is named as such, with no raw errno', () => {
    const base = tempDataDir();
    const file = path.join(base, 'file');
    writeFileSync(file, 'x');
    for (const [args, dir] of [
      [['accounts', 'list'], file],
      [['servers', 'list'], path.join(file, 'sub')],
      [['serve', '--http', '--port', '0'], file],
    ] as const) {
      const r = cli([...args, '--data-dir', dir]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${file} is a file, not a folder`);
      expect(r.stderr).toMatch(/Fix:\n {2}point --data-dir/);
      expect(r.stderr).not.toMatch(/EEXIST|ENOTDIR|mkdir/);
    }
  });

  it('a port in use is named with the --port hint', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = cli(['serve', '--http', '--port', String(port), '--data-dir', tempDataDir()]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`127.0.0.1:${port} is already in use`);
      expect(r.stderr).toContain(`--port ${port + 1}`);
      expect(r.stderr).not.toContain('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });
});

/** The built bin as a user gets it, but without better-sqlite3: the bundle needs nothing else from node_modules. */
function layout(kind: 'global' | 'npx' | 'dependency'): { bin: string; root: string; base: string } {
  const base = mkdtempSync(path.join(tmpdir(), `omcp-${kind}-`));
  const parent = {
    global: path.join(base, 'lib', 'node_modules'),
    npx: path.join(base, '.npm', '_npx', '1a2b3c4d', 'node_modules'),
    dependency: path.join(base, 'project', 'node_modules'),
  }[kind];
  const root = path.join(parent, 'openai-mcp-kit');
  mkdirSync(root, { recursive: true });
  cpSync(path.join(repoRoot, 'dist', 'bin'), path.join(root, 'dist', 'bin'), { recursive: true });
  cpSync(path.join(repoRoot, 'generated'), path.join(root, 'generated'), { recursive: true });
  cpSync(path.join(repoRoot, 'package.json'), path.join(root, 'package.json'));
  if (kind === 'dependency') writeFileSync(path.join(base, 'project', 'package.json'), '{"name":"app"}');
  return { bin: path.join(root, 'dist', 'bin', 'openai-mcp.mjs'), root, base };
}

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: cleanEnv(env), timeout: 30_000 });
}

describe('a missing SQLite driver, per install kind', () => {
  // On Node >= 22.16 the store falls back to node:sqlite, so force better-sqlite3 there to see the message.
  const env = { OPENAI_MCP_SQLITE_DRIVER: 'better-sqlite3', npm_config_nodedir: '/opt/node' };
  it.each([
    ['global', /npm install -g openai-mcp-kit@\d+\.\d+\.\d+ {3}\(or the same \.tgz path you installed from\)/],
    ['npx', /npx -y -p openai-mcp-kit@\d+\.\d+\.\d+ -p better-sqlite3@12 openai-mcp/],
    ['dependency', /cd \S*project && npm install better-sqlite3@12/],
  ] as const)('%s: says so plainly, with a fix that keeps the package', (kind, fix) => {
    const { bin, root } = layout(kind);
    const r = run(bin, ['accounts', 'list', '--data-dir', tempDataDir()], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^openai-mcp: Managed servers need SQLite, and there is no driver: better-sqlite3 .* is not installed/,
    );
    expect(r.stderr).toContain(`This copy is a ${kind} install at ${root}`);
    expect(r.stderr).toMatch(fix);
    expect(r.stderr).not.toMatch(/internal:|npm root -g|--no-save/);
    // stdio needs no SQLite: the same copy still lists and serves tools.
    expect(run(bin, ['list-tools', '--tags', 'files']).status).toBe(0);
  });

  it('OPENAI_MCP_SQLITE_DRIVER=node:sqlite on a Node without it says to unset it', () => {
    const r = run(BIN, ['doctor', '--only', 'store', '--json'], { OPENAI_MCP_SQLITE_DRIVER: 'node:sqlite' });
    const report = JSON.parse(r.stdout);
    if (atLeast(process.versions.node, NODE_SQLITE_MIN)) {
      expect(report.checks[0]).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^node:sqlite/) });
    } else {
      expect(report.checks[0].status).toBe('fail');
      expect(report.checks[0].fix[0]).toMatch(/unset OPENAI_MCP_SQLITE_DRIVER/);
    }
  });
});

describe('doctor', () => {
  let healthyDir: string;
  let serverId: string;
  beforeAll(() => {
    healthyDir = tempDataDir();
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', healthyDir], {
      env: { OPENAI_API_KEY: PROJECT, OPENAI_ADMIN_KEY: ADMIN },
    });
    serverId = cliJson(['servers', 'create', '--account', acc.id, '--name', 's', '--data-dir', healthyDir]).id;
  });

  it('on a healthy install: no FAIL, the driver, the data dir and that the key decrypts the stored keys', () => {
    const r = run(BIN, ['doctor', '--data-dir', healthyDir, '--port', '0'], {
      OPENAI_API_KEY: PROJECT,
      OPENAI_ADMIN_KEY: ADMIN,
    });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stdout).toMatch(/^ok +node +v\d+/m);
    expect(r.stdout).toMatch(/^ok +store +(better-sqlite3|node:sqlite)/m);
    expect(r.stdout).toMatch(new RegExp(`^ok +data-dir +${healthyDir} \\(--data-dir\\), mode 700`, 'm'));
    expect(r.stdout).toMatch(/^ok +database .*1 account\(s\), 1 server\(s\)/m);
    expect(r.stdout).toMatch(/^ok +secret-key +from .*secret\.key; fingerprint \S+ matches the data dir/m);
    expect(r.stdout).toMatch(/^ok +keys +OPENAI_API_KEY set, a project key/m);
    expect(r.stdout).toMatch(/^ok +keys +OPENAI_ADMIN_KEY set, an admin key/m);
    expect(r.stdout).toMatch(/no problems/);
    expect(r.stdout + r.stderr).not.toMatch(/FIRSThour/);
    expect(serverId).toMatch(/^srv_/);
  });

  it('on a broken install: every problem named with its fix, in text and --json', async () => {
    const dir = tempDataDir();
    cpSync(healthyDir, dir, { recursive: true });
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, 'secret.key'), Buffer.alloc(32, 7).toString('base64')); // not the key used
    chmodSync(path.join(dir, 'secret.key'), 0o644);
    const busy = createServer((_q, res) => res.end('not ours'));
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const env = { OPENAI_API_KEY: ADMIN, OPENAI_ADMIN_KEY: 'hello' };
      const text = run(BIN, ['doctor', '--data-dir', dir, '--port', String(port)], env);
      expect(text.status).toBe(1);
      const json = JSON.parse(run(BIN, ['doctor', '--data-dir', dir, '--port', String(port), '--json'], env).stdout);
      expect(json.ok).toBe(false);
      const by = (id: string, status: string) =>
        json.checks.filter((c: { id: string; status: string }) => c.id === id && c.status === status);
      expect(by('data-dir', 'warn')[0].fix).toEqual([`chmod 700 ${dir}`]);
      expect(by('secret-key', 'warn')[0].fix).toEqual([`chmod 600 ${path.join(dir, 'secret.key')}`]);
      expect(by('secret-key', 'fail')[0].detail).toMatch(/is not the key this data dir's accounts are sealed with/);
      expect(by('keys', 'fail').map((c: { detail: string }) => c.detail)).toEqual([
        expect.stringMatching(/OPENAI_API_KEY holds an admin key/),
        expect.stringMatching(/OPENAI_ADMIN_KEY does not look like an OpenAI key/),
      ]);
      expect(by('port', 'fail')[0].fix[0]).toContain(`--port ${port + 1}`);
      for (const c of json.checks)
        if (c.status === 'fail' || c.status === 'warn') expect(c.fix?.length, c.detail).toBeGreaterThan(0);
      // The text form shows the same, one FAIL line each, each followed by its fix.
      expect(text.stdout.match(/^FAIL/gm)?.length).toBe(by('secret-key', 'fail').length + 2 + 1);
      expect(text.stdout).toMatch(/problem\(s\)/);
      expect(text.stdout + text.stderr).not.toMatch(/FIRSThour/);
    } finally {
      busy.close();
    }
  });

  it('reads and never writes: no data dir or key is created by looking', () => {
    const dir = path.join(tempDataDir(), 'not-yet');
    const r = run(BIN, ['doctor', '--data-dir', dir, '--only', 'data-dir,secret-key', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.checks.map((c: { status: string }) => c.status)).toEqual(['info', 'info']);
    expect(spawnSync('test', ['-e', dir]).status).toBe(1);
  });

  it('names a missing driver in a broken copy, with the fix for its install kind', () => {
    const { bin } = layout('global');
    const r = run(bin, ['doctor', '--only', 'store'], { OPENAI_MCP_SQLITE_DRIVER: 'better-sqlite3' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +store +Managed servers need SQLite/m);
    expect(r.stdout).toMatch(/fix: .*npm install -g openai-mcp-kit@/);
  });
});

describe('servers rotate-url', () => {
  let dir: string;
  let token: string;
  let svc: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    dir = tempDataDir();
    token = cli(['api-tokens', 'create', '--name', 't', '--data-dir', dir]).stdout.split('\n')[1]!;
    svc = await startService(dir);
  });
  afterAll(() => svc?.stop());

  it('CLI: a new URL for the same server; the old one is refused at once, the scope and log are kept', async () => {
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dir], { env: { OPENAI_API_KEY: PROJECT } });
    const created = cliJson([
      ...['servers', 'create', '--account', acc.id, '--name', 's', '--tags', 'files', '--methods', 'read'],
      ...['--expires-at', '+30d', '--data-dir', dir, '--public-url', svc.url],
    ]);
    const before = await connect(created.url);
    expect((await before.listTools()).tools.length).toBe(created.tool_count);
    await before.close();

    const r = cli(['servers', 'rotate-url', created.id, '--data-dir', dir, '--public-url', svc.url]);
    expect(r.status, r.stderr).toBe(0);
    const url = /url\s+(http:\/\/\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(url).toMatch(/\/mcp\/omcp_/);
    expect(url).not.toBe(created.url);
    expect(r.stderr).toMatch(/old URL stopped working/);
    await expect(connect(created.url)).rejects.toThrow(/404|Unknown or expired/);
    const after = await connect(url);
    expect((await after.listTools()).tools.length).toBe(created.tool_count);
    await after.close();
    const shown = cliJson(['servers', 'get', created.id, '--data-dir', dir]);
    expect(shown).toMatchObject({ id: created.id, expires_at: created.expires_at, config: created.config });
    expect(JSON.stringify(cliJson(['servers', 'list', '--data-dir', dir]))).not.toContain(url.split('/').pop()!);
  });

  it('REST: POST /v1/mcp-servers/:id/rotate-url answers the server with its new url, once', async () => {
    const answers: string[] = [];
    const rest = restClient(svc.url, answers);
    const acc = cliJson(['accounts', 'add', '--name', 'b', '--data-dir', dir], { env: { OPENAI_API_KEY: PROJECT } });
    const created = (await rest('POST', `/v1/accounts/${acc.id}/mcp`, { token, body: { name: 'r' } })).body;
    const rotated = await rest('POST', `/v1/mcp-servers/${created.id}/rotate-url`, { token, body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: created.id, name: 'r' });
    expect(rotated.body.url).toMatch(new RegExp(`^${svc.url}/mcp/omcp_`));
    expect(rotated.body.url).not.toBe(created.url);
    await expect(connect(created.url)).rejects.toThrow();
    await (await connect(rotated.body.url)).close();
    expect((await rest('GET', `/v1/mcp-servers/${created.id}`, { token })).body.url).toBeUndefined();
    expect((await rest('POST', '/v1/mcp-servers/srv_nope/rotate-url', { token, body: {} })).status).toBe(404);
    expect(
      (await rest('POST', `/v1/mcp-servers/${created.id}/rotate-url`, { token: 'omcpapi_wrong', body: {} })).status,
    ).toBe(401);
  });
});
