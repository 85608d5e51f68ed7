import { describe, expect, it } from 'vitest';
import type { ToolDef } from '../../runtime/types.js';
import { fixtureCatalog } from '../fixtures/catalog.js';
import {
  ADMIN_KEY,
  type Captured,
  fixtureKit,
  generatedKit,
  json,
  parseMultipart,
  PROJECT_KEY,
  textOf,
  useCaptureServer,
} from './helpers.js';

const srv = useCaptureServer((_req, res) => json(res, 200, { id: 'x', object: 'thing' }));

describe('multipart', () => {
  it('uploads a file with a boundary, a filename and the purpose field', async () => {
    const kit = fixtureKit(srv.baseUrl);
    const r = await kit.callTool('files_create', {
      file: { content: '{"prompt":"hi"}\n', encoding: 'utf8', filename: 'train.jsonl' },
      purpose: 'fine-tune',
      expires_after: { anchor: 'created_at', seconds: 3600 },
    });
    expect(r.isError).toBeFalsy();
    expect(srv.requests).toHaveLength(1);
    const req = srv.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/files');
    const ct = String(req.headers['content-type']);
    expect(ct).toMatch(/^multipart\/form-data; boundary=\S+/);
    const raw = req.body.toString('utf8');
    expect(raw).toContain('name="file"; filename="train.jsonl"');
    expect(raw).toContain('Content-Type: application/jsonl');
    const form = await parseMultipart(req);
    expect(form.get('purpose')).toBe('fine-tune');
    const file = form.get('file') as File;
    expect(file.name).toBe('train.jsonl');
    expect(await file.text()).toBe('{"prompt":"hi"}\n');
    // Objects use OpenAI's bracket form, as in the API reference's curl examples.
    expect(form.get('expires_after[anchor]')).toBe('created_at');
    expect(form.get('expires_after[seconds]')).toBe('3600');
  });

  it("takes the everyday Responses input (a message with input_text parts), which fits two of the spec's shapes", async () => {
    const kit = generatedKit(srv.baseUrl);
    const input = [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }];
    const r = await kit.callTool('create_a_open_ai_response', { model: 'gpt-4.1', input });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(JSON.parse(srv.requests[0]!.body.toString('utf8'))).toMatchObject({ model: 'gpt-4.1', input });
    const items = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }];
    const c = await kit.callTool('create_a_open_ai_conversation_item', { conversation_id: 'conv_1', items });
    expect(c.isError, textOf(c)).toBeFalsy();
    // Still checked: a part type no shape has is refused, and nothing is sent.
    const bad = await kit.callTool('create_a_open_ai_response', {
      model: 'gpt-4.1',
      input: [{ role: 'user', content: [{ type: 'input_txt', text: 'hi' }] }],
    });
    expect(bad.isError).toBe(true);
    expect(srv.requests).toHaveLength(2);
  });

  it('a file field that also takes a reference: {id} goes as JSON, bytes as multipart', async () => {
    const kit = generatedKit(srv.baseUrl);
    const byRef = await kit.callTool('create_a_open_ai_video_edit', { video: { id: 'video_123' }, prompt: 'at night' });
    expect(byRef.isError, textOf(byRef)).toBeFalsy();
    const ref = srv.requests[0]!;
    expect([ref.method, ref.path, ref.headers['content-type']]).toEqual([
      'POST',
      '/v1/videos/edits',
      'application/json',
    ]);
    expect(JSON.parse(ref.body.toString('utf8'))).toEqual({ video: { id: 'video_123' }, prompt: 'at night' });

    const bytes = await kit.callTool('create_a_open_ai_video_edit', {
      video: { content: Buffer.from('mp4').toString('base64'), encoding: 'base64', filename: 'v.mp4' },
      prompt: 'at night',
    });
    expect(bytes.isError, textOf(bytes)).toBeFalsy();
    const upload = srv.requests[1]!;
    expect(String(upload.headers['content-type'])).toMatch(/^multipart\/form-data/);
    expect(((await parseMultipart(upload)).get('video') as File).name).toBe('v.mp4');

    // Neither bytes nor a reference: refused by argument, nothing sent.
    const neither = await kit.callTool('create_a_open_ai_video_edit', { video: { name: 'x' }, prompt: 'p' });
    expect(neither.isError).toBe(true);
    expect(textOf(neither)).toMatch(/video/);
    expect(srv.requests).toHaveLength(2);
  });

  it('decodes base64 files, repeats arrays as name[] and sends no stream field the caller did not give', async () => {
    const kit = fixtureKit(srv.baseUrl);
    const audio = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const r = await kit.callTool('audio_transcriptions_create', {
      file: { content: audio.toString('base64'), encoding: 'base64', filename: 'a.mp3' },
      model: 'gpt-4o-transcribe',
      include: ['logprobs'],
      timestamp_granularities: ['word', 'segment'],
      temperature: 0.2,
    });
    expect(r.isError).toBeFalsy();
    const form = await parseMultipart(srv.requests[0]!);
    const file = form.get('file') as File;
    expect(Buffer.from(await file.arrayBuffer())).toEqual(audio);
    expect(file.type).toBe('audio/mpeg');
    expect(form.getAll('timestamp_granularities[]')).toEqual(['word', 'segment']);
    expect(form.getAll('include[]')).toEqual(['logprobs']);
    expect(form.get('temperature')).toBe('0.2');
    expect(form.has('stream')).toBe(false);
    expect(form.has('timestamp_granularities')).toBe(false);
  });

  it('rejects a malformed file object before sending', async () => {
    const kit = fixtureKit(srv.baseUrl);
    const r = await kit.callTool('files_create', {
      file: { content: '!!!not base64', encoding: 'base64', filename: 'x.bin' },
      purpose: 'batch',
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('file.content');
    expect(srv.requests).toHaveLength(0);
  });
});

