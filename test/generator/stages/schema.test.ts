// schema and normalize: the compact view the model sees, the full schema the runtime validates, on fixtures
// and on table rows of the spellings OpenAPI 3.0 and 3.1 documents use.
import { describe, expect, it } from 'vitest';
import { normalizeForValidation, reachableDefs } from '../../../generator/load/normalize.js';
import { buildToolSchemas } from '../../../generator/stages/schema.js';
import { oneLine } from '../../../generator/util.js';
import { fixtureOverrides, loadFixture } from '../../helpers/fixtures.js';

describe('oneLine', () => {
  it.each([
    [
      'The default system instructions (i.e. system message) prepended to model calls. More text.',
      'The default system instructions (i.e. system message) prepended to model calls.',
    ],
    [
      'Transparent areas (e.g. where alpha is zero) show the mask. Then more.',
      'Transparent areas (e.g. where alpha is zero) show the mask.',
    ],
    ['Sizes, colours etc. are kept. Next.', 'Sizes, colours etc. are kept.'],
    ['Retrieve a single organization API key', 'Retrieve a single organization API key'],
    ['Short. A second sentence that is longer.', 'Short. A second sentence that is longer.'],
  ])('%j', (text, expected) => {
    expect(oneLine(text, 200)).toBe(expected);
  });
});

describe('normalizeForValidation', () => {
  it.each([
    ['3.0 nullable type', { type: 'string', nullable: true }, true, { type: ['string', 'null'] }],
    [
      '3.0 nullable enum',
      { type: 'string', enum: ['a'], nullable: true },
      true,
      { type: ['string', 'null'], enum: ['a', null] },
    ],
    [
      'nullable $ref',
      { $ref: '#/components/schemas/X', nullable: true },
      true,
      { anyOf: [{ $ref: 'openai-defs#/$defs/X' }, { type: 'null' }] },
    ],
    [
      'allOf [$ref, {nullable}]',
      { allOf: [{ $ref: '#/components/schemas/X' }, { nullable: true }] },
      true,
      { anyOf: [{ $ref: 'openai-defs#/$defs/X' }, { type: 'null' }] },
    ],
    ['nullable: false', { type: 'string', nullable: false }, true, { type: 'string' }],
    [
      '3.0 boolean exclusiveMinimum',
      { type: 'number', minimum: 0, exclusiveMinimum: true },
      true,
      { type: 'number', exclusiveMinimum: 0 },
    ],
    [
      '3.0 exclusiveMaximum: false',
      { type: 'number', maximum: 9, exclusiveMaximum: false },
      true,
      { type: 'number', maximum: 9 },
    ],
    [
      '3.1 numeric exclusiveMinimum kept',
      { type: 'number', exclusiveMinimum: 0 },
      false,
      { type: 'number', exclusiveMinimum: 0 },
    ],
    ['nullable in a 3.1 document', { type: 'integer', nullable: true }, false, { type: ['integer', 'null'] }],
    [
      'oneOf means anyOf (OpenAI writes it for shapes that overlap)',
      { oneOf: [{ type: 'string' }, { type: 'object' }] },
      false,
      { anyOf: [{ type: 'string' }, { type: 'object' }] },
    ],
    [
      'oneOf beside anyOf: both still hold',
      { anyOf: [{ type: 'string' }], oneOf: [{ minLength: 1 }, { maxLength: 9 }] },
      false,
      { anyOf: [{ type: 'string' }], allOf: [{ anyOf: [{ minLength: 1 }, { maxLength: 9 }] }] },
    ],
    [
      'annotations dropped',
      { type: 'string', description: 'd', example: 'e', title: 't', 'x-oai': 1, deprecated: true },
      false,
      { type: 'string' },
    ],
    ['formats: only checkable ones', { type: 'string', format: 'binary' }, false, { type: 'string' }],
    [
      'formats: date-time kept',
      { type: 'string', format: 'date-time' },
      false,
      { type: 'string', format: 'date-time' },
    ],
    ['required names once each', { required: ['a', 'b', 'a'] }, false, { required: ['a', 'b'] }],
    [
      'data is not schema',
      { enum: [{ nullable: true }], default: { description: 'x' } },
      false,
      { enum: [{ nullable: true }], default: { description: 'x' } },
    ],
    [
      'property names are not keywords',
      { properties: { description: { type: 'string' }, nullable: { type: 'boolean' } } },
      false,
      { properties: { description: { type: 'string' }, nullable: { type: 'boolean' } } },
    ],
  ])('%s', (_label, input, openapi30, expected) => {
    expect(normalizeForValidation(input, openapi30)).toEqual(expected);
  });

  it('keeps a property named __proto__ as a property', () => {
    const out = normalizeForValidation(
      JSON.parse('{"properties": {"__proto__": {"type": "string", "description": "x"}}}'),
      false,
    ) as {
      properties: object;
    };
    expect(Object.keys(out.properties)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"properties":{"__proto__":{"type":"string"}}}');
  });

  it('finds the components a schema reaches, through other components', () => {
    const defs = new Map([
      ['A', { $ref: 'openai-defs#/$defs/B' }],
      ['B', { items: { $ref: 'openai-defs#/$defs/A' } }],
      ['C', { type: 'string' }],
    ]);
    expect([...reachableDefs([{ properties: { a: { $ref: 'openai-defs#/$defs/A' } } }], defs)].sort()).toEqual([
      'A',
      'B',
    ]);
  });
});

