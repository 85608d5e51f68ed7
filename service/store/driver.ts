// Which SQLite driver the store runs on, and what to do when there is none.
//
// better-sqlite3 is an optional dependency (a native module): stdio users never need it, and a failed build must not
// block installing the package; npm then drops it without a word. Where the runtime has its own SQLite (`node:sqlite`
// with `StatementSync#columns`, Node >= 22.16) the store runs on that instead, so nothing needs building. Where neither
// is there, the error says why and gives the fix for the way this copy was installed: a command that would remove
// the package (`npm install` in the global folder prunes it) is never suggested.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqliteDatabase } from 'kysely';
import { atLeast } from '../../runtime/node-floor.js';

export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';
export const SQLITE_DRIVERS: readonly SqliteDriverName[] = ['better-sqlite3', 'node:sqlite'];
/** Forces one driver (`better-sqlite3` or `node:sqlite`); by default better-sqlite3 when it loads, else node:sqlite. */
export const DRIVER_ENV = 'OPENAI_MCP_SQLITE_DRIVER';
/** The major version of better-sqlite3 this package is built and tested with (13 needs Node 22). */
export const BETTER_SQLITE3_RANGE = '12';

/** An open database: Kysely's view of it, plus statements run for their effect (pragmas, VACUUM INTO). */
export interface OpenedSqlite {
  database: SqliteDatabase;
  exec(sql: string): void;
}

export interface SqliteDriver {
  name: SqliteDriverName;
  /** The driver's own version (the npm package's, or Node's for node:sqlite). */
  version: string;
  open(file: string): OpenedSqlite;
}

/** How this copy of openai-mcp-kit was installed: the fix for a missing driver depends on it. */
export type InstallKind = 'checkout' | 'dependency' | 'global' | 'npx';

export interface Install {
  kind: InstallKind;
  /** The package's own folder. */
  root: string;
  /** For `dependency`: the project whose node_modules holds the package. */
  project?: string;
  version: string;
}

/** A set-up problem with its fix: printed as it is (no error code prefix), exit status 1. */
export class SetupError extends Error {
  constructor(
    readonly code:
      | 'sqlite_driver_missing'
      | 'data_dir_unusable'
      | 'node_too_old'
      | 'port_in_use'
      | 'database_driver_missing'
      | 'database_url_invalid'
      | 'database_unreachable'
      | 'secret_key_required',
    message: string,
    /** Commands or steps that fix it, in order. */
    readonly fix: string[] = [],
  ) {
    super(fix.length ? `${message}\nFix:\n${fix.map((f) => `  ${f}`).join('\n')}` : message);
    this.name = 'SetupError';
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The folder of the package this module belongs to (source tree or bundle alike). */
export function packageRoot(from: string = here): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'openai-mcp-kit') return dir;
      } catch {
        /* not ours */
      }
    }
    if (path.dirname(dir) === dir) return path.resolve(here, '..', '..');
  }
}

export function detectInstall(root: string = packageRoot()): Install {
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* keep the placeholder */
  }
  const parent = path.dirname(root);
  if (root.split(path.sep).includes('_npx')) return { kind: 'npx', root, version };
  if (path.basename(parent) === 'node_modules') {
    const owner = path.dirname(parent);
    // A project's node_modules sits beside its package.json; the global folder (<prefix>/lib/node_modules) has none.
    if (existsSync(path.join(owner, 'package.json'))) return { kind: 'dependency', root, project: owner, version };
    return { kind: 'global', root, version };
  }
  return { kind: 'checkout', root, version };
}