describe('path encoding', () => {
  const hostile = ['../files', 'a/b?c#d', '%2e%2e', 'ft:gpt-4o:org:x', 'sp ace', '..%2F..%2Fadmin', '%2E%2E/x'];
  for (const id of hostile) {
    it(`keeps ${JSON.stringify(id)} inside one path segment`, async () => {
      const kit = fixtureKit(srv.baseUrl);
      const r = await kit.callTool('files_get', { file_id: id });
      expect(r.isError).toBeFalsy();
      expect(srv.requests).toHaveLength(1);
      const req = srv.requests[0]!;
      expect(req.url.split('?')[0]).toBe(`/v1/files/${encodeURIComponent(id)}`);
      expect(decodeURIComponent(req.path.slice('/v1/files/'.length))).toBe(id);
      expect([...req.query.keys()]).toEqual([]);
    });
  }

  for (const id of ['.', '..', '']) {
    it(`refuses the dot/empty segment ${JSON.stringify(id)} without a request`, async () => {
      const kit = fixtureKit(srv.baseUrl);
      const r = await kit.callTool('files_content', { file_id: id });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain('file_id');
      expect(srv.requests).toHaveLength(0);
    });
  }
});

describe('query and headers', () => {
  it('serializes form+explode arrays as name[], explode:false as commas, scalars as strings, plus fixedQuery, fixedHeaders and header params', async () => {
    const kit = fixtureKit(srv.baseUrl);
    await kit.callTool('responses_get', {
      response_id: 'resp_1',
      include: ['file_search_call.results', 'message.output_text.logprobs'],
      fields: ['id', 'status'],
      verbose: true,
      max_items: 5,
      openai_beta: ['assistants=v2', 'x'],
    });
    const req = srv.requests[0]!;
    expect(req.path).toBe('/v1/responses/resp_1');
    expect(req.query.getAll('include[]')).toEqual(['file_search_call.results', 'message.output_text.logprobs']);
    expect(req.url).toContain('include[]=file_search_call.results&include[]=message.output_text.logprobs');
    expect(req.query.get('fields')).toBe('id,status');
    expect(req.query.get('verbose')).toBe('true');
    expect(req.query.get('max_items')).toBe('5');
    expect(req.query.get('beta')).toBe('true');
    expect(req.headers['openai-beta']).toBe('responses=v1,assistants=v2,x');
  });

  it('serializes deepObject as metadata[k]=v', async () => {
    const kit = fixtureKit(srv.baseUrl);
    await kit.callTool('fine_tuning_jobs_list', { metadata: { team: 'a&b', env: 'prod' }, limit: 2 });
    const req = srv.requests[0]!;
    expect(req.query.get('metadata[team]')).toBe('a&b');
    expect(req.query.get('metadata[env]')).toBe('prod');
    expect(req.query.get('limit')).toBe('2');
    expect(req.url).toContain('metadata[team]=a%26b');
  });
});

