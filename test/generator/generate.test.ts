// End to end through the CLI and `generate()`: determinism, other spec versions, and bad input that
// must name its location and leave generated/ byte-identical.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderFiles } from '../../generator/emit/emit.js';
import { repoRoot } from '../../generator/pin.js';
import { buildFrom, describeWithSpecs, SPECS } from '../helpers/specs.js';

const olderSpecsDescribe = describeWithSpecs('previous', 'v30');

const specDescribe = describeWithSpecs('current');

const run = promisify(execFile);
const generated = path.join(repoRoot, 'generated');
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const cli = path.join(repoRoot, 'generator', 'cli.ts');

async function hashDir(dir: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) await walk(path.join(d, e.name), `${rel}/${e.name}`);
      else h.update(`${rel}/${e.name}\0`).update(await readFile(path.join(d, e.name)));
    }
  };
  await walk(dir, '');
  return h.digest('hex');
}

async function generateCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run(tsx, [cli, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    return { code: 0, stderr: r.stderr };
  } catch (err: any) {
    return { code: err.code as number, stderr: String(err.stderr) };
  }
}

const minimal = (paths: object, extra: object = {}) => ({
  openapi: '3.1.0',
  info: { title: 'mini', version: '1' },
  paths,
  ...extra,
});
specDescribe('deterministic output', () => {
  it('renders byte-identical files twice, and generated/ is exactly that output', async () => {
    const a = await renderFiles(await buildFrom(SPECS.current));
    const b = await renderFiles(structuredClone(await buildFrom(SPECS.current)));
    expect([...a.entries()]).toEqual([...b.entries()]);
    for (const [rel, content] of a) expect(content, rel).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const check = await generateCli(['--check']);
    expect(check.stderr).toContain('up to date');
    expect(check.code).toBe(0);
    // Two full renders and a CLI run: ~10 s on a quiet machine, past the default minute when the cores are shared.
  }, 180_000);

  it('--check fails and lists the stale files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gen-check-'));
    const files = await renderFiles(await buildFrom(SPECS.current));
    for (const [rel, content] of files) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), rel === 'manifest.json' ? content.replace('list_all', 'lost_all') : content);
    }
    await writeFile(path.join(dir, 'leftover.ts'), '');
    const r = await generateCli(['--check', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('manifest.json (changed)');
    expect(r.stderr).toContain('leftover.ts (not generated any more)');
    await rm(dir, { recursive: true, force: true });
  });
});

