// The raw-bytes depth check of service/http/limits.ts against JSON.parse: for any JSON text, it says "deeper than n"
// exactly when the parsed value nests deeper than n (strings with brackets, quotes and escapes included).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../service/http/limits.js';

function depthOf(v: unknown): number {
  if (!v || typeof v !== 'object') return 0;
  const inner = Object.values(v as object).map(depthOf);
  return 1 + (inner.length ? Math.max(...inner) : 0);
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('nestsDeeperThan', () => {
  it('agrees with the parsed depth for any JSON text', () => {
    const text = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é', ' ') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(text, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 8 }), (v, max) => {
        const json = JSON.stringify(v, null, Math.random() < 0.5 ? 1 : undefined);
        expect(nestsDeeperThan(bytes(json), max)).toBe(depthOf(JSON.parse(json)) > max);
      }),
      { numRuns: 2000 },
    );
  });

  it('counts nothing inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(bytes(JSON.stringify({ a: '[[[[\\"{{{{' })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('[[[]]]'), 2)).toBe(true);
    expect(nestsDeeperThan(bytes('[[[]]]'), 3)).toBe(false);
  });
});
