import { describe, expect, it } from 'vitest';
import { LIST_PAGE, LIST_PAGE_SHAPE, listPage, readPage } from '../../runtime/contract/pages.js';
import { flattenUsage } from '../../runtime/results.js';
import { noisyPng, TINY_WEBP } from '../helpers/images.js';
import { fixtureKit, generatedKit, json, useCaptureServer, textOf } from './helpers.js';

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

  it(`cursor lists give ${LIST_PAGE_SHAPE}`, async () => {
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: jobs(3), has_more: true }));
    const r = await fixtureKit(srv.baseUrl).callTool('fine_tuning_jobs_list', { limit: 3 });
    expect(r.structuredContent).toEqual(listPage(jobs(3), 'ftjob-2', true));

    srv.respond((_q, res) =>
      json(res, 200, { object: 'list', data: jobs(2), first_id: 'a', last_id: 'key-last', has_more: true }),
    );
    const withLastId = await fixtureKit(srv.baseUrl).callTool('admin_api_keys_list', {});
    expect(readPage(withLastId.structuredContent)).toMatchObject({ cursor: 'key-last', more: true });

    srv.respond((_q, res) => json(res, 200, { object: 'list', data: jobs(1), has_more: false }));
    const last = await fixtureKit(srv.baseUrl).callTool('fine_tuning_jobs_list', {});
    expect(last.structuredContent).toEqual(listPage(jobs(1), null, false));
  });

  it('lists that hand out an opaque `next` cursor (roles, groups) page with it, even when items have ids', async () => {
    const roles = [{ id: 'role_01' }, { group_id: 'group_A' }];
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: roles, has_more: true, next: 'eyJvZmZzZXQiOjF9' }));
    const r = await fixtureKit(srv.baseUrl).callTool('fine_tuning_jobs_list', {});
    expect(r.structuredContent).toEqual(listPage(roles, 'eyJvZmZzZXQiOjF9', true));

    // Cut to fit the cap, the cursor stays the server's (an item id would not be accepted), and the note says so.
    const many = jobs(200);
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: many, has_more: true, next: 'opaque-2' }));
    const cut = await fixtureKit(srv.baseUrl, { maxTextChars: 2000 }).callTool('fine_tuning_jobs_list', {});
    expect(readPage(cut.structuredContent).cursor).toBe('opaque-2');
    expect(textOf(cut)).toContain('ask for a smaller limit');
  });

  it('an oversized page is cut at an item boundary and the cursor follows the last item shown', async () => {
    srv.respond((_q, res) => json(res, 200, { object: 'list', data: jobs(200), has_more: false }));
    const r = await fixtureKit(srv.baseUrl, { maxTextChars: 2000 }).callTool('fine_tuning_jobs_list', {});
    const sc = readPage(r.structuredContent);
    expect(sc.items.length).toBeGreaterThan(0);
    expect(sc.items.length).toBeLessThan(200);
    expect(sc.cursor).toBe((sc.items.at(-1) as { id: string }).id);
    expect(sc.more).toBe(true);
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
    expect(readPage(out)).toMatchObject({ cursor: 'page_2', more: true });
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
    expect(r.structuredContent).toMatchObject({ totals: { input_tokens: 151 }, [LIST_PAGE.cursor]: 'page_2' });
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

describe('downloads labelled octet-stream (or not labelled at all)', () => {
  type HeaderMap = Record<string, string>;
  const download = (headers: HeaderMap, body: Buffer | string) => {
    srv.respond((_q, res) => {
      res.writeHead(200, headers);
      res.end(body);
    });
    return generatedKit(srv.baseUrl).callTool('get_single_open_ai_file_content_by_id', { file_id: 'file-abc' });
  };
  const batchOutput = [
    { id: 'batch_req_1', custom_id: 'request-1', response: { status_code: 200, body: { choices: [] } }, error: null },
    { id: 'batch_req_2', custom_id: 'request-2', response: null, error: { code: 'x', message: 'naïve “quotes”' } },
  ]
    .map((line) => JSON.stringify(line))
    .join('\n');
  const resultCsv = 'step,train_loss,train_accuracy,valid_loss\r\n1,1.52,0.61,\r\n2,1.08,0.7,1.1\r\n';

  it.each<[string, HeaderMap, string]>([
    ['batch output JSONL as application/octet-stream', { 'content-type': 'application/octet-stream' }, batchOutput],
    ['fine-tune results CSV as binary/octet-stream', { 'content-type': 'binary/octet-stream' }, resultCsv],
    ['JSONL with no content-type', {}, batchOutput],
  ])('%s comes back as text', async (_label, headers, body) => {
    const r = await download(headers, body);
    expect(r.isError).toBeFalsy();
    expect(r.content).toEqual([{ type: 'text', text: body }]);
  });

  const png = noisyPng(16, 16);
  const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + (i >> 3) * 104729) & 0xff));
  const nulInText = Buffer.from('id,name\n1,a\u0000b\n');
  const latin1 = Buffer.from('caf\xe9 cr\xe8me\n', 'latin1');
  it.each<[string, HeaderMap, Buffer]>([
    ['a PNG as application/octet-stream', { 'content-type': 'application/octet-stream' }, png],
    ['random bytes as application/octet-stream', { 'content-type': 'application/octet-stream' }, random],
    ['a PNG with no content-type', {}, png],
    ['UTF-8 text with a NUL byte', { 'content-type': 'application/octet-stream' }, nulInText],
    ['bytes that are not UTF-8', { 'content-type': 'binary/octet-stream' }, latin1],
  ])('%s stays a blob', async (_label, headers, body) => {
    const r = await download(headers, body);
    expect(r.content[0]).toMatchObject({
      type: 'resource',
      resource: { mimeType: headers['content-type'] ?? 'application/octet-stream', blob: body.toString('base64') },
    });
  });
});

