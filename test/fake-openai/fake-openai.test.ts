// The fake itself, driven through the real toolkit and the generated catalog: what tests built on it rely on.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPage } from '../../runtime/contract/pages.js';
import { createOpenAiToolkit } from '../../runtime/index.js';
import type { OpenAiToolkit } from '../../runtime/toolkit.js';
import { DAY, startOfDay } from '../../testing/fake-openai/state.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';

let fake: FakeOpenAi;
let kit: OpenAiToolkit;
beforeAll(async () => {
  fake = await startFakeOpenAi({ now: 1_790_000_000 });
  kit = createOpenAiToolkit({
    baseUrl: fake.baseUrl,
    credentials: { adminKey: fake.adminKey, apiKey: fake.projectKey },
    env: {},
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.clearLog());

const structured = (r: { structuredContent?: unknown }) => r.structuredContent as Record<string, any>;
const page = (r: { structuredContent?: unknown }) => readPage(r.structuredContent);

describe('fake-openai', () => {
  it('is deterministic for the same now and seed, and spreads key ages over the past year', async () => {
    const other = await startFakeOpenAi({ now: 1_790_000_000 });
    try {
      expect(other.state).toEqual(fake.state);
    } finally {
      await other.close();
    }
    const ages = fake.state.apiKeys.map((k) => (fake.state.now - k.key.created_at) / DAY);
    expect(Math.min(...ages)).toBeLessThan(90);
    expect(Math.max(...ages)).toBeGreaterThan(180);
    expect(Math.max(...ages)).toBeLessThanOrEqual(366);
  });

  it('pages projects with after/limit/has_more and hides archived ones unless asked', async () => {
    const first = page(await kit.callTool('list_all_open_ai_projects', { limit: 2 }));
    expect(first.items.map((p: any) => p.id)).toEqual(['proj_001', 'proj_002']);
    expect(first.more).toBe(true);
    const second = page(await kit.callTool('list_all_open_ai_projects', { limit: 2, after: first.cursor }));
    expect(second.items.map((p: any) => p.id)).toEqual(['proj_003', 'proj_004']);
    expect(second.more).toBe(false);
    const all = page(await kit.callTool('list_all_open_ai_projects', { include_archived: true }));
    expect(all.items).toHaveLength(5);
    expect(all.items[4]).toMatchObject({ object: 'organization.project', status: 'archived' });
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${new URLSearchParams(r.query)}`)).toEqual([
      'GET /organization/projects limit=2',
      'GET /organization/projects limit=2&after=proj_002',
      'GET /organization/projects include_archived=true',
    ]);
    expect(fake.requests.every((r) => r.auth === 'admin' && r.status === 200)).toBe(true);
  });

  it('groups 14 days of completions usage by project from start_time, in pages of `limit` buckets', async () => {
    const today = startOfDay(fake.state.now);
    const start = today - 13 * DAY;
    const p1 = page(
      await kit.callTool('list_all_open_ai_completions', { start_time: start, group_by: ['project_id'], limit: 10 }),
    );
    expect(p1.buckets).toBe(10);
    expect(p1.more).toBe(true);
    const p2 = page(
      await kit.callTool('list_all_open_ai_completions', {
        start_time: start,
        group_by: ['project_id'],
        limit: 10,
        page: p1.cursor,
      }),
    );
    expect(p2.buckets).toBe(4);
    expect(p2.more).toBe(false);
    const rows = [...p1.rows, ...p2.rows] as any[];
    const expected = new Map<string, number>();
    for (const r of fake.state.completionsUsage)
      expected.set(r.project_id, (expected.get(r.project_id) ?? 0) + r.input_tokens);
    const got = new Map<string, number>();
    for (const r of rows) got.set(r.project_id, (got.get(r.project_id) ?? 0) + r.input_tokens);
    expect(got).toEqual(expected);
    expect(new Set(rows.map((r: any) => r.project_id)).size).toBe(4);
    expect(fake.requests[0]!.query).toEqual([
      ['start_time', String(start)],
      ['group_by[]', 'project_id'],
      ['limit', '10'],
    ]);

    const ungrouped = page(await kit.callTool('list_all_open_ai_completions', { start_time: today - 2 * DAY }));
    expect(ungrouped.rows).toHaveLength(3);
    expect(ungrouped.rows.every((r: any) => r.project_id === null)).toBe(true);
  });

  it("lists a project's keys, deletes one, and answers unknown ids and bad keys like OpenAI", async () => {
    const keys = page(await kit.callTool('list_all_open_ai_project_api_keys', { project_id: 'proj_002' }));
    expect(keys.items).toHaveLength(5);
    const victim = (keys.items[0] as { id: string }).id;
    const del = await kit.callTool('delete_a_open_ai_project_api_key_by_id', {
      project_id: 'proj_002',
      api_key_id: victim,
    });
    expect(structured(del)).toMatchObject({ id: victim, deleted: true });
    const after = page(await kit.callTool('list_all_open_ai_project_api_keys', { project_id: 'proj_002' }));
    expect(after.items.map((k: any) => k.id)).not.toContain(victim);

    const missing = await kit.callTool('get_single_open_ai_project_by_id', { project_id: 'proj_999' });
    expect(missing.isError).toBe(true);
    expect(JSON.stringify(missing.content)).toContain("No such project: 'proj_999'");

    const wrongKey = createOpenAiToolkit({
      baseUrl: fake.baseUrl,
      credentials: { adminKey: 'sk-admin-wrongwrongwrong' },
      env: {},
    });
    const r = await wrongKey.callTool('list_all_open_ai_projects', {});
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toContain('401');
    expect(fake.requests.at(-1)).toMatchObject({ auth: 'unknown', status: 401 });
  });

  it('serves one injected error to the next matching request only', async () => {
    fake.injectError({
      path: '/organization/projects',
      status: 429,
      message: 'Rate limit reached',
      type: 'requests',
      code: 'rate_limit_exceeded',
    });
    const r = await kit.callTool('list_all_open_ai_projects', {});
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toContain('Rate limit reached');
    expect((await kit.callTool('list_all_open_ai_projects', {})).isError).toBeFalsy();
  });
});