olderSpecsDescribe('other spec versions', () => {
  it.each([
    ['2026-05-13 (3.1.0)', SPECS.previous, 241, 8],
    ['2025-03-22 (3.0.0)', SPECS.v30, 126, 6],
  ])('generates from %s, and the output type-checks under strict', async (_label, spec, tools, waits) => {
    const built = await buildFrom(spec);
    expect(built.catalog.tools.filter((t) => !t.wait).length).toBe(tools);
    expect(built.catalog.tools.filter((t) => t.wait).length).toBe(waits);
    // 3.0's `nullable` has one internal form: the validator never sees the 3.0 keyword.
    expect(JSON.stringify(built.validation).includes('"nullable"')).toBe(false);
    // Type-check the generated package next to the real runtime, as it would be installed.
    const root = await mkdtemp(path.join(repoRoot, '.cache', 'typecheck-'));
    try {
      const files = await renderFiles(built);
      for (const [rel, content] of files) {
        await mkdir(path.dirname(path.join(root, 'generated', rel)), { recursive: true });
        await writeFile(path.join(root, 'generated', rel), content);
      }
      await symlink(path.join(repoRoot, 'runtime'), path.join(root, 'runtime'));
      await writeFile(
        path.join(root, 'tsconfig.json'),
        JSON.stringify({
          extends: path.join(repoRoot, 'tsconfig.json'),
          include: ['generated'],
          compilerOptions: { noEmit: true },
        }),
      );
      await run(path.join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', root], { cwd: root });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('maps 3.0 nullable to a null type', async () => {
    const built = await buildFrom(SPECS.v30);
    const text = JSON.stringify(built.validation.$defs);
    expect(text).toMatch(/"type":\["string","null"\]/);
  });
});

describe('bad input names the problem and leaves generated/ untouched', () => {
  const cases: [string, () => Promise<string[]>, RegExp, NodeJS.ProcessEnv?][] = [
    [
      'a missing file',
      async () => ['--spec', '/nonexistent/openai.yaml'],
      /spec file not found: \/nonexistent\/openai\.yaml/,
    ],
    [
      'invalid YAML',
      async () => [
        '--spec',
        await tmpFile('bad.yaml', 'openapi: 3.1.0\ninfo:\n  title: x\n  version: [1\npaths: {}\n'),
      ],
      /bad\.yaml:\d+:\d+: invalid YAML/,
    ],
    [
      'invalid JSON',
      async () => [
        '--spec',
        await tmpFile('bad.json', '{\n  "openapi": "3.1.0",\n  "info": {"title": "x",, "version": "1"}\n}\n'),
      ],
      /bad\.json:3:\d+: invalid YAML\/JSON/,
    ],
    [
      'an unresolvable $ref',
      async () => [
        '--spec',
        await tmpFile(
          'ref.yaml',
          stringify(
            minimal({
              '/things': {
                get: { operationId: 'listThings', responses: { '200': { $ref: '#/components/responses/Nope' } } },
              },
            }),
          ),
        ),
      ],
      /#\/paths\/~1things\/get\/responses\/200\/\$ref: cannot resolve #\/components\/responses\/Nope/,
    ],
    [
      'a valid spec that yields no tools',
      async () => ['--spec', await tmpFile('empty.yaml', stringify(minimal({})))],
      /the spec yields no tools \(0 operations, 0 excluded\); nothing was written/,
    ],
    [
      'an unsupported OpenAPI version',
      async () => [
        '--spec',
        await tmpFile('v2.yaml', stringify({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} })),
      ],
      /unsupported OpenAPI version "2\.0" at #\/openapi/,
    ],
    [
      'a sha256 mismatch with the pin',
      async () => {
        const mirror = await tmpFile('mirror.yaml', 'openapi: 3.1.0\n');
        const pinDir = await mkdtemp(path.join(tmpdir(), 'pin-'));
        await mkdir(path.join(pinDir, 'specs'));
        const pin = path.join(pinDir, 'specs', 'pin.json');
        await writeFile(
          pin,
          JSON.stringify({
            source: 'http://127.0.0.1:9/none.yaml',
            sha256: 'a'.repeat(64),
            openapi: '3.1.0',
            infoVersion: '1',
            date: '2026-01-01',
            mirrors: [mirror],
          }),
        );
        return ['--pin', pin];
      },
      /sha256 mismatch for the mirror .*mirror\.yaml: expected a{64} \(pinned\), got [0-9a-f]{64}/,
      { OPENAI_MCP_CACHE: path.join(tmpdir(), 'empty-cache-for-test') },
    ],
    [
      'an irreconcilable duplicate name',
      async () => [
        '--spec',
        await tmpFile(
          'dup.yaml',
          stringify(minimal({ '/widgets/runs': postOp('runA'), '/widgets/{widget_id}/runs': postOp('runB') })),
        ),
      ],
      /duplicate tool name "create_a_open_ai_widget_run" for operations runA and runB/,
    ],
  ];

  it.each(cases)('%s', async (_label, args, message, env) => {
    const before = await hashDir(generated);
    const r = await generateCli(await args(), env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(await hashDir(generated)).toBe(before);
    const siblings = (await readdir(repoRoot)).filter((f) => f.startsWith('generated.'));
    expect(siblings).toEqual([]);
  });
});

function postOp(operationId: string) {
  return {
    post: {
      operationId,
      responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
}

async function tmpFile(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spec-'));
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}