describe('buildToolSchemas on fixtures', () => {
  it('3.0 nullable fields: the model sees the type, the validator allows null', async () => {
    const fx = await loadFixture('nullable-30');
    const s = buildToolSchemas(fx.spec, fx.op('createJob'), { nestedDepth: 1 });
    expect(s.inputSchema.properties).toMatchObject({
      suffix: { type: 'string' },
      mode: { type: 'string', enum: ['fast', 'slow'] },
    });
    expect(s.validation.properties).toMatchObject({
      suffix: { type: ['string', 'null'] },
      seed: { anyOf: [{ $ref: 'openai-defs#/$defs/Seed' }, { type: 'null' }] },
      temperature: { type: 'number', exclusiveMinimum: 0, maximum: 2 },
    });
    expect(s.inputSchema.required).toEqual(['model']);
  });

  it.each([
    ['deepObject', 'deepObject'],
    ['form', undefined],
    [undefined, undefined],
  ] as const)(
    'object query parameter without a style, encoding %s: binding style %s; a spec style always wins',
    async (knob, expected) => {
      const fx = await loadFixture('query-objects');
      const { params } = buildToolSchemas(fx.spec, fx.op('listEvents'), { nestedDepth: 1, queryObjectStyle: knob });
      const byWire = new Map(params.map((p) => [p.wire, p]));
      expect(byWire.get('created')?.style).toBe(expected);
      expect(byWire.get('metadata')?.style).toBe(expected);
      expect(byWire.get('labels')).toMatchObject({ style: 'form', explode: true });
      expect(byWire.get('status')?.style).toBeUndefined();
    },
  );

  it('streaming-only query parameters are hidden where the spec describes them as streaming, nowhere else', async () => {
    const fx = await loadFixture('query-objects');
    const streamQueryParams = fixtureOverrides().streamQueryParams;
    expect(streamQueryParams).toEqual(['stream', 'starting_after', 'include_obfuscation']);
    const get = buildToolSchemas(fx.spec, fx.op('getResponse'), { nestedDepth: 1, streamQueryParams });
    expect(get.params.map((p) => p.wire)).toEqual(['response_id', 'include']);
    expect(Object.keys(get.inputSchema.properties as object)).toEqual(['response_id', 'include']);
    expect(Object.keys(get.validation.properties as object)).toEqual(['response_id', 'include']);
    // The same names as a log's name and a page cursor stay.
    const logs = buildToolSchemas(fx.spec, fx.op('listLogs'), { nestedDepth: 1, streamQueryParams });
    expect(logs.params.map((p) => p.wire)).toEqual(['stream', 'starting_after']);
    // Without the list nothing is hidden: the rule is data, not a name the generator knows.
    const unlisted = buildToolSchemas(fx.spec, fx.op('getResponse'), { nestedDepth: 1 });
    expect(unlisted.params.map((p) => p.wire)).toEqual([
      'response_id',
      'include',
      'stream',
      'starting_after',
      'include_obfuscation',
    ]);
  });

  it('recursive schemas end: nested objects are summarized, the validator refers to $defs', async () => {
    const fx = await loadFixture('recursive-refs');
    const s = buildToolSchemas(fx.spec, fx.op('createFilter'), { nestedDepth: 1 });
    expect(s.inputSchema.properties).toEqual({
      filter: {
        type: 'object',
        properties: { key: { type: 'string' }, and: { type: 'array', items: { type: 'object' } } },
      },
      tree: {
        type: 'object',
        properties: { value: { type: 'string' }, children: { type: 'array', items: { type: 'object' } } },
      },
    });
    expect(s.validation.properties).toEqual({
      filter: { $ref: 'openai-defs#/$defs/Filter' },
      tree: { $ref: 'openai-defs#/$defs/Node' },
    });
  });

  it.each([
    [0, { type: 'object' }],
    [1, { type: 'object', properties: { key: { type: 'string' }, and: { type: 'array', items: { type: 'object' } } } }],
  ])('nestedDepth %i', async (nestedDepth, filter) => {
    const fx = await loadFixture('recursive-refs');
    expect(buildToolSchemas(fx.spec, fx.op('createFilter'), { nestedDepth }).inputSchema.properties).toMatchObject({
      filter,
    });
  });

  it('multipart: file arguments one, many or either; the stream switch hidden', async () => {
    const fx = await loadFixture('multipart');
    const s = buildToolSchemas(fx.spec, fx.op('createFile'), { nestedDepth: 1 });
    const props = s.inputSchema.properties as Record<
      string,
      { type?: string; anyOf?: unknown[]; description?: string }
    >;
    expect(Object.keys(props)).toEqual(['file', 'extra', 'either', 'purpose']);
    expect([props.file?.type, props.extra?.type, props.either?.anyOf?.length]).toEqual(['object', 'array', 2]);
    expect(props.file?.description).toMatch(/^The file to upload\. A file: \{content, encoding/);
    expect(s.body).toEqual({
      contentType: 'multipart/form-data',
      mode: 'fields',
      fields: { file: 'file', extra: 'extra', either: 'either', purpose: 'purpose' },
      fileFields: ['file', 'extra', 'either'],
      required: true,
    });
    expect(s.streamField).toBe('stream');
  });

  it('hostile names: arguments and wire names as the spec has them (leading underscores dropped from the argument)', async () => {
    const fx = await loadFixture('hostile-names');
    const s = buildToolSchemas(fx.spec, fx.op('constructor'), { nestedDepth: 1 });
    expect(s.params.map((p) => [p.arg, p.wire])).toEqual([
      ['proto', '__proto__'],
      ['constructor', 'constructor'],
      ['toString', 'toString'],
      ['hasOwnProperty', 'hasOwnProperty'],
    ]);
  });
});
