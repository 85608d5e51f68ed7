// The seed's cost audit as ONE execute_code call: projects → 7 days of usage grouped by project → the top
// project → its keys older than 90 days. The fake must have seen exactly the requests the program made.

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { DAY, startOfDay } from '../../testing/fake-openai/state.js';
import { connect, fakeKit, run } from './helpers.js';
import { COST_AUDIT } from '../../testing/programs.js';

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

it('answers the cost audit in one execute_code call, making exactly the requests the program implies', async () => {
  const listed = await client.listTools();
  expect(listed.tools.map((t) => t.name)).toEqual(['search_docs', 'execute_code']);

  fake.clearLog();
  const r = await run(client, COST_AUDIT);
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  const out = (r.structuredContent as any).result;

  // Expected answer from the fake's own state, for the window the program asked for.
  const firstDay = startOfDay(out.start);
  const totals = new Map<string, number>();
  for (const u of fake.state.completionsUsage) {
    if (u.day >= firstDay) totals.set(u.project_id, (totals.get(u.project_id) ?? 0) + u.input_tokens + u.output_tokens);
  }
  const [topId, topTokens] = [...totals].sort((a, b) => b[1] - a[1])[0]!;
  expect(out.project.id).toBe(topId);
  expect(out.project.name).toBe(fake.state.projects.find((p) => p.id === topId)!.name);
  expect(out.tokens).toBe(topTokens);
  const oldKeys = fake.state.apiKeys
    .filter((k) => k.project_id === topId && k.key.created_at < out.cutoff)
    .map((k) => k.key.id);
  expect(oldKeys.length).toBeGreaterThan(0);
  expect(out.old_keys.map((k: any) => k.id)).toEqual(oldKeys);
  expect(out.cutoff).toBeGreaterThan(fake.state.now - 90 * DAY - 60);

  // 8 daily buckets (7 days back plus today) at the default 7 per page: two usage pages.
  expect(fake.requests.map((q) => `${q.method} ${q.path}?${new URLSearchParams(q.query)}`)).toEqual([
    'GET /organization/projects?limit=100',
    `GET /organization/usage/completions?start_time=${out.start}&group_by%5B%5D=project_id`,
    `GET /organization/usage/completions?start_time=${out.start}&group_by%5B%5D=project_id&page=${encodeURIComponent(String(fake.requests[2]?.query.find(([k]) => k === 'page')?.[1]))}`,
    `GET /organization/projects/${topId}/api_keys?limit=100`,
  ]);
  expect(fake.requests.every((q) => q.status === 200 && q.auth === 'admin')).toBe(true);
  expect((r.structuredContent as any).calls).toBe(4);
});
