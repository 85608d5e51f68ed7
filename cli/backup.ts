// `openai-mcp backup <dir>` and `openai-mcp restore <dir>`: the data dir as two files, the database (a consistent
// online copy: `serve --http` keeps running) and the secret key that decrypts the accounts' keys in it. One without
// the other is useless, so both travel together, and a restore proves the pair opens before anything is replaced.

import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readSecretBox, SECRET_KEY_FILE } from '../service/secrets.js';
import { loadSqliteDriver, SetupError } from '../service/store/driver.js';
import { backendOf, databaseTarget } from '../service/store/open.js';
import { backupSqlite, DATABASE_FILE, ensureDataDir } from '../service/store/sqlite.js';
import { printJson, resolveDataDir, UsageError } from './shared.js';

interface BackupFlags {
  dataDir?: string;
  json?: boolean;
  force?: boolean;
}

/** backup and restore copy the data dir's SQLite file: with another database configured they would copy the wrong one. */
function onlyDataDirSqlite(command: string, dataDir: string): void {
  const target = databaseTarget(undefined, dataDir);
  const refusal = backendOf(target).copyRefusal(target, command, dataDir);
  if (refusal) throw new UsageError(refusal);
}

export async function backupCommand(target: string, flags: BackupFlags): Promise<void> {
  const dataDir = resolveDataDir(flags.dataDir);
  onlyDataDirSqlite('backup', dataDir);
  const db = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(db)) throw new UsageError(`backup: ${db} does not exist: nothing to back up in ${dataDir}`);
  const dir = path.resolve(target);
  if (existsSync(dir) && readdirSync(dir).length)
    throw new UsageError(`backup: ${dir} is not empty; give a new or empty folder (a backup never overwrites)`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await backupSqlite(dataDir, path.join(dir, DATABASE_FILE));
  chmodSync(path.join(dir, DATABASE_FILE), 0o600);
  const keyFile = path.join(dataDir, SECRET_KEY_FILE);
  const fromEnv = !!process.env.OPENAI_MCP_SECRET_KEY?.trim();
  if (!fromEnv) copyFileSync(keyFile, path.join(dir, SECRET_KEY_FILE));
  const result = {
    backup: dir,
    database: path.join(dir, DATABASE_FILE),
    secret_key: fromEnv ? null : path.join(dir, SECRET_KEY_FILE),
  };
  if (flags.json) return printJson(result);
  process.stdout.write(`backed up ${db} to ${result.database}\n`);
  process.stdout.write(
    fromEnv
      ? 'the secret key is OPENAI_MCP_SECRET_KEY, not a file: keep its value with this backup, or it cannot be restored\n'
      : `and its secret key to ${result.secret_key} (mode 0600): the database's keys are readable with it, so store the folder as a secret\n`,
  );
}

export async function restoreCommand(source: string, flags: BackupFlags): Promise<void> {
  const dataDir = resolveDataDir(flags.dataDir);
  onlyDataDirSqlite('restore', dataDir);
  const from = path.resolve(source);
  const db = path.join(from, DATABASE_FILE);
  if (!existsSync(db))
    throw new UsageError(`restore: ${db} does not exist (give the folder \`openai-mcp backup\` wrote)`);
  const target = path.join(dataDir, DATABASE_FILE);
  if (existsSync(target) && !flags.force)
    throw new UsageError(
      `restore: ${target} exists; stop \`serve --http\` and add --force to replace it (the current files are kept beside it as *.before-restore)`,
    );
  // Prove the pair opens: an intact database, and a key that decrypts its accounts.
  const keyInBackup = path.join(from, SECRET_KEY_FILE);
  const fromEnv = !!process.env.OPENAI_MCP_SECRET_KEY?.trim();
  if (!fromEnv && !existsSync(keyInBackup))
    throw new SetupError(
      'data_dir_unusable',
      `restore: ${keyInBackup} is missing, and OPENAI_MCP_SECRET_KEY is not set.`,
      [
        'set OPENAI_MCP_SECRET_KEY to the key this database was written with, or restore from a backup that has secret.key',
      ],
    );
  const driver = await loadSqliteDriver();
  const opened = driver.open(db);
  let rows: { id: string; secrets: string }[];
  try {
    const check = opened.database.prepare('PRAGMA integrity_check').all([]) as { integrity_check: string }[];
    if (check[0]?.integrity_check !== 'ok')
      throw new SetupError('data_dir_unusable', `restore: ${db} fails SQLite's integrity check`, [
        'restore from another backup',
      ]);
    rows = opened.database.prepare('select id, secrets from accounts').all([]) as typeof rows;
  } finally {
    opened.database.close();
  }
  const box = readSecretBox(fromEnv ? dataDir : from);
  for (const r of rows) {
    try {
      box.open(r.secrets, r.id);
    } catch {
      throw new SetupError('data_dir_unusable', `restore: the secret key does not decrypt account ${r.id}'s keys`, [
        fromEnv
          ? 'OPENAI_MCP_SECRET_KEY must be the value used when this backup was taken'
          : 'this backup folder holds a secret.key from another data dir: use the one taken with this database',
      ]);
    }
  }
  ensureDataDir(dataDir);
  for (const f of [
    DATABASE_FILE,
    `${DATABASE_FILE}-wal`,
    `${DATABASE_FILE}-shm`,
    ...(fromEnv ? [] : [SECRET_KEY_FILE]),
  ]) {
    const p = path.join(dataDir, f);
    if (existsSync(p)) renameSync(p, `${p}.before-restore`);
  }
  copyFileSync(db, target);
  chmodSync(target, 0o600);
  if (!fromEnv) copyFileSync(keyInBackup, path.join(dataDir, SECRET_KEY_FILE));
  for (const f of [`${DATABASE_FILE}-wal.before-restore`, `${DATABASE_FILE}-shm.before-restore`])
    rmSync(path.join(dataDir, f), { force: true });
  if (flags.json) return printJson({ restored: dataDir, accounts: rows.length });
  process.stdout.write(`restored ${dataDir} from ${from}: ${rows.length} account(s), keys checked\n`);
}
