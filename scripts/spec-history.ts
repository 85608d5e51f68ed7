// Every published version of OpenAI's spec through the generator: `npm run spec:history -- --repo <git dir>` reads
// the history of `openapi.yaml` in a clone of github.com/openai/openai-openapi (or any repository holding the spec),
// runs `generate --spec <that version> --out <temp dir>` on each chosen commit, and prints one line per version:
// generated (tools, warnings) or refused (the error). Exit 1 if any version is refused.
//
//   npm run spec:history -- --repo ../openai-openapi [--file openapi.yaml] [--every 1 [--offset 0]] [--since 2023-01-01] [--json]
//
// It uses the generator's command line, as a maintainer would, so what it reports is what `npm run generate` does.
// Not part of CI: the history is not on this machine by default (clone it; CI reaches only the npm registry).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../generator/pin.js';

const { values } = parseArgs({
  options: {
    repo: { type: 'string' },
    file: { type: 'string', default: 'openapi.yaml' },
    every: { type: 'string', default: '1' },
    offset: { type: 'string', default: '0' },
    since: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
if (!values.repo) {
  process.stderr.write('spec-history: --repo <git dir> is required (a clone of github.com/openai/openai-openapi)\n');
  process.exit(2);
}
const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir(values.repo!), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

function gitDir(repo: string): string {
  return execFileSync('git', ['-C', repo, 'rev-parse', '--absolute-git-dir'], { encoding: 'utf8' }).trim();
}

interface Outcome {
  commit: string;
  date: string;
  ok: boolean;
  tools?: number;
  warnings?: number;
  error?: string;
}

const log = git(
  'log',
  '--format=%h %ad',
  '--date=short',
  ...(values.since ? [`--since=${values.since}`] : []),
  '--',
  values.file!,
)
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split(' ') as [string, string]);
const every = Math.max(1, Number(values.every));
const offset = Number(values.offset) % every;
const chosen = log.filter((_, i) => i % every === offset);
const work = mkdtempSync(path.join(tmpdir(), 'spec-history-'));
const outcomes: Outcome[] = [];
try {
  for (const [commit, date] of chosen) {
    const specFile = path.join(work, `${commit}.yaml`);
    let text: string;
    try {
      text = git('show', `${commit}:${values.file}`);
    } catch {
      // A commit that deletes the file (it moved, or the repository was reorganized): no version to generate.
      continue;
    }
    writeFileSync(specFile, text);
    const out = path.join(work, `out-${commit}`);
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'generator', 'cli.ts'), '--spec', specFile, '--out', out],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, OPENAI_SPEC: '' },
      },
    );
    const o: Outcome = { commit, date, ok: r.status === 0 };
    if (o.ok) {
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        counts: { tools: number };
        warnings?: unknown[];
      };
      o.tools = manifest.counts.tools;
      o.warnings = manifest.warnings?.length ?? 0;
    } else o.error = (r.stderr.split('\n').find((l) => l.includes('error')) ?? r.stderr).trim().slice(0, 300);
    outcomes.push(o);
    if (!values.json)
      process.stdout.write(
        `${date} ${commit} ${o.ok ? `generated: ${o.tools} tools, ${o.warnings} warning(s)` : `REFUSED: ${o.error}`}\n`,
      );
    rmSync(out, { recursive: true, force: true });
    rmSync(specFile, { force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const refused = outcomes.filter((o) => !o.ok).length;
if (values.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
else
  process.stdout.write(`\n${outcomes.length - refused} of ${outcomes.length} versions generated, ${refused} refused\n`);
process.exitCode = refused ? 1 : 0;
