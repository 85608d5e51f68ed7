// 20 simultaneous execute_code calls on one server complete independently: each gets its own answer and
// makes its own requests, and a looping or failing neighbour changes nothing for the others.

import { LIST_PAGE } from '../../runtime/contract/pages.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { connect, fakeKit, run } from './helpers.js';

let fake: FakeOpenAi;
let client: Client;
let close: () => Promise<void>;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  ({ client, close } = await connect(createCodeExposure(fakeKit(fake), { limits: { timeoutMs: 8_000 } })));
});
afterAll(async () => {
  await close();
  await fake.close();
});

it('runs 20 programs at once, each with its own state, calls and result', async () => {
  const projectIds = fake.state.projects.map((p) => p.id);
  const programs = Array.from({ length: 20 }, (_, i) => {
    if (i === 7) return { i, code: 'while (true) {}' };
    if (i === 13) return { i, code: "await openai.get_single_open_ai_project_by_id({ project_id: 'proj_missing' });" };
    const id = projectIds[i % projectIds.length];
    return {
      i,
      code: `
        globalThis.mine = ${i};
        const p = await openai.get_single_open_ai_project_by_id({ project_id: '${id}' });
        let sum = 0;
        for (let k = 0; k < 20000; k++) sum += k % ${i + 1};
        const keys = await openai.list_all_open_ai_project_api_keys({ project_id: p.id });
        console.log('run ${i}');
        return { i: globalThis.mine, project: p.id, keys: keys.${LIST_PAGE.items}.length, sum };`,
    };
  });
  fake.clearLog();
  const results = await Promise.all(programs.map((p) => run(client, p.code)));

  for (const { i } of programs) {
    const r = results[i] as any;
    if (i === 7) {
      expect(r.structuredContent.error.code).toBe('timeout');
      continue;
    }
    if (i === 13) {
      expect(r.structuredContent.error.code).toBe('tool_call');
      continue;
    }
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    const id = projectIds[i % projectIds.length];
    let sum = 0;
    for (let k = 0; k < 20000; k++) sum += k % (i + 1);
    expect(r.structuredContent.result).toEqual({
      i,
      project: id,
      keys: fake.state.apiKeys.filter((k) => k.project_id === id).length,
      sum,
    });
    expect(r.structuredContent.logs).toEqual([`run ${i}`]);
    expect(r.structuredContent.calls).toBe(2);
  }
  // 18 programs × 2 requests, plus the failing lookup; the looping program made none.
  expect(fake.requests).toHaveLength(37);
  expect(fake.requests.filter((q) => q.path === '/organization/projects/proj_missing')).toHaveLength(1);
});

it("one server's busy programs take at most half the workers: another server's run goes first", async () => {
  // Server A: eight programs that wait forever (they end only when cancelled). Server B: a trivial program sent
  // right after. Had A held all eight workers, B could run only once one of A's programs ended, so the order of the
  // answers is what is checked, not how long anything took (which a loaded machine stretches).
  const a = await connect(createCodeExposure(fakeKit(fake), { limits: { timeoutMs: 60_000 } }));
  const b = await connect(createCodeExposure(fakeKit(fake)));
  const order: string[] = [];
  const cancels = Array.from({ length: 8 }, () => new AbortController());
  try {
    const waiting = cancels.map((ac) =>
      a.client
        .callTool({ name: 'execute_code', arguments: { code: 'await new Promise(() => {});' } }, undefined, {
          signal: ac.signal,
          timeout: 120_000,
        })
        .catch(() => undefined)
        .finally(() => order.push('a')),
    );
    await new Promise((r) => setTimeout(r, 300));
    const quick = await run(b.client, 'return 1 + 1');
    order.push('b');
    expect(quick.isError).toBeFalsy();
    expect((quick.structuredContent as { result: number }).result).toBe(2);
    for (const ac of cancels) ac.abort();
    await Promise.all(waiting);
    expect(order).toEqual(['b', ...Array(8).fill('a')]);
  } finally {
    for (const ac of cancels) ac.abort();
    await a.close();
    await b.close();
  }
}, 90_000);

it("one account spinning 8 loops: another tenant's run starts before that account's queued runs, and long runs yield the cores", async () => {
  // Account A's two servers send eight busy loops: four run (A's share), four queue. Tenant B's trivial run, sent
  // after them, must start at once: it is answered while A's four are still queued (their places are not B's to
  // wait behind) and before any of A's answers. Order and pool state are checked, not durations.
  const { sharedPool, LOWER_AFTER_MS } = await import('../../runtime/exposure/code/worker-pool.js');
  const pool = sharedPool();
  const spinners = await Promise.all(
    [1, 2].map(() =>
      connect(createCodeExposure(fakeKit(fake), { limits: { timeoutMs: 60_000 }, tenant: { account: 'acc_a' } })),
    ),
  );
  const other = await connect(createCodeExposure(fakeKit(fake), { tenant: { account: 'acc_b' } }));
  const order: string[] = [];
  const cancels = Array.from({ length: 8 }, () => new AbortController());
  try {
    expect((await run(other.client, 'return 0')).isError).toBeFalsy();
    const spinning = cancels.map((ac, i) =>
      spinners[i % 2]!.client.callTool({ name: 'execute_code', arguments: { code: 'while (true) {}' } }, undefined, {
        signal: ac.signal,
        timeout: 120_000,
      })
        .catch(() => undefined)
        .finally(() => order.push('a')),
    );
    // Until A's four running loops have been lowered (Linux) and the other four are queued.
    const lowers = process.platform === 'linux' ? 4 : 0;
    const deadline = Date.now() + 30_000;
    while ((pool.stats().queued < 4 || pool.stats().lowered < lowers) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, LOWER_AFTER_MS / 4));
    expect(pool.stats()).toMatchObject({ active: 4, queued: 4 });
    expect(pool.stats().lowered).toBe(lowers);
    const quick = await run(other.client, 'return 1 + 1');
    order.push('b');
    expect((quick.structuredContent as { result: number }).result).toBe(2);
    expect(pool.stats().queued).toBe(4);
    for (const ac of cancels) ac.abort();
    await Promise.all(spinning);
    expect(order).toEqual(['b', ...Array(8).fill('a')]);
    // Nothing stays lowered or queued once they end.
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0, lowered: 0 });
  } finally {
    for (const ac of cancels) ac.abort();
    await Promise.all([...spinners, other].map((c) => c.close()));
  }
}, 120_000);

it('a run lowered for running long gets its priority back before its worker is reused', async () => {
  const { sharedPool, LOWER_AFTER_MS } = await import('../../runtime/exposure/code/worker-pool.js');
  const { getPriority } = await import('node:os');
  const pool = sharedPool();
  const spawned = pool.stats().spawned;
  const r = await run(client, `const end = Date.now() + ${LOWER_AFTER_MS * 3}; while (Date.now() < end) {} return 1;`);
  expect((r.structuredContent as { result: number }).result).toBe(1);
  expect(pool.stats().lowered).toBe(0);
  // Its worker went back idle at the process's own priority (a lowered one would be retired, not reused).
  for (const slot of (pool as unknown as { idle: Array<{ tid?: number }> }).idle)
    if (slot.tid !== undefined) expect(getPriority(slot.tid)).toBe(getPriority());
  // At most the spare started after it: the run's own worker was reused, not replaced.
  expect(pool.stats().spawned - spawned).toBeLessThanOrEqual(1);
});
