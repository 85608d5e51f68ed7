// Bounded work and honest answers in code mode (issue 16): what one program can make the host do is capped in the
// sandbox worker before it crosses to the main thread, pages reach a program whole or fail loudly, tenants get fair
// shares of the workers, and every failure says what happened, with nothing on stderr a tenant could trigger.

import { LIST_PAGE, USAGE_PAGE } from '../../runtime/contract/pages.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CodeExposureOptions, createCodeExposure } from '../../runtime/exposure/code/index.js';
import { resolveLimits } from '../../runtime/exposure/code/limits.js';
import { stripTypes } from '../../runtime/exposure/code/strip-types.js';
import { WorkerPool } from '../../runtime/exposure/code/worker-pool.js';
import type { OpenAiToolkit } from '../../runtime/toolkit.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { DAY } from '../../testing/fake-openai/state.js';
import { connect, fakeKit, run, textOf } from './helpers.js';

let fake: FakeOpenAi;
beforeAll(async () => {
  // 49 active projects over 30 days of usage: a 31-day page grouped by project and model has ~2,900 rows.
  fake = await startFakeOpenAi({ extraProjects: 45, usageDays: 30 });
});
afterAll(() => fake.close());

type CodeErrorShape = {
  code: string;
  message: string;
  call?: { tool: string; args?: unknown; args_preview?: string; error?: any; message: string };
};
const errorOf = (r: CallToolResult) => (r.structuredContent as { error?: CodeErrorShape } | undefined)?.error;
const resultOf = (r: CallToolResult) => (r.structuredContent as { result?: any } | undefined)?.result;

async function exposure(options: CodeExposureOptions = {}, kit: OpenAiToolkit = fakeKit(fake, { methods: ['read'] })) {
  return connect(createCodeExposure(kit, options));
}

