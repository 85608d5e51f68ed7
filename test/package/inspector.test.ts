// The official MCP Inspector CLI (`--strict` schema-portability report) against the built server, through
// scripts/inspect. The Inspector needs Node >= 22.19 and comes from the npm registry (`npx -p node@22 -p …`),
// so this file needs the registry or a warm npx cache; the first run downloads ~100 MB.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, inject, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import { repoRoot } from '../../generator/pin.js';
import { selectTools } from '../../runtime/filter.js';
import type { Catalog } from '../../runtime/types.js';
import { inspect, runInspector } from '../../scripts/inspect.js';
import { describeWithPrism } from '../helpers/prism.js';
import { sampleArgs } from '../helpers/sample-args.js';
import { cliJson, startService, tempDataDir } from '../service/helpers.js';

const prismDescribe = describeWithPrism();

prismDescribe('MCP Inspector CLI', () => {
  it('reports 0 errors and 0 warnings for tools/list --strict, and one tools/call succeeds against Prism', async () => {
    const report = await inspect(['--base-url', inject('prismUrl')]);
    expect(report.tools).toBe(catalogJson.tools.length);
    expect(report.findings).toEqual([]);
    expect([report.errors, report.warnings]).toEqual([0, 0]);
    expect(report.call.ok, report.call.detail).toBe(true);
    expect(report.hostRules).toBe(0);
  }, 600_000);

  it('reaches a managed server URL over Streamable HTTP: its scoped tools, 0 findings, one call through Prism', async () => {
    const dataDir = tempDataDir();
    const scratch = await mkdtemp(path.join(tmpdir(), 'openai-mcp-inspect-http-'));
    const acc = cliJson(['accounts', 'add', '--name', 'a', '--base-url', inject('prismUrl'), '--data-dir', dataDir], {
      env: { OPENAI_API_KEY: 'sk-proj-inspect-0123456789', OPENAI_ADMIN_KEY: 'sk-admin-inspect-0123456789' },
    });
    const service = await startService(dataDir);
    const server = cliJson([
      ...['servers', 'create', '--account', acc.id, '--name', 'billing', '--methods', 'read', '--tags', 'billing'],
      ...['--data-dir', dataDir, '--public-url', service.url],
    ]);
    try {
      const list = await runInspector({ url: server.url }, ['--method', 'tools/list', '--strict'], scratch);
      expect(list.code, list.stderr).toBe(0);
      const names = (list.json.result.tools as { name: string }[]).map((t) => t.name).sort();
      const scoped = selectTools(catalogJson as unknown as Catalog, { methods: ['read'], tags: ['billing'] });
      expect(names).toEqual(scoped.map((t) => t.name).sort());
      expect(list.json.schemaFindings ?? []).toEqual([]);

      const { args } = await sampleArgs('list_all_open_ai_costs');
      const call = await runInspector(
        { url: server.url },
        ['--method', 'tools/call', '--tool-name', 'list_all_open_ai_costs', '--tool-args-json', JSON.stringify(args)],
        scratch,
      );
      expect(call.code, JSON.stringify(call.json).slice(0, 500)).toBe(0);
      expect(call.json.result.isError ?? false).toBe(false);

      // The same server's URL with another token: the Inspector cannot connect at all.
      const forged = server.url.replace(/omcp_[\w-]+$/, `omcp_${'A'.repeat(43)}`);
      expect(forged).not.toBe(server.url);
      const refused = await runInspector({ url: forged }, ['--method', 'tools/list'], scratch).catch((e: Error) => e);
      expect(refused instanceof Error || refused.code !== 0).toBe(true);
    } finally {
      await service.stop();
      await rm(scratch, { recursive: true, force: true });
    }
  }, 600_000);

  it('does flag a type array and a type-less schema (the check can fail)', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'openai-mcp-inspect-neg-'));
    try {
      // One tool whose advertised schema has what the portable pass removes.
      const server = path.join(scratch, 'server.mjs');
      const sdk = (p: string) => path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm', p);
      await writeFile(
        server,
        `import { Server } from ${JSON.stringify(sdk('server/index.js'))};
import { StdioServerTransport } from ${JSON.stringify(sdk('server/stdio.js'))};
import { ListToolsRequestSchema } from ${JSON.stringify(sdk('types.js'))};
const s = new Server({ name: 'neg', version: '0' }, { capabilities: { tools: {} } });
s.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [{ name: 'old', inputSchema: { type: 'object', properties: { stop: { type: ['array', 'string'] }, choice: {} } } }] }));
await s.connect(new StdioServerTransport());
`,
      );
      const r = await runInspector([process.execPath, server], ['--method', 'tools/list', '--strict'], scratch);
      const rules = (r.json.schemaFindings as { findings: { rule: string; severity: string }[] }[]).flatMap((f) =>
        f.findings.map((x) => `${x.severity}:${x.rule}`),
      );
      expect(rules.sort()).toEqual(['warning:type-union', 'warning:untyped-schema']);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 600_000);
});
