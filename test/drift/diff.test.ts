// Matching and classification on hand-made catalogs: every rule in classify.ts, without the generator.
import { describe, expect, it } from 'vitest';
import { classifyChange } from '../../drift/classify.js';
import { matchTools, summarizeText, typeList, typesCover } from '../../drift/diff.js';
import { renderMarkdown } from '../../drift/render-markdown.js';
import { buildReport, shouldFail } from '../../drift/report.js';
import type { Change } from '../../drift/types.js';
import { catalog, tool } from './helpers.js';

const only = (changes: Change[], kind: Change['kind']) => changes.filter((c) => c.kind === kind);

describe('matching', () => {
  it('pairs by name, then operationId (renamed, moved), then verb+path (renamed)', () => {
    const from = [
      tool('keep'),
      tool('old_by_id', { operationId: 'opA', http: { path: '/a' } }),
      tool('old_by_path', { operationId: 'opB', http: { path: '/b/{x}' } }),
      tool('gone', { operationId: 'opGone' }),
    ];
    const to = [
      tool('keep'),
      tool('new_by_id', { operationId: 'opA', http: { path: '/a2' } }),
      tool('new_by_path', { operationId: 'opB2', http: { path: '/b/{y}' } }),
      tool('fresh', { operationId: 'opFresh' }),
    ];
    const m = matchTools(from, to);
    expect(m.pairs.map(([a, b, by]) => `${a.name}->${b.name}:${by}`).sort()).toEqual([
      'keep->keep:name',
      'old_by_id->new_by_id:operationId',
      'old_by_path->new_by_path:verb+path',
    ]);
    expect(m.removed.map((t) => t.name)).toEqual(['gone']);
    expect(m.added.map((t) => t.name)).toEqual(['fresh']);

    const r = buildReport(catalog(from), catalog(to, '2.0.0'));
    expect(r.renamed.map((x) => [x.from.name, x.to.name, x.matchedBy, x.moved])).toEqual([
      ['old_by_id', 'new_by_id', 'operationId', true],
      ['old_by_path', 'new_by_path', 'verb+path', false],
    ]);
    expect(r.summary).toMatchObject({ added: 1, removed: 1, renamed: 2, breaking: 3 });
    expect(only(r.changes, 'operation-moved')).toHaveLength(1);
  });

  it('reports an operation whose path changed under the same name as moved, not breaking', () => {
    const r = buildReport(
      catalog([tool('t', { http: { path: '/v1/things' } })]),
      catalog([tool('t', { http: { path: '/v2/things' } })]),
    );
    expect(r.moved).toEqual([{ name: 't', operationId: 't', from: 'GET /v1/things', to: 'GET /v2/things' }]);
    expect(r.renamed).toEqual([]);
    expect(r.summary.breaking).toBe(0);
  });

  it('does not match on an ambiguous operationId', () => {
    const from = [
      tool('a', { operationId: 'dup', http: { path: '/a' } }),
      tool('b', { operationId: 'dup', http: { path: '/b' } }),
    ];
    const to = [tool('c', { operationId: 'dup', http: { path: '/c' } })];
    const m = matchTools(from, to);
    expect(m.pairs).toEqual([]);
  });

  it('flags an excluded operation as removed with the reason', () => {
    const to = catalog([]);
    to.excluded.push({ operationId: 'x', verb: 'POST', path: '/x', reason: 'binary body' });
    const r = buildReport(catalog([tool('x')]), to);
    expect(r.removed[0]).toMatchObject({ name: 'x', excludedReason: 'binary body' });
  });
});

describe('argument changes', () => {
  const base = tool('t', {
    query: ['q', 'limit'],
    props: {
      q: { type: 'string' },
      limit: { type: 'integer', default: 20 },
      order: { type: 'string', enum: ['asc', 'desc'] },
      model: { anyOf: [{ type: 'string' }, { type: 'string', enum: ['gpt-4o', 'gpt-5'] }] },
      kinds: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
      gone: { type: 'boolean' },
    },
  });
  const next = tool('t', {
    query: ['q', 'limit'],
    required: ['q', 'must'],
    props: {
      q: { type: 'string' },
      limit: { type: 'number', default: 50 },
      order: { type: 'string', enum: ['desc', 'random'] },
      model: { anyOf: [{ type: 'string' }, { type: 'string', enum: ['gpt-5'] }] },
      kinds: { type: 'array', items: { type: 'string', enum: ['a'] } },
      must: { type: 'string' },
      maybe: { type: 'integer' },
    },
  });
  const r = buildReport(catalog([base]), catalog([next]));
  const by = (kind: Change['kind'], arg?: string) => r.changes.find((c) => c.kind === kind && (!arg || c.arg === arg));

  it('classifies required flips, additions and removals', () => {
    expect(by('param-required', 'q')).toMatchObject({ breaking: true, location: 'query' });
    expect(by('param-added', 'must')).toMatchObject({ breaking: true, location: 'body' });
    expect(by('param-added', 'maybe')).toMatchObject({ breaking: false });
    expect(by('param-removed', 'gone')).toMatchObject({ breaking: true });
  });

  it('treats integer → number as widening and a default change as non-breaking', () => {
    expect(by('param-type', 'limit')).toMatchObject({ breaking: false, from: ['integer'], to: ['number'] });
    expect(by('default-changed', 'limit')).toMatchObject({ breaking: false, from: 20, to: 50 });
  });

  it('breaks on a value removed from a closed enum, not from an open one', () => {
    expect(
      r.changes.filter((c) => c.kind === 'enum-removed').map((c) => [c.arg, c.items ?? false, c.breaking]),
    ).toEqual([
      ['kinds', true, true],
      ['model', false, false],
      ['order', false, true],
    ]);
    expect(by('enum-added', 'order')).toMatchObject({ breaking: false, to: ['random'] });
  });

  it('breaks on a narrower type', () => {
    const r2 = buildReport(
      catalog([tool('t', { props: { n: { type: ['string', 'null'] } } })]),
      catalog([tool('t', { props: { n: { type: 'string' } } })]),
    );
    expect(r2.changes).toMatchObject([{ kind: 'param-type', breaking: true }]);
  });
});