describe('credentials', () => {
  it('sends the admin key to admin endpoints and the project key everywhere else, with org/project headers', async () => {
    const kit = fixtureKit(srv.baseUrl, {
      credentials: { apiKey: PROJECT_KEY, adminKey: ADMIN_KEY, organization: 'org-1', project: 'proj_1' },
    });
    await kit.callTool('admin_api_keys_list', {});
    await kit.callTool('usage_completions', { start_time: 1700000000 });
    await kit.callTool('models_list', {});
    expect(srv.requests).toHaveLength(3);
    const [a, b, c] = srv.requests as [Captured, Captured, Captured];
    expect(a.headers.authorization).toBe(`Bearer ${ADMIN_KEY}`);
    expect(b.headers.authorization).toBe(`Bearer ${ADMIN_KEY}`);
    expect(c.headers.authorization).toBe(`Bearer ${PROJECT_KEY}`);
    for (const r of srv.requests) expect(r.headers['openai-organization']).toBe('org-1');
    expect(c.headers['openai-project']).toBe('proj_1');
    expect(a.headers['openai-project']).toBeUndefined();
  });

  it('reads keys and base URL from the environment', async () => {
    const kit = fixtureKit('', {
      baseUrl: undefined,
      credentials: undefined,
      env: {
        OPENAI_API_KEY: 'sk-env-project-key-0123456789',
        OPENAI_BASE_URL: srv.baseUrl,
        OPENAI_ORG_ID: 'org-env',
        OPENAI_PROJECT_ID: 'proj-env',
      },
    });
    await kit.callTool('models_list', {});
    expect(srv.requests[0]!.headers.authorization).toBe('Bearer sk-env-project-key-0123456789');
    expect(srv.requests[0]!.headers['openai-organization']).toBe('org-env');
    expect(srv.requests[0]!.headers['openai-project']).toBe('proj-env');
  });
});

describe('json bodies', () => {
  it('sends only what the caller gave (no stream:false), and refuses a request for streaming', async () => {
    const kit = fixtureKit(srv.baseUrl);
    const ok = await kit.callTool('chat_completions_create', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(ok.isError).toBeFalsy();
    expect(JSON.parse(srv.requests[0]!.body.toString())).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(srv.requests[0]!.headers['content-type']).toBe('application/json');

    const stray = await kit.callTool('chat_completions_create', { model: 'gpt-4o', messages: [], stream: true });
    expect(stray.isError).toBe(true);
    expect(srv.requests).toHaveLength(1);
  });

  it('refuses streaming inside a body passed whole, naming the field, with no request', async () => {
    const base = fixtureCatalog.tools.find((t) => t.name === 'conversation_items_create')!;
    const tool: ToolDef = {
      ...base,
      name: 'whole_body_create',
      inputSchema: { type: 'object', properties: { body: { type: 'object' } }, required: ['body'] },
      http: { ...base.http, streamField: 'stream' },
    };
    const kit = fixtureKit(srv.baseUrl, { catalog: { ...fixtureCatalog, tools: [tool] } });
    const r = await kit.callTool('whole_body_create', { body: { input: 'hi', stream: true } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('body.stream');
    expect(srv.requests).toHaveLength(0);
    // What the caller sent, and only that, when it does not ask for streaming.
    const ok = await kit.callTool('whole_body_create', { body: { input: 'hi' } });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    expect(JSON.parse(srv.requests[0]!.body.toString())).toEqual({ input: 'hi' });
  });

  it('sends the body argument as-is in wrapped mode', async () => {
    const kit = fixtureKit(srv.baseUrl);
    await kit.callTool('conversation_items_create', { body: [{ type: 'message' }] });
    expect(JSON.parse(srv.requests[0]!.body.toString())).toEqual([{ type: 'message' }]);
  });

  it('sends no body for a POST without body binding', async () => {
    const kit = fixtureKit(srv.baseUrl);
    await kit.callTool('fine_tuning_jobs_cancel', { fine_tuning_job_id: 'ftjob-1' });
    expect(srv.requests[0]!.path).toBe('/v1/fine_tuning/jobs/ftjob-1/cancel');
    expect(srv.requests[0]!.body.length).toBe(0);
  });
});
