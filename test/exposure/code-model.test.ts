// What the model reads in code mode, beyond the happy path: usage paging stated where it writes the call, nested
// types it can expand, the closest names for a wrong tool, every argument error at once, values JSON cannot hold
// shown or refused with a message, hints for `for await` and `.result`, and the rate-limit line only near the limit.

import { LIST_PAGE } from '../../runtime/contract/pages.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import { createDiscoveryExposure } from '../../runtime/exposure/discovery.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { connect, fakeKit, run, textOf } from './helpers.js';

let fake: FakeOpenAi;
let client: Client;
let close: () => Promise<void>;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  ({ client, close } = await connect(createCodeExposure(fakeKit(fake, { methods: ['read'] }))));
});
afterAll(async () => {
  await close();
  await fake.close();
});

const errorOf = (r: any) => r.structuredContent?.error as { code: string; message: string; call?: any };
const resultOf = (r: any) => r.structuredContent?.result;
const logsOf = (r: any) => (r.structuredContent?.logs ?? []) as string[];

describe('usage paging is stated where the model writes the call', () => {
  it("in execute_code's description", async () => {
    const { tools } = await client.listTools();
    expect(tools[1]!.description).toMatch(/7 daily buckets a page by default/);
  });
});

describe('nested types the model can expand', () => {
  const search = async (args: Record<string, unknown>) =>
    (await client.callTool({ name: 'search_docs', arguments: args })) as CallToolResult;

  it('shows small nested objects inline and quotes a larger one by its path, then the program reads it', async () => {
    const found = textOf(await search({ query: 'list fine tuning jobs', limit: 3 }));
    // FineTuningJob is too large to quote whole: its shape shows `error` inline, `hyperparameters` as { … }.
    expect(found).toMatch(
      /type FineTuningJob = \{[^\n]* error: \{ code: string; message: string; param: string \| null; \} \| null;[^\n]* hyperparameters: \{ … \};/,
    );
    expect(found).toContain('types: ["Type.field"]');
    const costs = textOf(await search({ query: 'organization costs', limit: 2 }));
    expect(costs).toMatch(/type CostsResult = \{[^\n]* amount\?: \{ value\?: number; currency\?: string; \};/);

    const r = await search({
      types: ['FineTuningJob.hyperparameters', "FineTuningJob['error']", 'CostsResult.amount', 'FineTuningJob'],
    });
    expect(r.isError).toBeFalsy();
    const [hyper, error, amount, job] = (r.structuredContent as { types: string[] }).types;
    expect(hyper).toMatch(/^\/\*\* The hyperparameters used[^\n]*\*\/\nFineTuningJob\.hyperparameters: \{\n/);
    expect(hyper).toMatch(/\/\*\* The number of epochs[^\n]*\*\/\n\s+n_epochs\?: 'auto' \| number;/);
    expect(error).toMatch(
      /^FineTuningJob\.error:[\s|]*\{[\s\S]*\/\*\* A machine-readable error code\. \*\/\s+code: string;[\s\S]*\| null;$/,
    );
    expect(amount).toContain('/** Lowercase ISO-4217 currency e.g. "usd" */');
    expect(job).toMatch(/^\/\/ FineTuningJob is large: its top-level fields \(types: \["FineTuningJob\.<field>"\]/);
    // Nothing points at a file the model cannot read.
    expect(textOf(r)).not.toMatch(/sdk\.d\.ts|generated\//);

    // Written from those answers alone: the failed jobs of the last day and why they failed.
    const ran = await run(
      client,
      `const since = Math.floor(Date.now() / 1000) - 86400;
       const failed = [];
       for await (const job of openai.paginate('list_all_open_ai_fine_tuning_jobs', {})) {
         if (job.status === 'failed' && job.created_at >= since) failed.push({ id: job.id, code: job.error?.code, why: job.error?.message });
       }
       return failed;`,
    );
    expect(ran.isError).toBeFalsy();
    const failed = resultOf(ran) as Array<{ id: string; code: string; why: string }>;
    expect(failed).toHaveLength(1);
    expect(failed[0]!.code).toBe('invalid_training_file');
    expect(failed[0]!.why).toMatch(/training file is not valid/);
  });

  it('says which names are no fields, reading own names only, and never points to a file', async () => {
    const r = await search({
      types: ['FineTuningJob.nope', 'FineTuningJob.status', 'constructor.name', '__proto__.x', 'Nope.x', 'toString'],
    });
    expect(r.isError).toBeFalsy();
    const [nope, status, ctor, proto, unknown, inherited] = (r.structuredContent as { types: string[] }).types;
    expect(nope).toMatch(/FineTuningJob\.nope: FineTuningJob has no such field holding an object/);
    expect(status).toMatch(/plain fields are in its declaration: types: \["FineTuningJob"\]/);
    for (const t of [ctor, proto, unknown, inherited]) expect(t).toMatch(/no such type/);
    expect(textOf(r)).not.toMatch(/native code|\[object Object\]|sdk\.d\.ts/);
  });

  it('in detail answers, a type too large to quote shows its fields instead of a file name', async () => {
    const r = await search({ query: 'list fine tuning jobs', limit: 1, detail: true });
    expect(textOf(r)).toContain('// FineTuningJob is large: its top-level fields');
    expect(textOf(r)).not.toMatch(/sdk\.d\.ts|generated\//);
  });
});

describe('a wrong tool name in a program', () => {
  it('suggests the closest names in scope, not tools/list', async () => {
    const typo = await run(client, 'return await openai.list_all_open_ai_project({});');
    expect(errorOf(typo).code).toBe('tool_call');
    expect(textOf(typo)).toMatch(/Closest names: list_all_open_ai_projects\b/);
    expect(textOf(typo)).not.toMatch(/tools\/list/);
    const camel = await run(client, 'return await openai.listFineTuningJobs({});');
    expect(textOf(camel)).toMatch(/Closest names: [^\n]*list_all_open_ai_fine_tuning_jobs/);
    // A write tool of a read-only server is not in scope: never suggested, and answered as an unknown name.
    const write = await run(client, "return await openai.create_a_open_ai_project({ name: 'x' });");
    expect(textOf(write)).toContain('Unknown tool: "create_a_open_ai_project"');
    expect(textOf(write)).not.toMatch(/Closest names: [^\n]*create_/);
  });

  it('in discovery, call_tool suggests the closest names too', async () => {
    const d = await connect(createDiscoveryExposure(fakeKit(fake, { methods: ['read'] })));
    try {
      const r = (await d.client.callTool({
        name: 'call_tool',
        arguments: { name: 'list_all_open_ai_fine_tuning_job', arguments: {} },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/Closest names: list_all_open_ai_fine_tuning_jobs\b/);
      expect(textOf(r)).toMatch(/search_tools/);
    } finally {
      await d.close();
    }
  });
});

describe('argument errors', () => {
  it('are all reported at once: a bad time does not hide the others', async () => {
    fake.clearLog();
    const r = await run(
      client,
      "return await openai.list_all_open_ai_completions({ start_time: 'sometime', limit: 'ten', bogus: 1 });",
    );
    const issues = errorOf(r)
      .call.error.issues.map((i: { path: string }) => i.path)
      .sort();
    expect(issues).toEqual(['bogus', 'limit', 'start_time']);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('values JSON cannot hold', () => {
  it('are shown faithfully in results, with a note naming each', async () => {
    const r = await run(
      client,
      `return {
        byPurpose: new Map([['batch', 2], ['fine-tune', 1]]),
        pairs: new Map([[1, 'a'], ['1', 'b']]),
        ids: new Set(['a', 'b']),
        avg: NaN, big: Infinity, small: -Infinity,
        missing: undefined,
        list: [1, undefined],
        failure: new TypeError('bad'),
      };`,
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(resultOf(r)).toEqual({
      byPurpose: { batch: 2, 'fine-tune': 1 },
      pairs: [
        [1, 'a'],
        ['1', 'b'],
      ],
      ids: ['a', 'b'],
      avg: 'NaN',
      big: 'Infinity',
      small: '-Infinity',
      list: [1, null],
      failure: { name: 'TypeError', message: 'bad' },
    });
    const notes = logsOf(r).join('\n');
    for (const path of [
      'result.byPurpose',
      'result.pairs',
      'result.ids',
      'result.avg',
      'result.missing',
      'result.list[1]',
      'result.failure',
    ])
      expect(notes).toContain(path);
  });

  it('refuses a BigInt, naming where it is', async () => {
    const r = await run(client, 'return { total: 10n ** 30n };');
    expect(errorOf(r).code).toBe('not_serializable');
    expect(errorOf(r).message).toMatch(/result\.total is a BigInt/);
  });

  it('are shown faithfully in console output', async () => {
    const r = await run(
      client,
      "console.log(new Map([['a', 1]]), new Set([1, 2]), NaN, -Infinity, undefined, 10n, { n: NaN, u: undefined, m: new Map() }, [undefined]);\nreturn 1;",
    );
    expect(logsOf(r)).toEqual([
      "Map(1) {'a' => 1} Set(2) {1, 2} NaN -Infinity undefined 10n {n: NaN, u: undefined, m: Map(0) {}} [undefined]",
    ]);
  });
});

describe('hints for common slips', () => {
  it('for…of over paginate says to use for await', async () => {
    const r = await run(
      client,
      "const ids = [];\nfor (const p of openai.paginate('list_all_open_ai_projects', {})) ids.push(p.id);\nreturn ids;",
    );
    expect(errorOf(r).code).toBe('runtime');
    expect(errorOf(r).message).toMatch(/for await \(const \w+ of openai\.paginate/);
  });

  it(`.data on a list page points to .${LIST_PAGE.items}, and iterating the page to .${LIST_PAGE.items} too`, async () => {
    const r = await run(
      client,
      'const page = await openai.list_all_open_ai_projects({ limit: 2 });\nreturn page.data.map((p: any) => p.id);',
    );
    expect(errorOf(r).code).toBe('runtime');
    expect(textOf(r)).toContain(`items are in .${LIST_PAGE.items}, not .data`);
    const iter = await run(
      client,
      'const ids = [];\nfor (const p of await openai.list_all_open_ai_projects({ limit: 2 })) ids.push(p.id);\nreturn ids;',
    );
    expect(errorOf(iter).message).toContain(`.${LIST_PAGE.items}`);
    // Reading `.data` does not change the page's JSON.
    const ok = await run(
      client,
      'const page = await openai.list_all_open_ai_projects({ limit: 1 });\nreturn Object.keys(page);',
    );
    expect(resultOf(ok)).toEqual([LIST_PAGE.items, LIST_PAGE.cursor, LIST_PAGE.more]);
  });
});

describe('the rate-limit line', () => {
  /** The fake's responses with OpenAI's rate-limit headers: `remaining` of 100 requests left. */
  const withHeaders = (remaining: number) =>
    (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      const headers = new Headers(res.headers);
      headers.set('x-ratelimit-limit-requests', '100');
      headers.set('x-ratelimit-remaining-requests', String(remaining));
      headers.set('x-ratelimit-reset-requests', '6s');
      return new Response(await res.arrayBuffer(), { status: res.status, headers });
    }) as typeof fetch;

  it('appears only near the limit; the fields are always in _meta', async () => {
    for (const [remaining, shown] of [
      [90, false],
      [5, true],
    ] as const) {
      const c = await connect(createCodeExposure(fakeKit(fake, { methods: ['read'], fetch: withHeaders(remaining) })));
      try {
        const r = await run(
          c.client,
          `return (await openai.list_all_open_ai_projects({ limit: 1 })).${LIST_PAGE.items}.length;`,
        );
        expect(r.isError, textOf(r)).toBeFalsy();
        expect(textOf(r).includes('Rate limits:'), `remaining ${remaining}`).toBe(shown);
        expect(r._meta?.['openai/ratelimit']).toMatchObject({ requests: { 'ratelimit-remaining': remaining } });
      } finally {
        await c.close();
      }
    }
  });
});
