import { describe, expect, it } from 'vitest';
import { selectTools } from '../../runtime/filter.js';
import { parseDuration, readRateLimits } from '../../runtime/ratelimit.js';
import { makeRedactor, redactDeep } from '../../runtime/redact.js';
import { pointerToPath } from '../../runtime/validation.js';
import { fixtureCatalog } from '../fixtures/catalog.js';

const names = (f: Parameters<typeof selectTools>[1]) =>
  selectTools(fixtureCatalog, f)
    .map((t) => t.name)
    .sort();

describe('filter', () => {
  it('selects by access keyword, exact method and custom verbs', () => {
    expect(names({ methods: ['read'] })).toEqual(
      fixtureCatalog.tools
        .filter((t) => t.access === 'read')
        .map((t) => t.name)
        .sort(),
    );
    expect(names({ methods: ['cancel'] })).toEqual(['fine_tuning_jobs_cancel']);
    expect(names({ methods: ['custom'] })).toEqual(['fine_tuning_jobs_cancel']);
    expect(names({ methods: ['delete', 'cancel'] })).toEqual(['fine_tuning_jobs_cancel', 'models_delete']);
  });

  it('matches any listed tag, and ANDs methods with tags', () => {
    expect(names({ tags: ['usage', 'models'] })).toEqual(['models_delete', 'models_list', 'usage_completions']);
    expect(names({ tags: ['fine-tuning'], methods: ['write'] })).toEqual([
      'fine_tuning_jobs_cancel',
      'fine_tuning_jobs_create',
    ]);
    expect(names({ tags: ['FILES'], methods: ['create'] })).toEqual(['files_create']);
  });

  it('applies allow and exclude lists', () => {
    expect(names({ tools: ['models_list', 'files_get'], excludeTools: ['files_get'] })).toEqual(['models_list']);
  });

  it('rejects unknown values and lists the valid ones', () => {
    expect(() => selectTools(fixtureCatalog, { methods: ['reed'] })).toThrow(
      /Unknown method: reed\. Valid methods: .*cancel.*read/,
    );
    expect(() => selectTools(fixtureCatalog, { tags: ['nope'] })).toThrow(
      /Unknown tag: nope\. Valid tags: .*fine-tuning/,
    );
    expect(() => selectTools(fixtureCatalog, { tools: ['files_gte'] })).toThrow(/Unknown tool: files_gte/);
    expect(() => selectTools(fixtureCatalog, { excludeTools: ['nope'] })).toThrow(/Unknown tool: nope/);
  });

  it('rejects a filter that leaves nothing', () => {
    expect(() => selectTools(fixtureCatalog, { tags: ['files'], methods: ['list'] })).toThrow(/leaves no tools/);
  });
});

describe('rate limits', () => {
  it.each([
    ['6m0s', 360],
    ['1s', 1],
    ['20ms', 0.02],
    ['1h2m3.5s', 3723.5],
    ['0.5', 0.5],
    ['2m', 120],
    ['150us', 0],
  ])('parses %s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'soon', '5x', '1s2'])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it('reads requests and tokens separately and prefers retry-after-ms', () => {
    const h = new Headers({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-remaining-tokens': '100',
      'retry-after-ms': '1500',
      'retry-after': '2',
    });
    expect(readRateLimits(h)).toEqual({
      requests: { 'ratelimit-limit': 60, 'ratelimit-remaining': 59, 'ratelimit-reset': 1 },
      tokens: { 'ratelimit-remaining': 100 },
      'retry-after': 1.5,
    });
    expect(readRateLimits(new Headers())).toBeUndefined();
  });
});

describe('redaction', () => {
  it('removes configured secrets, sk- keys and bearer tokens but leaves prose', () => {
    const redact = makeRedactor(['my-custom-secret-value']);
    const out = redact(
      'key sk-proj-abcDEF1234567890xyz and my-custom-secret-value; Authorization: Bearer abc.def-ghi_123; scikit sk-learn',
    );
    expect(out).not.toContain('abcDEF1234567890xyz');
    expect(out).not.toContain('my-custom-secret-value');
    expect(out).not.toContain('abc.def-ghi_123');
    expect(out).toContain('sk-learn');
  });

  it('redacts deep values, copying only the containers on the way to a change', () => {
    const redact = makeRedactor(['my-custom-secret-value']);
    const clean = { data: [{ id: 'file-1', meta: { n: 1, ok: true, none: null } }], has_more: false };
    // Nothing to redact: the very same objects back, nothing copied.
    expect(redactDeep(clean, redact)).toBe(clean);
    const dirty = JSON.parse(
      '{"a":{"x":1},"list":["ok",{"k":"my-custom-secret-value"}],"__proto__":{"polluted":"sk-proj-abcDEF1234567890xyz"},"z":"tail"}',
    );
    const before = JSON.stringify(dirty);
    const out = redactDeep(dirty, redact) as Record<string, any>;
    expect(JSON.stringify(dirty)).toBe(before);
    expect(out).not.toBe(dirty);
    // Untouched branches are shared, changed ones copied, key order kept.
    expect(out.a).toBe(dirty.a);
    expect(Object.keys(out)).toEqual(['a', 'list', '__proto__', 'z']);
    expect(out.list[0]).toBe('ok');
    expect(out.list[1]).toEqual({ k: '[REDACTED]' });
    // `__proto__` from JSON stays data: redacted, and no prototype was set.
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: 'sk-[REDACTED]' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Skipped keys are left as they are (binary payloads).
    const blob = { data: 'my-custom-secret-value', type: 'image' };
    expect(redactDeep(blob, redact, new Set(['data']))).toBe(blob);
  });
});

describe('schema helpers', () => {
  it('turns JSON pointers into argument paths', () => {
    expect(pointerToPath('/hyperparameters/n_epochs')).toBe('hyperparameters.n_epochs');
    expect(pointerToPath('/messages/0/role')).toBe('messages[0].role');
    expect(pointerToPath('')).toBe('');
  });
});

describe('server identity', () => {
  it('reports the package version to MCP clients', async () => {
    const { SERVER_VERSION } = await import('../../runtime/server.js');
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    expect(SERVER_VERSION).toBe(pkg.version);
  });
});
