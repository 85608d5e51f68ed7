import { describe, expect, it } from 'vitest';
import { flattenUsage } from '../../runtime/results.js';
import { fixtureKit, json, useCaptureServer, textOf } from './helpers.js';

const srv = useCaptureServer();

const jobs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `ftjob-${i}`, object: 'fine_tuning.job', status: 'succeeded' }));

describe('json results', () => {
  it('returns structuredContent and the same compact JSON as text', async () => {
    srv.respond((_q, res) => json(res, 200, { id: 'file-1', bytes: 12 }));
    const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-1' });
    expect(r.structuredContent).toEqual({ id: 'file-1', bytes: 12 });
    expect(r.content[0]).toEqual({ type: 'text', text: '{"id":"file-1","bytes":12}' });
  });

  it('wraps a top-level array so structuredContent stays an object', async () => {
    srv.respond((_q, res) => json(res, 200, [1, 2]));
    const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'f' });
    expect(r.structuredContent).toEqual({ result: [1, 2] });
  });

  it('cursor lists give {result, next_cursor, has_more}', async () => {
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: jobs(3), has_more: true }));
    const r = await fixtureKit(srv.baseUrl).callTool('fine_tuning_jobs_list', { limit: 3 });
    expect(r.structuredContent).toEqual({ result: jobs(3), next_cursor: 'ftjob-2', has_more: true });

    srv.respond((_q, res) =>
      json(res, 200, { object: 'list', data: jobs(2), first_id: 'a', last_id: 'key-last', has_more: true }),
    );
    const withLastId = await fixtureKit(srv.baseUrl).callTool('admin_api_keys_list', {});
    expect(withLastId.structuredContent).toMatchObject({ next_cursor: 'key-last', has_more: true });

    srv.respond((_q, res) => json(res, 200, { object: 'list', data: jobs(1), has_more: false }));
    const last = await fixtureKit(srv.baseUrl).callTool('fine_tuning_jobs_list', {});
    expect(last.structuredContent).toEqual({ result: jobs(1), next_cursor: null, has_more: false });
  });

  it('lists that hand out an opaque `next` cursor (roles, groups) page with it, even when items have ids', async () => {
    const roles = [{ id: 'role_01' }, { group_id: 'group_A' }];
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: roles, has_more: true, next: 'eyJvZmZzZXQiOjF9' }));
    const r = await fixtureKit(srv.baseUrl).callTool('fine_tuning_jobs_list', {});
    expect(r.structuredContent).toEqual({ result: roles, next_cursor: 'eyJvZmZzZXQiOjF9', has_more: true });

    // Cut to fit the cap, the cursor stays the server's (an item id would not be accepted), and the note says so.
    const many = jobs(200);
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: many, has_more: true, next: 'opaque-2' }));
    const cut = await fixtureKit(srv.baseUrl, { maxTextChars: 2000 }).callTool('fine_tuning_jobs_list', {});
    expect((cut.structuredContent as { next_cursor: string }).next_cursor).toBe('opaque-2');
    expect(textOf(cut)).toContain('ask for a smaller limit');
  });

  it('an oversized page is cut at an item boundary and the cursor follows the last item shown', async () => {
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: jobs(200), has_more: false }));
    const r = await fixtureKit(srv.baseUrl, { maxTextChars: 2000 }).callTool('fine_tuning_jobs_list', {});
    const sc = r.structuredContent as { result: Array<{ id: string }>; next_cursor: string; has_more: boolean };
    expect(sc.result.length).toBeGreaterThan(0);
    expect(sc.result.length).toBeLessThan(200);
    expect(sc.next_cursor).toBe(sc.result.at(-1)!.id);
    expect(sc.has_more).toBe(true);
    const [first] = r.content;
    expect(first?.type === 'text' && first.text.length).toBeLessThanOrEqual(2000);
    expect(textOf(r)).toMatch(/Showing \d+ of 200 items.*`limit`/s);
  });

  it('oversized non-list JSON is truncated with a note and no structuredContent', async () => {
    srv.respond((_q, res) => json(res, 200, { id: 'f', blob: 'x'.repeat(5000) }));
    const r = await fixtureKit(srv.baseUrl, { maxTextChars: 1000 }).callTool('files_get', { file_id: 'f' });
    expect(r.structuredContent).toBeUndefined();
    const [first] = r.content;
    expect(first?.type === 'text' && first.text.length).toBe(1000);
    expect(textOf(r)).toContain('Truncated');
  });

  it('a body over maxResponseBytes is refused with a note', async () => {
    srv.respond((_q, res) => json(res, 200, { data: 'y'.repeat(10_000) }));
    const r = await fixtureKit(srv.baseUrl, { maxResponseBytes: 1024 }).callTool('files_get', { file_id: 'f' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/exceeds the 1024-byte cap/);
  });

  it('an empty 204 becomes {ok, status}', async () => {
    srv.respond((_q, res) => {
      res.writeHead(204);
      res.end();
    });
    const r = await fixtureKit(srv.baseUrl).callTool('models_delete', { model: 'ft:x' });
    expect(r.structuredContent).toEqual({ ok: true, status: 204 });
  });
});

