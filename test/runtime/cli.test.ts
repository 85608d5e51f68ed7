// The built bin over real stdio. Needs `npm run build` first (as `npm test` does).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import type { Catalog } from '../../runtime/types.js';
import { json, PROJECT_KEY, startCaptureServer, textOf, type CaptureServer } from './helpers.js';

const CLI = fileURLToPath(new URL('../../dist/bin/openai-mcp.mjs', import.meta.url));
const catalog = catalogJson as unknown as Catalog;

let srv: CaptureServer;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  srv = await startCaptureServer();
});
afterAll(() => srv?.close());

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('OPENAI_')) env[k] = v;
  return { ...env, ...extra };
}

describe('openai-mcp serve (stdio)', () => {
  it('lists filtered tools, calls one against the API, and keeps stdout clean', async () => {
    const getFile = catalog.tools.find((t) => t.http.verb === 'GET' && t.http.path === '/files/{file_id}')!;
    srv.respond((_q, res) =>
      json(
        res,
        200,
        { id: 'file-1', object: 'file' },
        { 'x-ratelimit-remaining-requests': '9', 'x-ratelimit-limit-requests': '10' },
      ),
    );
    const stderr: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'serve', '--methods', 'read', '--tags', 'files', '--base-url', srv.baseUrl, '--timeout', '5000'],
      env: cleanEnv({ OPENAI_API_KEY: PROJECT_KEY }),
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: 'cli-test', version: '0' });
    await client.connect(transport);

    const { tools } = await client.listTools();
    const expected = catalog.tools
      .filter((t) => t.access === 'read' && t.tags.includes('files'))
      .map((t) => t.name)
      .sort();
    expect(tools.map((t) => t.name).sort()).toEqual(expected);

    const r = await client.callTool({ name: getFile.name, arguments: { file_id: 'file-1' } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ id: 'file-1', object: 'file' });
    expect((r._meta as Record<string, unknown>)['openai/ratelimit']).toEqual({
      requests: { 'ratelimit-limit': 10, 'ratelimit-remaining': 9 },
    });
    expect(srv.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PROJECT_KEY}`);

    const hidden = await client.callTool({
      name: catalog.tools.find((t) => t.access === 'write')!.name,
      arguments: {},
    });
    expect(hidden.isError).toBe(true);
    expect(textOf(hidden as never)).toMatch(/Unknown tool/);

    await client.close();
    expect(stderr.join('')).toContain('serving');
    expect(stderr.join('')).not.toContain(PROJECT_KEY);
  }, 30_000);

  it('list-tools, --help and a bad filter', () => {
    const list = spawnSync(process.execPath, [CLI, 'list-tools', '--methods', 'cancel', '--tags', 'fine-tuning'], {
      encoding: 'utf8',
      env: cleanEnv({}),
    });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/fine_tuning.*cancel/);
    expect(list.stdout).toMatch(/^1 tool$/m);

    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: openai-mcp/);
    for (const cmd of [
      'serve',
      'list-tools',
      'accounts',
      'servers',
      'management-tokens',
      'client-tokens',
      'audit-log',
      'secrets',
    ])
      expect(help.stdout).toContain(cmd);
    const serveHelp = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    expect(serveHelp.stdout).toContain('--http');
    expect(serveHelp.stdout).toContain('--exposure');

    const bad = spawnSync(process.execPath, [CLI, 'serve', '--methods', 'reed'], {
      encoding: 'utf8',
      env: cleanEnv({}),
    });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('Unknown method: reed');

    const badUrl = spawnSync(process.execPath, [CLI, 'serve', '--base-url', 'notaurl'], {
      encoding: 'utf8',
      env: cleanEnv({}),
    });
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain('--base-url');
    expect(badUrl.stderr).toContain('notaurl');
  });

  it('exits quietly when the reader of its output goes away (list-tools --json | head)', () => {
    const r = spawnSync(
      'bash',
      ['-o', 'pipefail', '-c', `"${process.execPath}" "${CLI}" list-tools --json | head -c 10 >/dev/null`],
      { encoding: 'utf8', env: cleanEnv({}) },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });
});