/** What building better-sqlite3 from source needs here, and the environment that makes npm use local headers. */
export function buildPrerequisites(env: NodeJS.ProcessEnv = process.env): { missing: string[]; envPrefix: string } {
  const onPath = (cmd: string) =>
    (env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, cmd)));
  const missing = ['python3', 'make'].filter((c) => !onPath(c));
  if (!onPath('g++') && !onPath('c++') && !onPath('clang++')) missing.push('a C++ compiler (g++)');
  // Node's headers, as distributions and installers put them beside the binary. Without them (and without
  // npm_config_nodedir) node-gyp downloads them, which fails on a machine that reaches only a package registry.
  const prefix = path.dirname(path.dirname(process.execPath));
  const haveLocalHeaders = existsSync(path.join(prefix, 'include', 'node', 'node.h'));
  const envPrefix = !env.npm_config_nodedir && haveLocalHeaders ? `npm_config_nodedir=${prefix} ` : '';
  return { missing, envPrefix };
}

/** The steps that give this install a working better-sqlite3. Never a command that removes openai-mcp-kit. */
export function driverFix(install: Install, reason: 'missing' | 'abi', env: NodeJS.ProcessEnv = process.env): string[] {
  const { missing, envPrefix } = buildPrerequisites(env);
  const steps: string[] = [];
  if (missing.length && reason === 'missing') {
    steps.push(
      `install what building it from source needs: ${missing.join(', ')} (Debian: apt-get install python3 make g++)`,
    );
  }
  const q = (p: string) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replaceAll("'", `'\\''`)}'`);
  const spec = `better-sqlite3@${BETTER_SQLITE3_RANGE}`;
  if (reason === 'abi') {
    // Built for another Node version: rebuilding in place touches nothing else.
    steps.push(`cd ${q(install.root)} && ${envPrefix}npm rebuild better-sqlite3`);
  } else {
    switch (install.kind) {
      case 'checkout':
        steps.push(`cd ${q(install.root)} && ${envPrefix}npm ci`);
        break;
      case 'dependency':
        steps.push(`cd ${q(install.project ?? install.root)} && ${envPrefix}npm install ${spec}`);
        break;
      case 'global':
        // Reinstalling the package is safe; `npm install` inside the global folder itself would prune it.
        steps.push(
          `${envPrefix}npm install -g openai-mcp-kit@${install.version}   (or the same .tgz path you installed from)`,
        );
        break;
      case 'npx':
        // A second -p makes the driver a plain dependency of the npx run: a failed build then fails loudly.
        steps.push(
          `${envPrefix}npx -y -p openai-mcp-kit@${install.version} -p ${spec} openai-mcp …   (in a client config: add "-p", "${spec}" to args)`,
        );
        break;
    }
  }
  steps.push(
    `or run on Node >= ${NODE_SQLITE_MIN.join('.')}, whose built-in node:sqlite the store uses when better-sqlite3 is absent`,
  );
  return steps;
}

/** node:sqlite without a flag and with `StatementSync#columns` (which tells a reader from a writer). */
export const NODE_SQLITE_MIN = [22, 16, 0] as const;

/** A driver over a better-sqlite3 `Database` constructor (the installed one, or another build for a benchmark). */
export function betterSqlite3Driver(Database: typeof import('better-sqlite3'), version: string): SqliteDriver {
  // Loading the JS succeeds even when the native part was built for another Node: open one to find out now.
  new Database(':memory:').close();
  return {
    name: 'better-sqlite3',
    version,
    open(file) {
      const db = new Database(file);
      return { database: db, exec: (sql) => void db.exec(sql) };
    },
  };
}

function loadBetterSqlite3(): SqliteDriver {
  const require = createRequire(import.meta.url);
  // require, not import: the bundle keeps better-sqlite3 external, and a missing module must be catchable here.
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  let version = 'unknown';
  try {
    version = (require('better-sqlite3/package.json') as { version: string }).version;
  } catch {
    /* exports may hide it */
  }
  return betterSqlite3Driver(Database, version);
}

interface NodeStatement {
  columns(): unknown[];
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}

