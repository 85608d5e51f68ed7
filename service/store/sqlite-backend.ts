// The SQLite backend: a file, by default the data dir's, that one process serves at a time; `backup` and `restore`
// copy the data dir's file, and `doctor` checks it with the data dir's own checks.

import path from 'node:path';
import type { StoreBackend } from './backend.js';
import { DATABASE_FILE, openSqliteStore } from './sqlite.js';

export interface SqliteTarget {
  kind: 'sqlite';
  /** The database file. */
  file: string;
}

export const sqliteBackend: StoreBackend<SqliteTarget> = {
  kind: 'sqlite',
  example: 'sqlite:<file>',
  parse(url, dataDir) {
    if (!/^sqlite:/i.test(url)) return undefined;
    let rest = url.slice('sqlite:'.length);
    if (rest.startsWith('///')) rest = rest.slice(2);
    else if (rest.startsWith('//')) rest = rest.slice(2);
    return { kind: 'sqlite', file: rest ? path.resolve(rest) : path.join(dataDir, DATABASE_FILE) };
  },
  describe: (target) => target.file,
  where(target, dataDir) {
    const own = target.file === path.join(dataDir, DATABASE_FILE);
    return `data dir ${dataDir}${own ? '' : `, database ${target.file}`}`;
  },
  shared: false,
  open: (target, options) => openSqliteStore(options.dataDir, { ...options, file: target.file }),
  copyRefusal(target, command, dataDir) {
    if (target.file === path.join(dataDir, DATABASE_FILE)) return undefined;
    return `${command}: OPENAI_MCP_DATABASE_URL names ${target.file}, not the data dir's database; copy that file with the service stopped, or unset the variable`;
  },
};

/** No database URL: the data dir's file. */
export const dataDirTarget = (dataDir: string): SqliteTarget => ({
  kind: 'sqlite',
  file: path.join(dataDir, DATABASE_FILE),
});