describe('usage buckets', () => {
  const page = {
    object: 'page',
    has_more: true,
    next_page: 'page_2',
    data: [
      {
        object: 'bucket',
        start_time: 1736553600,
        end_time: 1736640000,
        results: [
          {
            object: 'organization.usage.completions.result',
            input_tokens: 100,
            output_tokens: 20,
            num_model_requests: 2,
            model: 'gpt-4o',
            amount: { value: 0.5, currency: 'usd' },
          },
          {
            object: 'organization.usage.completions.result',
            input_tokens: 50,
            output_tokens: 5,
            num_model_requests: 1,
            model: 'gpt-4o-mini',
            amount: { value: 0.25, currency: 'usd' },
          },
        ],
      },
      { object: 'bucket', start_time: 1736640000, end_time: 1736726400, results: [] },
      {
        object: 'bucket',
        start_time: 1736726400,
        end_time: 1736812800,
        results: [
          {
            object: 'organization.usage.completions.result',
            input_tokens: 1,
            output_tokens: 1,
            num_model_requests: 1,
            model: null,
            amount: { value: 0.1, currency: 'usd' },
          },
        ],
      },
    ],
  };

  it('flattens buckets into rows with ISO times and totals every numeric field', () => {
    const out = flattenUsage(page);
    expect(out.rows).toHaveLength(3);
    expect((out.rows as Array<Record<string, unknown>>)[0]).toEqual({
      start_time_iso: '2025-01-11T00:00:00.000Z',
      end_time_iso: '2025-01-12T00:00:00.000Z',
      input_tokens: 100,
      output_tokens: 20,
      num_model_requests: 2,
      model: 'gpt-4o',
      amount: { value: 0.5, currency: 'usd' },
    });
    expect(out.totals).toEqual({ input_tokens: 151, output_tokens: 26, num_model_requests: 4, 'amount.value': 0.85 });
    expect(out.bucket_count).toBe(3);
    expect(out.next_cursor).toBe('page_2');
    expect(out.has_more).toBe(true);
  });

  it('is what a usage tool returns', async () => {
    srv.respond((_q, res) => json(res, 200, page));
    const r = await fixtureKit(srv.baseUrl).callTool('usage_completions', {
      start_time: 1736553600,
      group_by: ['model'],
      page: 'page_1',
    });
    expect(srv.requests[0]!.query.getAll('group_by[]')).toEqual(['model']);
    expect(srv.requests[0]!.query.get('page')).toBe('page_1');
    expect(r.structuredContent).toMatchObject({ totals: { input_tokens: 151 }, next_cursor: 'page_2' });
  });
});

describe('binary results', () => {
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
  const binary =
    (type: string, body: Buffer | string = bytes) =>
    (_q: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };

  it('image/* becomes an image block', async () => {
    srv.respond(binary('image/png'));
    const r = await fixtureKit(srv.baseUrl).callTool('files_content', { file_id: 'f' });
    expect(r.content[0]).toEqual({ type: 'image', data: bytes.toString('base64'), mimeType: 'image/png' });
  });

  it('audio/* becomes an audio block', async () => {
    srv.respond(binary('audio/mpeg'));
    const r = await fixtureKit(srv.baseUrl).callTool('audio_speech_create', {
      model: 'tts-1',
      input: 'hi',
      voice: 'alloy',
    });
    expect(r.content[0]).toEqual({ type: 'audio', data: bytes.toString('base64'), mimeType: 'audio/mpeg' });
  });

  it('other bytes become a blob resource', async () => {
    srv.respond(binary('application/zip'));
    const r = await fixtureKit(srv.baseUrl).callTool('files_content', { file_id: 'file-9' });
    expect(r.content[0]).toMatchObject({
      type: 'resource',
      resource: { mimeType: 'application/zip', blob: bytes.toString('base64') },
    });
    expect((r.content[0] as { resource: { uri: string } }).resource.uri).toContain('/files/file-9/content');
  });

  it('text-like downloads (JSONL) come back as text', async () => {
    srv.respond(binary('application/jsonl', '{"a":1}\n{"a":2}\n'));
    const r = await fixtureKit(srv.baseUrl).callTool('files_content', { file_id: 'f' });
    expect(r.content[0]).toEqual({ type: 'text', text: '{"a":1}\n{"a":2}\n' });
  });

  it('binary over the cap is refused with a note, not cut', async () => {
    srv.respond(binary('image/png', Buffer.alloc(4096)));
    const r = await fixtureKit(srv.baseUrl, { maxResponseBytes: 1000 }).callTool('files_content', { file_id: 'f' });
    expect(r.isError).toBe(true);
    expect(r.content.some((c) => c.type === 'image')).toBe(false);
    expect(textOf(r)).toContain('4096+ bytes');
  });
});

describe('list tools without a cursor parameter', () => {
  it('still answer {result, next_cursor, has_more}', async () => {
    const { shapeSuccess } = await import('../../runtime/results.js');
    const catalog = (await import('../../generated/catalog.json', { with: { type: 'json' } }))
      .default as unknown as import('../../runtime/types.js').Catalog;
    const models = catalog.tools.find((t) => t.name === 'list_all_open_ai_models')!;
    expect(models.pagination).toBeUndefined();
    const body = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] });
    const raw = {
      status: 200,
      statusText: 'OK',
      headers: new Headers({ 'content-type': 'application/json' }),
      bytes: new TextEncoder().encode(body),
      truncated: false,
    };
    const result = shapeSuccess(models, raw as never, {
      maxTextChars: 100_000,
      maxResponseBytes: 1_000_000,
      maxBinaryChars: 1_000_000,
      url: 'http://x/v1/models',
      redact: (t: string) => t,
    });
    expect(result.structuredContent).toEqual({
      result: [{ id: 'gpt-4o', object: 'model' }],
      next_cursor: null,
      has_more: false,
    });
  });
});
