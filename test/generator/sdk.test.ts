// generated/sdk.d.ts: strict type-checks on its own (declaration files included, unlike the project build), a
// real program type-checks against it, other spec versions produce checkable SDKs too, and sdk-docs.json
// holds exact excerpts of it (what search_docs quotes).

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import type { SdkDocs } from '../../runtime/exposure/code/sdk-docs.js';
import { COST_AUDIT } from '../../testing/programs.js';
import { buildFrom, itWithSpecs, SPECS } from '../helpers/specs.js';

const TSC = path.join(repoRoot, 'node_modules', '.bin', 'tsc');

/** Strict, with declaration files checked (the project's tsconfig skips them). */
async function typecheck(files: Record<string, string>): Promise<string> {
  await mkdir(path.join(repoRoot, '.cache'), { recursive: true });
  const dir = await mkdtemp(path.join(repoRoot, '.cache', 'sdk-check-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    const args = [
      '--ignoreConfig',
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      'false',
      '--target',
      'es2022',
      '--lib',
      'es2022,esnext.asynciterable',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--types',
      '',
      ...Object.keys(files).map((f) => path.join(dir, f)),
    ];
    try {
      await promisify(execFile)(TSC, args, { cwd: dir });
      return '';
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? err);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const asProgram = (body: string) =>
  `import type { OpenAi } from './sdk.js';\ndeclare const openai: OpenAi;\nexport async function program() {\n${body}\n}\n`;

describe('generated/sdk.d.ts', () => {
  it('type-checks under strict, and so does the cost audit program written against it', async () => {
    const dts = await readFile(path.join(repoRoot, 'generated', 'sdk.d.ts'), 'utf8');
    expect(await typecheck({ 'sdk.d.ts': dts, 'program.ts': asProgram(COST_AUDIT) })).toBe('');
    // And the check is real: a wrong argument name is an error.
    const wrong = await typecheck({
      'sdk.d.ts': dts,
      'program.ts': asProgram('await openai.list_all_open_ai_projects({ limt: 1 });'),
    });
    expect(wrong).toMatch(/limt/);
  }, 120_000);

  it('is exported to package consumers as openai-mcp-kit/sdk', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.exports['./sdk']).toEqual({ types: './generated/sdk.d.ts' });
    expect(pkg.files).toContain('generated/sdk.d.ts');
  });

  it('is what sdk-docs.json quotes, for every tool', async () => {
    const dts = await readFile(path.join(repoRoot, 'generated', 'sdk.d.ts'), 'utf8');
    const docs = JSON.parse(await readFile(path.join(repoRoot, 'generated', 'sdk-docs.json'), 'utf8')) as SdkDocs;
    const catalog = JSON.parse(await readFile(path.join(repoRoot, 'generated', 'catalog.json'), 'utf8')) as {
      tools: Array<{ name: string; schemaHash: string }>;
    };
    expect(Object.keys(docs.tools).sort()).toEqual(catalog.tools.map((t) => t.name).sort());
    for (const t of catalog.tools) {
      const entry = docs.tools[t.name]!;
      expect(entry.schemaHash).toBe(t.schemaHash);
      expect(dts).toContain(entry.doc);
      expect(dts).toContain(`  ${entry.signature}`);
      expect(entry.signature.startsWith(`${t.name}(`)).toBe(true);
    }
    for (const text of Object.values(docs.types)) expect(dts).toContain(text);
    expect(docs.tools.list_all_open_ai_projects!.signature).toBe(
      'list_all_open_ai_projects(args?: ListAllOpenAiProjectsArgs): Promise<ListPage<Project>>;',
    );
    expect(docs.tools.list_all_open_ai_completions!.signature).toContain('Promise<UsagePage<UsageCompletionsResult>>');
    // The compact form search_docs answers with by default: same result type as the signature, arguments inline.
    for (const t of catalog.tools) {
      const entry = docs.tools[t.name]!;
      expect(entry.compact.startsWith(`${t.name}(args`)).toBe(true);
      expect(entry.compact.slice(entry.compact.indexOf('): Promise<'))).toBe(
        entry.signature.slice(entry.signature.indexOf('): Promise<')),
      );
      expect(entry.summary.length).toBeGreaterThan(0);
      for (const name of entry.types.slice(1)) expect(docs.shapes[name], name).toBeDefined();
    }
    expect(docs.tools.list_all_open_ai_projects!.compact).toBe(
      'list_all_open_ai_projects(args?: { limit?: number; after?: string; include_archived?: boolean; }): Promise<ListPage<Project>>;',
    );
    expect(docs.shapes.ProjectApiKey).toMatch(
      /^\{ object: 'organization\.project\.api_key';[^\n]* owner: \{ … \}; \}$/,
    );
  });

  itWithSpecs('previous', 'v30').each([
    ['2026-05-13 (3.1.0)', SPECS.previous],
    ['2025-03-22 (3.0.0)', SPECS.v30],
  ])(
    'is generated from %s and type-checks under strict',
    async (_label, spec) => {
      const built = await buildFrom(spec);
      const { dts } = built.sdk;
      expect(await typecheck({ 'sdk.d.ts': dts })).toBe('');
    },
    120_000,
  );
});
