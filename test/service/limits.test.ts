// The raw-bytes depth check of service/http/limits.ts against JSON.parse: for any JSON text, it says "deeper than n"
// exactly when the parsed value nests deeper than n (strings with brackets, quotes and escapes included).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBytesAtMost, nestsDeeperThan } from '../../service/http/limits.js';

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

describe('jsonBytesAtMost', () => {
  it('never says "at most" for JSON over the bound (control characters, astral and non-ASCII text, numbers)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\u0000', '\u001f', '"', '\\', '\n') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(text, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 400 }), (v, max) => {
        const bytes = Buffer.byteLength(JSON.stringify(v));
        if (jsonBytesAtMost(v, max)) expect(bytes).toBeLessThanOrEqual(max);
        // The bound is loose by design, but not useless: six bytes per character at worst.
        if (bytes * 6 + 64 <= max) expect(jsonBytesAtMost(v, max)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('measures what it cannot bound: toJSON, and cycles end the walk', () => {
    expect(jsonBytesAtMost({ at: new Date(0) }, 1e6)).toBe(false);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonBytesAtMost(cyclic, 1e6)).toBe(false);
  });
});
