#!/usr/bin/env node
// The `openai-mcp` bin. stdout belongs to the MCP protocol in `serve`; every human-readable line goes to stderr.

import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { defaultCatalog } from './catalog.js';
import { makeRedactor } from './redact.js';
import { createServerForToolkit, SERVER_VERSION } from './server.js';
import { createToolkit, type OpenAiToolsOptions } from './toolkit.js';

const HELP = `openai-mcp ${SERVER_VERSION}: OpenAI REST API as MCP tools

Usage:
  openai-mcp serve [filters]        Serve the tools over stdio (default command)
  openai-mcp list-tools [filters]   Print the selected tools and exit (--json for JSON)
  openai-mcp --help | --version

Filters (comma-separated or repeated; criteria combine with AND):
  --methods <m>        read, write, custom, or method names (list, get, create, update, delete, cancel, ...)
  --tags <t>           keep tools having any of these tags
  --tools <names>      allow list of tool names
  --exclude-tools <n>  tool names to drop

Options:
  --base-url <url>     API base URL (default: $OPENAI_BASE_URL or https://api.openai.com/v1)
  --timeout <ms>       per-call timeout in milliseconds (default 120000)

Environment:
  OPENAI_API_KEY       project key, for most tools
  OPENAI_ADMIN_KEY     admin key, for /organization/* tools
  OPENAI_ORG_ID        sent as OpenAI-Organization
  OPENAI_PROJECT_ID    sent as OpenAI-Project
`;

const redact = makeRedactor([process.env.OPENAI_API_KEY, process.env.OPENAI_ADMIN_KEY]);
const log = (msg: string) => process.stderr.write(`openai-mcp: ${redact(msg)}\n`);

function list(values: string[] | undefined): string[] | undefined {
  const out = values?.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  return out?.length ? out : undefined;
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      methods: { type: 'string', multiple: true },
      tags: { type: 'string', multiple: true },
      tools: { type: 'string', multiple: true },
      'exclude-tools': { type: 'string', multiple: true },
      'base-url': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error(`--timeout must be a positive integer of milliseconds, got ${values.timeout}`);
  }
  const options: OpenAiToolsOptions = {
    methods: list(values.methods),
    tags: list(values.tags),
    tools: list(values.tools),
    excludeTools: list(values['exclude-tools']),
    baseUrl: values['base-url'],
    timeoutMs,
  };
  return { command: positionals[0] ?? 'serve', extra: positionals.slice(1), values, options };
}

async function serve(options: OpenAiToolsOptions): Promise<void> {
  const kit = createToolkit({ ...options, catalog: defaultCatalog });
  const server = createServerForToolkit(kit);
  server.onerror = (err) => log(`protocol error: ${err.message}`);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  const missing = [
    kit.tools.some((t) => t.http.auth === 'project') && !process.env.OPENAI_API_KEY && 'OPENAI_API_KEY',
    kit.tools.some((t) => t.http.auth === 'admin') && !process.env.OPENAI_ADMIN_KEY && 'OPENAI_ADMIN_KEY',
  ].filter(Boolean);
  log(`serving ${kit.tools.length} tools over stdio${missing.length ? ` (not set: ${missing.join(', ')}; those tools will report it)` : ''}`);
  const shutdown = () => {
    void server.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.stdin.on('end', shutdown);
}

function listTools(options: OpenAiToolsOptions, json: boolean): void {
  const kit = createToolkit({ ...options, catalog: defaultCatalog });
  if (json) {
    process.stdout.write(`${JSON.stringify(kit.listTools(), null, 2)}\n`);
    return;
  }
  const rows = kit.tools.map((t) => [t.name, t.method, t.access, t.http.auth, t.tags.join(',')]);
  const header = ['TOOL', 'METHOD', 'ACCESS', 'AUTH', 'TAGS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  process.stdout.write(`${[fmt(header), ...rows.map(fmt)].join('\n')}\n${kit.tools.length} tools\n`);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (err) {
    log(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { command, extra, values, options } = parsed;
  if (values.help || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  if (extra.length) {
    log(`unexpected argument: ${extra.join(' ')}\n\n${HELP}`);
    return 2;
  }
  try {
    if (command === 'list-tools') {
      listTools(options, values.json ?? false);
      return 0;
    }
    if (command === 'serve') await serve(options);
    else {
      log(`unknown command: ${command}\n\n${HELP}`);
      return 2;
    }
  } catch (err) {
    log((err as Error).message);
    return 2;
  }
  return -1; // serving: the process lives as long as the transport
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    log(`fatal: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
