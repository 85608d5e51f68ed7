// Fidelity on other real versions of OpenAI's spec: admin routing where the spec carries no admin scheme, and
// versions that are not quite valid OpenAPI (harmless forbidden keywords) generating with warnings.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generate } from '../../generator/cli.js';
import { SpecError } from '../../generator/errors.js';
import type { Manifest } from '../../generator/pipeline.js';
import { createToolkit } from '../../runtime/toolkit.js';
import type { Catalog } from '../../runtime/types.js';
import { useCaptureServer } from '../helpers/capture-server.js';
import { buildFrom, describeWithSpecs, SPECS } from '../helpers/specs.js';
import { loadSpec } from '../../generator/load/load.js';

const specDescribe = describeWithSpecs('v30');

const ADMIN = 'sk-admin-spec-versions-test';
const PROJECT = 'sk-proj-spec-versions-test';

specDescribe('admin routing on 2025-03-22, whose spec has no AdminApiKeyAuth', () => {
  const srv = useCaptureServer((_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [], has_more: false }));
  });
  let catalog: Catalog;
  beforeAll(async () => {
    catalog = (await buildFrom(SPECS.v30)).catalog;
  });

  it.each([
    ['list_all_open_ai_completions', { start_time: 1_700_000_000 }],
    ['list_all_open_ai_projects', {}],
    ['list_all_open_ai_project_api_keys', { project_id: 'proj_1' }],
  ])('%s is an admin tool and is sent with the admin key', async (name, args) => {
    const tool = catalog.tools.find((t) => t.name === name);
    expect(tool?.http.auth).toBe('admin');
    expect(tool?.tags).toContain('admin');
    expect(tool?.description).toContain('Needs the admin key (OPENAI_ADMIN_KEY).');
    const kit = createToolkit({
      catalog,
      baseUrl: srv.baseUrl,
      env: {},
      credentials: { apiKey: PROJECT, adminKey: ADMIN },
    });
    const r = await kit.callTool(name, args);
    expect(r.isError).toBeFalsy();
    expect(srv.requests.map((q) => q.headers.authorization)).toEqual([`Bearer ${ADMIN}`]);
  });

  it('names only the terminal states this version has (its responses have no "cancelled")', () => {
    const create = catalog.tools.find((t) => t.name === 'create_a_open_ai_response');
    expect(create?.description).toMatch(/ends in completed\|failed\|incomplete\b/);
    expect(create?.description).not.toContain('cancelled');
  });

  it('every /organization/ tool is admin', () => {
    const org = catalog.tools.filter((t) => t.http.path.startsWith('/organization/'));
    expect(org.length).toBeGreaterThan(40);
    expect(org.filter((t) => t.http.auth !== 'admin').map((t) => t.name)).toEqual([]);
  });
});

