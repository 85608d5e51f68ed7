// Escape and abuse matrix for execute_code. Each case must be contained: a clear error (or a sandbox-only
// answer), no effect on the host, no request beyond what the scope allows, and the server still serving.

import { LIST_PAGE } from '../../runtime/contract/pages.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { connect, fakeKit, run, textOf } from './helpers.js';

let fake: FakeOpenAi;
// `client` has room for a busy machine; `tight` stops at 1.5 s, for the cases that must time out.
let client: Client;
let tight: Client;
let close: () => Promise<void>;
let closeTight: () => Promise<void>;
const hostListeners = () =>
  ['uncaughtException', 'unhandledRejection', 'exit'].map((e) => process.listenerCount(e as 'exit'));
let listenersBefore: number[];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  // Read-only scope, and small limits so the costly cases stay quick.
  const limits = { memoryBytes: 16 * 1024 * 1024, maxResultBytes: 20_000, maxLogChars: 2_000 };
  ({ client, close } = await connect(
    createCodeExposure(fakeKit(fake, { methods: ['read'] }), { limits: { ...limits, timeoutMs: 20_000 } }),
  ));
  ({ client: tight, close: closeTight } = await connect(
    createCodeExposure(fakeKit(fake, { methods: ['read'] }), { limits: { ...limits, timeoutMs: 1_500 } }),
  ));
  listenersBefore = hostListeners();
});
afterAll(async () => {
  await close();
  await closeTight();
  await fake.close();
});

// After every case: the host is untouched and the same server still answers a trivial program.
afterEach(async () => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  expect(hostListeners()).toEqual(listenersBefore);
  const ok = await run(client, 'return [1, 2].map((x) => x * 2)');
  expect(ok.isError).toBeFalsy();
  expect((ok.structuredContent as any).result).toEqual([2, 4]);
});

const errorOf = (r: any) =>
  r.structuredContent?.error as {
    code: string;
    message: string;
    position?: { line: number; column: number };
    call?: any;
  };
const noKeyIn = (r: unknown) => {
  const s = JSON.stringify(r);
  expect(s).not.toContain(fake.adminKey);
  expect(s).not.toContain(fake.projectKey);
};

