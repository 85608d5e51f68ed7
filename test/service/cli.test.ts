// The management CLI as an operator uses it: keys from stdin or the environment (never argv), masked listings,
// one-time URLs and tokens, and clear errors with exit code 2.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, tempDataDir } from './helpers.js';

const KEY = 'sk-proj-STDINkey0123456789abcdefghij';
const ADMIN = 'sk-admin-STDINadmin0123456789abcdefg';

describe('openai-mcp accounts / servers / tokens', () => {
  it.each([
    ['JSON', JSON.stringify({ OPENAI_API_KEY: KEY, OPENAI_ADMIN_KEY: ADMIN, OPENAI_ORG_ID: 'org-1' })],
    ['KEY=VALUE lines', `OPENAI_API_KEY=${KEY}\nexport OPENAI_ADMIN_KEY="${ADMIN}"\nOPENAI_ORG_ID=org-1\n`],
  ])('accounts add --stdin reads keys as %s and never prints them', (_kind, input) => {
    const dir = tempDataDir();
    const r = cli(['accounts', 'add', '--name', 'acme', '--stdin', '--data-dir', dir, '--json'], { input });
    expect(r.status, r.stderr).toBe(0);
    const acc = JSON.parse(r.stdout);
    expect(acc).toMatchObject({ name: 'acme', api_key: '…ghij', admin_key: '…defg', organization_id: 'org-1' });
    const listed = cli(['accounts', 'list', '--data-dir', dir]);
    expect(listed.stdout).toContain('…ghij');
    for (const out of [r.stdout, r.stderr, listed.stdout, listed.stderr]) {
      expect(out).not.toContain(KEY);
      expect(out).not.toContain(ADMIN);
    }
  });

  it('refuses an account without keys, naming what is missing', () => {
    const r = cli(['accounts', 'add', '--name', 'empty', '--data-dir', tempDataDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no key in the environment\. Set OPENAI_API_KEY .* OPENAI_ADMIN_KEY .* --stdin/);
  });

  it('shows a server URL and a token once, and lists neither', () => {
    const dir = tempDataDir();
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dir], { env: { OPENAI_API_KEY: KEY } });
    const created = cli([
      'servers',
      'create',
      '--account',
      acc.id,
      '--name',
      'ro',
      '--methods',
      'read',
      '--tags',
      'files',
      '--data-dir',
      dir,
    ]);
    expect(created.status, created.stderr).toBe(0);
    const url = /url\s+(http:\/\/\S+)/.exec(created.stdout)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/mcp\/omcp_/);
    expect(created.stderr).toMatch(/shown once/);
    expect(created.stdout).toMatch(/tools\s+3 \(all\)/);
    const token = cli([
      'management-tokens',
      'create',
      '--name',
      'ci',
      '--accounts',
      acc.id,
      '--actions',
      'read',
      '--data-dir',
      dir,
    ]);
    const secret = token.stdout.split('\n')[1]!;
    expect(secret).toMatch(/^omcpadm_/);
    // The deprecated command of earlier releases still issues one (for all accounts and actions).
    const legacy = cli(['api-tokens', 'create', '--name', 'old', '--data-dir', dir]);
    expect(legacy.stdout.split('\n')[1]).toMatch(/^omcpadm_/);
    expect(legacy.stderr).toMatch(/deprecated/);
    const listings = [
      cli(['servers', 'list', '--data-dir', dir]).stdout,
      cli(['servers', 'list', '--data-dir', dir, '--json']).stdout,
      cli(['management-tokens', 'list', '--data-dir', dir, '--json']).stdout,
      cli(['management-tokens', 'list', '--data-dir', dir]).stdout,
      readFileSync(path.join(dir, 'openai-mcp.sqlite')).toString('latin1'),
    ];
    for (const l of listings) {
      expect(l).not.toContain(url!.split('/').pop()!);
      expect(l).not.toContain(secret);
    }
  });

  it('updates and clears an expiry, and reports usage errors with exit code 2', () => {
    const dir = tempDataDir();
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--data-dir', dir], { env: { OPENAI_API_KEY: KEY } });
    const s = cliJson(['servers', 'create', '--account', acc.id, '--name', 's', '--data-dir', dir]);
    const later = new Date(Date.now() + 86_400_000).toISOString();
    expect(cliJson(['servers', 'update', s.id, '--expires-at', later, '--data-dir', dir]).expires_at).toBe(later);
    // Relative times, as the tools take them; the API still receives ISO-8601.
    const week = Date.parse(cliJson(['servers', 'update', s.id, '--expires-at', '+7d', '--data-dir', dir]).expires_at);
    expect(Math.abs(week - (Date.now() + 7 * 86_400_000))).toBeLessThan(60_000);
    const past = cli(['servers', 'update', s.id, '--expires-at', '-1d', '--data-dir', dir]);
    expect(past.status).not.toBe(0);
    expect(past.stderr).toMatch(/"-1d" is in the past .*give a future time, e\.g\. \+7d/);
    expect(
      cliJson(['servers', 'update', s.id, '--expires-at', 'never', '--exposure', 'discovery', '--data-dir', dir]),
    ).toMatchObject({ expires_at: null, config: { tool_exposure: 'discovery' } });
    const nothing = cli(['servers', 'update', s.id, '--data-dir', dir]);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to update/);
    const badExposure = cli(['servers', 'update', s.id, '--exposure', 'everything', '--data-dir', dir]);
    expect(badExposure.status).toBe(2);
    expect(badExposure.stderr).toMatch(/everything/);
    const missing = cli(['servers', 'get', 'srv_missing', '--data-dir', dir]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/not_found: No server "srv_missing"/);
    const typo = cli(['server', 'list', '--data-dir', dir]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/servers/);
  });
});
