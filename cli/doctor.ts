// `openai-mcp doctor`: what this install needs, checked one line each, every problem with its fix. It reads and
// never writes: no data dir, database, secret key or cache file is created by looking.

import { KEY_FINGERPRINT_SETTING } from '../service/store/store.js';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ENV_NAMES, type KeySlot, keyKind, keyProblem } from '../runtime/key-kind.js';
import { NODE_ENGINES, nodeFloorMessage, nodeSupported } from '../runtime/node-floor.js';
import { SERVER_VERSION } from '../runtime/server.js';
import {
  detectInstall,
  type Install,
  loadSqliteDriver,
  SetupError,
  type SqliteDriver,
} from '../service/store/driver.js';
import type { DoctorLine } from '../service/store/backend.js';
import { printJson, resolveDataDir } from './shared.js';

export type CheckStatus = 'ok' | 'info' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  status: CheckStatus;
  /** One line: what was found. */
  detail: string;
  /** What to do about it (warn and fail only). */
  fix?: string[];
}

export interface DoctorFlags {
  dataDir?: string;
  port?: number;
  host?: string;
  json?: boolean;
  only?: string[];
}

interface Context {
  flags: DoctorFlags;
  env: NodeJS.ProcessEnv;
  install: Install;
  dataDir: string;
  dataDirSource: string;
  driver?: SqliteDriver;
}

type Check = (ctx: Context) => Promise<CheckResult[]>;

const result = (id: string, status: CheckStatus, detail: string, fix?: string[]): CheckResult => ({
  id,
  status,
  detail,
  ...(fix?.length ? { fix } : {}),
});

const nodeCheck: Check = async () => [
  nodeSupported()
    ? result('node', 'ok', `v${process.versions.node} (needs ${NODE_ENGINES})`)
    : result('node', 'fail', `v${process.versions.node} is below the floor (${NODE_ENGINES})`, [nodeFloorMessage()]),
];

/** The checks the backend of the database `serve --http` would use has of its own; undefined: the data dir's. */
async function backendDoctor(ctx: Context) {
  const { backendOf, databaseTarget } = await import('../service/store/open.js');
  const target = databaseTarget(undefined, ctx.dataDir, ctx.env);
  const doctor = backendOf(target).doctor;
  return doctor && { doctor, target };
}

const lines = (id: string, found: DoctorLine[]) => found.map((l) => result(id, l.status, l.detail, l.fix));

const storeCheck: Check = async (ctx) => {
  const own = await backendDoctor(ctx).catch((err: unknown) => {
    if (err instanceof SetupError) return err;
    throw err;
  });
  if (own instanceof SetupError) {
    const [message] = own.message.split('\nFix:');
    return [result('store', 'fail', message ?? own.message, own.fix)];
  }
  if (own) return lines('store', await own.doctor.store(own.target, ctx.env));
  try {
    ctx.driver = await loadSqliteDriver(ctx.env);
  } catch (err) {
    if (!(err instanceof SetupError)) throw err;
    const [message] = err.message.split('\nFix:');
    return [result('store', 'fail', message ?? err.message, err.fix)];
  }
  const opened = ctx.driver.open(':memory:');
  let sqliteVersion = '?';
  try {
    const row = opened.database.prepare('select sqlite_version() as v').all([])[0] as { v?: string } | undefined;
    sqliteVersion = row?.v ?? '?';
  } finally {
    opened.database.close();
  }
  const version = ctx.driver.name === 'node:sqlite' ? `(Node ${ctx.driver.version})` : ctx.driver.version;
  return [result('store', 'ok', `${ctx.driver.name} ${version}, SQLite ${sqliteVersion}`)];
};

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

