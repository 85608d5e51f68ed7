// The README, run as written: its plain ```sh blocks are executed from the repo root (each must exit 0 and print
// something); blocks tagged with a reason are only syntax-checked; every relative link points at a file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import { repoRoot } from '../../generator/pin.js';
import type { Catalog, ToolDef } from '../../runtime/types.js';
import { specsSkipReason } from '../helpers/specs.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

/** Why a block is not run as-is. `specs` blocks need the real specs (`npm run fetch-specs`) and run when they are here. */
const REASONS = ['setup', 'network', 'keys', 'bench', 'specs', 'quickstart'] as const;

interface Block {
  line: number;
  tags: string[];
  code: string;
}

const blocks: Block[] = [...readme.matchAll(/^```(sh|bash|shell)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  line: readme.slice(0, m.index).split('\n').length,
  tags: m[2]!.trim().split(/\s+/).filter(Boolean),
  code: m[3]!,
}));

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OPENAI_')) env[k] = v;
  return env;
}

describe('README shell blocks', () => {
  it('are tagged only with known reasons, and there are runnable ones', () => {
    for (const b of blocks) for (const t of b.tags) expect(REASONS, `README.md:${b.line}`).toContain(t);
    expect(blocks.filter((b) => b.tags.length === 0).length).toBeGreaterThanOrEqual(3);
  });

  it('all parse as shell', () => {
    for (const b of blocks) {
      const r = spawnSync('sh', ['-n', '-c', b.code], { encoding: 'utf8' });
      expect(r.status, `README.md:${b.line}: ${r.stderr}`).toBe(0);
    }
  });

  const specsHere = !specsSkipReason('current', 'previous', 'v30');
  const runnable = blocks.filter((b) => b.tags.length === 0 || (b.tags.join() === 'specs' && specsHere));
  it.each(runnable.map((b) => [b.line, b] as const))(
    'block at README.md:%i runs as written',
    (_line, b) => {
      const r = spawnSync('sh', ['-e', '-c', b.code], {
        cwd: repoRoot,
        env: cleanEnv(),
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, `${b.code}\n${r.stderr}`).toBe(0);
      expect(r.stdout.trim().length).toBeGreaterThan(0);
    },
    150_000,
  );
});

describe('README links', () => {
  it('every relative link names an existing file', () => {
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^[a-z]+:/.test(l) && !l.startsWith('#'));
    expect(links.length).toBeGreaterThan(10);
    for (const l of links) expect(existsSync(path.join(repoRoot, l.split('#')[0]!)), l).toBe(true);
  });
});

describe('README figures', () => {
  const { tools, excluded } = catalogJson as unknown as Catalog;
  const count = (pred: (t: ToolDef) => boolean) => tools.filter(pred).length;
  const read = (t: ToolDef) => t.access === 'read';
  const tagged =
    (...tags: string[]) =>
    (t: ToolDef) =>
      read(t) && t.tags.some((g) => tags.includes(g));

  it('quotes the tool counts the catalog gives', () => {
    const waits = count((t) => t.method === 'wait');
    const ops = tools.length - waits;
    expect(readme).toContain(`(${tools.length} tools: ${ops} operations and ${waits} wait tools)`);
    expect(readme).toContain(
      `**${tools.length} tools**: one per operation of the pinned spec (${ops} of its ${ops + excluded.length};`,
    );
    expect(readme).toContain(`${count(read)} read, ${count((t) => !read(t))} write.`);
    expect(readme).toContain(`\`--methods read\` (${count(read)}`);
    expect(readme).toContain(`\`--methods list,get\` (${count((t) => t.method === 'list' || t.method === 'get')}`);
    expect(readme).toContain(
      `vector-stores (${count(tagged('fine-tuning', 'files', 'batch', 'models', 'vector-stores'))}; Cursor`,
    );
    expect(readme).toContain(
      `read + fine-tuning, files, models, batch (${count(tagged('fine-tuning', 'files', 'models', 'batch'))} ≤ 128)`,
    );
    expect(readme).toContain(`\`read\` + \`billing\` (${count(tagged('billing'))})`);
    expect(readme).toContain(`\`read\` + \`fine-tuning\` (${count(tagged('fine-tuning'))})`);
  });
});
