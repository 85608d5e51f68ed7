// Names that are also Object.prototype members (`__proto__`, `constructor`, `toString`, `hasOwnProperty`) as a
// path parameter, a query parameter, a JSON body field, a multipart field and an operationId: generated from a
// fixture spec, loaded as a catalog, and called over MCP against a capture server that sees the real wire.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../generator/cli.js';
import { repoRoot } from '../../generator/pin.js';
import { createServerForToolkit } from '../../runtime/server.js';
import { createToolkit } from '../../runtime/toolkit.js';
import type { Catalog, ValidationBundle } from '../../runtime/types.js';
import { parseMultipart, useCaptureServer } from '../helpers/capture-server.js';

const SPEC = path.join(repoRoot, 'test', 'fixtures', 'specs', 'hostile-names.yaml');
const srv = useCaptureServer();

let out: string;
let catalog: Catalog;
let client: Client;

beforeAll(async () => {
  // Inside the repo so the generated zod modules resolve `zod` from node_modules.
  out = await mkdtemp(path.join(repoRoot, '.cache', 'hostile-'));
  const code = await generate({ spec: SPEC, out, log: () => {} });
  expect(code).toBe(0);
  catalog = JSON.parse(await readFile(path.join(out, 'catalog.json'), 'utf8')) as Catalog;
  const validation = JSON.parse(await readFile(path.join(out, 'validation.json'), 'utf8')) as ValidationBundle;
  const kit = createToolkit({
    catalog,
    validation,
    baseUrl: srv.baseUrl,
    env: {},
    credentials: { apiKey: 'sk-test-hostile' },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'test', version: '0' });
  await Promise.all([createServerForToolkit(kit).connect(serverSide), client.connect(clientSide)]);
});
afterAll(async () => {
  await client?.close();
  await rm(out, { recursive: true, force: true });
});

const call = async (name: string, args: Record<string, unknown>) => {
  const r = await client.callTool({ name, arguments: args });
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  expect(srv.requests).toHaveLength(1);
  return srv.requests[0]!;
};

describe('hostile names through generate → catalog → call', () => {
  it('keeps every operation, whatever its operationId', () => {
    expect(catalog.tools.map((t) => t.operationId).sort()).toEqual([
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
    ]);
  });

  it('as path parameters', async () => {
    const req = await call('get_single_open_ai_thing_by_id', {
      proto: 'p1',
      constructor: 'c1',
      toString: 't1',
      hasOwnProperty: 'h1',
    });
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/v1/things/p1/c1/t1/h1');
  });

  it('as query parameters, and absent ones stay absent', async () => {
    const req = await call('list_all_open_ai_things', { proto: 'p', constructor: 'c', toString: 3 });
    expect([...req.query.entries()]).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['toString', '3'],
    ]);
  });

  it('as JSON body fields, nested ones included', async () => {
    const req = await call('create_a_open_ai_thing', {
      proto: 'p',
      constructor: 'a',
      toString: 2,
      hasOwnProperty: true,
      // Parsed, as arguments arrive: in a literal, `__proto__:` would set the prototype instead.
      options: JSON.parse('{"__proto__": "nested", "toString": "n"}'),
    });
    const body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'options']);
    expect(Object.getOwnPropertyDescriptor(body, '__proto__')?.value).toBe('p');
    expect(body.constructor).toBe('a');
    expect(Object.keys(body.options as object)).toEqual(['__proto__', 'toString']);
  });

  it('checks them against the full schema before sending', async () => {
    const r = await client.callTool({ name: 'create_a_open_ai_thing', arguments: { constructor: 'z', toString: 0 } });
    expect(r.isError).toBe(true);
    const text = (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
    expect(text).toContain('- constructor: must be one of "a", "b" (got "z")');
    expect(text).toContain('- toString: must be >= 1 (got 0)');
    expect(srv.requests).toHaveLength(0);
  });

  it('as multipart fields', async () => {
    const req = await call('create_a_open_ai_upload', {
      file: { content: 'hello', filename: 'a.txt' },
      proto: 'p',
      constructor: 'c',
      toString: 't',
      hasOwnProperty: 'h',
    });
    const form = await parseMultipart(req);
    expect([...form.keys()]).toEqual(['file', '__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(form.get('__proto__')).toBe('p');
    expect(form.get('hasOwnProperty')).toBe('h');
    expect(await (form.get('file') as File).text()).toBe('hello');
  });

  it('as keys of the generated zod schemas', async () => {
    const mod = (await import(path.join(out, 'zod', 'things.ts'))) as Record<
      string,
      { shape: Record<string, { unwrap(): { shape: object } }> }
    >;
    const options = mod.createAOpenAiThing?.shape.options?.unwrap().shape;
    expect(Object.keys(options ?? {})).toEqual(['__proto__', 'toString']);
  });
});
