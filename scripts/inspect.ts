// `npm run inspect [-- <serve filters>]`: the official MCP Inspector CLI against the built server.
// Runs `tools/list` with `--strict` (the Inspector's schema-portability report) and one `tools/call` against a Prism
// mock of the pinned spec, then prints a summary, plus this repo's OpenAI/Anthropic/portable host-rule check of the
// same listing. Exit code 1 if anything is reported.
//
// The Inspector needs Node >= 22.19; the `node` npm package provides one, so this works on the Node 20 the
// project supports: `npx -p node@22 -p @modelcontextprotocol/inspector@<version> mcp-inspector --cli …`.
// Needs the npm registry (or a warm npx cache) for those two packages. `--base-url <url>` skips Prism.
import { LIST_PAGE } from '../runtime/contract/pages.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../generator/pin.js';
import { startPrism } from '../testing/prism.js';
import { checkTools, type ListedTool } from './host-rules.js';

export const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';
export const INSPECTOR_NODE = 'node@22';
const CALL_TOOL = 'list_all_open_ai_models';
const BIN = path.join(repoRoot, 'dist', 'bin', 'openai-mcp.mjs');
const KEY = 'sk-inspect-0123456789';

const run = promisify(execFile);

interface Finding {
  severity: 'error' | 'warning';
  rule: string;
  path: string;
  issue: string;
}

export interface InspectReport {
  inspector: string;
  node: string;
  tools: number;
  errors: number;
  warnings: number;
  toolsWithFindings: number;
  findings: { toolName: string; findings: Finding[] }[];
  call: { tool: string; ok: boolean; detail: string };
  hostRules: number;
  lines: string[];
}

/**
 * One Inspector CLI run against a stdio server started as `server` (command and arguments), or against a URL over
 * Streamable HTTP; resolves with its JSON
 * envelope and exit code (6: unportable schema with --strict, 3: the tool answered isError).
 */