describe('images inside JSON (data[].b64_json)', () => {
  type ImagesBody = { created: number; data: Array<{ b64_json: string; revised_prompt?: string }> };
  const imageBlocks = (r: Awaited<ReturnType<ReturnType<typeof generatedKit>['callTool']>>) =>
    r.content.filter((c): c is { type: 'image'; data: string; mimeType: string } => c.type === 'image');
  const generate = (options: Parameters<typeof generatedKit>[1] = {}) =>
    generatedKit(srv.baseUrl, options).callTool('create_a_open_ai_image_generation', { prompt: 'a red fox' });

  it('a ~1 MB generated PNG comes back as an image block; the JSON keeps a short placeholder', async () => {
    const picture = noisyPng(600, 600);
    expect(picture.byteLength).toBeGreaterThan(1_000_000);
    srv.respond((_q, res) =>
      json(res, 200, {
        created: 1_785_542_400,
        data: [{ b64_json: picture.toString('base64'), revised_prompt: 'A red fox in snow' }],
        usage: { input_tokens: 9, output_tokens: 4160, total_tokens: 4169 },
      }),
    );
    const r = await generate();
    expect(r.isError).toBeFalsy();
    const [image, ...others] = imageBlocks(r);
    expect(others).toEqual([]);
    expect(image?.mimeType).toBe('image/png');
    expect(Buffer.from(image!.data, 'base64').equals(picture)).toBe(true);
    const sc = r.structuredContent as ImagesBody & { usage: unknown };
    expect(sc.created).toBe(1_785_542_400);
    expect(sc.usage).toMatchObject({ total_tokens: 4169 });
    expect(sc.data[0]?.revised_prompt).toBe('A red fox in snow');
    expect(sc.data[0]?.b64_json).toMatch(/^\[image 1 of 1 returned as image content, 1\.\d MB\]$/);
    // The model reads no base64 as text.
    expect(textOf(r).length).toBeLessThan(1000);
  });

  it('two images: one block each, typed by output_format, numbered in the JSON', async () => {
    srv.respond((_q, res) =>
      json(res, 200, {
        created: 1,
        output_format: 'webp',
        data: [{ b64_json: TINY_WEBP.toString('base64') }, { b64_json: TINY_WEBP.toString('base64') }],
      }),
    );
    const r = await generate();
    expect(imageBlocks(r).map((b) => b.mimeType)).toEqual(['image/webp', 'image/webp']);
    const sc = r.structuredContent as ImagesBody;
    expect(sc.data.map((d) => d.b64_json)).toEqual([
      expect.stringMatching(/^\[image 1 of 2 returned as image content/),
      expect.stringMatching(/^\[image 2 of 2 returned as image content/),
    ]);
  });

  it('without output_format the type is read from the bytes, and unknown bytes are taken as PNG', async () => {
    const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
    srv.respond((_q, res) =>
      json(res, 200, {
        created: 1,
        data: [TINY_WEBP, noisyPng(4, 4), random].map((b) => ({ b64_json: b.toString('base64') })),
      }),
    );
    const r = await generate();
    expect(imageBlocks(r).map((b) => b.mimeType)).toEqual(['image/webp', 'image/png', 'image/png']);
  });

  it('images past the binary ceiling of one reply are left out, and the placeholder says how to get them', async () => {
    const first = noisyPng(320, 320, 1);
    const second = noisyPng(320, 320, 2);
    srv.respond((_q, res) =>
      json(res, 200, {
        created: 1,
        data: [first, second].map((b, i) => ({ b64_json: b.toString('base64'), revised_prompt: `fox ${i}` })),
      }),
    );
    const r = await generate({ maxBinaryBytes: 1.5 * first.byteLength });
    expect(r.isError).toBeFalsy();
    const blocks = imageBlocks(r);
    expect(blocks).toHaveLength(1);
    expect(Buffer.from(blocks[0]!.data, 'base64').equals(first)).toBe(true);
    const sc = r.structuredContent as ImagesBody;
    expect(sc.data[0]?.b64_json).toMatch(/^\[image 1 of 2 returned as image content/);
    expect(sc.data[1]?.b64_json).toMatch(/^\[image 2 of 2 not returned: .*over the .* limit/);
    // The advice names this tool's own arguments that shrink an image.
    for (const arg of ['`n`', '`size`', '`output_compression`']) expect(sc.data[1]?.b64_json).toContain(arg);
    expect(sc.data.map((d) => d.revised_prompt)).toEqual(['fox 0', 'fox 1']);
    expect(textOf(r)).not.toContain(second.toString('base64').slice(0, 200));

    const none = await generate({ maxBinaryBytes: first.byteLength / 2 });
    expect(imageBlocks(none)).toEqual([]);
    expect((none.structuredContent as ImagesBody).data[0]?.b64_json).toMatch(/^\[image 1 of 2 not returned/);
  });

  it('is not tied to the image tools: any JSON answer with data[].b64_json', async () => {
    const picture = noisyPng(8, 8);
    srv.respond((_q, res) => json(res, 200, { data: [{ b64_json: picture.toString('base64') }, { id: 'x' }] }));
    const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'f' });
    expect(imageBlocks(r)).toEqual([{ type: 'image', data: picture.toString('base64'), mimeType: 'image/png' }]);
    expect(r.structuredContent).toEqual({
      data: [{ b64_json: expect.stringMatching(/^\[image 1 of 1 returned/) }, { id: 'x' }],
    });
  });
});

describe('list tools without a cursor parameter', () => {
  it(`still answer ${LIST_PAGE_SHAPE}`, async () => {
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
    expect(result.structuredContent).toEqual(listPage([{ id: 'gpt-4o', object: 'model' }], null, false));
  });
});
