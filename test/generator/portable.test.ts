// The portable pass: what every host accepts, while the full spec schema still decides what is valid.
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import { portableInputSchema } from '../../generator/stages/portable.js';
import { createOpenAiToolkit, listOpenAiTools, type Catalog } from '../../runtime/index.js';
import { checkTool, checkTools } from '../../scripts/host-rules.js';
import { buildFrom, itWithSpecs, SPECS } from '../helpers/specs.js';

const catalog = catalogJson as unknown as Catalog;
const defs = {
  Tokens: { type: 'array', items: { type: 'integer' } },
  Part: { type: 'object', properties: { text: { type: 'string' } } },
  Choice: { oneOf: [{ type: 'string', enum: ['none', 'auto'] }, { $ref: 'openai-defs#/$defs/Part' }] },
};
const full = {
  type: 'object',
  properties: {
    prompt: {
      anyOf: [
        {
          oneOf: [
            { type: 'string' },
            { type: 'array', items: { type: 'string' } },
            { $ref: 'openai-defs#/$defs/Tokens' },
            { type: 'array', items: { $ref: 'openai-defs#/$defs/Tokens' } },
          ],
        },
        { type: 'null' },
      ],
    },
    content: { oneOf: [{ type: 'string' }, { type: 'array', items: { $ref: 'openai-defs#/$defs/Part' } }] },
    choice: { anyOf: [{ $ref: 'openai-defs#/$defs/Choice' }, { type: 'null' }] },
    size: { type: ['integer', 'string'], enum: [256, 512, 'auto'] },
    nested: {
      type: 'object',
      properties: { stop: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
    },
  },
};

describe('portableInputSchema', () => {
  const advertised = {
    type: 'object',
    properties: {
      prompt: { type: ['array', 'string'], default: '<|endoftext|>', description: 'Ends at <|endoftext|>.' },
      content: { type: ['array', 'string'] },
      choice: {},
      size: { type: ['integer', 'string'], enum: [256, 512, 'auto', '<|im_start|>'] },
      nested: { type: 'object', properties: { stop: { type: ['array', 'string'] } } },
      plain: { type: 'array', items: { type: 'string' } },
      file: { type: 'object', properties: { content: { type: 'string' } }, additionalProperties: false },
      labels: { type: 'object', description: 'Labels.', additionalProperties: { type: 'string' } },
    },
    required: ['prompt'],
  };
  const out = portableInputSchema(advertised, full, defs) as any;

  it('splits type arrays into anyOf branches and takes the missing items from the full schema', () => {
    expect(out.properties.prompt.anyOf).toEqual([
      {
        type: 'array',
        items: { anyOf: [{ type: 'array', items: { type: 'integer' } }, { type: 'integer' }, { type: 'string' }] },
      },
      { type: 'string' },
    ]);
    expect(out.properties.content.anyOf).toEqual([{ type: 'array', items: { type: 'object' } }, { type: 'string' }]);
    expect(out.properties.nested.properties.stop.anyOf).toEqual([
      { type: 'array', items: { type: 'string' } },
      { type: 'string' },
    ]);
  });

  it('types a type-less schema from the full schema, through $ref and oneOf', () => {
    expect(out.properties.choice).toEqual({ anyOf: [{ type: 'object' }, { type: 'string' }] });
  });

  it('puts each enum value in the branch of its type and drops special tokens from defaults, enums and descriptions', () => {
    expect(out.properties.size).toEqual({
      anyOf: [
        { type: 'integer', enum: [256, 512] },
        { type: 'string', enum: ['auto'] },
      ],
    });
    expect(out.properties.prompt.default).toBeUndefined();
    expect(out.properties.prompt.description).toBe('Ends at the endoftext token.');
  });

  it("drops additionalProperties (Gemini refuses it), saying a map's value type in words", () => {
    expect(out.properties.file).toEqual({ type: 'object', properties: { content: { type: 'string' } } });
    expect(out.properties.labels).toEqual({ type: 'object', description: 'Labels. Map of string values.' });
  });

  it('leaves portable parts and the root alone', () => {
    expect(out.properties.plain).toEqual(advertised.properties.plain);
    expect(out.type).toBe('object');
    expect(out.required).toEqual(['prompt']);
    // An object|string union (`choice`) is left to the strict pass (generator/strict.ts), which lists it as one
    // string; the whole pipeline's output is checked below ("every generated tool").
    expect(checkTool({ name: 'x', inputSchema: out }).map((f) => `${f.rule} ${f.path}`)).toEqual([
      'object-string-union inputSchema.properties.choice.anyOf',
    ]);
    // and the checker does see what the pass fixed
    expect(
      checkTool({ name: 'x', inputSchema: advertised })
        .map((f) => f.rule)
        .sort(),
    ).toEqual([
      'additional-properties',
      'array-items',
      'array-items',
      'array-items',
      'special-token',
      'special-token',
      'special-token',
      'type-array',
      'type-array',
      'type-array',
      'type-array',
      'untyped',
    ]);
  });
});

/** A toolkit for one tool whose upstream answers `{}` and counts the requests that reached it. */
function countingKit(tool: string) {
  let n = 0;
  const kit = createOpenAiToolkit({
    tools: [tool],
    credentials: { apiKey: 'sk-test' },
    fetch: async () => {
      n++;
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  return { kit, requests: () => n };
}

describe('every generated tool', () => {
  it("meets OpenAI's and Anthropic's tool rules and the portable subset, as tools/list shows it", () => {
    const listed = listOpenAiTools();
    expect(listed).toHaveLength(catalog.tools.length);
    expect(checkTools(listed)).toEqual([]);
  });

  it('gives a tools/list that tokenizers encode in their default (special tokens disallowed) mode', () => {
    const text = JSON.stringify({ tools: listOpenAiTools() });
    expect(() => encode(text)).not.toThrow();
  });

  itWithSpecs('previous', 'v30')(
    'does the same from the older 3.1 and 3.0 specs',
    async () => {
      for (const spec of [SPECS.previous, SPECS.v30]) {
        const built = await buildFrom(spec);
        expect(checkTools(built.catalog.tools)).toEqual([]);
      }
    },
    120_000,
  );

  it('still refuses an unknown key in a file argument, though the advertised schema no longer says so', async () => {
    const { kit, requests } = countingKit('create_a_open_ai_file');
    const file = (catalog.tools.find((t) => t.name === 'create_a_open_ai_file')!.inputSchema.properties as any).file;
    expect(file).not.toHaveProperty('additionalProperties');
    const bad = await kit.callTool('create_a_open_ai_file', {
      purpose: 'assistants',
      file: { content: 'x', filename: 'a.txt', path: '/etc/passwd' },
    });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('file: unknown property `path`');
    expect(requests()).toBe(0);
    const good = await kit.callTool('create_a_open_ai_file', {
      purpose: 'assistants',
      file: { content: 'x', filename: 'a.txt' },
    });
    expect(good.isError).toBeFalsy();
    expect(requests()).toBe(1);
  });

  it('lists a name-or-{id} union as one string and sends either form as the spec has it', async () => {
    // LangChain's adapter turned `voice: {id} | string` into an object, so "alloy" could not be sent.
    expect(
      checkTool({
        name: 'x',
        inputSchema: {
          type: 'object',
          properties: {
            voice: { anyOf: [{ type: 'object', properties: { id: { type: 'string' } } }, { type: 'string' }] },
          },
        },
      }).map((f) => f.rule),
    ).toEqual(['object-string-union']);
    const tool = catalog.tools.find((t) => t.name === 'create_a_open_ai_audio_speech')!;
    expect((tool.inputSchema.properties as any).voice.type).toBe('string');
    expect(tool.argForms?.json).toContain('voice');
    const sent: unknown[] = [];
    const kit = createOpenAiToolkit({
      tools: [tool.name],
      credentials: { apiKey: 'sk-test' },
      fetch: async (_url, init) => {
        sent.push(JSON.parse(String(init?.body)).voice);
        return new Response('x', { status: 200, headers: { 'content-type': 'audio/mpeg' } });
      },
    });
    const base = { model: 'gpt-4o-mini-tts', input: 'hi' };
    expect((await kit.callTool(tool.name, { ...base, voice: 'alloy' })).isError).toBeFalsy();
    expect((await kit.callTool(tool.name, { ...base, voice: '{"id": "voice_123"}' })).isError).toBeFalsy();
    expect((await kit.callTool(tool.name, { ...base, voice: { id: 'voice_456' } })).isError).toBeFalsy();
    expect(sent).toEqual(['alloy', { id: 'voice_123' }, { id: 'voice_456' }]);
    const bad = await kit.callTool(tool.name, { ...base, voice: '{"id": ' });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('voice');
    expect(sent).toHaveLength(3);
  });

  it('still validates arguments against the full spec schema, not the looser advertised one', async () => {
    const tool = catalog.tools.find((t) => t.http.verb === 'POST' && t.http.path === '/completions')!;
    // Advertised: array of (integer | string | integer[]); the spec: string[] | integer[] | integer[][], never mixed.
    const prompt = (tool.inputSchema.properties as any).prompt;
    expect(prompt.anyOf[0].items.anyOf.map((b: { type: string }) => b.type)).toEqual(['array', 'integer', 'string']);
    const { kit, requests } = countingKit(tool.name);
    const bad = await kit.callTool(tool.name, { model: 'gpt-3.5-turbo-instruct', prompt: [1, 'a'] });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('prompt');
    expect(requests()).toBe(0);
    const good = await kit.callTool(tool.name, { model: 'gpt-3.5-turbo-instruct', prompt: [[1, 2], [3]] });
    expect(good.isError).toBeFalsy();
    expect(requests()).toBe(1);
  });
});