const dataDirCheck: Check = async (ctx) => {
  const dir = ctx.dataDir;
  const where = `${dir} (${ctx.dataDirSource})`;
  if (!existsSync(dir)) {
    // Creatable? The nearest existing ancestor must be a writable folder.
    let parent = path.dirname(dir);
    while (!existsSync(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
    if (!statSync(parent).isDirectory())
      return [
        result('data-dir', 'fail', `${where} cannot be created: ${parent} is a file`, [
          'point --data-dir (or $OPENAI_MCP_DATA_DIR) at a folder',
        ]),
      ];
    try {
      accessSync(parent, constants.W_OK);
    } catch {
      return [
        result('data-dir', 'fail', `${where} cannot be created: ${parent} is not writable by this user`, [
          `choose a data dir this user can create, or: chmod u+w ${parent}`,
        ]),
      ];
    }
    return [result('data-dir', 'info', `${where} does not exist yet; the first managed command creates it (0700)`)];
  }
  if (!statSync(dir).isDirectory())
    return [
      result('data-dir', 'fail', `${where} is a file, not a folder`, [
        'point --data-dir (or $OPENAI_MCP_DATA_DIR) at a folder',
      ]),
    ];
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return [
      result('data-dir', 'fail', `${where} is not readable and writable by this user`, [
        `run as the user that owns it, or: chown -R "$(id -un)" ${dir}`,
      ]),
    ];
  }
  const out: CheckResult[] = [];
  const mode = modeOf(dir);
  out.push(
    mode & 0o077
      ? result('data-dir', 'warn', `${where} is open to other users (mode ${mode.toString(8)})`, [`chmod 700 ${dir}`])
      : result('data-dir', 'ok', `${where}, mode ${mode.toString(8)}`),
  );
  const db = path.join(dir, 'openai-mcp.sqlite');
  if (existsSync(db) && ctx.driver) {
    const counts = readCounts(ctx.driver, db);
    out.push(
      counts
        ? result(
            'database',
            'ok',
            `${db}: ${counts.accounts} account(s), ${counts.servers} server(s), ${(statSync(db).size / 1024).toFixed(0)} KiB`,
          )
        : result('database', 'fail', `${db} cannot be read as an openai-mcp database`, [
            'restore it from a backup (openai-mcp restore <backup dir>), or move it away to start afresh',
          ]),
    );
  }
  return out;
};

function readCounts(driver: SqliteDriver, file: string): { accounts: number; servers: number } | undefined {
  let opened: ReturnType<SqliteDriver['open']> | undefined;
  try {
    opened = driver.open(file);
    const one = (sql: string) => (opened!.database.prepare(sql).all([])[0] as { n: number }).n;
    return {
      accounts: one('select count(*) as n from accounts'),
      servers: one('select count(*) as n from mcp_servers'),
    };
  } catch {
    return undefined;
  } finally {
    opened?.database.close();
  }
}

/** The first stored account's envelope, to try the key on (never decrypted into output). */
function firstEnvelope(
  driver: SqliteDriver,
  file: string,
): { envelope?: { id: string; secrets: string }; fingerprint?: string } {
  let opened: ReturnType<SqliteDriver['open']> | undefined;
  try {
    opened = driver.open(file);
    const envelope = opened.database.prepare('select id, secrets from accounts limit 1').all([])[0] as
      | { id: string; secrets: string }
      | undefined;
    let fingerprint: string | undefined;
    try {
      const row = opened.database
        .prepare('select value from settings where key = ?')
        .all([KEY_FINGERPRINT_SETTING])[0] as { value: string } | undefined;
      fingerprint = row?.value;
    } catch {
      /* a data dir from before fingerprints */
    }
    return { envelope, fingerprint };
  } catch {
    return {};
  } finally {
    opened?.database.close();
  }
}

const secretKeyCheck: Check = async (ctx) => {
  const own = await backendDoctor(ctx).catch(() => undefined);
  if (own) return lines('secret-key', await own.doctor.secretKey(own.target, ctx.env));
  const fromEnv = ctx.env.OPENAI_MCP_SECRET_KEY?.trim();
  const file = path.join(ctx.dataDir, 'secret.key');
  const db = path.join(ctx.dataDir, 'openai-mcp.sqlite');
  const out: CheckResult[] = [];
  let source: string;
  if (fromEnv) {
    if (fromEnv.length < 32)
      return [
        result('secret-key', 'fail', 'OPENAI_MCP_SECRET_KEY is set but shorter than 32 characters', [
          'set it to 32+ random characters (openssl rand -hex 32), and keep it with your backups',
        ]),
      ];
    source = 'OPENAI_MCP_SECRET_KEY';
    if (existsSync(file))
      out.push(
        result('secret-key', 'warn', `${file} exists but is not used while OPENAI_MCP_SECRET_KEY is set`, [
          'keep one source: unset OPENAI_MCP_SECRET_KEY, or move secret.key away once nothing needs it',
        ]),
      );
  } else if (existsSync(file)) {
    source = file;
    const mode = modeOf(file);
    const raw = readFileSync(file, 'utf8').trim();
    if (Buffer.from(raw, 'base64').length !== 32)
      return [
        result('secret-key', 'fail', `${file} does not hold a 32-byte base64 key`, [
          'restore secret.key from the backup taken with this database',
        ]),
      ];
    if (mode & 0o077)
      out.push(
        result('secret-key', 'warn', `${file} is readable by other users (mode ${mode.toString(8)})`, [
          `chmod 600 ${file}`,
        ]),
      );
  } else {
    const accounts = existsSync(db) && ctx.driver ? readCounts(ctx.driver, db)?.accounts : 0;
    if (accounts)
      return [
        result('secret-key', 'fail', `no secret key, but ${db} holds ${accounts} account(s) encrypted with one`, [
          `restore secret.key into ${ctx.dataDir} from your backup, or set OPENAI_MCP_SECRET_KEY to the key used`,
        ]),
      ];
    return [
      result(
        'secret-key',
        'info',
        `none yet: the first managed command creates ${file} (0600), unless OPENAI_MCP_SECRET_KEY is set`,
      ),
    ];
  }
  // Does it open what is stored? A changed key makes every account unusable. The data dir remembers the key's
  // fingerprint (service/secrets.ts); a data dir from before fingerprints is checked by opening an envelope.
  const stored = existsSync(db) && ctx.driver ? firstEnvelope(ctx.driver, db) : {};
  const { readSecretBox } = await import('../service/secrets.js');
  let fingerprint: string | undefined;
  try {
    const box = readSecretBox(ctx.dataDir, ctx.env);
    fingerprint = box.fingerprint;
    if (stored.fingerprint !== undefined && stored.fingerprint !== box.fingerprint)
      throw new Error('fingerprint mismatch');
    if (stored.envelope) box.open(stored.envelope.secrets, stored.envelope.id);
  } catch {
    return [
      ...out,
      result(
        'secret-key',
        'fail',
        `the key from ${source}${fingerprint ? ` (fingerprint ${fingerprint})` : ''} is not the key this data dir's accounts are sealed with${stored.fingerprint ? ` (fingerprint ${stored.fingerprint})` : ''}`,
        [
          'use the key these accounts were stored with (the secret.key backed up with the database, or the old OPENAI_MCP_SECRET_KEY)',
        ],
      ),
    ];
  }
  const status = stored.fingerprint
    ? `; fingerprint ${fingerprint} matches the data dir`
    : stored.envelope
      ? `; fingerprint ${fingerprint}, decrypts the stored keys`
      : `; fingerprint ${fingerprint}`;
  return [...out, result('secret-key', 'ok', `from ${source}${status} (back it up with the database)`)];
};

const specCheck: Check = async (ctx) => {
  const pinFile = path.join(ctx.install.root, 'specs', 'openai.pin.json');
  if (!existsSync(pinFile))
    return [result('spec', 'info', 'not needed: generated/ ships with the package (only a clone regenerates)')];
  const { referenceSpecs, locate, cacheFileOf } = await import('../generator/reference-specs.js');
  let specs: ReturnType<typeof referenceSpecs>;
  try {
    specs = referenceSpecs({ pinFile, referencesFile: path.join(ctx.install.root, 'specs', 'reference-specs.json') });
  } catch (err) {
    return [result('spec', 'fail', (err as Error).message, ['restore specs/ from git: git checkout -- specs'])];
  }
  const out: CheckResult[] = [];
  const fromEnv = ctx.env.OPENAI_SPEC;
  const pin = specs[0]!;
  if (fromEnv) {
    let got: string | undefined;
    try {
      got = /^https?:/.test(fromEnv) ? undefined : createHash('sha256').update(readFileSync(fromEnv)).digest('hex');
    } catch {
      got = 'unreadable';
    }
    out.push(
      got === undefined || got === pin.sha256
        ? result(
            'spec',
            'ok',
            `$OPENAI_SPEC=${fromEnv}${got ? ' matches the pin' : ' (a URL: checked when generating)'}`,
          )
        : result(
            'spec',
            'fail',
            `$OPENAI_SPEC=${fromEnv} is ${got === 'unreadable' ? 'unreadable' : 'not the pinned spec'}`,
            ['unset it, or point it at the pinned spec; another version goes in --spec <path> --out <dir>'],
          ),
    );
  }
  for (const spec of specs) {
    const mismatched: string[] = [];
    const found = locate(spec, ctx.env, (f) => mismatched.push(f));
    const label = `${spec.date}${spec.pinned ? ' (pinned)' : ''}`;
    if (mismatched.length)
      out.push(
        result('spec', 'warn', `${label}: ${mismatched.join(', ')} has other bytes than the sha256 recorded`, [
          `remove it and run npm run fetch-specs`,
        ]),
      );
    if (found) out.push(result('spec', 'ok', `${label}: ${found.where} ${found.path}`));
    else
      out.push(
        result(
          'spec',
          spec.pinned ? 'warn' : 'info',
          `${label}: not here (looked at the mirror ${spec.mirror} and the cache ${cacheFileOf(spec, ctx.env)})`,
          [
            spec.pinned
              ? 'npm run generate and the Prism tests need it: npm run fetch-specs (where GitHub is reachable)'
              : 'tests of older versions are skipped without it: npm run fetch-specs',
          ],
        ),
      );
  }
  return out;
};

const keysCheck: Check = async (ctx) =>
  (Object.keys(ENV_NAMES) as KeySlot[]).map((slot) => {
    const name = ENV_NAMES[slot];
    const value = ctx.env[name]?.trim();
    if (!value)
      return result(
        `keys`,
        'info',
        `${name} not set (stdio: the tools needing it say so; managed servers use each account's stored keys)`,
      );
    const problem = keyProblem(slot, value);
    if (problem) return result('keys', 'fail', problem.message, [problem.fix]);
    return result('keys', 'ok', `${name} set, ${keyKind(value) === 'admin' ? 'an admin key' : 'a project key'}`);
  });

const portCheck: Check = async (ctx) => {
  const host = ctx.flags.host ?? '127.0.0.1';
  const port = ctx.flags.port ?? 8787;
  const free = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', (err) => resolve(err));
    srv.listen(port, host, () => srv.close(() => resolve(undefined)));
  });
  if (!free) return [result('port', 'ok', `${host}:${port} is free for serve --http`)];
  if (free.code !== 'EADDRINUSE')
    return [result('port', 'fail', `${host}:${port}: ${free.message}`, ['use --host 127.0.0.1 and a port ≥ 1024'])];
  // Ours? /healthz answers {ok: true} without a token.
  const ours = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`, {
    signal: AbortSignal.timeout(1500),
    redirect: 'error',
  })
    .then(async (r) => r.ok && ((await r.json()) as { ok?: boolean }).ok === true)
    .catch(() => false);
  return ours
    ? [
        result('port', 'warn', `${host}:${port} is taken by a running openai-mcp service (its /healthz answered)`, [
          'that service already serves this data dir if it was started with it; to start another, use --port <n>',
        ]),
      ]
    : [
        result('port', 'fail', `${host}:${port} is taken by another program`, [
          `serve on another port: openai-mcp serve --http --port ${port + 1} (or --port 0 for any free one)`,
        ]),
      ];
};

/** The checks, in the order they are shown; `--only` picks by these names. */
export const CHECKS: Record<string, Check> = {
  node: nodeCheck,
  store: storeCheck,
  'data-dir': dataDirCheck,
  'secret-key': secretKeyCheck,
  spec: specCheck,
  keys: keysCheck,
  port: portCheck,
};

export interface DoctorReport {
  ok: boolean;
  version: string;
  install: Install;
  checks: CheckResult[];
}

export async function runDoctor(flags: DoctorFlags, env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const unknown = (flags.only ?? []).filter((c) => !(c in CHECKS));
  if (unknown.length)
    throw new SetupError('data_dir_unusable', `doctor --only: unknown check ${unknown.join(', ')}`, [
      `choose from ${Object.keys(CHECKS).join(', ')}`,
    ]);
  const ctx: Context = {
    flags,
    env,
    install: detectInstall(),
    dataDir: resolveDataDir(flags.dataDir),
    dataDirSource: flags.dataDir ? '--data-dir' : env.OPENAI_MCP_DATA_DIR ? '$OPENAI_MCP_DATA_DIR' : 'default',
  };
  const checks: CheckResult[] = [];
  // The store check runs first when others need the driver (data dir, secret key), and is shown in its place.
  const wanted = Object.keys(CHECKS).filter((id) => !flags.only?.length || flags.only.includes(id));
  if (!wanted.includes('store') && (wanted.includes('data-dir') || wanted.includes('secret-key')))
    await storeCheck(ctx).catch(() => []);
  for (const id of wanted) {
    try {
      checks.push(...(await CHECKS[id]!(ctx)));
    } catch (err) {
      checks.push(result(id, 'fail', `the check itself failed: ${(err as Error).message}`));
    }
  }
  return {
    ok: !checks.some((c) => c.status === 'fail'),
    version: SERVER_VERSION,
    install: ctx.install,
    checks,
  };
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok', info: 'info', warn: 'WARN', fail: 'FAIL' };

export async function doctorCommand(flags: DoctorFlags): Promise<void> {
  const report = await runDoctor(flags);
  process.exitCode = report.ok ? 0 : 1;
  if (flags.json) return printJson(report);
  const out: string[] = [
    `openai-mcp doctor: openai-mcp-kit ${report.version}, a ${report.install.kind} install at ${report.install.root}`,
  ];
  const width = Math.max(...report.checks.map((c) => c.id.length));
  for (const c of report.checks) {
    out.push(`${LABEL[c.status].padEnd(5)} ${c.id.padEnd(width)}  ${c.detail}`);
    for (const f of c.fix ?? []) out.push(`${' '.repeat(width + 8)}fix: ${f}`);
  }
  const problems = report.checks.filter((c) => c.status === 'fail').length;
  const warnings = report.checks.filter((c) => c.status === 'warn').length;
  out.push(
    problems
      ? `${problems} problem(s)${warnings ? `, ${warnings} warning(s)` : ''}: each FAIL line above has its fix`
      : `no problems${warnings ? `, ${warnings} warning(s)` : ''}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
