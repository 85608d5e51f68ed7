// The store backends: what a database URL names and everything the rest of the service and the CLI ask of the
// engine behind it. Each backend is one file of this folder (sqlite-backend.ts, postgres-backend.ts) and one line in
// open.ts's BACKENDS; serve, backup and doctor ask the backend object, never which engine it is.

import type { PostgresStoreOptions } from './postgres.js';
import type { OpenStoreOptions } from './sqlite.js';
import type { Store } from './store.js';

/** A parsed database URL: the backend's name and whatever it needs to open the database. */
export interface DatabaseTarget {
  readonly kind: string;
}

/** One line of `openai-mcp doctor` (cli/doctor.ts), as a backend reports it. */
export interface DoctorLine {
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string[];
}

/** What opening a store is told: the data dir and each backend's own options. */
export type OpenContext = { dataDir: string } & OpenStoreOptions & PostgresStoreOptions;

export interface StoreBackend<T extends DatabaseTarget = DatabaseTarget> {
  readonly kind: string;
  /** `--database-url` schemes it answers to, for messages (`sqlite:<file>`). */
  readonly example: string;
  /** The target `url` names when it is this backend's (by scheme); undefined when it is another's. */
  parse(url: string, dataDir: string): T | undefined;
  /** For messages and logs: never a password. */
  describe(target: T): string;
  /** The start-up line's account of where the state is (`data dir …` or `database …`). */
  where(target: T, dataDir: string): string;
  /** Whether processes on other machines may share it: then the secret key must come from the environment. */
  readonly shared: boolean;
  open(target: T, options: OpenContext): Promise<Store>;
  /**
   * `backup` and `restore` copy the data dir's database file. Undefined when they serve this target; else why they
   * do not and what to use instead.
   */
  copyRefusal(target: T, command: string, dataDir: string): string | undefined;
  /** `doctor`'s store and secret-key lines for this target; undefined: the data dir's own checks apply. */
  doctor?: {
    store(target: T, env: NodeJS.ProcessEnv): Promise<DoctorLine[]>;
    secretKey(target: T, env: NodeJS.ProcessEnv): Promise<DoctorLine[]>;
  };
}
