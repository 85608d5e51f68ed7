// Attack matrix of issue 15, keys that cannot be lost by mistake: the data dir remembers the fingerprint of the key
// that sealed its accounts, and `serve` and every CLI command refuse, naming the key's source, when the key at hand
// is another one; no key is minted while sealed secrets exist; blank variables and loose key files are refused;
// `accounts update` rotates an account's keys and `secrets rotate` re-encrypts every account at once.

import { chmodSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { cli, cliJson, connect, startService, tempDataDir, textOf } from './helpers.js';

const KEY = 'sk-proj-KEYSprojectKEY0123456789abcd';
const NEW_KEY = 'sk-proj-ROTATEDprojectKEY987654321zz';
const SECRET = `${'x'.repeat(20)}service-secret-key-one`;
const OTHER = `${'y'.repeat(20)}service-secret-key-two`;

let stub: CaptureServer;
beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
});
afterAll(() => stub.close());

function withAccount(env: Record<string, string> = {}) {
  const dir = tempDataDir();
  const acc = cliJson(['accounts', 'add', '--name', 'a', '--base-url', stub.baseUrl, '--data-dir', dir], {
    env: { OPENAI_API_KEY: KEY, ...env },
  });
  return { dir, id: acc.id as string };
}

/** `serve --http` must exit non-zero with `pattern` on stderr instead of listening. */
async function serveRefuses(dir: string, env: Record<string, string>, pattern: RegExp) {
  const err = await startService(dir, [], env).then(
    async (s) => {
      await s.stop();
      return undefined;
    },
    (e: Error) => e.message,
  );
  expect(err, 'serve started').toBeDefined();
  expect(err).toMatch(/service exited [1-9]/);
  expect(err).toMatch(pattern);
}

