// Defects found by generating every published version of OpenAI's spec (`npm run spec:history`): each one is built
// through with a warning that names its place, and refused under --strict; before the fix, the first was refused as
// "not a valid OpenAPI document" and the second crashed the generator (`text.replace is not a function`).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../generator/cli.js';
import type { SpecError } from '../../generator/errors.js';
import type { Manifest } from '../../generator/pipeline.js';
import type { Catalog } from '../../runtime/types.js';

const spec = path.join(import.meta.dirname, '../fixtures/specs/published-defects.yaml');

describe('defects of published spec versions', () => {
  let dir: string;
  let out: string;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'published-defects-'));
    out = path.join(dir, 'out');
    expect(await generate({ spec, out, log: (l) => lines.push(l) })).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    [
      'a null parameter schema with a Swagger 2 type beside it',
      '#/paths/~1keys/get/parameters/1/schema: null is not a schema; read as the Swagger 2 "type: string" beside it',
    ],
    [
      'a null parameter schema with nothing beside it',
      '#/paths/~1keys/get/parameters/2/schema: null is not a schema; read as any value',
    ],
    [
      'the Swagger 2 field itself',
      '#/paths/~1keys/get/parameters/1: "type" is not allowed here by the OpenAPI schema; ignored',
    ],
    [
      'a $ref to a string',
      '#/paths/~1responses/post/requestBody/content/application~1json/schema/properties/include/description/$ref: #/components/schemas/Includable/description is a string, not an object a $ref can stand for; its value is used in place',
    ],
  ])('%s is a warning naming its place', async (_case, warning) => {
    expect(lines).toContain(`warning: ${warning}`);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.warnings).toContain(warning);
  });

  it('builds both operations with what the defect meant', async () => {
    const catalog = JSON.parse(await readFile(path.join(out, 'catalog.json'), 'utf8')) as Catalog;
    const list = catalog.tools.find((t) => t.operationId === 'listKeys');
    const create = catalog.tools.find((t) => t.operationId === 'createResponse');
    if (!list || !create) throw new Error('both operations are tools');
    const props = list.inputSchema.properties as Record<string, { type?: unknown }>;
    expect(props.after?.type).toBe('string');
    expect(props.before).toBeDefined();
    expect(props.before?.type).toBeUndefined();
    const include = (create.inputSchema.properties as Record<string, { description?: unknown }>).include;
    expect(include?.description).toMatch(/^Additional output data to include/);
  });

  it('--strict refuses them, naming each', async () => {
    const err = (await generate({ spec, out: path.join(dir, 'strict'), strict: true, log: () => {} }).catch(
      (e: unknown) => e,
    )) as SpecError;
    expect(err.code).toBe('SPEC_STRICT');
    expect(err.message).toContain('include/description/$ref: #/components/schemas/Includable/description is a string');
  });
});
