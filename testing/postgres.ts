// A real PostgreSQL server for the test run (Debian's binaries, installed by .ci/run): a fresh cluster in a temp dir,
// listening on loopback only, with a password (scram-sha-256), so tests see real authentication, real errors and
// real concurrency. Postgres refuses to run as root: as root the cluster belongs to the `postgres` user (or
// `nobody`), and the server is started through setpriv, which execs it (its pid is the postmaster's).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where the server binaries are: $OPENAI_MCP_PG_BIN, else Debian's /usr/lib/postgresql/<major>/bin (15 first). */
export function postgresBin(env = process.env): string | undefined {
  if (env.OPENAI_MCP_PG_BIN)
    return existsSync(path.join(env.OPENAI_MCP_PG_BIN, 'initdb')) ? env.OPENAI_MCP_PG_BIN : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => existsSync(path.join(root, d, 'bin', 'initdb')))
    .sort((a, b) => (a === '15' ? -1 : b === '15' ? 1 : Number(b) - Number(a)));
  return majors[0] ? path.join(root, majors[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** uid and gid of the user the cluster runs as when this process is root. */
function unprivilegedUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      /* no such user */
    }
  }
  throw new Error('running as root, and neither a `postgres` nor a `nobody` user exists to own the test cluster');
}

export interface RunningPostgres {
  /** A superuser URL of the `postgres` database (create one database per test from it). */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
  /** Stops the server (fast shutdown), keeping its data: for outage tests. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and data. */
  resume(): Promise<void>;
  /** The postmaster's pid (its backends are its children): for CPU figures from /proc. */
  readonly pid: number | undefined;
}

export async function startPostgres(bin: string): Promise<RunningPostgres> {
  const base = mkdtempSync(path.join(tmpdir(), 'omcp-pg-'));
  const data = path.join(base, 'data');
  const owner = unprivilegedUser();
  const password = randomBytes(12).toString('hex');
  const user = 'omcp';
  writeFileSync(path.join(base, 'pw'), `${password}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(base, owner.uid, owner.gid);
    chownSync(path.join(base, 'pw'), owner.uid, owner.gid);
  }
  chmodSync(base, 0o700);
  const asOwner = (cmd: string, args: string[]): [string, string[]] =>
    owner ? ['setpriv', [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', cmd, ...args]] : [cmd, args];
  const [initCmd, initArgs] = asOwner(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    user,
    `--pwfile=${path.join(base, 'pw')}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe', cwd: base });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    const [cmd, args] = asOwner(path.join(bin, 'postgres'), [
      '-D',
      data,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-k',
      base,
      // A test server: durability is not what is tested, and the disk is shared.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ]);
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: base });
    child = proc;
    proc.stdout?.on('data', (d) => (output += d));
    proc.stderr?.on('data', (d) => (output += d));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`postgres exited with ${proc.exitCode}:\n${output.slice(-2000)}`);
      if (/ready to accept connections/.test(output)) break;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`postgres did not start within 60 s:\n${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const halt = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT'); // fast shutdown: ends sessions, no waiting for clients
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  };
  await launch();
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    user,
    password,
    async stop() {
      await halt();
      rmSync(base, { recursive: true, force: true });
    },
    halt,
    get pid() {
      return child?.pid;
    },
    async resume() {
      output = '';
      await launch();
    },
  };
}
