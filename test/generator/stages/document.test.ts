// The one $ref resolver: own-property steps, chains, cycles, and where each failure points.
import { describe, expect, it } from 'vitest';
import { checkRefs } from '../../../generator/load/load.js';
import {
  componentRef,
  refsIn,
  resolvePointer,
  SpecDocument,
  type OpenApiDocument,
} from '../../../generator/load/document.js';
import { RefError } from '../../../generator/errors.js';
import { refToDefs } from '../../../generator/load/normalize.js';

const doc = (schemas: Record<string, unknown>, paths: Record<string, unknown> = {}) =>
  ({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths,
    components: { schemas },
  }) as unknown as OpenApiDocument;

describe('resolvePointer', () => {
  const d = { a: { 'b/c': { '~d': 1 } }, list: [10, 20], plain: {} };
  it.each([
    ['#/a/b~1c/~0d', 1],
    ['#/list/1', 20],
    ['#/list/x', undefined],
    ['#/missing', undefined],
    ['#/plain/constructor', undefined],
    ['#/plain/toString', undefined],
    ['#/plain/__proto__', undefined],
    ['other.yaml#/a', undefined],
  ])('%s', (ref, expected) => {
    expect(resolvePointer(d, ref)).toEqual(expected);
  });
});

describe('SpecDocument.follow', () => {
  const spec = new SpecDocument(
    doc({
      A: { $ref: '#/components/schemas/B', description: 'outer' },
      B: { $ref: '#/components/schemas/C' },
      C: { type: 'string', description: 'inner' },
      Loop1: { $ref: '#/components/schemas/Loop2' },
      Loop2: { $ref: '#/components/schemas/Loop1' },
      Dangling: { $ref: '#/components/schemas/Nope' },
      Self: { type: 'object', properties: { next: { $ref: '#/components/schemas/Self' } } },
    }),
  );

  it('follows a chain to its end, keeping the first ref and the outermost description', () => {
    const f = spec.schema({ $ref: '#/components/schemas/A' });
    expect(f).toEqual({
      node: { type: 'string', description: 'inner' },
      ref: '#/components/schemas/A',
      description: 'outer',
    });
  });

  it.each([
    ['a cycle of pure references', '#/components/schemas/Loop1', /circular \$ref #\/components\/schemas\/Loop1/],
    [
      'a dangling reference',
      '#/components/schemas/Dangling',
      /#\/components\/schemas\/Dangling\/\$ref: cannot resolve #\/components\/schemas\/Nope/,
    ],
  ])('throws a RefError on %s', (_label, ref, message) => {
    expect(() => spec.follow({ $ref: ref }, '#/here')).toThrow(RefError);
    expect(() => spec.follow({ $ref: ref }, '#/here')).toThrow(message);
  });

  it('does not treat a recursive schema as a cycle (the reference is below the top)', () => {
    expect(spec.schema({ $ref: '#/components/schemas/Self' }).node.type).toBe('object');
  });
});

describe('checkRefs, run on load', () => {
  it.each([
    ['external', { X: { $ref: 'other.yaml#/X' } }, 'external reference other.yaml#/X is not supported'],
    [
      'dangling',
      { X: { $ref: '#/components/schemas/Y' } },
      '#/components/schemas/X/$ref: cannot resolve #/components/schemas/Y',
    ],
    ['circular', { X: { $ref: '#/components/schemas/Y' }, Y: { $ref: '#/components/schemas/X' } }, 'circular $ref'],
    [
      'through an inherited name',
      { X: { $ref: '#/components/schemas/constructor' } },
      'cannot resolve #/components/schemas/constructor',
    ],
  ])('refuses a %s $ref', (_label, schemas, message) => {
    expect(() => checkRefs(doc(schemas), 'spec.yaml')).toThrow(message);
  });

  it('passes recursive schemas and skips examples', () => {
    expect(() =>
      checkRefs(
        doc({
          N: { type: 'object', properties: { n: { $ref: '#/components/schemas/N' } }, example: { $ref: 'nowhere' } },
        }),
        's',
      ),
    ).not.toThrow();
  });
});

describe('references and names', () => {
  it('lists every $ref with its pointer, examples skipped', () => {
    const refs = [...refsIn({ a: [{ $ref: '#/x' }], 'b/c': { $ref: '#/y' }, examples: { $ref: '#/z' } })];
    expect(refs).toEqual([
      { at: '#/a/0', ref: '#/x' },
      { at: '#/b~1c', ref: '#/y' },
    ]);
  });

  it.each([
    ['#/components/schemas/Plain', 'Plain', 'openai-defs#/$defs/Plain'],
    ['#/components/schemas/a~1b', 'a/b', 'openai-defs#/$defs/a~1b'],
    ['#/components/responses/X', undefined, undefined],
  ])('componentRef(%s)', (ref, name, defsRef) => {
    expect(componentRef(ref)).toBe(name);
    if (defsRef) expect(refToDefs(ref)).toBe(defsRef);
    else expect(() => refToDefs(ref)).toThrow('only component schema references');
  });
});
