// `npm run spec:update` as a user runs it: a child process. Failures run against this repository (they must
// leave it byte-identical); the successful update runs in a scratch copy so the real pin never moves.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync as mkdtempRaw, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OLD_SPEC, REPO, hashTree } from './helpers.js';
import { describeWithSpecs } from '../helpers/specs.js';

const specDescribe = describeWithSpecs('previous');

const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');

const scratch: string[] = [];
const mkdtempSync = (prefix: string) => {
  const dir = mkdtempRaw(prefix);
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function specUpdate(root: string, args: string[]) {
  const env = { ...process.env };
  delete env.OPENAI_SPEC;
  return spawnSync(tsx, [path.join(root, 'scripts', 'spec-update.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
}

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const state = () => ({
  pin: hashTree(path.join(REPO, 'specs', 'openai.pin.json')),
  generated: hashTree(path.join(REPO, 'generated')),
});

describe('spec:update failures leave the pin and generated/ untouched', () => {
  it('a corrupt spec file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spec-corrupt-'));
    const bad = path.join(dir, 'openapi.yaml');
    writeFileSync(bad, 'openapi: 3.1.0\ninfo: {title: x\npaths:\n  - [unclosed\n');
    const before = state();
    const r = specUpdate(REPO, ['--from', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/invalid YAML|nothing was changed/);
    expect(state()).toEqual(before);
  }, 60_000);

  it('a valid YAML file that is not an OpenAPI document', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spec-notapi-'));
    const bad = path.join(dir, 'openapi.yaml');
    writeFileSync(bad, 'swagger: "2.0"\ninfo: {title: x, version: "1"}\npaths: {}\n');
    const before = state();
    const r = specUpdate(REPO, ['--from', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unsupported OpenAPI version/);
    expect(state()).toEqual(before);
  }, 60_000);

  it('an unreachable URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/x.yaml`;
    const before = state();
    const r = specUpdate(REPO, ['--from', url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`could not download the spec from ${url}`);
    expect(state()).toEqual(before);
  }, 60_000);
});

function scratchRepo(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'spec-update-repo-'));
  for (const dir of ['generator', 'runtime', 'drift', 'scripts', 'specs', 'templates', 'generated']) {
    cpSync(path.join(REPO, dir), path.join(root, dir), { recursive: true });
  }
  for (const file of ['package.json', 'tsconfig.json']) cpSync(path.join(REPO, file), path.join(root, file));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

specDescribe('spec:update in a scratch copy of the repo', () => {
  it('restores generated/ and keeps the pin when the generator fails half-way', () => {
    const root = scratchRepo();
    // A generator that dies after scribbling over its output.
    writeFileSync(
      path.join(root, 'generator', 'cli.ts'),
      "import { writeFileSync } from 'node:fs';\nwriteFileSync('generated/catalog.json', 'garbage');\nprocess.exit(3);\n",
    );
    const before = {
      pin: hashTree(path.join(root, 'specs', 'openai.pin.json')),
      generated: hashTree(path.join(root, 'generated')),
    };
    const r = specUpdate(root, ['--from', OLD_SPEC]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the generator failed');
    expect({
      pin: hashTree(path.join(root, 'specs', 'openai.pin.json')),
      generated: hashTree(path.join(root, 'generated')),
    }).toEqual(before);
  }, 120_000);

  it('re-pins, regenerates and prints the drift report', () => {
    const root = scratchRepo();
    const pinFile = path.join(root, 'specs', 'openai.pin.json');
    const oldPin = JSON.parse(readFileSync(pinFile, 'utf8'));

    const dry = specUpdate(root, ['--from', OLD_SPEC, '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(readFileSync(pinFile, 'utf8'))).toEqual(oldPin);

    const source = 'https://raw.githubusercontent.com/openai/openai-openapi/5162af9/openapi.yaml';
    const r = specUpdate(root, [
      '--from',
      OLD_SPEC,
      '--source',
      source,
      '--date',
      '2026-05-13',
      '--json',
      'drift.json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const pin = JSON.parse(readFileSync(pinFile, 'utf8'));
    const { mirrors, ...rest } = pin;
    expect(rest).toEqual({
      source,
      sha256: '74cbcf73838f4cd7e209b2d3f2e9ddc9fa155f21a44360b6fac7646a6d4f5f8b',
      openapi: '3.1.0',
      infoVersion: '2.3.0',
      date: '2026-05-13',
    });
    // A local --from is kept as a mirror only when it sits near the repo, which depends on where the scratch copy
    // and the shared specs happen to be; when kept, it must lead to the very file that was pinned.
    for (const m of (mirrors ?? []) as string[]) expect(path.resolve(root, m)).toBe(path.resolve(OLD_SPEC));
    const catalog = JSON.parse(readFileSync(path.join(root, 'generated', 'catalog.json'), 'utf8'));
    expect(catalog.spec.sha256).toBe(pin.sha256);
    // Going back to the older spec removes what 2026-08-21 added.
    expect(r.stdout).toContain('## OpenAI spec drift');
    const report = JSON.parse(readFileSync(path.join(root, 'drift.json'), 'utf8'));
    expect(report.summary).toMatchObject({ added: 0, removed: 46 });

    const again = specUpdate(root, ['--from', OLD_SPEC]);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('already pinned');
  }, 180_000);
});
