// Small builders for hand-made catalogs and real-spec edits, shared by the drift tests.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Catalog, JsonSchema, ToolDef } from '../../runtime/types.js';
import { SPECS } from '../helpers/specs.js';

// The real pair, from ../shared/specs or the download cache (see test/helpers/specs.ts).
export const OLD_SPEC = SPECS.previous;
export const NEW_SPEC = SPECS.current;
export const REPO = path.resolve(import.meta.dirname, '..', '..');

type ToolOverrides = Partial<Omit<ToolDef, 'http'>> & {
  http?: Partial<ToolDef['http']>;
  props?: Record<string, JsonSchema>;
  required?: string[];
  query?: string[];
};

export function tool(name: string, over: ToolOverrides = {}): ToolDef {
  const { props = {}, required = [], query = [], http, ...rest } = over;
  const verb = http?.verb ?? 'GET';
  const access = rest.access ?? (verb === 'GET' ? 'read' : 'write');
  return {
    name,
    title: name,
    description: `${name} does things.`,
    operationId: name,
    method: 'get',
    access,
    tags: [],
    deprecated: false,
    inputSchema: { type: 'object', properties: props, ...(required.length ? { required } : {}) },
    annotations: {
      title: name,
      readOnlyHint: access === 'read',
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    },
    http: {
      verb,
      path: `/${name}`,
      fixedQuery: {},
      params: query.map((arg) => ({ arg, in: 'query' as const, wire: arg, required: required.includes(arg) })),
      auth: 'project',
      response: 'json',
      responseMediaTypes: ['application/json'],
      ...http,
    },
    schemaHash: '0000000000000000',
    ...rest,
  };
}

export const catalog = (tools: ToolDef[], version = '1.0.0'): Catalog => ({
  spec: { title: 'Test', version, openapi: '3.1.0', sha256: createHash('sha256').update(version).digest('hex') },
  tools,
  excluded: [],
});

let cachedNewDoc: any;
/** The pinned real spec, parsed once per test file; callers get their own copy to edit. */
export function realDoc(): any {
  cachedNewDoc ??= parse(readFileSync(NEW_SPEC, 'utf8'), { maxAliasCount: -1 });
  return structuredClone(cachedNewDoc);
}

/** Keep only some paths: the edits under test touch few operations and a smaller catalog builds much faster. */
export function prune(doc: any, keep: string[]): any {
  doc.paths = Object.fromEntries(Object.entries(doc.paths).filter(([p]) => keep.includes(p)));
  return doc;
}

/** sha256 over a file or every file below a directory (path + bytes), `absent` when missing. */
export function hashTree(target: string): string {
  const h = createHash('sha256');
  if (!existsSync(target)) return 'absent';
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(path.join(p, name));
    } else {
      h.update(path.relative(target, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(target);
  return h.digest('hex');
}
