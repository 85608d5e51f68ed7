// What a stdio server loads before its first `tools/list`: the built bin's entry, the CLI it imports dynamically
// (cli/bin.ts: after the heap setting), and the chunks those import statically (other dynamic imports load on
// first need). Libraries only a call, a management command or HTTP serving uses
// must stay out of that graph; each is a measurable part of cold start (`npm run bench:runtime -- --before <bin>`).
// The v2 SDK itself is not in that graph either: the opening answers come from runtime/lean.ts, and the SDK is
// imported after them (runtime/stdio.ts, serveStdioLazily).
// Also the bin's stand-in for the SDK's `_shims` (cli/sdk-shims.ts): the SDK's ajv validator, loaded on first use.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DefaultJsonSchemaValidator } from '../../cli/sdk-shims.js';

const BIN_DIR = path.resolve(import.meta.dirname, '../../dist/bin');

/** The entry, its dynamically imported CLI, and every chunk reached from them through static imports, with their text. */
function staticGraph(): Map<string, string> {
  const seen = new Map<string, string>();
  const pending = ['openai-mcp.mjs'];
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    const text = readFileSync(path.join(BIN_DIR, file), 'utf8');
    seen.set(file, text);
    // Minified ESM: `import{a as b}from"./chunk-X.mjs"` or `import"./chunk-X.mjs"`; `import("./x.mjs")` is dynamic.
    for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)) pending.push(m[1]!);
    if (file === 'openai-mcp.mjs') {
      const main = /import\("\.\/(main-[^"]+\.mjs)"\)/.exec(text)?.[1];
      expect(main, 'the entry imports the CLI dynamically').toBeDefined();
      pending.push(main!);
    }
  }
  return seen;
}

describe('stdio start-up', () => {
  it('loads no MCP SDK, validator library, date library or unused zod locale before the first tools/list', () => {
    if (!existsSync(path.join(BIN_DIR, 'openai-mcp.mjs'))) throw new Error('dist/bin is missing: run `npm run build`');
    const graph = staticGraph();
    expect(graph.size).toBeGreaterThan(1);
    const text = [...graph.values()].join('\n');
    // The runtime is there (a check that the walk follows the imports at all)...
    expect(text).toContain('tools/list');
    expect(text).toContain('notifications/initialized');
    // ...the v2 SDK's core (its message schemas and serving entry), ajv (the SDK's bundled copy or ours), luxon, and zod's locales other than English are not.
    for (const [library, marker] of [
      ['the v2 SDK', 'modern-only-missing-envelope'],
      ['the v2 SDK stdio entry', 'subscriptions/listen'],
      ['ajv', 'unknown keyword'],
      ['luxon', 'Invalid DateTime'],
      ['a zod locale (es)', 'se esperaba'],
    ]) {
      expect(text.includes(marker!), `${library} is loaded at start-up`).toBe(false);
    }
  });

  it('the heap setting runs before any large chunk is evaluated: the entry imports only small ones statically', () => {
    const entry = readFileSync(path.join(BIN_DIR, 'openai-mcp.mjs'), 'utf8');
    expect(entry).toContain('--http'); // small-heap.ts, inlined or imported
    const chunks = [...entry.matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)].map((m) => m[1]!);
    for (const chunk of chunks) expect(statSync(path.join(BIN_DIR, chunk)).size, chunk).toBeLessThan(16 * 1024);
  });

  it("the SDK's default JSON Schema validator still validates, loaded on first use", () => {
    const validate = new DefaultJsonSchemaValidator().getValidator<{ a: string }>({
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
    });
    expect(validate({ a: 'x' })).toMatchObject({ valid: true, data: { a: 'x' } });
    expect(validate({ a: 1 })).toMatchObject({ valid: false, errorMessage: expect.stringContaining('must be string') });
  });
});
