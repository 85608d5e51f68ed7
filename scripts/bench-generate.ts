// Benchmark: spec → generated/ → type-checked and importable, as a maintainer runs it.
// Each stage is a fresh child process (what `npm run generate` really costs, tsx start-up included).
// Reports medians over N runs, and the ratio against a baseline measured in the same run: just
// reading and parsing the spec YAML, the floor any generator pays.
//
//   npm run bench:generate -- [--runs 5] [--spec <path>]
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../generator/pin.js';
import { median } from './bench-stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, spec: { type: 'string' } } });
const runs = Number(values.runs);
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
const specArgs = values.spec ? ['--spec', values.spec] : [];

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const stages: Record<string, number[]> = { baseline_parse: [], generate: [], typecheck: [], import: [], total: [] };
await mkdir(path.join(repoRoot, '.cache'), { recursive: true });

for (let i = 0; i < runs; i++) {
  const root = await mkdtemp(path.join(repoRoot, '.cache', 'bench-'));
  try {
    await symlink(path.join(repoRoot, 'runtime'), path.join(root, 'runtime'));
    await writeFile(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(repoRoot, 'tsconfig.json'),
        include: ['generated'],
        compilerOptions: { noEmit: true },
      }),
    );
    stages.baseline_parse!.push(
      time(() =>
        execFileSync(
          bin('tsx'),
          [
            '-e',
            `import('${path.join(repoRoot, 'generator', 'load', 'load.ts')}').then(async (m) => { const s = await m.resolveSpecText(); m.parseSpecText(s.text, s.source); })`,
          ],
          { cwd: repoRoot, stdio: 'pipe' },
        ),
      ),
    );
    const g = time(() =>
      execFileSync(
        bin('tsx'),
        [path.join(repoRoot, 'generator', 'cli.ts'), ...specArgs, '--out', path.join(root, 'generated')],
        { cwd: repoRoot, stdio: 'pipe' },
      ),
    );
    const t = time(() => execFileSync(bin('tsc'), ['-p', root], { cwd: root, stdio: 'pipe' }));
    const imp = time(() =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `const m = await import('${path.join(root, 'generated', 'index.ts')}'); const z = await m.zodSchemas[m.toolNames[0]](); if (!m.catalog.tools.length || !z.safeParse) process.exit(1);`,
        ],
        { cwd: repoRoot, stdio: 'pipe' },
      ),
    );
    stages.generate!.push(g);
    stages.typecheck!.push(t);
    stages.import!.push(imp);
    stages.total!.push(g + t + imp);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const base = median(stages.baseline_parse!);
console.log(
  `bench-generate: ${runs} runs, medians (ms), ratio vs. baseline (spec read + YAML parse in a fresh process)`,
);
for (const [name, xs] of Object.entries(stages)) {
  console.log(
    `  ${name.padEnd(15)} ${median(xs).toFixed(0).padStart(6)} ms   x${(median(xs) / base).toFixed(2)}   [${xs.map((x) => x.toFixed(0)).join(', ')}]`,
  );
}
const total = median(stages.total!);
console.log(`goal: total ≤ 7000 ms → ${total <= 7000 ? 'met' : 'NOT met'} (${(total / 1000).toFixed(2)} s)`);
