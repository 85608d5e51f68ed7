// The contract's compiler-checked types and the text the SDK prints for them (RESULT_TYPES, in generated/sdk.d.ts)
// come from the same constants; this compiles both and fails when a type changes in one and not the other.

import { readFileSync } from 'node:fs';
import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import {
  LIST_PAGE,
  LIST_PAGE_SHAPE,
  RESULT_TYPE_NAMES,
  RESULT_TYPES,
  USAGE_PAGE,
} from '../../runtime/contract/index.js';
import { pagingSentence } from '../../runtime/contract/pages.js';

const pagesSource = readFileSync(new URL('../../runtime/contract/pages.ts', import.meta.url), 'utf8');

/** Diagnostics of a program that asserts each SDK type equals the contract type of the same name. */
function compile(sdk: string): string[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, lib: ['lib.es2020.d.ts'] },
  });
  project.createSourceFile('/pages.ts', pagesSource);
  project.createSourceFile('/sdk.ts', sdk);
  const samples = ['{ id: string; object: "x"; n: number }', '{ a: number } | { b: string; object: "y" }'];
  const checks = RESULT_TYPE_NAMES.flatMap((name) => {
    const generic = name !== 'ContentResult' && name !== 'EmptyResult';
    return (generic ? samples : ['']).map((s, i) => {
      const args = generic ? `<${s}>` : '';
      return `export const ${name}_${i}: Equal<C.${name}${args}, S.${name}${args}> = true;`;
    });
  });
  project.createSourceFile(
    '/check.ts',
    [
      "import type * as C from './pages';",
      "import type * as S from './sdk';",
      'type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;',
      ...checks,
    ].join('\n'),
  );
  return project.getPreEmitDiagnostics().map((d) => {
    const text = d.getMessageText();
    return `${d.getSourceFile()?.getBaseName()}: ${typeof text === 'string' ? text : text.getMessageText()}`;
  });
}

describe('page and wait shapes: one owner', () => {
  it('the SDK declarations are the contract types, field for field', () => {
    expect(compile(RESULT_TYPES)).toEqual([]);
  });

  it('a shape changed on one side only fails the check', () => {
    const drifted = RESULT_TYPES.replace(`${LIST_PAGE.more}: boolean;`, `${LIST_PAGE.more}?: boolean;`);
    expect(drifted).not.toBe(RESULT_TYPES);
    expect(compile(drifted).join('\n')).toMatch(/check\.ts: Type 'true' is not assignable/);
  });

  it('the SDK file declares the result types the contract prints', () => {
    const sdk = readFileSync(new URL('../../generated/sdk.d.ts', import.meta.url), 'utf8');
    expect(sdk).toContain(RESULT_TYPES);
  });

  it('prose names the pages by the same fields', () => {
    expect(LIST_PAGE_SHAPE).toBe(`{${LIST_PAGE.items}, ${LIST_PAGE.cursor}, ${LIST_PAGE.more}}`);
    expect(pagingSentence('after', 'limit')).toContain(
      `while ${LIST_PAGE.more}, call again with after=${LIST_PAGE.cursor}`,
    );
    expect(USAGE_PAGE.rows).toBeTypeOf('string');
  });
});