export async function loadNodeSqlite(): Promise<SqliteDriver> {
  if (!atLeast(process.versions.node, NODE_SQLITE_MIN))
    throw new Error(`node:sqlite needs Node >= ${NODE_SQLITE_MIN.join('.')} (this is ${process.versions.node})`);
  // Node 22 announces the module as experimental on first import; that line would land in every command's output.
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (/SQLite/i.test(String(warning))) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  let mod: { DatabaseSync: new (file: string) => NodeDatabase };
  try {
    const specifier = 'node:sqlite'; // a variable: Node 20's type definitions do not know the module
    mod = (await import(specifier)) as typeof mod;
  } finally {
    process.emitWarning = emit;
  }
  return {
    name: 'node:sqlite',
    version: process.versions.node,
    open(file) {
      const db = new mod.DatabaseSync(file);
      // Kysely's SQLite dialect speaks better-sqlite3's statement interface: an array of parameters, and `reader`
      // (the statement returns rows) deciding between all() and run().
      const database: SqliteDatabase = {
        close: () => db.close(),
        prepare(sql) {
          const stmt = db.prepare(sql);
          return {
            reader: stmt.columns().length > 0,
            all: (params) => stmt.all(...params),
            run: (params) => stmt.run(...params),
            iterate: (params) => stmt.iterate(...params),
          };
        },
      };
      return { database, exec: (sql) => db.exec(sql) };
    },
  };
}

let cached: Promise<SqliteDriver> | undefined;

/** The driver the store uses: `$OPENAI_MCP_SQLITE_DRIVER` if set, else better-sqlite3, else node:sqlite. */
export function loadSqliteDriver(env: NodeJS.ProcessEnv = process.env): Promise<SqliteDriver> {
  if (env !== process.env) return pickDriver(env);
  cached ??= pickDriver(env);
  return cached;
}

async function pickDriver(env: NodeJS.ProcessEnv): Promise<SqliteDriver> {
  const forced = env[DRIVER_ENV]?.trim();
  if (forced && !SQLITE_DRIVERS.includes(forced as SqliteDriverName)) {
    throw new SetupError('sqlite_driver_missing', `${DRIVER_ENV}=${forced}: not a driver this package knows`, [
      `set it to ${SQLITE_DRIVERS.join(' or ')}, or unset it`,
    ]);
  }
  let betterError: Error | undefined;
  if (forced !== 'node:sqlite') {
    try {
      return loadBetterSqlite3();
    } catch (err) {
      betterError = err as Error;
    }
  }
  let nodeError: Error | undefined;
  if (forced !== 'better-sqlite3') {
    try {
      return await loadNodeSqlite();
    } catch (err) {
      nodeError = err as Error;
    }
  }
  if (forced === 'node:sqlite')
    throw new SetupError('sqlite_driver_missing', `${DRIVER_ENV}=node:sqlite, but ${nodeError?.message}`, [
      `unset ${DRIVER_ENV} (better-sqlite3 is then used), or run on Node >= ${NODE_SQLITE_MIN.join('.')}`,
    ]);
  throw driverMissing(betterError, nodeError, env);
}

export function driverMissing(betterError: Error | undefined, nodeError: Error | undefined, env = process.env) {
  const code = (betterError as NodeJS.ErrnoException | undefined)?.code;
  const notInstalled = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
  const reason = betterError && !notInstalled ? 'abi' : 'missing';
  const install = detectInstall();
  const what = !betterError
    ? 'better-sqlite3 was not tried'
    : notInstalled
      ? 'better-sqlite3 (an optional dependency: npm drops it without a word when it cannot build it) is not installed'
      : `better-sqlite3 is installed but does not load: ${firstLine(betterError.message)}`;
  const why = nodeError ? `; node:sqlite: ${firstLine(nodeError.message)}` : '';
  return new SetupError(
    'sqlite_driver_missing',
    `Managed servers need SQLite, and there is no driver: ${what}${why}. ` +
      `(stdio serving does not need it.) This copy is a ${install.kind} install at ${install.root}.`,
    driverFix(install, reason, env),
  );
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
