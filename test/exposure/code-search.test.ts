// What the client sees in code mode: exactly two tools whose descriptions fit the token budget, and
// search_docs answers quoted from generated/sdk.d.ts, limited to the server's scope.

import { readFile } from 'node:fs/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import { createOpenAiToolkit } from '../../runtime/index.js';
import { fixtureKit } from '../runtime/helpers.js';
import { connect, textOf } from './helpers.js';

let client: Client;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ client, close } = await connect(createCodeExposure(createOpenAiToolkit({ methods: ['read'], env: {} }))));
});
afterAll(() => close());

const search = async (args: Record<string, unknown>, c = client) =>
  (await c.callTool({ name: 'search_docs', arguments: args })) as CallToolResult;

describe('code mode listing', () => {
  it('lists exactly search_docs and execute_code, described in at most 1,500 o200k tokens with a worked example', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['search_docs', 'execute_code']);
    const descriptions = tools.map((t) => t.description ?? '').join('\n');
    expect(encode(descriptions).length).toBeLessThanOrEqual(1_500);
    expect(tools[1]!.description).toContain("openai.paginate('list_all_open_ai_completions'");
    // This server's scope is read-only, so a program cannot write either; a full server says otherwise.
    expect(tools[1]!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    const full = createCodeExposure(createOpenAiToolkit({ env: {} })).listTools();
    expect(full[1]!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });
});

describe("the tool index in execute_code's description", () => {
  const describeFor = (options: Record<string, unknown>) => {
    const tools = createCodeExposure(createOpenAiToolkit({ env: {}, ...options })).listTools();
    return { both: tools.map((t) => t.description ?? '').join('\n'), execute: tools[1]!.description ?? '' };
  };

  it("names the list and get tools of the scope with list tools' required arguments, within the budget for the full catalog", () => {
    const full = describeFor({});
    expect(encode(full.both).length).toBeLessThanOrEqual(1_500);
    const lists = /^- list_all_open_ai_<x>: (.+)$/m.exec(full.execute)![1]!.split(/, (?![^(]*\))/);
    expect(lists).toContain('projects');
    expect(lists).toContain('project_api_keys(project_id)');
    expect(lists).toContain('completions(start_time)');
    expect(/^- get_single_open_ai_<x>_by_id: (.+)$/m.exec(full.execute)![1]!.split(', ')).toContain('project');
    // Writes are counted, not listed: their arguments need search_docs anyway.
    expect(full.execute).toMatch(
      /Also \d+ create_a_open_ai_<x>, \d+ update_a_open_ai_<x>_by_id, \d+ delete_a_open_ai_<x>_by_id, \d+ other actions: find them with search_docs\./,
    );
    // Every list tool of the catalog is named through the convention.
    const catalogLists = createOpenAiToolkit({ env: {} }).tools.filter((t) =>
      t.name.startsWith('list_all_open_ai_'),
    ).length;
    expect(lists.length).toBe(catalogLists);
  });

  it('names only what a scoped server can call', () => {
    const read = describeFor({ methods: ['read'] }).execute;
    expect(read).toContain('projects');
    expect(read).not.toContain('create_a_open_ai_');
    expect(read).not.toContain('delete_a_open_ai_');
    const one = describeFor({ tools: ['list_all_open_ai_projects'] }).execute;
    expect(one).toMatch(/^- list_all_open_ai_<x>: projects$/m);
    expect(one).not.toContain('get_single_open_ai_');
    expect(one).not.toContain('Also ');
  });
});

