// Random and hostile arguments on every tool: no crash, no unhandled rejection, and no request that
// leaves the tool's own path. Runs in-process with a recording fetch, so thousands of calls stay fast.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiToolkit } from '../../runtime/index.js';
import catalog from '../../generated/catalog.json' with { type: 'json' };
import type { Catalog, ToolDef } from '../../runtime/types.js';
import { sampleArgs } from '../helpers/sample-args.js';

const BASE = 'http://127.0.0.1:9/v1';
const HOSTILE_IDS = [
  '../files',
  'a/b?c#d',
  '%2e%2e',
  '%2E%2E/x',
  '..',
  '.',
  '/',
  '?',
  '#',
  'x y',
  'ü/ñ',
  '\u0000',
  'a%2Fb',
  '..%2F..%2Fadmin',
  'ok_id',
];

const requests: { tool: string; url: string }[] = [];
let current = '';
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

const kit = createOpenAiToolkit({
  catalog: catalog as unknown as Catalog,
  baseUrl: BASE,
  credentials: { apiKey: 'sk-proj-fuzz', adminKey: 'sk-admin-fuzz' },
  fetch: async (input) => {
    requests.push({ tool: current, url: String(input instanceof Request ? input.url : input) });
    return new Response('{"object":"list","data":[],"has_more":false}', {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  },
});

/** The path a request for this tool may take: its template with each `{param}` one non-empty segment. */
function pathPattern(t: ToolDef): RegExp {
  const escaped = t.http.path.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^/v1${escaped.join('[^/?#]+')}$`);
}

function assertContained(t: ToolDef, from: number) {
  for (const r of requests.slice(from)) {
    const url = new URL(r.url);
    expect(url.origin, t.name).toBe('http://127.0.0.1:9');
    expect(url.pathname, `${t.name}: ${r.url}`).toMatch(pathPattern(t));
    for (const seg of url.pathname.split('/')) expect(['.', '..'], r.url).not.toContain(decodeURIComponent(seg));
  }
}

const tools = (catalog as unknown as Catalog).tools;

describe('fuzz', () => {
  it('random argument objects never crash a tool or send a request outside its path', async () => {
    let calls = 0;
    for (const t of tools) {
      const keys = Object.keys((t.inputSchema.properties ?? {}) as object);
      const arb = fc.dictionary(
        fc.constantFrom(...keys, 'unknown_arg', '__proto__', 'constructor'),
        fc.jsonValue({ maxDepth: 3 }),
        { maxKeys: 6 },
      );
      const samples = fc.sample(arb, { numRuns: 20, seed: 42 });
      for (const args of [...samples, null, [], 'x', 42, undefined]) {
        current = t.name;
        const from = requests.length;
        const result = await kit.callTool(t.name, args as never);
        calls++;
        expect(Array.isArray(result.content), t.name).toBe(true);
        assertContained(t, from);
      }
    }
    expect(calls).toBeGreaterThan(tools.length * 20);
    expect(unhandled).toEqual([]);
  }, 240_000);

  it('hostile ids in every path parameter stay inside the path (or are refused)', async () => {
    let sent = 0;
    let refused = 0;
    for (const t of tools) {
      const pathArgs = t.http.params.filter((p) => p.in === 'path').map((p) => p.arg);
      if (!pathArgs.length) continue;
      const { args } = await sampleArgs(t.name);
      for (const id of HOSTILE_IDS) {
        current = t.name;
        const from = requests.length;
        const result = await kit.callTool(t.name, { ...args, ...Object.fromEntries(pathArgs.map((a) => [a, id])) });
        if (requests.length > from) sent++;
        else {
          refused++;
          expect(result.isError, `${t.name} ${JSON.stringify(id)}`).toBe(true);
        }
        assertContained(t, from);
      }
    }
    // Most hostile ids are legal strings: they must be sent, encoded, not dropped.
    expect(sent).toBeGreaterThan(refused);
    expect(unhandled).toEqual([]);
  }, 240_000);
});
