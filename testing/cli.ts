// The management CLI of a built bin, as the benches drive it: one data dir, `--json` answers, an error with the
// CLI's own stderr on a non-zero exit.
import { spawnSync } from 'node:child_process';

export type BinCli = (args: string[], extraEnv?: Record<string, string>) => any;

/** A runner of `node <bin> <args> --data-dir <dataDir> --json` in `env` (plus `extraEnv` per call). */
export function binCli(bin: string, dataDir: string, env: Record<string, string | undefined>): BinCli {
  return (args, extraEnv = {}) => {
    const r = spawnSync(process.execPath, [bin, ...args, '--data-dir', dataDir, '--json'], {
      encoding: 'utf8',
      env: { ...env, ...extraEnv },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };
}
