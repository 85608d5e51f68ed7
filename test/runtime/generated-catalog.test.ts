// The runtime against the real generated catalog and validation bundle. Tools are found by verb + path so the
// tests survive tool renames in the generator.

import { readPage } from '../../runtime/contract/pages.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import {
  callOpenAiTool,
  createOpenAiMcpServer,
  createOpenAiToolkit,
  listOpenAiTools,
  registerOpenAiTools,
  type Catalog,
  type ToolDef,
} from '../../runtime/index.js';
import { ArgumentValidator, loadGeneratedValidation } from '../../runtime/validation.js';
import { ADMIN_KEY, json, parseMultipart, PROJECT_KEY, useCaptureServer, textOf } from './helpers.js';

const catalog = catalogJson as unknown as Catalog;
const find = (verb: string, path: string): ToolDef => {
  const t = catalog.tools.find((x) => x.http.verb === verb && x.http.path === path);
  if (!t) throw new Error(`generated catalog has no ${verb} ${path}`);
  return t;
};

const srv = useCaptureServer((_q, res) => json(res, 200, { id: 'ok' }));

const base = () => ({ baseUrl: srv.baseUrl, env: {}, credentials: { apiKey: PROJECT_KEY, adminKey: ADMIN_KEY } });

describe('generated catalog', () => {
  it('every tool passes the SDK Client strict tools/list validation (low-level Server and McpServer)', async () => {
    for (const server of [
      createOpenAiMcpServer(base()),
      (() => {
        const s = new McpServer({ name: 't', version: '0' });
        registerOpenAiTools(s, base());
        return s;
      })(),
    ]) {
      const [a, b] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: 't', version: '0' });
      await Promise.all([server.connect(b), client.connect(a)]);
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(catalog.tools.length);
      await client.close();
    }
  });

  it('every full validation schema compiles (no fallback to the compact schema)', async () => {
    const validator = new ArgumentValidator(loadGeneratedValidation);
    for (const t of catalog.tools) {
      const issues = await validator.validate(t, {});
      const required = (t.inputSchema.required as string[] | undefined) ?? [];
      if (required.length)
        expect(
          issues.map((i) => i.path),
          t.name,
        ).toContain(required[0]);
    }
    expect([...validator.fallbacks]).toEqual([]);
  });

  it('empty arguments to a tool with required ones never reach the wire', async () => {
    const kit = createOpenAiToolkit(base());
    for (const t of catalog.tools) {
      const required = (t.inputSchema.required as string[] | undefined) ?? [];
      if (!required.length) continue;
      const r = await kit.callTool(t.name, {});
      expect(r.isError, t.name).toBe(true);
      expect(textOf(r), t.name).toContain(`${required[0]}: is required`);
    }
    expect(srv.requests).toHaveLength(0);
  });

  it('filters work on real methods and tags', () => {
    const reads = listOpenAiTools({ ...base(), methods: ['read'] });
    expect(reads.length).toBe(catalog.tools.filter((t) => t.access === 'read').length);
    expect(reads.every((t) => t.annotations?.readOnlyHint)).toBe(true);
    const cancels = listOpenAiTools({ ...base(), methods: ['cancel'], tags: ['fine-tuning'] });
    expect(cancels.map((t) => t.name)).toEqual([find('POST', '/fine_tuning/jobs/{fine_tuning_job_id}/cancel').name]);
    expect(() => listOpenAiTools({ methods: ['nope'] })).toThrow(/Valid methods: .*cancel/);
  });

  it('a real fine-tuning job create is validated against the full schema', async () => {
    const tool = find('POST', '/fine_tuning/jobs');
    const r = await callOpenAiTool(
      tool.name,
      { model: 'gpt-4o-mini', training_file: 'file-1', hyperparameters: { n_epochs: 'many' } },
      base(),
    );
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('hyperparameters.n_epochs');
    expect(srv.requests).toHaveLength(0);

    const ok = await callOpenAiTool(
      tool.name,
      { model: 'gpt-4o-mini', training_file: 'file-1', hyperparameters: { n_epochs: 3 } },
      base(),
    );
    expect(ok.isError).toBeFalsy();
    expect(JSON.parse(srv.requests[0]!.body.toString())).toMatchObject({ hyperparameters: { n_epochs: 3 } });
  });

  it('a real file upload goes out as multipart with the purpose field', async () => {
    const tool = find('POST', '/files');
    // A valid batch line: batch files are checked before upload (test/runtime/precheck.test.ts).
    const line = JSON.stringify({
      custom_id: 'r1',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [] },
    });
    const r = await callOpenAiTool(
      tool.name,
      { file: { content: line, filename: 'a.jsonl' }, purpose: 'batch' },
      base(),
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    const form = await parseMultipart(srv.requests[0]!);
    expect(form.get('purpose')).toBe('batch');
    expect((form.get('file') as File).name).toBe('a.jsonl');
  });

  it('a real transcription sends no stream field (as openai-node) and bracketed arrays', async () => {
    const tool = find('POST', '/audio/transcriptions');
    const r = await callOpenAiTool(
      tool.name,
      {
        file: { content: 'AAAA', encoding: 'base64', filename: 'a.wav' },
        model: 'gpt-4o-transcribe',
        timestamp_granularities: ['word'],
      },
      base(),
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    const form = await parseMultipart(srv.requests[0]!);
    // Only what the caller sent: streaming stays off because `stream` is hidden and refused, not because false is sent.
    expect(form.get('stream')).toBeNull();
    expect(form.getAll('timestamp_granularities[]')).toEqual(['word']);
  });

  it('a response is never fetched as a stream: `stream` is refused, not sent, and the plain GET works', async () => {
    const get = find('GET', '/responses/{response_id}');
    const refused = await callOpenAiTool(get.name, { response_id: 'resp_1', stream: true, starting_after: 3 }, base());
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/stream/);
    expect(srv.requests).toHaveLength(0);
    const r = await callOpenAiTool(
      get.name,
      { response_id: 'resp_1', include: ['reasoning.encrypted_content'] },
      base(),
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(srv.requests[0]!.path).toBe('/v1/responses/resp_1');
    expect([...srv.requests[0]!.query.keys()]).toEqual(['include[]']);
  });

  it('a real path parameter cannot escape its segment, and a real usage tool uses the admin key', async () => {
    const get = find('GET', '/files/{file_id}');
    await callOpenAiTool(get.name, { file_id: '../organization/admin_api_keys' }, base());
    expect(srv.requests[0]!.path).toBe('/v1/files/..%2Forganization%2Fadmin_api_keys');
    expect(srv.requests[0]!.headers.authorization).toBe(`Bearer ${PROJECT_KEY}`);

    const usage = find('GET', '/organization/usage/completions');
    expect(usage.usageBuckets).toBe(true);
    srv.respond((_q, res) =>
      json(res, 200, {
        object: 'page',
        has_more: false,
        next_page: null,
        data: [
          {
            object: 'bucket',
            start_time: 0,
            end_time: 86400,
            results: [
              { object: 'r', input_tokens: 3 },
              { object: 'r', input_tokens: 4 },
            ],
          },
        ],
      }),
    );
    const r = await callOpenAiTool(usage.name, { start_time: 0, group_by: ['model'] }, base());
    expect(srv.requests[1]!.headers.authorization).toBe(`Bearer ${ADMIN_KEY}`);
    expect(srv.requests[1]!.query.getAll('group_by[]')).toEqual(['model']);
    expect(r.structuredContent).toMatchObject({ totals: { input_tokens: 7 } });
    expect(readPage(r.structuredContent)).toMatchObject({ cursor: null, more: false });
  });

  it('a hidden real tool answers like an unknown one', async () => {
    const del = find('DELETE', '/files/{file_id}');
    const hidden = await callOpenAiTool(del.name, { file_id: 'f' }, { ...base(), methods: ['read'] });
    const missing = await callOpenAiTool('no_such_tool', {}, { ...base(), methods: ['read'] });
    expect(textOf(hidden).replace(del.name, 'X')).toBe(textOf(missing).replace('no_such_tool', 'X'));
    expect(srv.requests).toHaveLength(0);
  });
});