describe('search_docs', () => {
  it('answers compactly by default: one-line signatures with inline arguments and result types by their top-level fields', async () => {
    const r = await search({ query: 'list projects, completions usage by project, project api keys', limit: 5 });
    expect(r.isError).toBeFalsy();
    const text = textOf(r);
    const names = (r.structuredContent as any).matches.map((m: any) => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'list_all_open_ai_projects',
        'list_all_open_ai_completions',
        'list_all_open_ai_project_api_keys',
      ]),
    );
    // Everything the cost audit program needs: tool names, argument names, and the fields it reads from results.
    expect(text).toContain('openai.list_all_open_ai_project_api_keys(args: { project_id: string; limit?: number;');
    expect(text).toContain('): Promise<ListPage<ProjectApiKey>>;');
    expect(text).toMatch(
      /openai\.list_all_open_ai_completions\(args: \{ start_time: number \| string;[^\n]*group_by\?: Array<'project_id'/,
    );
    expect(text).toMatch(
      /type UsageCompletionsResult = \{[^\n]* input_tokens: number;[^\n]* output_tokens: number;[^\n]* project_id\?: string \| null;/,
    );
    expect(text).toMatch(/type Project = \{ id: string;[^\n]* name\?: string \| null; created_at: number;/);
    expect(text).toMatch(
      /type ProjectApiKey = \{[^\n]* name: string; created_at: number;[^\n]* id: string;[^\n]* owner: \{ … \};/,
    );
    // Shown once per answer although two matches return it; no nested declarations.
    expect(text.split('type ProjectApiKey =').length).toBe(2);
    expect(text).not.toContain('ProjectApiKeyOwnerUser');
    // Far smaller than the full form of the same matches.
    const full = textOf(
      await search({ query: 'list projects, completions usage by project, project api keys', limit: 5, detail: true }),
    );
    expect(encode(text).length * 1.5).toBeLessThan(encode(full).length);
  });

  it('quotes named types in full on request, and says when a name is unknown', async () => {
    const r = await search({ types: ['ProjectApiKeyOwnerUser', 'NoSuchType'] });
    expect(r.isError).toBeFalsy();
    const dts = await readFile(new URL('../../generated/sdk.d.ts', import.meta.url), 'utf8');
    expect(textOf(r)).toContain(
      /\/\*\* The user that owns a project API key\. \*\/\nexport type ProjectApiKeyOwnerUser = \{[\s\S]*?\n\};/.exec(
        dts,
      )![0],
    );
    expect(textOf(r)).toContain('NoSuchType: no such type');
    const bad = await search({ types: 'Project' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('- types:');
  });

  it('quotes the result wrappers every signature uses (ListPage, UsagePage, WaitResult)', async () => {
    const r = await search({ types: ['ListPage', 'UsagePage', 'WaitResult'] });
    expect(r.isError).toBeFalsy();
    for (const name of ['ListPage', 'UsagePage', 'WaitResult'])
      expect(textOf(r)).toContain(`export interface ${name}<`);
    expect(textOf(r)).not.toContain('no such type');
  });

  it('with detail, ranks the matching tool first and quotes its signature and types exactly as generated/sdk.d.ts has them', async () => {
    const r = await search({ query: 'project api keys', limit: 3, detail: true });
    expect(r.isError).toBeFalsy();
    const matches = (r.structuredContent as { matches: Array<{ name: string; doc: string }> }).matches;
    expect(matches[0]!.name).toBe('list_all_open_ai_project_api_keys');
    const dts = await readFile(new URL('../../generated/sdk.d.ts', import.meta.url), 'utf8');
    const text = textOf(r);
    expect(text).toContain(
      'openai.list_all_open_ai_project_api_keys(args: ListAllOpenAiProjectApiKeysArgs): Promise<ListPage<ProjectApiKey>>;',
    );
    expect(dts).toContain(
      '  list_all_open_ai_project_api_keys(args: ListAllOpenAiProjectApiKeysArgs): Promise<ListPage<ProjectApiKey>>;',
    );
    const argsDecl = /export type ListAllOpenAiProjectApiKeysArgs = \{[\s\S]*?\n\};/.exec(dts)![0];
    expect(text).toContain(argsDecl);
    // Each type is quoted once per answer, even when several matches use it.
    expect(text.split('export type ProjectApiKey =').length).toBe(2);
  });

  it('finds usage reports by their words', async () => {
    const r = await search({ query: 'completions usage tokens by project', limit: 3 });
    expect((r.structuredContent as any).matches.map((m: any) => m.name)).toContain('list_all_open_ai_completions');
    expect(textOf(r)).toContain('Promise<UsagePage<UsageCompletionsResult>>');
  });

  it('only knows the tools in scope', async () => {
    const r = await search({ query: 'create project', limit: 20 });
    const names = ((r.structuredContent as any)?.matches ?? []).map((m: any) => m.name);
    expect(names).not.toContain('create_a_open_ai_project');
    expect(names.every((n: string) => !n.startsWith('create_') && !n.startsWith('delete_'))).toBe(true);
  });

  it('rejects bad arguments naming the argument', async () => {
    const noQuery = await search({});
    expect(noQuery.isError).toBe(true);
    expect(textOf(noQuery)).toContain('- query:');
    const badLimit = await search({ query: 'files', limit: 500 });
    expect(badLimit.isError).toBe(true);
    expect(textOf(badLimit)).toContain('- limit:');
  });

  it('gives tools outside the generated SDK a signature built from their own schema', async () => {
    const fixture = await connect(createCodeExposure(fixtureKit('http://127.0.0.1:9/v1')));
    try {
      const r = await search({ query: 'files', limit: 1 }, fixture.client);
      expect(r.isError).toBeFalsy();
      expect(textOf(r)).toMatch(/openai\.\w+\(args\??: \{/);
    } finally {
      await fixture.close();
    }
  });
});

/** Dotted paths of every `{ … }` in a type text (`prefix` is the type or field it declares), by scanning field names per brace depth. */
function collapsedPaths(prefix: string, text: string): string[] {
  const out: string[] = [];
  const names: string[] = [];
  let depth = 0;
  const src = text.replace(/\/\*\*[\s\S]*?\*\//g, '');
  for (let i = 0; i < src.length; i++) {
    if (src.startsWith('{ … }', i)) {
      out.push([prefix, ...names.slice(0, depth)].join('.'));
      i += 4;
    } else if (src[i] === '{') depth++;
    else if (src[i] === '}') depth--;
    else if (src[i] === "'") {
      // A string literal type: skip it (escaped quotes included).
      const end = /^'(?:[^'\\]|\\.)*'/.exec(src.slice(i));
      if (end) i += end[0].length - 1;
    } else {
      const field = /^(?:[A-Za-z_$][\w$]*|"[^"]*")\??: /.exec(src.slice(i));
      if (field && depth > 0 && /[\s{;]/.test(src[i - 1] ?? ' ')) {
        names[depth - 1] = field[0].replace(/\??: $/, '').replace(/^"|"$/g, '');
        names.length = depth;
        i += field[0].length - 1;
      }
    }
  }
  return out;
}

describe('every { … } search_docs shows expands', () => {
  it('through types: ["Type.field"], for result shapes, quoted fields and compact arguments', async () => {
    const { loadSdkDocs } = await import('../../runtime/exposure/code/sdk-docs.js');
    const { declarationOf } = await import('../../runtime/exposure/code/search-docs.js');
    const docs = (await loadSdkDocs())!;
    const paths = new Set<string>();
    for (const [name, shape] of Object.entries(docs.shapes)) for (const p of collapsedPaths(name, shape)) paths.add(p);
    for (const [path, text] of Object.entries(docs.members))
      for (const p of collapsedPaths('', text.slice(text.indexOf(`${path}: `) + path.length + 1)))
        paths.add(`${path}${p}`);
    for (const t of Object.values(docs.tools)) {
      const args = t.compact.slice(t.compact.indexOf('args'), t.compact.indexOf('): Promise<'));
      for (const p of collapsedPaths(t.types[0]!, `{ ${args} }`)) paths.add(p.replace(/\.args(\?)?/, ''));
    }
    expect(paths.size).toBeGreaterThanOrEqual(40);
    expect(paths).toContain('FineTuningJob.hyperparameters');
    const dead = [...paths].filter((p) => /no such/.test(declarationOf(docs, p)));
    expect(dead).toEqual([]);
    // And no declaration search_docs can quote names a file instead.
    const all = [...Object.values(docs.types), ...Object.values(docs.shapes), ...Object.values(docs.members)];
    expect(all.filter((t) => /sdk\.d\.ts/.test(t))).toEqual([]);
  });
});

describe('queries that cannot be abused', () => {
  const discovery = async () => {
    const { createDiscoveryExposure } = await import('../../runtime/exposure/discovery.js');
    return connect(createDiscoveryExposure(createOpenAiToolkit({ methods: ['read'], env: {} })));
  };

  it('search_docs and search_tools cut a query at the same limit, and echo it cut, never whole', async () => {
    const { QUERY_LIMITS } = await import('../../runtime/exposure/tool-search.js');
    const long = `fine tuning jobs ${'z'.repeat(20_000)}`;
    const docs = await search({ query: long });
    expect(docs.isError).toBeFalsy();
    const d = await discovery();
    try {
      const tools = (await d.client.callTool({ name: 'search_tools', arguments: { query: long } })) as CallToolResult;
      expect(tools.isError).toBeFalsy();
      // One limit, stated in both answers, with the query as searched.
      const used = (docs.structuredContent as any).query;
      expect(used.length).toBeLessThanOrEqual(QUERY_LIMITS.maxChars);
      expect((tools.structuredContent as any).query).toBe(used);
      for (const r of [docs, tools]) {
        expect(textOf(r).length).toBeLessThan(long.length / 2);
        expect(textOf(r)).toMatch(/cut to \d+ characters/);
      }
      expect((docs.structuredContent as any).matches.map((m: any) => m.name)).toContain(
        'list_all_open_ai_fine_tuning_jobs',
      );
    } finally {
      await d.close();
    }
    // No match: the echo is the cut query, not the 5,000 characters sent.
    const none = await search({ query: 'q'.repeat(5_000) });
    expect(textOf(none)).toMatch(/No tool matches/);
    expect(textOf(none).length).toBeLessThan(QUERY_LIMITS.maxChars + 300);
  });

  it('searches at most maxTerms words, and only short words fuzzily', async () => {
    const { QUERY_LIMITS, limitQuery } = await import('../../runtime/exposure/tool-search.js');
    const many = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const limited = limitQuery(many);
    expect(limited.query.split(' ')).toHaveLength(QUERY_LIMITS.maxTerms);
    expect(limited.cut).toBe(true);
    expect(QUERY_LIMITS.maxFuzzyTermChars).toBeLessThanOrEqual(32);
    // A long word still matches by prefix, not by edit distance.
    const r = await search({ query: 'fine_tuning_jobs_checkpoints_permissions_zzzz' });
    expect(r.isError).toBeFalsy();
  });

  it('reads only its own type names: Object.prototype members are no types', async () => {
    const r = await search({ types: ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'x'.repeat(10_000)] });
    expect(r.isError).toBeFalsy();
    const text = textOf(r);
    expect(text).not.toMatch(/native code|\[object Object\]/);
    expect(text.match(/no such type/g)).toHaveLength(5);
    expect(text.length).toBeLessThan(2_000);
  });
});
