// The deployment recipe in deploy/, tried as far as this machine allows: the systemd unit is verified by
// systemd-analyze and its ExecStart is run with its Environment; the Containerfile is parsed and linted (no Docker
// engine runs here) and its CMD and HEALTHCHECK are run against the built bin; a backup taken while the service
// serves restores into a new data dir whose service answers the same URL with the same keys.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import { NODE_FLOORS } from '../../runtime/node-floor.js';
import { BIN, cleanEnv, cli, cliJson, connect, startService, tempDataDir } from '../service/helpers.js';

const unitFile = path.join(repoRoot, 'deploy', 'openai-mcp.service');
const containerFile = path.join(repoRoot, 'deploy', 'Containerfile');
const unit = readFileSync(unitFile, 'utf8');

/** `Key=value` lines of the unit (a key may repeat: Environment). */
function unitValues(key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
}

/** Runs an `openai-mcp …` command line from a recipe with the built bin, on a free loopback port and `dataDir`. */
async function runRecipe(args: string[], env: Record<string, string>) {
  const fixed = args.map((a, i) => (args[i - 1] === '--port' ? '0' : args[i - 1] === '--host' ? '127.0.0.1' : a));
  const child = spawn(process.execPath, [BIN, ...fixed], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start: ${err}`)), 20_000);
    child.stderr.on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return { url, stop, stderr: () => err };
}

describe('deploy/openai-mcp.service', () => {
  const analyze = spawnSync('systemd-analyze', ['--version']);
  it.skipIf(analyze.error)('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', unitFile], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/openai-mcp\.service:\d+/);
  });

  it('keeps the state in its StateDirectory, binds loopback, and hardens the process', () => {
    expect(unitValues('StateDirectory')).toEqual(['openai-mcp']);
    expect(unitValues('StateDirectoryMode')).toEqual(['0700']);
    expect(unitValues('Environment')).toContain('OPENAI_MCP_DATA_DIR=/var/lib/openai-mcp');
    expect(unitValues('ExecStart')[0]).toMatch(/openai-mcp serve --http --host 127\.0\.0\.1 /);
    for (const k of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'UMask=0077'])
      expect(unit).toContain(`\n${k}\n`);
    expect(unit).toMatch(/^#EnvironmentFile=\/etc\/openai-mcp\/secret\.env$/m);
  });

  it('its ExecStart serves, with its Environment, and stops cleanly on SIGTERM', async () => {
    const exec = unitValues('ExecStart')[0]!.split(/\s+/);
    expect(exec.slice(0, 2)).toEqual(['/usr/bin/env', 'openai-mcp']);
    const env = Object.fromEntries(unitValues('Environment').map((e) => e.split('=') as [string, string]));
    const dataDir = tempDataDir();
    env.OPENAI_MCP_DATA_DIR = dataDir; // StateDirectory stands for this
    const svc = await runRecipe(exec.slice(2), env);
    try {
      expect(await (await fetch(`${svc.url}/healthz`)).json()).toMatchObject({
        ok: true,
        audit: { accepting: true },
      });
      // The data dir came from the Environment line, and URLs use the --public-url of the ExecStart.
      const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dataDir], {
        env: { OPENAI_API_KEY: 'sk-proj-DEPLOYkey0123456789' },
      });
      const s = cliJson(['servers', 'create', '--account', acc.id, '--name', 's', '--data-dir', dataDir]);
      expect(s.url).toMatch(/^https:\/\/mcp\.example\.com\/mcp\/omcp_/);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
  });
});

describe('deploy/Containerfile', () => {
  const text = readFileSync(containerFile, 'utf8');
  const parsed = DockerfileParser.parse(text);
  const instructions = parsed
    .getInstructions()
    .map((i) => ({ key: i.getKeyword(), args: i.getArgumentsContent() ?? '' }));
  const last = (key: string) => instructions.filter((i) => i.key === key).at(-1)?.args ?? '';

  it('parses and lints clean (dockerfile-utils), and the linter does catch a broken file', () => {
    expect(validate(text)).toEqual([]);
    expect(validate(text.replace('FROM node:20-bookworm-slim AS build', 'FRM node')).length).toBeGreaterThan(0);
  });

  it('builds on a Node the package supports, installs the packed tarball, and checks the driver in the build', () => {
    const froms = instructions.filter((i) => i.key === 'FROM').map((i) => i.args);
    for (const f of froms) expect(f).toMatch(new RegExp(`^node:${NODE_FLOORS[0]!.min[0]}-`));
    expect(text).toMatch(/npm install -g --omit=dev \/tmp\/openai-mcp-kit\.tgz/);
    expect(text).toMatch(/openai-mcp doctor --only node,store/);
    expect(last('USER')).toBe('node');
    expect(last('ENV')).toContain('OPENAI_MCP_DATA_DIR=/data');
    expect(JSON.parse(last('VOLUME'))).toEqual(['/data']);
  });

  it('its CMD serves on the EXPOSEd port, and its HEALTHCHECK command sees it healthy', async () => {
    const entry = JSON.parse(last('ENTRYPOINT')) as string[];
    const cmd = JSON.parse(last('CMD')) as string[];
    expect(entry).toEqual(['openai-mcp']);
    expect(cmd[cmd.indexOf('--port') + 1]).toBe(last('EXPOSE'));
    const svc = await runRecipe(cmd, { OPENAI_MCP_DATA_DIR: tempDataDir() });
    try {
      const health = JSON.parse(last('HEALTHCHECK').replace(/^.*?CMD\s+/, '')) as string[];
      const port = new URL(svc.url).port;
      const probe = (script: string[]) =>
        spawnSync(
          process.execPath,
          script.slice(1).map((a) => a.replace(':8787/', `:${port}/`)),
          { timeout: 10_000 },
        );
      expect(health[0]).toBe('node');
      expect(probe(health).status).toBe(0);
    } finally {
      await svc.stop();
    }
  });
});

describe('backup and restore', () => {
  it('a backup taken while serving restores into a new data dir: same URL, same keys, same log', async () => {
    const dataDir = tempDataDir();
    const svc = await startService(dataDir);
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dataDir], {
      env: { OPENAI_API_KEY: 'sk-proj-BACKUPkey0123456789' },
    });
    const s = cliJson([
      'servers',
      'create',
      '--account',
      acc.id,
      '--name',
      's',
      '--tags',
      'files',
      '--data-dir',
      dataDir,
    ]);
    const backupDir = path.join(tempDataDir(), 'backup');
    try {
      const b = cli(['backup', backupDir, '--data-dir', dataDir]);
      expect(b.status, b.stderr).toBe(0);
      expect(b.stdout).toMatch(/secret\.key \(mode 0600\)/);
      expect(cli(['backup', backupDir, '--data-dir', dataDir]).stderr).toMatch(/is not empty/);
    } finally {
      await svc.stop();
    }
    const restored = tempDataDir();
    const r = cli(['restore', backupDir, '--data-dir', restored]);
    expect(r.stdout, r.stderr).toMatch(/1 account\(s\), keys checked/);
    expect(cli(['restore', backupDir, '--data-dir', restored]).stderr).toMatch(
      /exists; stop `serve --http` and add --force/,
    );
    const again = await startService(restored);
    try {
      const url = s.url.replace(/^http:\/\/[^/]+/, again.url);
      const client = await connect(url);
      expect((await client.listTools()).tools.length).toBe(s.tool_count);
      await client.close();
      const doctor = spawnSync(process.execPath, [BIN, 'doctor', '--data-dir', restored, '--only', 'secret-key'], {
        encoding: 'utf8',
        env: cleanEnv(),
      });
      expect(doctor.stdout).toMatch(/fingerprint \S+ matches the data dir/);
    } finally {
      await again.stop();
    }
  });

  it('refuses a backup whose secret.key is not the one its database was written with', () => {
    const a = tempDataDir();
    cliJson(['accounts', 'add', '--name', 'a', '--data-dir', a], {
      env: { OPENAI_API_KEY: 'sk-proj-BACKUPkey0123456789' },
    });
    const backupDir = path.join(tempDataDir(), 'b');
    expect(cli(['backup', backupDir, '--data-dir', a]).status).toBe(0);
    const other = tempDataDir();
    cli(['api-tokens', 'list', '--data-dir', other]); // creates other's own secret.key
    spawnSync('cp', [path.join(other, 'secret.key'), path.join(backupDir, 'secret.key')]);
    const target = tempDataDir();
    const r = cli(['restore', backupDir, '--data-dir', target]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the secret key does not decrypt account acc_\S+ keys/);
    expect(spawnSync('test', ['-e', path.join(target, 'openai-mcp.sqlite')]).status).toBe(1);
  });
});