export async function runInspector(
  server: string[] | { url: string },
  method: string[],
  scratch: string,
  // biome-ignore lint/suspicious/noExplicitAny: the Inspector's JSON output is read field by field by the callers
): Promise<{ code: number; json: any; stderr: string }> {
  const args = [
    '-y',
    '-p',
    INSPECTOR_NODE,
    '-p',
    INSPECTOR,
    '--',
    'mcp-inspector',
    '--cli',
    '--format',
    'json',
    // A stdio server is started by the Inspector with test keys; a URL (a managed server) carries its own scope.
    ...(Array.isArray(server)
      ? ['-e', `OPENAI_API_KEY=${KEY}`, '-e', `OPENAI_ADMIN_KEY=${KEY}`, ...method, '--', ...server]
      : [server.url, '--transport', 'http', ...method]),
  ];
  // The Inspector keeps a catalog and client config under ~/.mcp-inspector by default; keep them out of $HOME.
  const env = {
    ...process.env,
    MCP_CATALOG_PATH: path.join(scratch, 'mcp.json'),
    MCP_CLIENT_CONFIG_PATH: path.join(scratch, 'client.json'),
  };
  try {
    const { stdout, stderr } = await run('npx', args, { env, maxBuffer: 1 << 26, timeout: 300_000 });
    return { code: 0, json: JSON.parse(stdout), stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    let json: unknown;
    try {
      json = JSON.parse(e.stdout ?? '');
    } catch {
      throw new Error(
        `the Inspector failed (exit ${e.code}):\n${(e.stderr ?? '')
          .split('\n')
          .filter((l) => !l.startsWith('npm warn'))
          .join('\n')}`,
      );
    }
    return { code: typeof e.code === 'number' ? e.code : 1, json, stderr: e.stderr ?? '' };
  }
}

export async function inspect(serveArgs: string[] = []): Promise<InspectReport> {
  if (!existsSync(BIN)) throw new Error(`${path.relative(process.cwd(), BIN)} is missing: run \`npm run build\` first`);
  const scratch = await mkdtemp(path.join(tmpdir(), 'openai-mcp-inspect-'));
  const explicitBase = serveArgs.includes('--base-url');
  const prism = explicitBase ? undefined : await startPrism();
  try {
    const serverArgs = prism ? [...serveArgs, '--base-url', prism.url] : serveArgs;
    const version = await run(
      'npx',
      ['-y', '-p', INSPECTOR_NODE, '-p', INSPECTOR, '--', 'mcp-inspector', '--cli', '--version'],
      { timeout: 300_000 },
    );
    const nodeVersion = await run('npx', ['-y', '-p', INSPECTOR_NODE, '--', 'node', '--version'], { timeout: 300_000 });

    const server = [process.execPath, BIN, 'serve', ...serverArgs];
    const list = await runInspector(server, ['--method', 'tools/list', '--strict'], scratch);
    const tools = (list.json.result?.tools ?? []) as ListedTool[];
    const findings = (list.json.schemaFindings ?? []) as InspectReport['findings'];
    const all = findings.flatMap((f) => f.findings);
    const errors = all.filter((f) => f.severity === 'error').length;
    const warnings = all.length - errors;

    // The call: the models list when it is listed; through `call_tool` in discovery mode; otherwise the first
    // read-only tool that needs no argument; none if the selection has no such tool.
    const names = new Set(tools.map((t) => t.name));
    const readOnlyNoArgs = tools.find(
      (t) =>
        (t as { annotations?: { readOnlyHint?: boolean } }).annotations?.readOnlyHint &&
        !(t.inputSchema.required as string[] | undefined)?.length,
    );
    const plan: { tool: string; args: Record<string, unknown> } | undefined = names.has(CALL_TOOL)
      ? { tool: CALL_TOOL, args: {} }
      : names.has('call_tool')
        ? { tool: 'call_tool', args: { name: CALL_TOOL, arguments: {} } }
        : readOnlyNoArgs && { tool: readOnlyNoArgs.name, args: {} };
    let callLine = 'skipped: no read-only tool without required arguments in this selection';
    let ok = true;
    let detail = 'skipped';
    if (plan) {
      const call = await runInspector(
        server,
        ['--method', 'tools/call', '--tool-name', plan.tool, '--tool-args-json', JSON.stringify(plan.args)],
        scratch,
      );
      const result = call.json.result as
        | { isError?: boolean; structuredContent?: unknown; content?: { text?: string }[] }
        | undefined;
      ok = call.code === 0 && result?.isError !== true;
      const list = (result?.structuredContent as Record<string, unknown> | undefined)?.[LIST_PAGE.items];
      const items = Array.isArray(list) ? `${list.length} item(s)` : 'answered';
      detail = ok
        ? `ok, ${items}`
        : `failed (exit ${call.code}): ${result?.content?.map((c) => c.text).join(' ') ?? call.stderr.slice(-500)}`;
      callLine = `${plan.tool}${plan.tool === 'call_tool' ? `(${CALL_TOOL})` : ''}: ${detail}`;
    }

    const host = checkTools(tools);
    const target = prism ? 'a Prism mock of the pinned spec' : 'the given --base-url';
    const lines = [
      `inspector:  ${INSPECTOR.replace(/@([^@]+)$/, ' $1')} (CLI ${version.stdout.trim()}) on node ${nodeVersion.stdout.trim()}`,
      `server:     node ${path.relative(process.cwd(), BIN)} serve ${serveArgs.join(' ')}`.trimEnd() +
        ` against ${target}`,
      `tools/list: ${tools.length} tools; schema portability (--strict): ${errors} errors, ${warnings} warnings across ${findings.length} tools`,
      ...findings.flatMap((f) =>
        f.findings.map((x) => `  ${x.severity}: ${f.toolName} ${x.path || '(root)'}: ${x.rule}`),
      ),
      `tools/call: ${callLine}`,
      `host rules: ${host.length} findings (OpenAI, Anthropic, portable) in ${tools.length} tools`,
      ...host.map((h) => `  ${h.host}/${h.rule}: ${h.tool} ${h.path}: ${h.message}`),
    ];
    return {
      inspector: version.stdout.trim(),
      node: nodeVersion.stdout.trim(),
      tools: tools.length,
      errors,
      warnings,
      toolsWithFindings: findings.length,
      findings,
      call: { tool: plan?.tool ?? '', ok, detail },
      hostRules: host.length,
      lines,
    };
  } finally {
    await prism?.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(repoRoot, 'scripts', 'inspect.ts')) {
  inspect(process.argv.slice(2)).then(
    (r) => {
      process.stdout.write(`${r.lines.join('\n')}\n`);
      process.exitCode = r.errors || r.warnings || !r.call.ok || r.hostRules ? 1 : 0;
    },
    (err: Error) => {
      process.stderr.write(`inspect: ${err.message}\n`);
      process.exitCode = 2;
    },
  );
}
