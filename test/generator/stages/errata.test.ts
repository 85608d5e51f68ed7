// Spec errata (specs/overrides.yaml `errata`): checked as data, applied to the document before anything reads it,
// and a warning where a spec version no longer needs one. The real errata are checked on the wire against the
// official openai package in test/runtime/errata-wire.test.ts.
import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../../generator/load/document.js';
import { applyErrata } from '../../../generator/load/errata.js';
import { OverridesError } from '../../../generator/errors.js';
import { loadOverrides, parseOverrides } from '../../../generator/load/overrides.js';
import { buildCatalog } from '../../../generator/pipeline.js';
import manifest from '../../../generated/manifest.json' with { type: 'json' };

const EVIDENCE = 'openai-node posts elsewhere (src/resources/things.ts).';

function doc(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{thing_id}': {
        parameters: [{ name: 'thing_id', in: 'path', required: true, schema: { type: 'string' } }],
        get: { operationId: 'getThing', responses: { '200': { description: 'ok' } } },
        post: { operationId: 'cancelThing', responses: { '200': { description: 'ok' } } },
      },
      '/things': {
        get: {
          operationId: 'listThings',
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
          responses: { '200': { description: 'ok' } },
        },
        post: {
          operationId: 'createThing',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingRequest' } } },
          },
          responses: { '200': { description: 'ok' } },
        },
      },
    },
    components: {
      schemas: {
        ThingRequest: {
          type: 'object',
          properties: { secret: { type: 'object', properties: { value: { type: 'string' } } } },
          required: ['secret'],
        },
      },
    },
  } as OpenApiDocument;
}

const errata = (yaml: string) => parseOverrides(`errata:\n${yaml}`, 'o.yaml').errata;

describe('errata as data', () => {
  it('need evidence and something to fix, and refuse unknown keys with their line', () => {
    expect(() => parseOverrides('errata:\n  x:\n    path: /a\n', 'o.yaml')).toThrow(
      /o\.yaml:3:5: .*at errata\.x\.evidence/,
    );
    expect(() => parseOverrides(`errata:\n  x:\n    evidence: ${EVIDENCE}\n`, 'o.yaml')).toThrow(
      /an erratum fixes something/,
    );
    expect(() => parseOverrides(`errata:\n  x:\n    evidence: ${EVIDENCE}\n    pth: /a\n`, 'o.yaml')).toThrow(
      OverridesError,
    );
    expect(() => parseOverrides(`errata:\n  x:\n    evidence: ${EVIDENCE}\n    method: fetch\n`, 'o.yaml')).toThrow(
      /o\.yaml:4:13/,
    );
  });

  it('every erratum in specs/overrides.yaml applies to the pinned spec without a warning', () => {
    const ov = loadOverrides();
    expect([...ov.errata.keys()].sort()).toEqual([
      'cancelEvalRun',
      'create-project-service-account',
      'create-realtime-session',
      'usage-costs',
    ]);
    // generated/ is what the pinned spec gives (`npm run generate -- --check` in CI).
    expect(manifest.warnings.filter((w: string) => w.startsWith('erratum'))).toEqual([]);
  });
});

describe('applyErrata', () => {
  it('moves an operation to its real path, taking the path item parameters along, and leaves the input alone', () => {
    const source = doc();
    const before = JSON.stringify(source);
    const { doc: out, warnings } = applyErrata(
      source,
      errata(`  cancelThing:\n    evidence: ${EVIDENCE}\n    path: /things/{thing_id}/cancel\n`),
    );
    expect(warnings).toEqual([]);
    expect(JSON.stringify(source)).toBe(before);
    const paths = out.paths as Record<string, Record<string, { operationId?: string; parameters?: unknown[] }>>;
    expect(paths['/things/{thing_id}']?.post).toBeUndefined();
    expect(paths['/things/{thing_id}']?.get?.operationId).toBe('getThing');
    expect(paths['/things/{thing_id}/cancel']?.post?.operationId).toBe('cancelThing');
    expect(paths['/things/{thing_id}/cancel']?.post?.parameters).toEqual([
      { name: 'thing_id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('adds parameters and body fields, drops a requirement, and copies the component instead of editing it', () => {
    const source = doc();
    const { doc: out, warnings } = applyErrata(
      source,
      errata(
        `  listThings:\n    evidence: ${EVIDENCE}\n    addParameters:\n      - { name: kind, in: query, schema: { type: string } }\n` +
          `  createThing:\n    evidence: ${EVIDENCE}\n    dropBodyRequired: [secret]\n    bodyProperties:\n      model: { type: string }\n      secret: { type: object, properties: { ttl: { type: integer } } }\n`,
      ),
    );
    expect(warnings).toEqual([]);
    const paths = out.paths as Record<string, Record<string, any>>;
    expect(paths['/things']?.get.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'kind']);
    const schema = paths['/things']?.post.requestBody.content['application/json'].schema;
    expect(schema.required).toBeUndefined();
    expect(Object.keys(schema.properties)).toEqual(['secret', 'model']);
    expect(schema.properties.secret.properties).toEqual({ ttl: { type: 'integer' } });
    expect((source.components as any).schemas.ThingRequest.required).toEqual(['secret']);
  });

  it('says which errata a spec version no longer needs or cannot apply', () => {
    const { warnings } = applyErrata(
      doc(),
      errata(
        `  getThing:\n    evidence: ${EVIDENCE}\n    path: /things/{thing_id}\n` +
          `  listThings:\n    evidence: ${EVIDENCE}\n    addParameters:\n      - { name: limit, in: query, schema: { type: integer } }\n` +
          `  goneThing:\n    evidence: ${EVIDENCE}\n    method: post\n`,
      ),
    );
    expect(warnings).toEqual([
      'erratum getThing: the spec already has path /things/{thing_id}; the erratum can go',
      'erratum listThings: the spec already has query parameter limit; that part can go',
      'erratum goneThing: no such operation in this spec version; not applied',
    ]);
  });

  it('refuses to move an operation onto another one', () => {
    expect(() => applyErrata(doc(), errata(`  cancelThing:\n    evidence: ${EVIDENCE}\n    path: /things\n`))).toThrow(
      /POST \/things is already another operation/,
    );
  });

  it('reach the catalog: the tool posts to the corrected path and lists the added arguments', async () => {
    const ov = parseOverrides(
      `errata:\n  cancelThing:\n    evidence: ${EVIDENCE}\n    path: /things/{thing_id}/cancel\n` +
        `  createThing:\n    evidence: ${EVIDENCE}\n    dropBodyRequired: [secret]\n    bodyProperties:\n      model: { type: string }\n`,
      'o.yaml',
    );
    const built = await buildCatalog(doc(), { sha256: 'x', overrides: ov });
    const byOp = (id: string) => built.catalog.tools.find((t) => t.operationId === id);
    expect(byOp('cancelThing')?.http).toMatchObject({ verb: 'POST', path: '/things/{thing_id}/cancel' });
    expect(Object.keys(byOp('createThing')?.inputSchema.properties as object)).toEqual(['secret', 'model']);
    expect(byOp('createThing')?.inputSchema.required).toBeUndefined();
  });
});