describe('escape attempts reach nothing of the host', () => {
  it('has no require, process, fetch, timers, modules, WebAssembly or environment', async () => {
    const r = await run(
      client,
      `
      return {
        globals: [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof setInterval, typeof queueMicrotask,
          typeof std, typeof os, typeof WebAssembly, typeof module, typeof exports, typeof Buffer, typeof XMLHttpRequest],
        viaFunction: Function('return typeof process + typeof require')(),
        viaEval: eval('typeof globalThis.process'),
        viaConstructor: (() => { try { return openai.constructor.constructor('return typeof process')(); } catch (e) { return 'threw ' + e.name; } })(),
        viaAsyncCtor: await (async () => {}).constructor('return typeof process')(),
        names: Object.getOwnPropertyNames(globalThis).filter((n) => /process|require|fetch|call|log|install|host/i.test(n)),
      };`,
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = (r.structuredContent as any).result;
    expect(out.globals.every((t: string) => t === 'undefined')).toBe(true);
    expect(out.viaFunction).toBe('undefinedundefined');
    expect(out.viaEval).toBe('undefined');
    expect(out.viaConstructor).toBe('undefined');
    expect(out.viaAsyncCtor).toBe('undefined');
    expect(out.names).toEqual([]);
  });

  it('cannot import modules', async () => {
    const r = await run(client, `const fs = await import('fs'); return typeof fs.readFileSync;`);
    expect(r.isError).toBe(true);
    expect(errorOf(r).code).toBe('runtime');
    expect(textOf(r)).toMatch(/could not load module|not supported|import/i);
  });

  it('never sees an API key, even while probing every value it can reach', async () => {
    const r = await run(
      client,
      `
      const seen = [];
      for (const n of Object.getOwnPropertyNames(globalThis)) { try { seen.push(n + '=' + String(globalThis[n])); } catch {} }
      seen.push(String(openai), String(openai.list_all_open_ai_projects), String(openai.paginate));
      try { await openai.list_all_open_ai_projects({ limit: 'x' }); } catch (e) { seen.push(e.message, JSON.stringify(e.error)); }
      return seen.join('\\n');`,
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    noKeyIn(r);
  });
});

describe('prototype pollution stays inside one execution', () => {
  it('pollutes its own prototypes without the pollution reaching the call arguments, the host or the next run', async () => {
    fake.clearLog();
    const r = await run(
      client,
      `
      Object.prototype.polluted = 'yes';
      Object.prototype.include_archived = true;
      Array.prototype.polluted = 'yes';
      JSON.stringify = () => '{"ok":true,"json":"\\"forged\\""}';
      const page = await openai.list_all_open_ai_projects({ limit: 2 });
      return JSON.parse('{"ids": ' + String(page.${LIST_PAGE.items}.length) + ', "__proto__": {"polluted": "returned"}}');`,
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = (r.structuredContent as any).result;
    expect(out.ids).toBe(2);
    // An own "__proto__" key on the host side, not a prototype.
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.polluted).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.query).toEqual([['limit', '2']]);
    const next = await run(client, 'return [({}).polluted ?? null, [].polluted ?? null, typeof JSON.stringify({})];');
    expect((next.structuredContent as any).result).toEqual([null, null, 'string']);
  });

  it('sends a __proto__ argument to validation as a plain (unknown) argument, not as a prototype', async () => {
    fake.clearLog();
    const r = await run(
      client,
      `return await openai.list_all_open_ai_projects(JSON.parse('{"limit": 2, "__proto__": {"include_archived": true}}'));`,
    );
    expect(errorOf(r).code).toBe('tool_call');
    expect(errorOf(r).call.error.issues).toEqual([expect.objectContaining({ path: '__proto__' })]);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('resource limits', () => {
  it('stops while(true){} with the interrupt handler', async () => {
    const r = await run(tight, 'while (true) {}');
    expect(r.isError).toBe(true);
    expect(errorOf(r).code).toBe('timeout');
    expect(textOf(r)).toContain('1500 ms');
  });

  it('stops a loop that swallows exceptions, after an await', async () => {
    const r = await run(
      tight,
      'await openai.list_all_open_ai_projects({ limit: 1 }); for (;;) { try { while (true) {} } catch (e) {} }',
    );
    expect(errorOf(r).code).toBe('timeout');
  });

  it('ends a loop of slow built-ins that the interrupt handler sees too rarely, by terminating its worker', async () => {
    const r = await run(tight, "for (;;) 'x'.repeat(1 << 20);");
    expect(errorOf(r).code).toBe('timeout');
  });

  it('stops a program that waits forever on a promise', async () => {
    const r = await run(tight, 'await new Promise(() => {}); return 1;');
    expect(errorOf(r).code).toBe('timeout');
  });

  it('stops allocation past the memory cap', async () => {
    const r = await run(client, 'const keep = []; for (;;) keep.push(new ArrayBuffer(1 << 20));');
    expect(r.isError).toBe(true);
    expect(errorOf(r).code).toBe('memory');
    expect(textOf(r)).toContain('16 MiB');
  });

  it('refuses one huge allocation', async () => {
    const r = await run(client, 'const b = new ArrayBuffer(1024 * 1024 * 1024); return b.byteLength;');
    expect(r.isError).toBe(true);
    expect(['memory', 'runtime']).toContain(errorOf(r).code);
  });

  it('refuses tool calls past the limit, sequential or all at once, without sending them', async () => {
    fake.clearLog();
    const seq = await run(
      client,
      'for (let i = 0; i < 10000; i++) await openai.list_all_open_ai_projects({ limit: 1 });',
    );
    expect(errorOf(seq).code).toBe('call_limit');
    expect(fake.requests).toHaveLength(50);
    fake.clearLog();
    const all = await run(
      client,
      'await Promise.all(Array.from({ length: 10000 }, () => openai.list_all_open_ai_projects({ limit: 1 })));',
    );
    expect(errorOf(all).code).toBe('call_limit');
    // Promise.all rejects at the 51st call; the 50 accepted ones still finish before the answer.
    expect(fake.requests).toHaveLength(50);
    fake.clearLog();
    const swallowed = await run(
      client,
      'let n = 0; for (let i = 0; i < 10000; i++) { try { await openai.list_all_open_ai_projects({ limit: 1 }); n++; } catch {} } return n;',
    );
    expect(errorOf(swallowed).code).toBe('call_limit');
    expect(fake.requests).toHaveLength(50);
  });

  it('caps a huge return value and a flood of console output', async () => {
    const big = await run(client, "return 'x'.repeat(5_000_000);");
    expect(big.isError).toBe(true);
    expect(['result_too_large', 'memory']).toContain(errorOf(big).code);
    const fits = await run(client, "return 'y'.repeat(100_000);");
    expect(errorOf(fits).code).toBe('result_too_large');
    expect(textOf(fits).length).toBeLessThan(2_000);
    const logs = await run(client, "for (let i = 0; i < 20000; i++) console.log('line ' + i); return 'done';");
    expect(logs.isError, textOf(logs)).toBeFalsy();
    expect(JSON.stringify(logs.structuredContent).length).toBeLessThan(5_000);
    expect((logs.structuredContent as any).logs.at(-1)).toMatch(/more characters of console output dropped/);
  });

  it('reports deep recursion as a stack overflow', async () => {
    const r = await run(client, 'function f(n) { return f(n + 1) + 1; }\nreturn f(0);');
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/stack overflow/i);
    const nested = await run(client, 'let o = {}; for (let i = 0; i < 200000; i++) o = { o }; return o;');
    expect(nested.isError).toBe(true);
  });
});

describe('scope and errors', () => {
  it('answers a write tool on a read-only server like an unknown tool, with no request', async () => {
    fake.clearLog();
    const write = await run(client, "return await openai.create_a_open_ai_project({ name: 'evil' });");
    const unknown = await run(client, 'return await openai.no_such_tool({});');
    expect(write.isError).toBe(true);
    expect(errorOf(write).code).toBe('tool_call');
    expect(errorOf(write).call.tool).toBe('create_a_open_ai_project');
    expect(textOf(write)).toContain('Unknown tool: "create_a_open_ai_project"');
    expect(textOf(unknown)).toContain('Unknown tool: "no_such_tool"');
    expect(fake.requests).toHaveLength(0);
    expect(fake.state.projects.some((p) => p.name === 'evil')).toBe(false);
  });

  it('cannot hang the host by hijacking Promise.prototype.then, or by a return value that will not serialize', async () => {
    const hijack = await run(tight, 'Promise.prototype.then = function () { return this; };\nreturn 1;');
    expect(hijack.isError).toBe(true);
    expect(['timeout', 'runtime']).toContain(errorOf(hijack).code);
    const cyclic = await run(client, 'const a = {}; a.self = a; return a;');
    expect(errorOf(cyclic).code).toBe('not_serializable');
    const toJson = await run(client, "return { toJSON() { throw new Error('no'); } };");
    expect(errorOf(toJson).code).toBe('not_serializable');
    const big = await run(client, 'return 10n ** 30n;');
    expect(errorOf(big).code).toBe('not_serializable');
  });

  it('refuses openai.paginate over a tool that is not a list', async () => {
    const r = await run(
      client,
      "for await (const x of openai.paginate('get_single_open_ai_project_by_id', { project_id: 'proj_001' })) {}",
    );
    expect(errorOf(r).code).toBe('runtime');
    expect(textOf(r)).toContain('is not a list tool');
  });

  it('ends a run the client cancels, and keeps serving', async () => {
    const controller = new AbortController();
    const pending = tight.callTool({ name: 'execute_code', arguments: { code: 'while (true) {}' } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow();
  });

  it('reports a thrown non-Error value, even a hostile one', async () => {
    for (const code of [
      'throw 42;',
      'throw null;',
      "throw { toString() { throw new Error('no'); }, toJSON() { throw 1; } };",
      'throw new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 1; } });',
    ]) {
      const r = await run(client, code);
      expect(r.isError, code).toBe(true);
      expect(errorOf(r).code, code).toBe('runtime');
    }
    expect(textOf(await run(client, 'throw 42;'))).toContain('non-Error value: 42');
  });

  it("names the line, the column and the failing call (validation issues, then OpenAI's error)", async () => {
    fake.clearLog();
    const bad = await run(
      client,
      "const a = 1;\nconst b: number = 2;\n  const page = await openai.list_all_open_ai_projects({ limit: 'ten' });\nreturn page;",
    );
    const e = errorOf(bad);
    expect(e.code).toBe('tool_call');
    expect(e.position).toEqual({ line: 3, column: expect.any(Number) });
    expect(e.position!.column).toBeGreaterThanOrEqual(22);
    expect(e.call).toMatchObject({ tool: 'list_all_open_ai_projects', args: { limit: 'ten' } });
    expect(textOf(bad)).toMatch(/limit/);
    expect(fake.requests).toHaveLength(0);

    const missing = await run(
      client,
      "const x = 0;\nawait openai.get_single_open_ai_project_by_id({ project_id: 'proj_999' });",
    );
    expect(errorOf(missing).position?.line).toBe(2);
    expect(errorOf(missing).call.error).toMatchObject({ type: 'upstream', upstream: { status: 404 } });
    expect(textOf(missing)).toContain("No such project: 'proj_999'");

    // With several failed calls, the report names the one whose error the program threw.
    const two = await run(
      client,
      [
        'const [slow, quick] = await Promise.allSettled([',
        "  openai.get_single_open_ai_project_by_id({ project_id: 'proj_gone' }),",
        "  openai.list_all_open_ai_projects({ limit: 'x' }),",
        ']);',
        'throw (quick as PromiseRejectedResult).reason;',
      ].join('\n'),
    );
    expect(errorOf(two).call).toMatchObject({ tool: 'list_all_open_ai_projects', args: { limit: 'x' } });
    expect(errorOf(two).position?.line).toBe(3);

    const typeError = await run(client, 'const o: any = null;\n\nreturn o.field;');
    expect(errorOf(typeError)).toMatchObject({ code: 'runtime', position: { line: 3 } });
    expect(textOf(typeError)).toMatch(/TypeError/);

    const syntax = await run(client, 'const a = 1;\nconst b = ;');
    expect(errorOf(syntax)).toMatchObject({ code: 'syntax', position: { line: 2 } });
  });

  it('routes each call to its own key: admin for organization tools, project for the rest', async () => {
    fake.clearLog();
    const r = await run(
      client,
      `
      const [projects, jobs] = await Promise.all([
        openai.list_all_open_ai_projects({ limit: 1 }),
        openai.list_all_open_ai_fine_tuning_jobs({ limit: 1 }),
      ]);
      return [projects.${LIST_PAGE.items}.length, jobs.${LIST_PAGE.items}.length];`,
    );
    expect(r.isError, textOf(r)).toBeFalsy();
    const byPath = Object.fromEntries(fake.requests.map((q) => [q.path, q.auth]));
    expect(byPath).toEqual({ '/organization/projects': 'admin', '/fine_tuning/jobs': 'project' });
  });

  it("redacts a key that OpenAI's error message echoes, before the program or the answer sees it", async () => {
    fake.injectError({
      path: '/organization/projects',
      status: 401,
      message: `Incorrect API key provided: ${fake.adminKey}.`,
      code: 'invalid_api_key',
    });
    const r = await run(
      client,
      `
      try { await openai.list_all_open_ai_projects({}); } catch (e) { console.log(e.message); throw e; }`,
    );
    expect(errorOf(r).code).toBe('tool_call');
    expect(textOf(r)).toContain('Incorrect API key provided');
    noKeyIn(r);
  });

  it("passes OpenAI's error and rate-limit fields through, never a key", async () => {
    fake.injectError({
      path: '/organization/projects',
      status: 429,
      message: 'Rate limit reached for requests',
      type: 'requests',
      code: 'rate_limit_exceeded',
      headers: { 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': '0', 'retry-after': '3' },
    });
    const r = await run(client, 'return await openai.list_all_open_ai_projects({});');
    expect(errorOf(r).call.error).toMatchObject({
      type: 'upstream',
      upstream: { status: 429, code: 'rate_limit_exceeded', retry_after: 3 },
    });
    expect(r._meta?.['openai/ratelimit']).toEqual({
      requests: { 'ratelimit-limit': 100, 'ratelimit-remaining': 0 },
      'retry-after': 3,
    });
    expect(textOf(r)).toContain('retry-after');
    noKeyIn(r);
  });
});
