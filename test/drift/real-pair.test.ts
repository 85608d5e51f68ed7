// The real upgrade 2026-05-13 → 2026-08-21. The expectations were checked by hand against the two YAML files:
// `grep '^      operationId:'` gives 242 and 288 operationIds, 46 only in the new file and none only in the old one;
// ProjectCreateRequest/ProjectUpdateRequest lost `geography` (replaced by `residency`); `/videos` operations
// became `deprecated: true`; `/organization/audit_logs` gained the `tenant_only` query parameter.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Catalog } from '../../runtime/types.js';
import { catalogFromSpec, type LoadedCatalog } from '../../drift/generator-api.js';
import { renderMarkdown } from '../../drift/render-markdown.js';
import { buildReport } from '../../drift/report.js';
import { resolveCatalog } from '../../drift/sources.js';
import type { DriftReport } from '../../drift/types.js';
import { NEW_SPEC, OLD_SPEC, REPO } from './helpers.js';
import { describeWithSpecs } from '../helpers/specs.js';

const specDescribe = describeWithSpecs('previous', 'current');

const operationIds = (doc: any): Set<string> =>
  new Set(
    Object.values<any>(doc.paths).flatMap((item) =>
      ['get', 'post', 'put', 'patch', 'delete'].map((v) => item?.[v]?.operationId).filter(Boolean),
    ),
  );

let oldSide: LoadedCatalog;
let newSide: LoadedCatalog;
let report: DriftReport;

beforeAll(async () => {
  [oldSide, newSide] = await Promise.all([catalogFromSpec(OLD_SPEC), catalogFromSpec(NEW_SPEC)]);
  report = buildReport(
    oldSide.catalog,
    newSide.catalog,
    { ref: OLD_SPEC, kind: 'spec' },
    { ref: NEW_SPEC, kind: 'spec' },
  );
}, 120_000);

specDescribe('2026-05-13 → 2026-08-21', () => {
  it('lists exactly the operations that appeared, and none as removed', () => {
    const onlyNew = [...operationIds(newSide.doc)].filter((id) => !operationIds(oldSide.doc).has(id));
    const onlyOld = [...operationIds(oldSide.doc)].filter((id) => !operationIds(newSide.doc).has(id));
    expect(onlyNew).toHaveLength(46);
    expect(onlyOld).toHaveLength(0);
    const excluded = new Set(newSide.catalog.excluded.map((e) => e.operationId));
    expect(report.added.map((t) => t.operationId).sort()).toEqual(onlyNew.filter((id) => !excluded.has(id)).sort());
    expect(report.removed).toEqual([]);
    expect(report.renamed).toEqual([]);
    expect(report.moved).toEqual([]);
  });

  it('names the new operations found by hand', () => {
    const added = new Map(report.added.map((t) => [t.operationId, t]));
    expect(added.get('beta_createResponse')).toMatchObject({
      verb: 'POST',
      path: '/responses?beta=true',
      access: 'write',
      auth: 'project',
    });
    expect(added.get('create-organization-spend-alert')).toMatchObject({
      verb: 'POST',
      path: '/organization/spend_alerts',
      auth: 'admin',
    });
    expect(added.get('Getorganizationspendlimit')).toMatchObject({
      verb: 'GET',
      path: '/organization/spend_limit',
      access: 'read',
    });
    expect(added.get('delete-project-model-permissions')).toMatchObject({ verb: 'DELETE', access: 'write' });
    expect(added.get('usage-web-search-calls')).toMatchObject({ path: '/organization/usage/web_search_calls' });
    expect(added.get('Createcontentprovenancecheck')).toMatchObject({ path: '/content_provenance_checks' });
    // Present in both files: must not be reported as added.
    for (const id of ['createResponse', 'listFiles', 'createChatCompletion', 'list-audit-logs'])
      expect(added.has(id)).toBe(false);
  });

  it('finds the removed `geography` body field as the breaking changes', () => {
    const breaking = report.changes.filter((c) => c.breaking);
    expect(breaking.map((c) => [c.operationId, c.kind, c.arg])).toEqual([
      ['create-project', 'param-removed', 'geography'],
      ['modify-project', 'param-removed', 'geography'],
    ]);
    expect(report.changes.filter((c) => c.security)).toEqual([]);
  });

  it('reports the non-breaking changes found by hand', () => {
    const of = (opId: string) => report.changes.filter((c) => c.operationId === opId);
    expect(of('create-project').find((c) => c.kind === 'param-added' && c.arg === 'residency')).toMatchObject({
      breaking: false,
    });
    expect(of('list-audit-logs').find((c) => c.arg === 'tenant_only')).toMatchObject({
      kind: 'param-added',
      location: 'query',
      breaking: false,
    });
    expect(of('createVideo').map((c) => c.kind)).toContain('deprecated-changed');
  });

  it('renders the figures and sections', () => {
    const md = renderMarkdown(report);
    expect(md).toContain(`**${report.summary.added} tools added, 0 removed, 0 renamed, 0 moved;`);
    expect(md).toContain('### 💥 Breaking changes (2)');
    expect(md).not.toContain('Security-relevant changes');
    expect(md).toContain('`beta_createResponse`');
    expect(md.length).toBeLessThan(60_000);
  });

  it('fits a size limit by dropping descriptions first, then cutting', () => {
    const full = renderMarkdown(report);
    const lean = renderMarkdown(report, { maxChars: full.length - 1 });
    expect(lean).toContain('_Omitted for length; see the JSON report._');
    expect(lean).toContain('### 💥 Breaking changes (2)');
    const cut = renderMarkdown(report, { maxChars: 1500 });
    expect(cut.length).toBeLessThanOrEqual(1500);
    expect(cut).toContain('report truncated');
  });
});

