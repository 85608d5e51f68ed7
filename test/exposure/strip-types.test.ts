// TypeScript in execute_code: each program of the table runs as TypeScript's own emit of it runs (tsc, the
// project's compiler, is the reference: it compiles the same programs here), or is refused naming the construct;
// positions are right for every line terminator, in error reports and in the program's own `e.stack`.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import { DEFAULT_CODE_LIMITS } from '../../runtime/exposure/code/limits.js';
import { runInSandbox } from '../../runtime/exposure/code/sandbox.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { connect, fakeKit, run, textOf } from './helpers.js';
import { STRIP_CASES } from '../../testing/strip-programs.js';

let fake: FakeOpenAi;
let client: Client;
let close: () => Promise<void>;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  ({ client, close } = await connect(createCodeExposure(fakeKit(fake, { methods: ['read'] }))));
});
afterAll(async () => {
  await close();
  await fake.close();
});

const errorOf = (r: any) =>
  r.structuredContent?.error as { code: string; message: string; position?: { line: number; column: number } };

/** tsc's emit of each program (as a function expression, like execute_code's) and its TS1xxx (syntax/grammar) errors. */
async function tscReference(): Promise<Array<{ js?: string; grammar: string[] }>> {
  await mkdir(path.join(repoRoot, '.cache'), { recursive: true });
  const dir = await mkdtemp(path.join(repoRoot, '.cache', 'strip-ref-'));
  try {
    const files = STRIP_CASES.map((_, i) => path.join(dir, `p${i}.ts`));
    await Promise.all(
      STRIP_CASES.map((c, i) =>
        writeFile(files[i]!, `(async function program(openai: any, console: any) {\n${c.code}\n});\n`),
      ),
    );
    let out = '';
    try {
      await promisify(execFile)(
        path.join(repoRoot, 'node_modules', '.bin', 'tsc'),
        [
          '--ignoreConfig',
          '--target',
          'es2022',
          '--lib',
          'es2022',
          '--strict',
          '--types',
          '',
          '--outDir',
          dir,
          ...files,
        ],
        { cwd: dir },
      );
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? err);
    }
    return Promise.all(
      STRIP_CASES.map(async (_, i) => ({
        js: await readFile(path.join(dir, `p${i}.js`), 'utf8').catch(() => undefined),
        grammar: out.split('\n').filter((l) => l.includes(`p${i}.ts(`) && / error TS1\d{3}:/.test(l)),
      })),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('type stripping matches TypeScript', () => {
  let reference: Awaited<ReturnType<typeof tscReference>>;
  beforeAll(async () => {
    reference = await tscReference();
  });

  it.each(STRIP_CASES.map((c, i) => [c.name, i] as const))('%s', async (_, i) => {
    const c = STRIP_CASES[i]!;
    const ref = reference[i]!;
    const r = await run(client, c.code);
    if (c.refused) {
      // TypeScript refuses it too (in a function body), and the refusal says which construct.
      expect(ref.grammar.length, `tsc accepts ${c.name}`).toBeGreaterThan(0);
      expect(r.isError).toBe(true);
      expect(errorOf(r).code).toBe('syntax');
      expect(errorOf(r).message).toContain(`\`${c.refused.names}\``);
      expect(errorOf(r).position?.line).toBe(1);
      return;
    }
    expect(r.isError, textOf(r)).toBeFalsy();
    expect((r.structuredContent as any).result).toEqual(c.value);
    // The same value as TypeScript's own emit of the program, run in the same sandbox.
    expect(ref.js, `tsc emitted nothing for ${c.name}`).toBeDefined();
    const out = await runInSandbox(
      ref.js!,
      { call: async () => '{"ok":false,"error":{"message":"no calls here"}}', log: () => {} },
      { cursorArgs: {} },
      DEFAULT_CODE_LIMITS,
    );
    expect(out).toEqual({ ok: true, json: JSON.stringify(c.value) });
  });
});

const TERMINATORS = { LF: '\n', CRLF: '\r\n', CR: '\r', 'U+2028': '\u2028', 'U+2029': '\u2029' };

describe('positions for every line terminator', () => {
  it.each(Object.entries(TERMINATORS))('%s: errors and e.stack name the line as submitted', async (_, eol) => {
    const lines = [
      'const a: number = 1;',
      'const t = `two',
      'lines`; // a comment',
      'const o: any = null;',
      'try { o.field; } catch (e) { console.log((e as Error).stack); }',
      'return o.field;',
    ];
    const r = await run(client, lines.join(eol));
    expect(errorOf(r)).toMatchObject({ code: 'runtime', position: { line: 6 } });
    // The program's own stack text, as it logged it, points at line 5 of what it submitted.
    const logged = (r.structuredContent as any).logs.join('\n') as string;
    expect(logged).toMatch(/program\.ts:5:\d+/);
    expect(logged).not.toMatch(/program\.ts:(?!5:)\d+/);

    const returned = await run(
      client,
      ['let s = "";', '', 'try { null!.x; } catch (e: any) { s = e.stack; }', 'return s;'].join(eol),
    );
    expect((returned.structuredContent as any).result).toMatch(/program\.ts:3:\d+/);

    const syntax = await run(client, ['const a = 1;', 'const b = 2;', 'const c = ;'].join(eol));
    expect(errorOf(syntax)).toMatchObject({ code: 'syntax', position: { line: 3 } });
  });
});

describe('deep nesting and slow compiles', () => {
  it('runs 1,000 nested parentheses and calls, and refuses code nested too deep to compile with a clear error', async () => {
    for (const code of [
      `return ${'('.repeat(1000)}1${')'.repeat(1000)};`,
      `const f = (x: number) => x;\nreturn ${'f('.repeat(1000)}1${')'.repeat(1000)};`,
    ]) {
      const r = await run(client, code);
      expect(r.isError, textOf(r)).toBeFalsy();
      expect((r.structuredContent as any).result).toBe(1);
    }
    for (const code of [
      `const f = (x: number) => x;\nreturn ${'f('.repeat(5000)}1${')'.repeat(5000)};`,
      `return ${'['.repeat(5000)}1${']'.repeat(5000)};`,
      `${'{'.repeat(3000)}${'}'.repeat(3000)}\nreturn 1;`,
    ]) {
      const r = await run(client, code);
      expect(r.isError).toBe(true);
      expect(errorOf(r).code).toBe('syntax');
      expect(errorOf(r).message).toMatch(/nests too deeply to compile/);
      expect(textOf(r)).not.toMatch(/Maximum call stack/);
    }
  });

  it('refuses a program the compiler would take seconds on, and compiles the next one', async () => {
    const short = await connect(
      createCodeExposure(fakeKit(fake, { methods: ['read'] }), { limits: { timeoutMs: 1_500 } }),
    );
    try {
      // esbuild takes minutes over 30,000 chained labels; the compile is stopped at the deadline.
      const started = Date.now();
      const slow = await run(short.client, `${'l:'.repeat(30_000)}1;`);
      expect(errorOf(slow)).toMatchObject({ code: 'syntax' });
      expect(errorOf(slow).message).toMatch(/took more than 1500 ms to compile/);
      expect(Date.now() - started).toBeLessThan(10_000);
      const next = await run(short.client, 'const n: number = 2;\nreturn n;');
      expect((next.structuredContent as any).result).toBe(2);
    } finally {
      await short.close();
    }
  });
});