specDescribe('a spec that is not quite valid OpenAPI', () => {
  let dir: string;
  let spec: string;
  beforeAll(async () => {
    // A copy of a shared 3.0 spec edited to carry the keywords some published versions have.
    const doc = parse(await readFile(SPECS.v30, 'utf8'), { maxAliasCount: -1 });
    const list = doc.components.schemas.ApiKeyList.properties;
    list.object.optional = true;
    list.data.items = { ...list.data.items, min_items: 1, max_items: 3 };
    // Each class of schema-validation failure the model can still be built from: a value the 3.0 schema forbids
    // (`type: "null"` inside an `anyOf`), a keyword value of the wrong type, an unknown format, an unknown field.
    list.has_more = { anyOf: [{ type: 'boolean' }, { type: 'null' }] };
    list.first_id = { type: 'string', maxLength: '64', format: 'weird-id' };
    doc.paths['/organization/admin_api_keys'].get.summry = 'a typo';
    dir = await mkdtemp(path.join(tmpdir(), 'invalid-keywords-'));
    spec = path.join(dir, 'openai-edited.yaml');
    await writeFile(spec, stringify(doc, { aliasDuplicateObjects: false }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('generates, with each violation as a warning in the output and in manifest.json', async () => {
    const out = path.join(dir, 'out');
    const lines: string[] = [];
    expect(await generate({ spec, out, log: (l) => lines.push(l) })).toBe(0);
    const expected = [
      '#/components/schemas/ApiKeyList/properties/object: "optional" is not an OpenAPI 3.0 schema keyword; ignored',
      '#/components/schemas/ApiKeyList/properties/data/items: "min_items" is not an OpenAPI 3.0 schema keyword; ignored',
      '#/components/schemas/ApiKeyList/properties/data/items: "max_items" is not an OpenAPI 3.0 schema keyword; ignored',
    ];
    for (const w of expected) expect(lines).toContain(`warning: ${w}`);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.warnings.slice(0, 3)).toEqual(expected);
    expect(manifest.counts.operations).toBe(126);
    expect(manifest.counts.excluded).toBe(0);
    // Ignored means gone: the validator never sees them.
    expect(await readFile(path.join(out, 'validation.json'), 'utf8')).not.toMatch(/"(optional|min_items|max_items)"/);
  });

  it('turns every schema-validation failure the model can be built from into a warning, whatever the keyword', async () => {
    const out = path.join(dir, 'out-lenient');
    expect(await generate({ spec, out, log: () => {} })).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
    const rest = manifest.warnings.slice(3, 6).sort();
    expect(rest).toEqual([
      '#/components/schemas/ApiKeyList/properties/first_id/maxLength: "64" must be integer; ignored',
      '#/components/schemas/ApiKeyList/properties/has_more/anyOf/1/type: "null" must be equal to one of the allowed values in OpenAPI; kept (valid JSON Schema)',
      '#/paths/~1organization~1admin_api_keys/get: "summry" is not allowed here by the OpenAPI schema; ignored',
    ]);
    // Kept where JSON Schema says the same thing (null allowed), dropped where it cannot be read; the unknown format
    // is no check at all, as for the spec's other formats the validator does not know.
    const loaded = await loadSpec({ spec });
    const list = (loaded.doc.components as Record<string, any>).schemas.ApiKeyList.properties;
    expect(list.has_more.anyOf[1]).toEqual({ type: 'null' });
    expect(list.first_id).toEqual({ type: 'string', format: 'weird-id' });
    expect((loaded.doc.paths as Record<string, any>)['/organization/admin_api_keys'].get.summry).toBeUndefined();
  });

  it('refuses those too under --strict, once the keywords are fixed', async () => {
    const doc = parse(await readFile(spec, 'utf8'), { maxAliasCount: -1 });
    const list = doc.components.schemas.ApiKeyList.properties;
    delete list.object.optional;
    list.data.items = { ...list.data.items, min_items: undefined, max_items: undefined };
    delete list.data.items.min_items;
    delete list.data.items.max_items;
    const values = path.join(dir, 'values.yaml');
    await writeFile(values, stringify(doc, { aliasDuplicateObjects: false }));
    const err = await generate({
      spec: values,
      out: path.join(dir, 'values-strict'),
      strict: true,
      log: () => {},
    }).catch((e: unknown) => e);
    expect((err as SpecError).code).toBe('SPEC_STRICT');
    expect((err as SpecError).message).toContain('first_id/maxLength: "64" must be integer');
  });

  it('fails under --strict, naming each violation', async () => {
    const err = await generate({ spec, out: path.join(dir, 'strict'), strict: true, log: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).code).toBe('SPEC_STRICT');
    expect((err as SpecError).message).toContain(
      'ApiKeyList/properties/object: "optional" is not an OpenAPI 3.0 schema keyword',
    );
  });

  it('still refuses a structural problem', async () => {
    const doc = parse(await readFile(spec, 'utf8'), { maxAliasCount: -1 });
    doc.paths['/organization/admin_api_keys'].get.responses = 'ok';
    const broken = path.join(dir, 'broken.yaml');
    await writeFile(broken, stringify(doc, { aliasDuplicateObjects: false }));
    const err = await generate({ spec: broken, out: path.join(dir, 'broken'), log: () => {} }).catch((e: unknown) => e);
    expect((err as SpecError).code).toBe('SPEC_INVALID');
    expect((err as SpecError).message).toMatch(
      /not a valid OpenAPI document:\n {2}#\/paths\/~1organization~1admin_api_keys\/get\/responses must be object/,
    );
  });
});
