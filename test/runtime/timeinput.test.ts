// Human time inputs: the accepted forms against a fixed clock, and through the toolkit: converted before
// validation, echoed back, and an unreadable time refused by argument name with no request sent.

import { DateTime } from 'luxon';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenAiToolkit } from '../../runtime/index.js';
import { parseTime } from '../../runtime/timeinput.js';
import { json, textOf, generatedKit, useCaptureServer } from './helpers.js';

// Wednesday 2026-11-25 14:30:15 UTC.
const NOW = DateTime.fromISO('2026-11-25T14:30:15Z', { zone: 'utc' });
const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toSeconds();

describe('parseTime', () => {
  it.each([
    [1763424000, 1763424000],
    ['1763424000', 1763424000],
    ['now', at('2026-11-25T14:30:15Z')],
    ['today', at('2026-11-25T00:00:00Z')],
    ['yesterday', at('2026-11-24T00:00:00Z')],
    ['-7d', at('2026-11-18T14:30:15Z')],
    ['-24h', at('2026-11-24T14:30:15Z')],
    ['-30m', at('2026-11-25T14:00:15Z')],
    ['-2w', at('2026-11-11T14:30:15Z')],
    ['-3mo', at('2026-08-25T14:30:15Z')],
    ['-P7D', at('2026-11-18T14:30:15Z')],
    ['start of month', at('2026-11-01T00:00:00Z')],
    ['Start of Last Month', at('2026-10-01T00:00:00Z')],
    ['start of week', at('2026-11-23T00:00:00Z')],
    ['start of year', at('2026-01-01T00:00:00Z')],
    ['2026-11-01', at('2026-11-01T00:00:00Z')],
    ['2026-11-01T09:30:00Z', at('2026-11-01T09:30:00Z')],
    ['2026-11-01T09:30:00+02:00', at('2026-11-01T07:30:00Z')],
  ])('%s', (input, expected) => {
    expect(parseTime(input, NOW)).toBe(expected);
  });

  it.each(['last tuesday', '2026-13-45', '', '7 days', '1.5', 'start of decade', '-7x'])('refuses %j', (input) => {
    expect(parseTime(input, NOW)).toBeUndefined();
  });
});

describe('time arguments through the toolkit', () => {
  const srv = useCaptureServer();
  let kit: OpenAiToolkit;
  beforeAll(() => {
    kit = generatedKit(srv.baseUrl);
  });
  beforeEach(() => {
    srv.respond((_q, res) => json(res, 200, { object: 'page', data: [], has_more: false, next_page: null }));
  });

  it('sends an ISO date as unix seconds and echoes the resolved window', async () => {
    const r = await kit.callTool('list_all_open_ai_costs', {
      start_time: '2026-11-01',
      end_time: '2026-11-08T00:00:00Z',
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(srv.requests[0]!.query.get('start_time')).toBe('1793491200');
    expect(srv.requests[0]!.query.get('end_time')).toBe('1794096000');
    expect((r.structuredContent as any).resolved).toEqual({
      start_time: 1793491200,
      start_iso: '2026-11-01T00:00:00.000Z',
      end_time: 1794096000,
      end_iso: '2026-11-08T00:00:00.000Z',
    });
    expect(textOf(r)).toContain('Resolved time window');
  });

  it('resolves relative times against the current clock', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await kit.callTool('list_all_open_ai_completions', { start_time: '-7d' });
    expect(r.isError, textOf(r)).toBeFalsy();
    const sent = Number(srv.requests[0]!.query.get('start_time'));
    expect(sent).toBeGreaterThanOrEqual(before - 7 * 86400);
    expect(sent).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 7 * 86400);
  });

  it('converts the bounds of an object window (audit logs effective_at)', async () => {
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
    const r = await kit.callTool('list_all_open_ai_audit_logs', {
      effective_at: { gte: '2026-11-01', lt: 1794096000 },
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    // OpenAI reads object query parameters in brackets (specs/overrides.yaml `encoding`); a bare `gte=` loses the name.
    const q = srv.requests[0]!.query;
    expect(q.get('effective_at[gte]')).toBe('1793491200');
    expect(q.get('effective_at[lt]')).toBe('1794096000');
    expect(q.has('gte')).toBe(false);
    expect((r.structuredContent as any).resolved).toMatchObject({
      'effective_at[gte]': 1793491200,
      'effective_at[gte]_iso': '2026-11-01T00:00:00.000Z',
    });
  });

  it('refuses an unreadable time by argument name, lists the accepted forms, and sends nothing', async () => {
    const r = await kit.callTool('list_all_open_ai_completions', { start_time: 'last tuesday' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/start_time: "last tuesday" is not a time/);
    expect(textOf(r)).toMatch(/ISO date.*-7d.*start of day\|week\|month/);
    const nested = await kit.callTool('list_all_open_ai_audit_logs', { effective_at: { gte: 'soon' } });
    expect(textOf(nested)).toMatch(/effective_at\.gte: "soon"/);
    expect(srv.requests).toHaveLength(0);
  });

  it.each([
    ['milliseconds', 1785542400000, /start_time: 1785542400000 looks like milliseconds; divide by 1000/],
    ['milliseconds as a string', '1785542400000', /start_time: "1785542400000" looks like milliseconds/],
    ['a negative unix time', -604800, /start_time: -604800 is before 1970 .*-7d/],
    ['a date before 1970', '1969-07-20', /start_time: "1969-07-20" is before 1970/],
  ])('refuses %s by argument name and sends nothing', async (_label, start_time, message) => {
    const r = await kit.callTool('list_all_open_ai_completions', { start_time });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(message);
    expect(srv.requests).toHaveLength(0);
  });

  it('refuses milliseconds inside an object window too', async () => {
    const r = await kit.callTool('list_all_open_ai_audit_logs', { effective_at: { gte: 1785542400000 } });
    expect(textOf(r)).toMatch(/effective_at\.gte: 1785542400000 looks like milliseconds/);
    expect(srv.requests).toHaveLength(0);
  });

  it('passes a seconds value at either end of the accepted range', async () => {
    for (const start_time of [1785542400, 0, 99_999_999_999]) {
      srv.requests.length = 0;
      const r = await kit.callTool('list_all_open_ai_completions', { start_time });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(srv.requests[0]!.query.get('start_time')).toBe(String(start_time));
    }
  });

  it('still validates the converted value (a fraction of a second is not a unix time)', async () => {
    const r = await kit.callTool('list_all_open_ai_completions', { start_time: 1.5 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/start_time/);
    expect(srv.requests).toHaveLength(0);
  });
});
