// The built bin with `--exposure code` over real stdio against the stateful fake: the two tools, a search,
// and the cost audit in one call, with the sandbox running on the bundled worker. Needs `npm run build`.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../testing/fake-openai/index.js';
import { COST_AUDIT } from '../../testing/programs.js';
import { textOf } from './helpers.js';

const CLI = fileURLToPath(new URL('../../dist/bin/openai-mcp.mjs', import.meta.url));

/** This process's environment without the developer's OpenAI settings: the bin gets only the fake's keys. */
function envWithoutOpenAi(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('OPENAI_')) env[k] = v;
  return env;
}

let fake: FakeOpenAi;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  fake = await startFakeOpenAi();
});
afterAll(() => fake?.close());

it('serves search_docs and execute_code over stdio and runs the cost audit in one call', async () => {
  const env = envWithoutOpenAi();
  const stderr: string[] = [];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', '--exposure', 'code', '--methods', 'read', '--base-url', fake.baseUrl],
    env: { ...env, OPENAI_ADMIN_KEY: fake.adminKey, OPENAI_API_KEY: fake.projectKey },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: 'code-stdio-test', version: '0' });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['search_docs', 'execute_code']);

    const docs = (await client.callTool({
      name: 'search_docs',
      arguments: { query: 'project api keys', limit: 3 },
    })) as CallToolResult;
    expect(docs.isError).toBeFalsy();
    expect(textOf(docs)).toContain('list_all_open_ai_project_api_keys(');

    fake.clearLog();
    const r = (await client.callTool({ name: 'execute_code', arguments: { code: COST_AUDIT } })) as CallToolResult;
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = (r.structuredContent as any).result;
    expect(out.project.id).toMatch(/^proj_/);
    expect(fake.requests.map((q) => q.path)).toEqual([
      '/organization/projects',
      '/organization/usage/completions',
      '/organization/usage/completions',
      `/organization/projects/${out.project.id}/api_keys`,
    ]);

    const failing = (await client.callTool({
      name: 'execute_code',
      arguments: { code: 'const x = 1;\nreturn await openai.create_a_open_ai_project({ name: "x" });' },
    })) as CallToolResult;
    expect(failing.isError).toBe(true);
    expect((failing.structuredContent as any).error).toMatchObject({ code: 'tool_call', position: { line: 2 } });
  } finally {
    await client.close();
  }
  expect(stderr.join('')).toContain('code mode');
  expect(stderr.join('')).not.toContain(fake.adminKey);
}, 60_000);

it('takes the sandbox limits from --code-* flags: the description states them and the sandbox enforces them', async () => {
  const env = envWithoutOpenAi();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      CLI,
      'serve',
      '--exposure',
      'code',
      '--base-url',
      fake.baseUrl,
      ...['--code-timeout', '2', '--code-memory', '16', '--code-max-calls', '2', '--code-max-result-bytes', '5000'],
    ],
    env: { ...env, OPENAI_ADMIN_KEY: fake.adminKey, OPENAI_API_KEY: fake.projectKey },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'code-limits-test', version: '0' });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    const execute = tools.find((t) => t.name === 'execute_code');
    expect(execute?.description).toContain('Limits per run: 2 s, 16 MiB, 2 calls, 5000 bytes of result.');

    const run = async (code: string) =>
      (await client.callTool({ name: 'execute_code', arguments: { code } })) as CallToolResult;
    fake.clearLog();
    const calls = await run('for (let i = 0; i < 3; i++) await openai.list_all_open_ai_projects({ limit: 1 });');
    expect(calls.isError).toBe(true);
    expect((calls.structuredContent as any).error.code).toBe('call_limit');
    expect(fake.requests).toHaveLength(2);

    const spin = await run('while (true) {}');
    expect((spin.structuredContent as any).error).toMatchObject({ code: 'timeout' });
    expect(textOf(spin)).toContain('2000 ms');

    const big = await run('return "x".repeat(6000);');
    expect((big.structuredContent as any).error.code).toBe('result_too_large');

    const alloc = await run('const a = []; while (true) a.push(new Array(100000).fill(1));');
    expect((alloc.structuredContent as any).error.code).toBe('memory');

    // The session is still serving after every limit was hit.
    const ok = await run('return 1 + 1;');
    expect(ok.isError, textOf(ok)).toBeFalsy();
  } finally {
    await client.close();
  }
}, 60_000);
