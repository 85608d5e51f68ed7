// Code-mode limits: defaults, what a bad value is told, and how a server's own limits combine with the service's.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CODE_LIMITS, resolveLimits, tightenLimits } from '../../runtime/exposure/code/index.js';

describe('resolveLimits', () => {
  it('fills what is not given with the defaults', () => {
    expect(resolveLimits({ maxCalls: 5, timeoutMs: undefined })).toEqual({ ...DEFAULT_CODE_LIMITS, maxCalls: 5 });
  });

  it.each([
    [{ maxCalls: 0 }, /maxCalls must be a positive integer, got 0/],
    [{ timeoutMs: 1.5 }, /timeoutMs must be a positive integer/],
    [{ memoryBytes: 4096 * 1024 * 1024 }, /memoryBytes must be at most 2048 MiB/],
    [{ cpu: 1 } as never, /Unknown code-mode limit: cpu/],
  ])('refuses %j', (partial, message) => {
    expect(() => resolveLimits(partial)).toThrow(message);
  });
});

describe('tightenLimits', () => {
  const base = resolveLimits({ maxCalls: 3, timeoutMs: 3000 });
  it.each([
    ['lowers', { maxCalls: 1 }, { maxCalls: 1, timeoutMs: 3000 }],
    ['never raises', { maxCalls: 10, timeoutMs: 10_000 }, { maxCalls: 3, timeoutMs: 3000 }],
    ['mixes', { maxCalls: 10, timeoutMs: 1000 }, { maxCalls: 3, timeoutMs: 1000 }],
    ['keeps the rest', {}, { maxCalls: 3, timeoutMs: 3000 }],
  ])('%s', (_, narrower, expected) => {
    const out = tightenLimits(base, narrower);
    expect(out).toMatchObject(expected);
    expect(out.memoryBytes).toBe(DEFAULT_CODE_LIMITS.memoryBytes);
  });
});
