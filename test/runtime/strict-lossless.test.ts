// The strict-convertible listing loses nothing. Each logical call goes two ways to a capture server on loopback:
//  - through the official `openai` package (7.60), as an application would send it;
//  - through the real `@openai/agents` 0.20 conversion (`convertSchemasToStrict`): the tool is converted, the call is
//    written the way a model bound by the strict schema must write it (open objects as JSON text, every property
//    present, `null` for what it leaves out; checked against the converted schema), then invoked, which reaches the
//    toolkit as an MCP `tools/call` would.
// The two requests must be the same: method, path, query, beta header, and the body (JSON, or multipart fields and files).
import { mcpToFunctionTool, RunContext } from '@openai/agents-core';
import Ajv2020 from 'ajv/dist/2020.js';
import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { createOpenAiToolkit } from '../../runtime/index.js';
import { type Captured, json, parseMultipart, useCaptureServer } from '../helpers/capture-server.js';

const srv = useCaptureServer((_req, res) => json(res, 200, { id: 'obj_1', object: 'thing' }));
type Schema = Record<string, unknown>;
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: true });
const valid = (schema: Schema, value: unknown) => ajv.validate(schema, value) as boolean;

/** What a model held to the converted strict schema sends for the logical `value`. */
function asStrictModel(schema: Schema, value: unknown): unknown {
  if (Array.isArray(schema.anyOf)) {
    // The branch that takes the value as it is, else one that takes it as JSON text.
    const branches = schema.anyOf as Schema[];
    for (const asText of [false, true]) {
      for (const b of branches) {
        if (asText !== (b.type === 'string' && isObj(value))) continue;
        try {
          const candidate = asStrictModel(b, value);
          if (valid(b, candidate)) return candidate;
        } catch {}
      }
    }
    throw new Error(`no branch for ${JSON.stringify(value)} in ${JSON.stringify(schema)}`);
  }
  if (schema.type === 'string' && isObj(value)) return JSON.stringify(value);
  if (schema.type === 'array' && Array.isArray(value) && isObj(schema.items))
    return value.map((v) => asStrictModel(schema.items as Schema, v));
  if (schema.type === 'object' && isObj(schema.properties) && isObj(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(schema.properties as Record<string, Schema>))
      out[k] = k in value ? asStrictModel(sub, value[k]) : null;
    return out;
  }
  return value;
}

async function wire(c: Captured) {
  const type = String(c.headers['content-type'] ?? '');
  let body: unknown;
  if (type.startsWith('multipart/form-data')) {
    const form = await parseMultipart(c);
    const fields: unknown[] = [];
    for (const [name, v] of form.entries())
      fields.push(typeof v === 'string' ? [name, v] : [name, { filename: v.name, type: v.type, text: await v.text() }]);
    body = fields.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  } else body = c.body.length ? JSON.parse(c.body.toString()) : undefined;
  return { method: c.method, path: c.path, query: c.query.toString(), beta: c.headers['openai-beta'], body };
}

const kit = () => createOpenAiToolkit({ env: { OPENAI_API_KEY: 'sk-test-lossless' }, baseUrl: srv.baseUrl });

/** The request the toolkit sends when the strict-converted tool is called with `logical`. */
async function viaStrictAgentsTool(toolName: string, logical: Record<string, unknown>) {
  const toolkit = kit();
  const listed = toolkit.listTools().find((t) => t.name === toolName);
  if (!listed) throw new Error(`no tool ${toolName}`);
  const results: unknown[] = [];
  const server = {
    name: 'openai',
    callTool: async (name: string, args: Record<string, unknown>) => {
      const r = await toolkit.callTool(name, args);
      results.push(r);
      return r.content;
    },
  };
  const fn = mcpToFunctionTool({ ...listed, description: listed.description ?? '' } as never, server as never, true);
  expect(fn.strict, `${toolName} converts to a strict tool`).toBe(true);
  const params = (fn as unknown as { parameters: Schema }).parameters;
  const modelArgs = asStrictModel(params, logical);
  expect(valid(params, modelArgs), JSON.stringify(ajv.errors)).toBe(true);
  const before = srv.requests.length;
  await fn.invoke(new RunContext(), JSON.stringify(modelArgs));
  expect(srv.requests.length, JSON.stringify(results)).toBe(before + 1);
  return { request: await wire(srv.requests.at(-1)!), modelArgs };
}

async function viaOpenAiNode(send: (client: OpenAI) => Promise<unknown>) {
  const client = new OpenAI({ apiKey: 'sk-test-lossless', baseURL: srv.baseUrl, maxRetries: 0 });
  const before = srv.requests.length;
  await send(client);
  expect(srv.requests.length).toBe(before + 1);
  return wire(srv.requests.at(-1)!);
}

const metadata = { team: 'billing', 'ticket.id': '42' };
const functionTool = {
  type: 'function' as const,
  name: 'lookup',
  description: 'Look a thing up',
  parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
  strict: true,
};

