// The README's managed-server quick start, run as written: its ```sh quickstart blocks, line by line and in order,
// in a shell with `openai-mcp` on PATH (the built bin) and an empty data dir. The only substitutions are what a
// reader substitutes: their keys for `sk-proj-...`/`sk-admin-...` (here the stateful fake's), the ids earlier
// commands printed for `acc_…`/`srv_…`, and, for `serve --http`, a free port and the fake as OpenAI. Between the
// blocks a client connects as the README's table says: the URL alone gets the 401 that names where tokens come
// from, the URL with the token lists and calls tools; then the logs show that call.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import { type FakeOpenAi, startFakeOpenAi } from '../../testing/fake-openai/index.js';
import { BIN, connect, textOf } from '../service/helpers.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```sh quickstart\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** Command lines of a block: comments dropped, continuations joined. */
const linesOf = (block: string) =>
  block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));

describe('the README quick start', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'omcp-quickstart-'));
  const bin = path.join(home, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(path.join(bin, 'openai-mcp'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(bin, 'openai-mcp'), 0o755);
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: home, // the default data dir, ~/.local/share/openai-mcp, as the README says
    XDG_DATA_HOME: '',
  };
  let fake: FakeOpenAi | undefined;
  let serve: ReturnType<typeof spawn> | undefined;
  afterAll(async () => {
    serve?.kill('SIGTERM');
    await fake?.close();
  });

  it('has the blocks it is made of', () => {
    expect(blocks.length).toBe(2);
    expect(linesOf(blocks[0]!).at(-1)).toBe('openai-mcp serve --http');
  });

  it('works end to end: account, server, token, serve, connect, logs, a new URL', async () => {
    fake = await startFakeOpenAi();
    const ids: Record<string, string> = {};
    let url = '';
    let token = '';
    const sh = (line: string) => {
      const filled = line
        .replaceAll('sk-proj-...', fake!.projectKey)
        .replaceAll('sk-admin-...', fake!.adminKey)
        .replace(/\b(acc|srv)_…/g, (m) => ids[m.slice(0, 3)] ?? m);
      // An `export` line sets the environment of the lines after it, as in the reader's shell.
      if (filled.startsWith('export ')) {
        for (const a of filled.slice(7).trim().split(/\s+/))
          env[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
        return { out: '', err: '' };
      }
      const r = spawnSync('sh', ['-c', filled], { encoding: 'utf8', env, timeout: 60_000 });
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
      const out = r.stdout;
      return { out, err: r.stderr };
    };

    for (const line of linesOf(blocks[0]!)) {
      if (line === 'openai-mcp serve --http') {
        // The one change: a free port (8787 may be taken where tests run) and the fake in place of api.openai.com.
        // `exec`: the shell becomes the service, so afterAll's SIGTERM reaches it (Debian's dash would otherwise stay
        // as its parent, take the signal alone, and leave the service running after the suite).
        serve = spawn('sh', ['-c', `exec ${line} --port 0 --base-url ${fake.baseUrl}`], {
          env,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        const origin = await listening(serve);
        url = url.replace(/^http:\/\/127\.0\.0\.1:8787/, origin);
        continue;
      }
      const { out, err } = sh(line);
      if (line.includes('accounts add')) ids.acc = /^(acc_\S+)/.exec(out)?.[1] ?? '';
      if (line.includes('servers create')) {
        ids.srv = /^id\s+(srv_\S+)/m.exec(out)?.[1] ?? '';
        url = /^url\s+(\S+)/m.exec(out)?.[1] ?? '';
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/mcp\/omcp_/);
        expect(err).toMatch(/shown once/);
      }
      if (line.includes('client-tokens create')) token = out.split('\n')[1] ?? '';
    }
    expect(ids.acc).toMatch(/^acc_/);
    expect(token).toMatch(/^omcpcli_/);

    // Connect: the URL alone is refused, and the refusal says where the token comes from.
    const refused = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /openai-mcp client-tokens create/,
    );
    const client = await connect(url, 'streamable', { Authorization: `Bearer ${token}` });
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('list_all_open_ai_completions');
    expect(tools.every((t) => !/^(create|update|delete)_/.test(t))).toBe(true);
    const called = await client.callTool({ name: 'list_all_open_ai_completions', arguments: { start_time: '-7d' } });
    expect(called.isError, textOf(called)).toBeFalsy();
    await client.close();

    // Logs, then a new URL: the old one answers 404, the new one works with the same token.
    const [logs, rotate] = linesOf(blocks[1]!);
    expect(sh(logs!).out).toMatch(/list_all_open_ai_completions\s+200\s+\d+\s+no/);
    const rotated = sh(rotate!).out;
    const fresh = (/^url\s+(\S+)/m.exec(rotated)?.[1] ?? '').replace(/^http:\/\/[^/]+/, new URL(url).origin);
    expect(fresh).toMatch(/\/mcp\/omcp_/);
    await expect(connect(url, 'streamable', { Authorization: `Bearer ${token}` })).rejects.toThrow();
    const again = await connect(fresh, 'streamable', { Authorization: `Bearer ${token}` });
    expect((await again.listTools()).tools.length).toBe(tools.length);
    await again.close();
  }, 240_000);
});

function listening(child: ReturnType<typeof spawn>): Promise<string> {
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 20_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}
