// The documented direction of imports (README, Layout): app cli → service → runtime ← generator, runtime reads
// only itself and the generated data, testing/ (the fake OpenAI, Prism) serves tests and scripts, and nothing
// outside test/ imports test/. Read from the source with the TypeScript parser (every static, dynamic and type
// import), so a new file or a moved one is checked without listing it here.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Folder → the folders its files may import (itself always). */
const ALLOWED: Record<string, readonly string[]> = {
  runtime: ['generated'],
  generated: ['runtime'],
  generator: ['runtime'],
  service: ['runtime'],
  ui: ['runtime'],
  cli: ['service', 'runtime'],
  testing: ['runtime', 'generator'],
  drift: ['runtime', 'generator'],
  scripts: ['cli', 'service', 'runtime', 'generator', 'generated', 'testing', 'drift'],
  examples: ['runtime', 'generated'],
  test: ['cli', 'service', 'runtime', 'generator', 'generated', 'testing', 'drift', 'scripts', 'examples'],
};

/**
 * Known imports against the direction, each with why it stays for now. An entry that no longer matches fails the
 * test, so the list only shrinks.
 */
const EXCEPTIONS: Record<string, string> = {
  'cli/doctor.ts -> generator/reference-specs.ts':
    "doctor reports which reference specs are on this machine, using the generator's own locator (lazily imported)",
};

/** Files at the top of the repository (package.json) that tests and scripts read. */
const ROOT_FILES_OK = new Set(['test', 'scripts']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(ts|mts|mjs|js)$/.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
    const rel = path.relative(ROOT, path.join(entry.parentPath, entry.name));
    if (rel.includes('__snapshots__') || rel.includes('node_modules')) continue;
    out.push(rel);
  }
  return out;
}

/** Every relative import of `file` as the folder (top level) it lands in. */
function importsOf(file: string): Array<{ spec: string; target: string; folder: string }> {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec));
      const parts = target.split(path.sep);
      return { spec, target: target.replace(/\.js$/, '.ts'), folder: parts.length > 1 ? parts[0]! : '(root)' };
    });
}

function violations(folders: readonly string[]): { found: string[]; excepted: Set<string> } {
  const found: string[] = [];
  const excepted = new Set<string>();
  for (const folder of folders) {
    for (const file of sourceFiles(folder)) {
      for (const { spec, target, folder: to } of importsOf(file)) {
        if (to === folder || ALLOWED[folder]?.includes(to)) continue;
        if (to === '(root)' && ROOT_FILES_OK.has(folder)) continue;
        const key = `${file} -> ${target}`;
        if (key in EXCEPTIONS) {
          excepted.add(key);
          continue;
        }
        found.push(
          `${file} imports ${spec} (${folder}/ may import ${[folder, ...(ALLOWED[folder] ?? [])].join(', ')})`,
        );
      }
    }
  }
  return { found, excepted };
}

describe('layers', () => {
  it('every import follows the documented direction', () => {
    const { found, excepted } = violations(Object.keys(ALLOWED));
    expect(found).toEqual([]);
    expect([...excepted].sort()).toEqual(Object.keys(EXCEPTIONS).sort());
  });

  it('generator stages import only types from each other (shared helpers live in generator/util.ts)', () => {
    const found: string[] = [];
    for (const file of sourceFiles('generator/stages')) {
      if (file.endsWith('index.ts')) continue; // the STAGES list wires them together
      const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
      for (const st of source.statements) {
        if (!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st)) continue;
        const spec = st.moduleSpecifier;
        if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('./')) continue;
        const typeOnly = ts.isImportDeclaration(st) ? st.importClause?.isTypeOnly : st.isTypeOnly;
        if (!typeOnly) found.push(`${file} imports values from ${spec.text}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("the generator reads the runtime's contract, not its exposure modes (code mode's internals)", () => {
    const found: string[] = [];
    for (const folder of ['generator', 'drift'])
      for (const file of sourceFiles(folder))
        for (const { spec, target } of importsOf(file))
          if (target.startsWith(`runtime${path.sep}exposure${path.sep}`)) found.push(`${file} imports ${spec}`);
    expect(found).toEqual([]);
  });

  it('nothing outside test/ imports test/', () => {
    for (const [folder, allowed] of Object.entries(ALLOWED))
      if (folder !== 'test') expect(allowed).not.toContain('test');
  });

  it('finds static, dynamic and type imports (the check can fail)', () => {
    const info = ts.preProcessFile(
      "import a from '../cli/x.js';\nexport * from './y.js';\nconst m = await import('../service/z.js');\ntype T = import('../test/w.js').W;",
      true,
      true,
    );
    expect(info.importedFiles.map((f) => f.fileName)).toEqual([
      '../cli/x.js',
      './y.js',
      '../service/z.js',
      '../test/w.js',
    ]);
  });
});