specDescribe('drift CLI', () => {
  const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
  const cli = path.join(REPO, 'drift', 'cli.ts');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'drift-cli-'));
    writeFileSync(path.join(dir, 'old.json'), JSON.stringify(oldSide.catalog));
    writeFileSync(path.join(dir, 'new.json'), JSON.stringify(newSide.catalog));
  });
  const scratch: string[] = [];
  afterAll(() => {
    for (const d of [dir, ...scratch]) rmSync(d, { recursive: true, force: true });
  });
  const run = (args: string[], cwd = dir) => spawnSync(tsx, [cli, ...args], { cwd, encoding: 'utf8' });

  it('writes markdown and JSON, and fails on breaking changes only when asked', () => {
    const ok = run(['--from', 'old.json', '--to', 'new.json', '--out', 'r.md', '--json', 'r.json']);
    expect(ok.status, ok.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as DriftReport;
    expect(json.summary).toEqual(report.summary);
    expect(readFileSync(path.join(dir, 'r.md'), 'utf8')).toContain('### 💥 Breaking changes (2)');

    expect(run(['--from', 'old.json', '--to', 'new.json', '--fail-on', 'breaking']).status).toBe(1);
    expect(run(['--from', 'new.json', '--to', 'new.json', '--fail-on', 'any']).status).toBe(0);
    const bad = run(['--from', 'old.json', '--to', 'new.json', '--fail-on', 'sometimes']);
    expect(bad.status).toBe(2);
  }, 60_000);

  it('reads a catalog from a git ref', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'drift-git-'));
    scratch.push(repo);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
    git('init', '-q');
    execFileSync('mkdir', ['-p', path.join(repo, 'generated')]);
    writeFileSync(path.join(repo, 'generated', 'catalog.json'), JSON.stringify(oldSide.catalog));
    git('add', '.');
    git('commit', '-qm', 'old');
    writeFileSync(path.join(repo, 'generated', 'catalog.json'), JSON.stringify(newSide.catalog));

    const { catalog, info } = await resolveCatalog('HEAD', repo);
    expect(info.kind).toBe('git');
    expect((catalog as Catalog).spec.sha256).toBe(oldSide.sha256);
    const r = run(['--from', 'HEAD', '--json', 'r.json'], repo);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(repo, 'r.json'), 'utf8')) as DriftReport;
    expect(json.summary).toEqual(report.summary);
    await expect(resolveCatalog('no-such-ref', repo)).rejects.toThrow(/cannot resolve/);
  }, 60_000);
});
