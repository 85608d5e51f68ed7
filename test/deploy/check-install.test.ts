// The install-time check (`prepare` runs scripts/check-install.mjs after the build): it checks the embedded store's
// driver, and must pass in a healthy clone whatever database URL the installing shell happens to carry.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';

const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'check-install.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });

describe('scripts/check-install.mjs', () => {
  it('passes in this clone', () => {
    expect(run({}).status).toBe(0);
  });

  it('does not reach for a Postgres server named in $OPENAI_MCP_DATABASE_URL (nothing listens on port 1)', () => {
    const r = run({ OPENAI_MCP_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(r.stderr).not.toMatch(/install is not complete/);
    expect(r.status).toBe(0);
  });
});