describe('tool-level changes', () => {
  it('puts read → write and gaining admin in the security section', () => {
    const from = [tool('r'), tool('a')];
    const to = [
      tool('r', { access: 'write', http: { verb: 'POST' } }),
      tool('a', { tags: ['admin'], http: { auth: 'admin' } }),
    ];
    const r = buildReport(catalog(from), catalog(to));
    const security = r.changes.filter((c) => c.security);
    expect(security.map((c) => [c.tool, c.kind, c.breaking])).toEqual([
      ['a', 'auth-changed', true],
      ['r', 'access-changed', true],
    ]);
    // The derived `admin` tag repeats the auth change and is not listed twice.
    expect(only(r.changes, 'tags-changed')).toEqual([]);
    const md = renderMarkdown(r);
    expect(md.indexOf('### ⚠️ Security-relevant changes')).toBeGreaterThan(0);
    expect(md.indexOf('⚠️ Security')).toBeLessThan(md.indexOf('Changed tools'));
  });

  it('treats write → read and admin → project as non-breaking and not security-relevant', () => {
    const r = buildReport(
      catalog([tool('r', { access: 'write', http: { auth: 'admin' } })]),
      catalog([tool('r', { access: 'read' })]),
    );
    expect(r.changes.every((c) => !c.breaking && !c.security)).toBe(true);
  });

  it('summarises description changes by sentence', () => {
    const s = summarizeText('Lists files. Use limit to page.', 'Lists files. Use `after` to page. Deprecated.');
    expect(s.added).toEqual(['Use `after` to page.', 'Deprecated.']);
    expect(s.removed).toEqual(['Use limit to page.']);
    expect(s.summary).toMatch(/^\+2 sentences, −1 sentence/);
  });

  it('notes a nested contract change the top level does not show', () => {
    const r = buildReport(catalog([tool('t', { schemaHash: 'a' })]), catalog([tool('t', { schemaHash: 'b' })]));
    expect(r.changes).toMatchObject([{ kind: 'schema-changed', breaking: false }]);
  });
});

describe('helpers', () => {
  it('derives types from unions and enums', () => {
    expect(typeList({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toEqual(['null', 'string']);
    expect(typeList({ enum: ['a', 1] })).toEqual(['integer', 'string']);
    expect(typeList({ anyOf: [{ type: 'string' }, {}] })).toEqual([]);
    expect(typesCover([], ['string'])).toBe(true);
    expect(typesCover(['string'], [])).toBe(false);
  });

  it('has a verdict for every change kind', () => {
    expect(classifyChange({ kind: 'tool-added', tool: 't', operationId: 'o', message: '' })).toMatchObject({
      breaking: false,
    });
    expect(classifyChange({ kind: 'tool-removed', tool: 't', operationId: 'o', message: '' })).toMatchObject({
      breaking: true,
    });
  });
});

describe('fail-on', () => {
  const quiet = buildReport(catalog([tool('t')]), catalog([tool('t', { description: 'Other text.' })]));
  const broken = buildReport(catalog([tool('t')]), catalog([]));
  it.each([
    ['none', quiet, false],
    ['none', broken, false],
    ['any', quiet, true],
    ['breaking', quiet, false],
    ['breaking', broken, true],
  ] as const)('%s', (failOn, report, expected) => {
    expect(shouldFail(report, failOn)).toBe(expected);
  });
  it('renders "no differences" for identical catalogs', () => {
    const same = buildReport(catalog([tool('t')]), catalog([tool('t')]));
    expect(renderMarkdown(same)).toContain('No differences');
  });
});