// Nothing a program does may reach the host's stderr or raise a process warning.
let stderrSeen: string[] = [];
let warningsSeen: string[] = [];
const realWrite = process.stderr.write.bind(process.stderr);
const onWarning = (w: Error) => warningsSeen.push(`${w.name}: ${w.message}`);
beforeEach(() => {
  stderrSeen = [];
  warningsSeen = [];
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    stderrSeen.push(String(chunk));
    return (realWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.stderr.write = realWrite;
  process.off('warning', onWarning);
});
const quiet = () => {
  expect(warningsSeen).toEqual([]);
  expect(stderrSeen.join('')).not.toMatch(/Aborted\(|Assertion failed|MaxListeners/);
};

describe('bounded work per call and per run (findings 1, 4)', () => {
  it('survives four concurrent runs of 50 calls with a 12 MB argument: RSS +300 MiB at most, no request, the argument named', async () => {
    const { client, close } = await exposure();
    try {
      // Warm: the pool's workers exist before the baseline, as they do on a server that has run programs.
      await Promise.all(Array.from({ length: 4 }, () => run(client, 'return 1')));
      fake.clearLog();
      const baseline = process.memoryUsage.rss();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 20);
      const code = `
        const s = 'x'.repeat(12000000);
        const settled = await Promise.allSettled(Array.from({ length: 50 }, () => openai.list_all_open_ai_files({ purpose: s, limit: 'bad' })));
        return settled.map((x) => (x.status === 'rejected' ? x.reason.error : 'resolved'));`;
      let results: CallToolResult[];
      try {
        results = await Promise.all(Array.from({ length: 4 }, () => run(client, code, { timeout: 120_000 })));
      } finally {
        clearInterval(sampler);
      }
      const grownMiB = (peak - baseline) / 1048576;
      console.log(`RSS during 4 runs × 50 calls of a 12 MB argument: +${grownMiB.toFixed(0)} MiB`);
      expect(grownMiB).toBeLessThanOrEqual(300);
      for (const r of results) {
        // QuickJS takes ~0.3 s to stringify each call's 12 MB, so on a loaded machine a run may reach its time limit
        // first; either way every call it made was refused in the sandbox.
        if (errorOf(r)?.code === 'timeout') continue;
        expect(r.isError, textOf(r)).toBeFalsy();
        const errors = resultOf(r) as any[];
        expect(errors).toHaveLength(50);
        for (const e of errors) {
          expect(e).toMatchObject({ type: 'invalid_arguments', issues: [{ path: 'purpose' }] });
          expect(e.issues[0].message).toMatch(
            /makes the arguments 12000028 characters of JSON, over the 1048576-byte limit/,
          );
        }
      }
      expect(fake.requests).toHaveLength(0);
      expect(resultOf(await run(client, 'return 1'))).toBe(1);
    } finally {
      await close();
    }
  }, 180_000);

  it('keeps only a short preview of a failed call’s arguments for the error report', async () => {
    const { client, close } = await exposure();
    try {
      const r = await run(
        client,
        "await openai.list_all_open_ai_files({ purpose: 'y'.repeat(500000), limit: 'bad' });",
      );
      const e = errorOf(r);
      expect(e?.code).toBe('tool_call');
      expect(e?.call?.tool).toBe('list_all_open_ai_files');
      expect(e?.call?.args).toBeUndefined();
      expect(e?.call?.args_preview).toMatch(/^\{"purpose":"yyyy/);
      expect(JSON.stringify(e).length).toBeLessThan(3_000);
      expect(textOf(r).length).toBeLessThan(3_000);
      // One call over the argument cap is refused in the sandbox, naming the argument that makes it too big.
      const big = await run(client, "await openai.list_all_open_ai_files({ limit: 1, purpose: 'x'.repeat(2000000) });");
      expect(errorOf(big)?.call?.error).toMatchObject({ type: 'invalid_arguments', issues: [{ path: 'purpose' }] });
      expect(errorOf(big)?.call?.error.issues[0].message).toMatch(
        /makes the arguments 2000024 characters of JSON, over the 1048576-byte limit/,
      );
      // A small failing call keeps its arguments as they were.
      const small = await run(client, "await openai.list_all_open_ai_files({ limit: 'bad' });");
      expect(errorOf(small)?.call?.args).toEqual({ limit: 'bad' });
    } finally {
      await close();
    }
  });

  it("caps a run's argument bytes in the worker: the main thread receives at most the run's budget", async () => {
    const kit = fakeKit(fake, { methods: ['read'] });
    let received = 0;
    const counting: OpenAiToolkit = {
      ...kit,
      tools: kit.tools,
      listTools: () => kit.listTools(),
      callTool: (name, args, ctx) => {
        received += Buffer.byteLength(JSON.stringify(args ?? {}));
        return kit.callTool(name, args, ctx);
      },
    };
    const { client, close } = await exposure({}, counting);
    try {
      fake.clearLog();
      // Each call fails validation (no request), and the program carries on: 20 × 900 KB would be 18 MB.
      const r = await run(
        client,
        `const p = 'p'.repeat(900000);
        for (let i = 0; i < 20; i++) { try { await openai.list_all_open_ai_files({ purpose: p, limit: 'bad' }); } catch (e) { if (e.error?.type === 'call_limit') throw e; } }`,
      );
      expect(errorOf(r)?.code).toBe('call_limit');
      expect(errorOf(r)?.message).toMatch(/4194304 bytes of arguments/);
      expect(received).toBeLessThanOrEqual(4 * 1024 * 1024);
      expect(received).toBeGreaterThan(3 * 900_000);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await close();
    }
  });

  it('refuses a query string over the cap, naming the argument, with no request', async () => {
    const kit = fakeKit(fake, { methods: ['read'] });
    fake.clearLog();
    const direct = await kit.callTool('list_all_open_ai_files', { purpose: 'x'.repeat(1_000_000) });
    expect(direct.isError).toBe(true);
    expect(textOf(direct)).toMatch(/purpose/);
    expect(textOf(direct)).toMatch(/query string/);
    expect(textOf(direct).length).toBeLessThan(2_000);
    const { client, close } = await exposure({}, kit);
    try {
      const r = await run(client, "await openai.list_all_open_ai_files({ purpose: 'x'.repeat(1000000) });");
      expect(errorOf(r)?.call?.error).toMatchObject({ type: 'invalid_arguments', issues: [{ path: 'purpose' }] });
    } finally {
      await close();
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('truncation is never silent inside a program (findings 3, 11)', () => {
  const windowStart = () => fake.state.now - 30 * DAY;
  const expectedRows = () =>
    fake.state.completionsUsage.filter((u) => u.day >= windowStart() - (windowStart() % DAY)).length;
  const expectedInput = () =>
    fake.state.completionsUsage
      .filter((u) => u.day >= windowStart() - (windowStart() % DAY))
      .reduce((s, u) => s + u.input_tokens, 0);

  it('hands a program the whole usage page (~2,900 rows), and paginate walks all of it', async () => {
    const { rows, totals } = USAGE_PAGE;
    const { more } = LIST_PAGE;
    expect(expectedRows()).toBeGreaterThan(2_500);
    const { client, close } = await exposure();
    try {
      const args = `{ start_time: ${windowStart()}, group_by: ['project_id', 'model'], limit: 31 }`;
      const page = await run(
        client,
        `const page = await openai.list_all_open_ai_completions(${args});
        return { rows: page.${rows}.length, sum: page.${rows}.reduce((s, r) => s + r.input_tokens, 0), total: page.${totals}.input_tokens, has_more: page.${more} };`,
      );
      expect(page.isError, textOf(page)).toBeFalsy();
      expect(resultOf(page)).toEqual({
        rows: expectedRows(),
        sum: expectedInput(),
        total: expectedInput(),
        has_more: false,
      });
      const walked = await run(
        client,
        `let rows = 0, sum = 0;
        for await (const r of openai.paginate('list_all_open_ai_completions', ${args})) { rows++; sum += r.input_tokens; }
        return { rows, sum };`,
      );
      expect(resultOf(walked)).toEqual({ rows: expectedRows(), sum: expectedInput() });
    } finally {
      await close();
    }
  });

  it('hands a program a whole list of 3,000 items', async () => {
    const { more } = LIST_PAGE;
    const extra = Array.from({ length: 3_000 - fake.state.files.length }, (_, i) => ({
      file: {
        id: `file-bulk${String(i).padStart(5, '0')}`,
        object: 'file' as const,
        bytes: 1000 + i,
        created_at: fake.state.now - i,
        filename: `bulk-${i}.jsonl`,
        purpose: 'batch' as const,
        status: 'processed' as const,
      },
      content: Buffer.from('{}'),
    }));
    fake.state.files.push(...extra);
    const { client, close } = await exposure();
    try {
      const r = await run(
        client,
        `const page = await openai.list_all_open_ai_files({}); return [page.${LIST_PAGE.items}.length, page.${more}];`,
      );
      expect(resultOf(r)).toEqual([3_000, false]);
    } finally {
      fake.state.files.splice(fake.state.files.length - extra.length);
      await close();
    }
  });

  it('fails a page over the byte cap loudly, with its size and how to narrow it', async () => {
    const { client, close } = await exposure({ limits: { maxCallResultBytes: 100_000 } });
    try {
      const r = await run(
        client,
        `try { await openai.list_all_open_ai_completions({ start_time: ${windowStart()}, group_by: ['project_id', 'model'], limit: 31 }); return 'no error'; }
        catch (e) { return { type: e.error?.type, message: e.message }; }`,
      );
      expect(resultOf(r)).toMatchObject({ type: 'result_too_large' });
      expect(resultOf(r).message).toMatch(/exceeds the 100000-byte cap/);
      expect(resultOf(r).message).toMatch(/shorter time range/);
    } finally {
      await close();
    }
  });

  it('makes paginate throw on a page over the byte cap, never end early as if the walk were done', async () => {
    const { client, close } = await exposure({ limits: { maxCallResultBytes: 100_000 } });
    try {
      const r = await run(
        client,
        `let rows = 0;
        try { for await (const row of openai.paginate('list_all_open_ai_completions', { start_time: ${windowStart()}, group_by: ['project_id', 'model'], limit: 31 })) rows++; return { rows, ended: 'quietly' }; }
        catch (e) { return { rows, type: e.error?.type }; }`,
      );
      expect(resultOf(r)).toEqual({ rows: 0, type: 'result_too_large' });
    } finally {
      await close();
    }
  });

  it('caps the answer in bytes, so its o200k tokens stay under the cap too', async () => {
    const { client, close } = await exposure({ limits: { maxResultBytes: 100_000 } });
    try {
      // 40,000 characters, 120,000 bytes: under a character cap, over the byte cap.
      const over = await run(client, "return '€'.repeat(40000);");
      expect(errorOf(over)?.code).toBe('result_too_large');
      const fits = await run(client, "return '€'.repeat(30000);");
      expect(fits.isError, textOf(fits)).toBeFalsy();
      expect(Buffer.byteLength(textOf(fits))).toBeLessThanOrEqual(100_000);
      expect(encode(textOf(fits)).length).toBeLessThanOrEqual(100_000);
    } finally {
      await close();
    }
  });
});

describe('fair shares of the workers (findings 5, 9, 10)', () => {
  const forever = 'await new Promise(() => {});';

  it("one account's servers together take at most half the workers: another account's run goes first", async () => {
    const limits = { timeoutMs: 60_000 };
    const a1 = await exposure({ limits, tenant: { account: 'acc_a', server: 'srv_a1' } });
    const a2 = await exposure({ limits, tenant: { account: 'acc_a', server: 'srv_a2' } });
    const b = await exposure({ limits, tenant: { account: 'acc_b', server: 'srv_b' } });
    const order: string[] = [];
    const cancels: AbortController[] = [];
    const spin = (client: typeof a1.client) => {
      const ac = new AbortController();
      cancels.push(ac);
      return client
        .callTool({ name: 'execute_code', arguments: { code: forever } }, undefined, {
          signal: ac.signal,
          timeout: 120_000,
        })
        .catch(() => undefined)
        .finally(() => order.push('a'));
    };
    try {
      const spinning = [
        ...Array.from({ length: 4 }, () => spin(a1.client)),
        ...Array.from({ length: 4 }, () => spin(a2.client)),
      ];
      await new Promise((r) => setTimeout(r, 300));
      const quick = await Promise.race([
        run(b.client, 'return 1 + 1'),
        new Promise<undefined>((r) => setTimeout(r, 30_000)),
      ]);
      order.push('b');
      expect(quick && resultOf(quick)).toBe(2);
      for (const ac of cancels) ac.abort();
      await Promise.all(spinning);
      // Account A's programs wait forever; they end only when cancelled, after B's answer.
      expect(order[0]).toBe('b');
    } finally {
      for (const ac of cancels) ac.abort();
      await a1.close();
      await a2.close();
      await b.close();
    }
  }, 90_000);

  it("two accounts spinning every regular worker still leave a third account's run a reserved worker", async () => {
    const limits = { timeoutMs: 60_000 };
    const a = await exposure({ limits, tenant: { account: 'acc_a', server: 'srv_a' } });
    const b = await exposure({ limits, tenant: { account: 'acc_b', server: 'srv_b' } });
    const c = await exposure({ limits, tenant: { account: 'acc_c', server: 'srv_c' } });
    const d = await exposure({ limits, tenant: { account: 'acc_d', server: 'srv_d' } });
    const cancels: AbortController[] = [];
    const spin = (client: typeof a.client) => {
      const ac = new AbortController();
      cancels.push(ac);
      return client
        .callTool({ name: 'execute_code', arguments: { code: forever } }, undefined, {
          signal: ac.signal,
          timeout: 120_000,
        })
        .catch(() => undefined);
    };
    try {
      // A and B each take their half: all MAX_WORKERS regular workers spin until cancelled.
      const spinning = [
        ...Array.from({ length: 4 }, () => spin(a.client)),
        ...Array.from({ length: 4 }, () => spin(b.client)),
      ];
      await new Promise((r) => setTimeout(r, 300));
      const within = <T>(p: Promise<T>) => Promise.race([p, new Promise<undefined>((r) => setTimeout(r, 30_000))]);
      // C and D hold nothing, so each gets one of the reserved workers; A, already at its share, gets none.
      const [quickC, quickD] = await Promise.all([
        within(run(c.client, 'return 1 + 1')),
        within(run(d.client, 'return 2 + 2')),
      ]);
      expect(quickC && resultOf(quickC)).toBe(2);
      expect(quickD && resultOf(quickD)).toBe(4);
      for (const ac of cancels) ac.abort();
      await Promise.all(spinning);
    } finally {
      for (const ac of cancels) ac.abort();
      await a.close();
      await b.close();
      await c.close();
      await d.close();
    }
  }, 120_000);

  it('grants a reserved worker only to a share holding none, and never more than the reserve', async () => {
    const pool = new WorkerPool(2, 1);
    const admit = (shares: string[]) => (pool as unknown as { canStart(s: string[]): boolean }).canStart(shares);
    const take = (shares: string[]) => (pool as unknown as { take(s: string[]): void }).take(shares);
    take(['a']);
    take(['b']);
    expect(admit(['a'])).toBe(false); // a holds its share (1 of 2) and the regular workers are full
    expect(admit(['c'])).toBe(true); // c holds none: the reserve
    take(['c']);
    expect(admit(['d'])).toBe(false); // the reserve (1) is spent
    expect(pool.stats().active).toBe(3);
  });

  it('drops a queued run the moment its caller cancels it, without starting a worker for it', async () => {
    const pool = new WorkerPool(2);
    const limits = resolveLimits({ timeoutMs: 60_000 });
    const host = { call: async () => '{"ok":true,"value":{}}', log() {} };
    const owner = [{}];
    const { js } = await stripTypes(forever);
    const first = new AbortController();
    const running = pool.run(js, { cursorArgs: {} }, limits, host, first.signal, owner);
    await expect.poll(() => pool.stats().active, { timeout: 30_000 }).toBe(1);
    const queued = Array.from({ length: 5 }, () => {
      const ac = new AbortController();
      return { ac, outcome: pool.run(js, { cursorArgs: {} }, limits, host, ac.signal, owner) };
    });
    expect(pool.stats().queued).toBe(5);
    for (const q of queued) q.ac.abort();
    const outcomes = await Promise.race([
      Promise.all(queued.map((q) => q.outcome)),
      new Promise<undefined>((r) => setTimeout(r, 5_000)),
    ]);
    expect(outcomes?.map((o) => (o.ok ? 'ok' : o.error.name))).toEqual(Array(5).fill('AbortError'));
    expect(pool.stats().queued).toBe(0);
    const spawned = pool.stats().spawned;
    first.abort();
    await running;
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0, spawned });
  }, 60_000);

  it("counts a wait's polls against the run's call budget", async () => {
    const job = fake.state.fineTuningJobs.find((j) => j.status === 'running')!;
    const { client, close } = await exposure({ limits: { maxCalls: 10, timeoutMs: 20_000 } });
    try {
      fake.clearLog();
      const r = await run(
        client,
        `await Promise.all(Array.from({ length: 10 }, () =>
          openai.wait_for_open_ai_fine_tuning_job_by_id({ fine_tuning_job_id: '${job.id}', timeout_seconds: 4, poll_interval_seconds: 1 })));`,
      );
      expect(errorOf(r)?.code).toBe('call_limit');
      expect(fake.requests.length).toBeLessThanOrEqual(10);
    } finally {
      await close();
    }
  }, 60_000);
});

describe('errors that say what happened (findings 6, 7, 8, 12, 15)', () => {
  it('reports running out of memory as memory, also when QuickJS throws null for it, and stays quiet', async () => {
    const { client, close } = await exposure({ limits: { memoryBytes: 16 * 1024 * 1024 } });
    try {
      for (const code of [
        "const a = []; for (let i = 0; ; i++) a.push('x' + i);",
        'const a = []; for (;;) a.push({ a: 1, b: [1, 2, 3] });',
        'const m = new Map(); for (let i = 0; ; i++) m.set(i, [i]);',
      ]) {
        const r = await run(client, code);
        expect(errorOf(r)?.code, code).toBe('memory');
        expect(textOf(r), code).toMatch(/16 MiB/);
      }
      // A program that throws null itself is still a runtime error.
      expect(errorOf(await run(client, 'throw null;'))?.code).toBe('runtime');
      quiet();
    } finally {
      await close();
    }
  });

  it('answers 30,000 pending calls with call_limit, quietly', async () => {
    const { client, close } = await exposure();
    try {
      fake.clearLog();
      const r = await run(
        client,
        'await Promise.all(Array.from({ length: 30000 }, () => openai.list_all_open_ai_projects({ limit: 1 })));',
      );
      expect(errorOf(r)?.code, textOf(r)).toBe('call_limit');
      // At most the 50 the limit allows; Promise.all rejects at the 51st and the run ends, so calls still on their
      // way out when it does are aborted (a loaded machine sees 48 of them arrive).
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests.length).toBeLessThanOrEqual(50);
      quiet();
    } finally {
      await close();
    }
  }, 60_000);

  it('cuts a 300 MB thrown message inside the sandbox: the worker and the session live on', async () => {
    const { client, close } = await exposure({ limits: { memoryBytes: 1024 * 1024 * 1024 } });
    try {
      const r = await run(client, "throw new Error('y'.repeat(300_000_000));");
      expect(errorOf(r)?.code).toBe('runtime');
      expect(textOf(r)).toMatch(/^execute_code failed \(runtime\): Error: yyyy/);
      expect(textOf(r).length).toBeLessThan(5_000);
      const logged = await run(client, "console.log('z'.repeat(300_000_000)); return 1;");
      expect(resultOf(logged)).toBe(1);
      expect(JSON.stringify(logged.structuredContent).length).toBeLessThan(25_000);
      expect(resultOf(await run(client, 'return 2'))).toBe(2);
      quiet();
    } finally {
      await close();
    }
  }, 60_000);

  it('reports a time out of range as a validation issue naming the argument, with no request', async () => {
    const { client, close } = await exposure();
    try {
      fake.clearLog();
      for (const value of ['-99999999999d', '+99999999999d', '-P99999999999Y']) {
        const r = await run(client, `await openai.list_all_open_ai_completions({ start_time: '${value}' });`);
        expect(errorOf(r)?.code, value).toBe('tool_call');
        expect(errorOf(r)?.call?.error, value).toMatchObject({
          type: 'invalid_arguments',
          issues: [{ path: 'start_time' }],
        });
        expect(textOf(r), value).not.toMatch(/Internal error|Invalid time value/);
      }
      expect(fake.requests).toHaveLength(0);
    } finally {
      await close();
    }
  });

  it('raises no MaxListeners warning for 50 concurrent calls', async () => {
    const { client, close } = await exposure();
    try {
      const r = await run(
        client,
        'await Promise.all(Array.from({ length: 50 }, () => openai.list_all_open_ai_projects({ limit: 1 }))); return 1;',
      );
      expect(resultOf(r)).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      quiet();
    } finally {
      await close();
    }
  });
});