describe('finding 4: keys that cannot be lost by mistake', () => {
  it('a lost secret.key is not re-minted while accounts are sealed: serve and the CLI refuse, naming the file', async () => {
    const { dir } = withAccount();
    const file = path.join(dir, 'secret.key');
    rmSync(file);
    const list = cli(['accounts', 'list', '--data-dir', dir]);
    expect(list.status).not.toBe(0);
    expect(list.stderr).toContain(file);
    expect(list.stderr).toMatch(/sealed/);
    await serveRefuses(dir, {}, new RegExp(file.replace(/[/.]/g, '\\$&')));
    const add = cli(['accounts', 'add', '--name', 'b', '--data-dir', dir], { env: { OPENAI_API_KEY: KEY } });
    expect(add.status).not.toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('a CLI run with another key than the service uses refuses, naming the source, and writes nothing', async () => {
    const { dir } = withAccount({ OPENAI_MCP_SECRET_KEY: SECRET });
    expect(existsSync(path.join(dir, 'secret.key'))).toBe(false);
    // The shell without the variable: the data dir's file would be a second key.
    const bare = cli(['accounts', 'add', '--name', 'b', '--data-dir', dir], { env: { OPENAI_API_KEY: KEY } });
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toMatch(/OPENAI_MCP_SECRET_KEY/);
    expect(existsSync(path.join(dir, 'secret.key'))).toBe(false);
    const wrong = cli(['accounts', 'add', '--name', 'b', '--data-dir', dir], {
      env: { OPENAI_API_KEY: KEY, OPENAI_MCP_SECRET_KEY: OTHER },
    });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/OPENAI_MCP_SECRET_KEY.*fingerprint|fingerprint.*OPENAI_MCP_SECRET_KEY/s);
    await serveRefuses(dir, { OPENAI_MCP_SECRET_KEY: OTHER }, /OPENAI_MCP_SECRET_KEY/);
    const right = cliJson(['accounts', 'list', '--data-dir', dir], { env: { OPENAI_MCP_SECRET_KEY: SECRET } });
    expect(right).toHaveLength(1);
  });

  it('a blank OPENAI_MCP_SECRET_KEY is refused, not read as "use the file"', async () => {
    const { dir } = withAccount();
    for (const blank of ['', '   ']) {
      const r = cli(['accounts', 'list', '--data-dir', dir], { env: { OPENAI_MCP_SECRET_KEY: blank } });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/OPENAI_MCP_SECRET_KEY is set but blank/);
    }
    await serveRefuses(dir, { OPENAI_MCP_SECRET_KEY: '' }, /blank/);
  });

  it('a key file readable by others is refused with the fix', async () => {
    const { dir } = withAccount();
    const file = path.join(dir, 'secret.key');
    chmodSync(file, 0o644);
    const r = cli(['accounts', 'list', '--data-dir', dir]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`chmod 600 ${file}`);
    await serveRefuses(dir, {}, /chmod 600/);
    chmodSync(file, 0o600);
    expect(cli(['accounts', 'list', '--data-dir', dir]).status).toBe(0);
  });

  it('accounts update rotates an account key in place: same server URL, the new key on the next call', async () => {
    const { dir, id } = withAccount();
    const server = cliJson([
      'servers',
      'create',
      '--account',
      id,
      '--name',
      's',
      '--methods',
      'read',
      '--data-dir',
      dir,
    ]);
    const svc = await startService(dir);
    try {
      const url = `${svc.url}/mcp/${server.url.split('/').pop()}`;
      const call = async () => {
        const client = await connect(url);
        const before = stub.requests.length;
        const r = await client.callTool({ name: 'list_all_open_ai_files', arguments: {} });
        await client.close();
        expect(r.isError, textOf(r)).toBeFalsy();
        return stub.requests[before]!.headers.authorization;
      };
      expect(await call()).toBe(`Bearer ${KEY}`);
      const updated = cli(['accounts', 'update', id, '--stdin', '--data-dir', dir, '--json'], {
        input: `OPENAI_API_KEY=${NEW_KEY}\n`,
      });
      expect(updated.status, updated.stderr).toBe(0);
      expect(JSON.parse(updated.stdout)).toMatchObject({ id, api_key: `…${NEW_KEY.slice(-4)}` });
      expect(updated.stdout + updated.stderr).not.toContain(NEW_KEY);
      expect(await call()).toBe(`Bearer ${NEW_KEY}`);
      // The environment works too, like accounts add, when asked for.
      const viaEnv = cli(['accounts', 'update', id, '--keys', '--data-dir', dir], { env: { OPENAI_API_KEY: KEY } });
      expect(viaEnv.status, viaEnv.stderr).toBe(0);
      expect(await call()).toBe(`Bearer ${KEY}`);
    } finally {
      await svc.stop();
    }
  });

  it('secrets rotate re-encrypts every account under the new key; the old key is then refused', async () => {
    const { dir, id } = withAccount({ OPENAI_MCP_SECRET_KEY: SECRET });
    cliJson(['accounts', 'add', '--name', 'b', '--data-dir', dir], {
      env: { OPENAI_API_KEY: KEY, OPENAI_MCP_SECRET_KEY: SECRET },
    });
    const rotated = cli(['secrets', 'rotate', '--stdin', '--data-dir', dir], {
      env: { OPENAI_MCP_SECRET_KEY: SECRET },
      input: `${OTHER}\n`,
    });
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout + rotated.stderr).toMatch(/2 accounts/);
    expect(rotated.stdout + rotated.stderr).not.toContain(OTHER);
    const old = cli(['accounts', 'list', '--data-dir', dir], { env: { OPENAI_MCP_SECRET_KEY: SECRET } });
    expect(old.status).not.toBe(0);
    const server = cliJson(['servers', 'create', '--account', id, '--name', 's', '--data-dir', dir], {
      env: { OPENAI_MCP_SECRET_KEY: OTHER },
    });
    const svc = await startService(dir, [], { OPENAI_MCP_SECRET_KEY: OTHER });
    try {
      const client = await connect(`${svc.url}/mcp/${server.url.split('/').pop()}`);
      const before = stub.requests.length;
      const r = await client.callTool({ name: 'list_all_open_ai_files', arguments: {} });
      await client.close();
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(stub.requests[before]!.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      await svc.stop();
    }
    expect(readdirSync(dir)).not.toContain('secret.key');
  });
});