describe('strict listing is lossless against the official openai package (7.60)', () => {
  it('responses: metadata map, tools[] items, an object tool_choice, summarized objects', async () => {
    const logical = {
      model: 'gpt-5',
      input: [{ role: 'user', content: 'hi' }],
      metadata,
      tools: [functionTool],
      tool_choice: { type: 'function', name: 'lookup' },
      reasoning: { effort: 'low' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: {} } } },
    };
    const ours = await viaStrictAgentsTool('create_a_open_ai_response', logical);
    // Open objects went as JSON text, and came back as objects.
    expect(typeof (ours.modelArgs as Record<string, unknown>).metadata).toBe('string');
    const theirs = await viaOpenAiNode((c) => c.responses.create(logical as never));
    expect(ours.request).toEqual(theirs);
  });

  it('responses: a string tool_choice and a conversation id stay strings', async () => {
    const logical = { model: 'gpt-5', input: 'hello', tool_choice: 'auto', conversation: 'conv_123' };
    const ours = await viaStrictAgentsTool('create_a_open_ai_response', logical);
    const theirs = await viaOpenAiNode((c) => c.responses.create(logical as never));
    expect(ours.request).toEqual(theirs);
  });

  it('vector stores: nested objects and metadata, with the beta header', async () => {
    const logical = {
      name: 'docs',
      metadata,
      expires_after: { anchor: 'last_active_at', days: 7 },
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
    };
    const ours = await viaStrictAgentsTool('create_a_open_ai_vector_store', logical);
    const theirs = await viaOpenAiNode((c) => c.vectorStores.create(logical as never));
    expect(ours.request).toEqual(theirs);
  });

  it('assistants: "auto" response_format beside JSON-text tool resources', async () => {
    const logical = {
      model: 'gpt-4o',
      response_format: 'auto',
      metadata,
      tool_resources: { code_interpreter: { file_ids: ['file_1'] } },
      tools: [{ type: 'code_interpreter' }],
    };
    const ours = await viaStrictAgentsTool('create_a_open_ai_assistant', logical);
    const theirs = await viaOpenAiNode((c) => c.beta.assistants.create(logical as never));
    expect(ours.request).toEqual(theirs);
  });

  it('chat completions: logit_bias map, messages[] items, "none" tool_choice', async () => {
    const logical = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      logit_bias: { '50256': -100 },
      tool_choice: 'none',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
    };
    const ours = await viaStrictAgentsTool('create_a_open_ai_chat_completion', logical);
    const theirs = await viaOpenAiNode((c) => c.chat.completions.create(logical as never));
    expect(ours.request).toEqual(theirs);
  });

  it('moderations: object items listed with their properties beside free text', async () => {
    const logical = {
      model: 'omni-moderation-latest',
      input: [
        { type: 'text', text: '{"not":"parsed"}' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ],
    };
    const ours = await viaStrictAgentsTool('create_a_open_ai_moderation', logical);
    const theirs = await viaOpenAiNode((c) => c.moderations.create(logical as never));
    expect(ours.request).toEqual(theirs);
    const text = { model: 'omni-moderation-latest', input: '{"a": 1}' };
    const oursText = await viaStrictAgentsTool('create_a_open_ai_moderation', text);
    expect(oursText.request).toEqual(await viaOpenAiNode((c) => c.moderations.create(text as never)));
  });

  it('image edit: a file whose optional fields the strict model sends as null (multipart)', async () => {
    const ours = await viaStrictAgentsTool('create_a_open_ai_image_edit', {
      image: { content: 'iVBORw0KGgo=', encoding: 'base64', filename: 'a.png' },
      prompt: 'add a hat',
    });
    expect((ours.modelArgs as { image: Record<string, unknown> }).image.mime_type).toBeNull();
    const theirs = await viaOpenAiNode(async (c) =>
      c.images.edit({
        // The toolkit names a file's type from its name when the caller gives none; so does this caller.
        image: await toFile(Buffer.from('iVBORw0KGgo=', 'base64'), 'a.png', { type: 'image/png' }),
        prompt: 'add a hat',
      }),
    );
    expect(ours.request).toEqual(theirs);
  });

  it('JSON text that is not an object is refused by argument, with no request; the plain object still works', async () => {
    const toolkit = kit();
    const bad = await toolkit.callTool('create_a_open_ai_vector_store', { name: 'x', metadata: '{"team": ' });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.structuredContent)).toContain('"path":"metadata"');
    expect(JSON.stringify(bad.structuredContent)).toContain('not valid JSON');
    const list = await toolkit.callTool('create_a_open_ai_vector_store', { name: 'x', metadata: '{"a": [1]}' });
    expect(list.isError).toBe(true);
    expect(srv.requests).toHaveLength(0);
    const plain = await toolkit.callTool('create_a_open_ai_vector_store', { name: 'x', metadata });
    expect(plain.isError).toBeFalsy();
    expect(JSON.parse(srv.requests.at(-1)!.body.toString())).toEqual({ name: 'x', metadata });
  });
});
