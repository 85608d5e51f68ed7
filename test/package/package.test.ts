// The installable package and every client config in examples/, exercised the way users run them: `npm pack` from
// an unbuilt copy of the repo, the tarball installed into an empty folder, and each config's own command started
// there and driven by a real MCP Client (stdio, or Streamable HTTP for the remote ones).
// Needs the npm registry (or a warm npm cache) for the consumer's install, and for mcp-remote.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import catalogJson from '../../generated/catalog.json' with { type: 'json' };
import { repoRoot } from '../../generator/pin.js';
import type { Catalog, ToolDef } from '../../runtime/types.js';
import { packAndInstall, run, type Packed } from '../helpers/packed.js';

const catalog = catalogJson as unknown as Catalog;
const PROJECT_KEY = 'sk-proj-pack-test-0123456789';
const ADMIN_KEY = 'sk-admin-pack-test-0123456789';
const TSC = path.join(repoRoot, 'node_modules', '.bin', 'tsc');
const examples = (rel: string) => path.join(repoRoot, 'examples', rel);
const prismUrl = (): string | undefined => inject('prismUrl');

/** Host caps: OpenAI (Agents SDK, and VS Code's 128 per request) and Cursor's first 40. */
const CAP = { openai: 128, vscode: 128, cursor: 40 } as const;

const select = (pred: (t: ToolDef) => boolean) =>
  catalog.tools
    .filter(pred)
    .map((t) => t.name)
    .sort();
const READ = select((t) => t.access === 'read');

let packed: Packed;
beforeAll(async () => {
  packed = await packAndInstall();
}, 300_000);
afterAll(async () => {
  if (packed) await rm(packed.root, { recursive: true, force: true });
});

interface Started {
  client: Client;
  stderr: () => string;
}

async function startStdio(command: string, args: string[], env: Record<string, string>): Promise<Started> {
  const transport = new StdioClientTransport({ command, args, env, cwd: packed.project, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'package-test', version: '0' });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new Error(`${command} ${args.join(' ')} did not start: ${(err as Error).message}\n${stderr}`);
  }
  return { client, stderr: () => stderr };
}

/** What the test adds to a config's env: real-looking keys for its placeholders and the Prism mock as the API. */
function testEnv(configEnv: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(configEnv)) {
    if (name === 'OPENAI_API_KEY') env[name] = PROJECT_KEY;
    else if (name === 'OPENAI_ADMIN_KEY') env[name] = ADMIN_KEY;
    else throw new Error(`unexpected env ${name}`);
  }
  const prism = prismUrl();
  if (prism) env.OPENAI_BASE_URL = prism;
  return env;
}

/** A config never carries a real secret: only placeholders the host (or the user) fills in. */
const PLACEHOLDER =
  /^(sk-\.\.\.|sk-admin-\.\.\.|\$\{env:[A-Z_]+\}|\$\{input:[a-z-]+\}|\$[A-Z_]+|Bearer omcpapi_\.\.\.|Bearer omcpcli_\.\.\.)$/;

async function listAndCall(
  started: Started,
  expected: string[],
  call?: { name: string; args: Record<string, unknown> },
) {
  const { tools } = await started.client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual(expected);
  if (call && prismUrl()) {
    const r = (await started.client.callTool({ name: call.name, arguments: call.args })) as CallToolResult;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  }
  await started.client.close();
  expect(started.stderr()).not.toContain(PROJECT_KEY);
  return tools;
}

/** `--methods read --tags a,b` as the CLI applies it, to compute what a config must list. */
function expectedFor(args: string[]): string[] {
  const methods = args.includes('--methods') ? args[args.indexOf('--methods') + 1]!.split(',') : undefined;
  const tags = args.includes('--tags') ? args[args.indexOf('--tags') + 1]!.split(',') : undefined;
  return select(
    (t) =>
      (!methods || methods.includes(t.access) || methods.includes(t.method)) &&
      (!tags || t.tags.some((g) => tags.includes(g))),
  );
}

const LIST_MODELS = { name: 'list_all_open_ai_models', args: {} };

describe('npm pack', () => {
  it('builds dist/ from an unbuilt clone and ships what users need, and nothing else', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/bin/openai-mcp.mjs',
      'dist/runtime/index.js',
      'dist/runtime/index.d.ts',
      'dist/generated/index.js',
      'dist/generated/index.d.ts',
      'dist/generated/catalog.json',
      'dist/generated/validation.json',
      'dist/generated/zod/fine-tuning.d.ts',
      'generated/manifest.json',
      'generated/TOOLS.md',
    ])
      expect(packed.files, packed.log).toContain(f);
    expect(packed.files.filter((f) => /^(runtime|generator|test|scripts|specs|templates|examples)\//.test(f))).toEqual(
      [],
    );
  });

  it('installs bins named like the package and openai-mcp', async () => {
    const pkg = JSON.parse(
      await readFile(path.join(packed.project, 'node_modules', 'openai-mcp-kit', 'package.json'), 'utf8'),
    );
    expect(Object.keys(pkg.bin).sort()).toEqual(['openai-mcp', 'openai-mcp-kit']);
    expect(pkg.license).toBe('MIT');
    const { stdout } = await run('npx', ['-y', 'openai-mcp', '--version'], { cwd: packed.project });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('starts exactly as the README config says, driven by an MCP client over stdio', async () => {
    const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => JSON.parse(m[1]!))
      .find((j) => j.mcpServers);
    expect(block, 'README has a JSON config with mcpServers').toBeTruthy();
    const server = Object.values(block.mcpServers)[0] as {
      command: string;
      args: string[];
      env: Record<string, string>;
    };
    expect(server.command).toBe('npx');
    expect(server.args.slice(0, 2)).toEqual(['-y', 'openai-mcp-kit']);
    const started = await startStdio(server.command, server.args, testEnv(server.env));
    await listAndCall(started, expectedFor(server.args), LIST_MODELS);
  });
});

describe('consumers of the installed package', () => {
  const ownServer = (importLines: string) => `${importLines}
const server = new McpServer({ name: 'consumer', version: '1.0.0' });
server.registerTool('ping', { description: 'pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
const kit = registerOpenAiTools(server, { methods: ['read'], tags: ['fine-tuning'] });
const [a, b] = InMemoryTransport.createLinkedPair();
const client = new Client({ name: 'c', version: '0' });
Promise.all([server.connect(a), client.connect(b)])
  .then(() => client.listTools())
  .then(async ({ tools }) => {
    console.log(JSON.stringify({ registered: kit.tools.length, listed: tools.map((t) => t.name).sort() }));
    await client.close();
  });
`;
  const expected = () => {
    const ft = select((t) => t.access === 'read' && t.tags.includes('fine-tuning'));
    return { registered: ft.length, listed: [...ft, 'ping'].sort() };
  };

  it('an ESM file imports it and registers the tools into its own McpServer', async () => {
    await writeFile(
      path.join(packed.project, 'consumer.mjs'),
      ownServer(`import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { registerOpenAiTools } from 'openai-mcp-kit';`),
    );
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: packed.project });
    expect(JSON.parse(stdout)).toEqual(expected());
  });

  it('a CommonJS TypeScript file type-checks (no TS2345 for its McpServer), compiles and runs', async () => {
    await writeFile(
      path.join(packed.project, 'consumer.ts'),
      ownServer(`import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createOpenAiMcpServer, registerOpenAiTools, type OpenAiToolkit } from 'openai-mcp-kit';
// The low-level Server is accepted too, and the ready server connects to the caller's own (CommonJS) transport.
const low: OpenAiToolkit = registerOpenAiTools(new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } }), { tools: ['list_all_open_ai_models'] });
const connectLater = () => createOpenAiMcpServer({ methods: ['read'] }).connect(new StdioServerTransport());
void low, connectLater;`),
    );
    await writeFile(
      path.join(packed.project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          outDir: 'out',
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = spawnSync(TSC, ['-p', '.'], { cwd: packed.project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const { stdout } = await run(process.execPath, ['out/consumer.js'], { cwd: packed.project });
    expect(JSON.parse(stdout)).toEqual(expected());
  }, 180_000);

  // The v2 line: its McpServer, and its Client making a real call. A wrong argument is refused by the package's
  // validation before any request, so no OpenAI stand-in is needed for the call to be real.
  const v2Server = (importLines: string) => `${importLines}
const server = new McpServer({ name: 'consumer', version: '1.0.0' });
server.registerTool('ping', { description: 'pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
const kit = registerOpenAiTools(server, { methods: ['read'], tags: ['fine-tuning'] });
const [a, b] = InMemoryTransport.createLinkedPair();
const client = new Client({ name: 'c', version: '0' });
Promise.all([server.connect(a), client.connect(b)])
  .then(() => client.listTools())
  .then(async ({ tools }) => {
    const bad = await client.callTool({ name: 'list_all_open_ai_fine_tuning_jobs', arguments: { limit: 'many' } });
    const text = JSON.stringify(bad.content);
    console.log(JSON.stringify({ registered: kit.tools.length, listed: tools.map((t) => t.name).sort(), isError: bad.isError, text }));
    await client.close();
  });
`;
  const v2Imports = `import { McpServer } from '@modelcontextprotocol/server';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { registerOpenAiTools } from 'openai-mcp-kit';`;
  const expectV2 = (stdout: string) => {
    const out = JSON.parse(stdout);
    expect({ registered: out.registered, listed: out.listed }).toEqual(expected());
    expect(out.isError).toBe(true);
    expect(out.text).toMatch(/\blimit\b/);
  };
  const consumerEnv = { ...process.env, OPENAI_API_KEY: 'sk-proj-CONSUMERkey0123456789' };

  it('an ESM file on the v2 SDK registers the tools into its McpServer, and its v2 Client calls one', async () => {
    await writeFile(path.join(packed.project, 'consumer-v2.mjs'), v2Server(v2Imports));
    const { stdout } = await run(process.execPath, ['consumer-v2.mjs'], { cwd: packed.project, env: consumerEnv });
    expectV2(stdout);
  });

  it('a CommonJS TypeScript file on the v2 SDK type-checks, compiles and runs', async () => {
    await writeFile(
      path.join(packed.project, 'consumer-v2.ts'),
      v2Server(`${v2Imports}
import { Server } from '@modelcontextprotocol/server';
import { type OpenAiToolkit } from 'openai-mcp-kit';
// The low-level v2 Server is accepted too.
const low: OpenAiToolkit = registerOpenAiTools(new Server({ name: 'low', version: '1' }, { capabilities: { tools: {} } }), { tools: ['list_all_open_ai_models'] });
void low;`),
    );
    await writeFile(
      path.join(packed.project, 'tsconfig.v2.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          outDir: 'out-v2',
          types: ['node'],
        },
        files: ['consumer-v2.ts'],
      }),
    );
    const tsc = spawnSync(TSC, ['-p', 'tsconfig.v2.json'], { cwd: packed.project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    // CommonJS for real: the emitted file requires the packages.
    expect(await readFile(path.join(packed.project, 'out-v2/consumer-v2.js'), 'utf8')).toMatch(
      /require\("openai-mcp-kit"\)/,
    );
    const { stdout } = await run(process.execPath, ['out-v2/consumer-v2.js'], {
      cwd: packed.project,
      env: consumerEnv,
    });
    expectV2(stdout);
  }, 180_000);

  it('types a tool input with z.infer: a right argument compiles and a wrong one does not (ESM and CommonJS)', async () => {
    const file = (imp: string, value: string) => `${imp}
type FineTuneArgs = z.infer<typeof createAOpenAiFineTuningJob>;
export const args: FineTuneArgs = ${value};
`;
    const esm = `import type { z } from 'zod';\nimport type { createAOpenAiFineTuningJob } from 'openai-mcp-kit/generated/zod/fine-tuning';`;
    const right = `{ model: 'gpt-4o-mini-2024-07-18', training_file: 'file-abc', hyperparameters: { n_epochs: 3 } }`;
    const wrong = `{ model: 'gpt-4o-mini-2024-07-18', training_file: 'file-abc', hyperparameters: { n_epochs: true } }`;
    await writeFile(path.join(packed.project, 'typed-right.mts'), file(esm, right));
    await writeFile(path.join(packed.project, 'typed-right.cts'), file(esm, right));
    await writeFile(path.join(packed.project, 'typed-wrong.mts'), file(esm, wrong));
    const check = async (name: string, files: string[]) => {
      const options = {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: [],
      };
      await writeFile(
        path.join(packed.project, `tsconfig.${name}.json`),
        JSON.stringify({ compilerOptions: options, files }),
      );
      return spawnSync(TSC, ['-p', `tsconfig.${name}.json`], { cwd: packed.project, encoding: 'utf8' });
    };
    const ok = await check('right', ['typed-right.mts', 'typed-right.cts']);
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const bad = await check('wrong', ['typed-wrong.mts']);
    expect(bad.status).not.toBe(0);
    // One error, at the `n_epochs: true` of line 4.
    const line4 = file(esm, wrong).split('\n')[3]!;
    const column = line4.indexOf('n_epochs: true') + 1;
    expect(bad.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^typed-wrong\\.mts\\(4,(${column}|${column + 10})\\): error TS2322: Type 'true' is not assignable`),
      ),
    ]);
  });
});

describe('client configs in examples/ (each started with exactly its own command)', () => {
  const jsonConfig = async (rel: string, key: 'mcpServers' | 'servers') => {
    const cfg = JSON.parse(await readFile(examples(rel), 'utf8'));
    const [name, server] = Object.entries(cfg[key])[0] as [
      string,
      { command: string; args: string[]; env?: Record<string, string>; type?: string },
    ];
    for (const v of Object.values(server.env ?? {})) expect(v).toMatch(PLACEHOLDER);
    return { cfg, name, server };
  };

  for (const [rel, key, cap] of [
    ['claude-desktop/claude_desktop_config.json', 'mcpServers', undefined],
    ['cursor/mcp.json', 'mcpServers', CAP.cursor],
    ['vscode/mcp.json', 'servers', CAP.vscode],
    ['gemini-cli/settings.json', 'mcpServers', undefined],
  ] as const) {
    it(`${rel}`, async () => {
      const { cfg, server } = await jsonConfig(rel, key);
      if (key === 'servers') {
        // VS Code: every ${input:…} used is declared in inputs.
        const ids = (cfg.inputs as { id: string }[]).map((i) => i.id);
        for (const v of Object.values(server.env ?? {}))
          for (const m of v.matchAll(/\$\{input:([^}]+)\}/g)) expect(ids).toContain(m[1]);
        expect(server.type).toBe('stdio');
      }
      const tools = await listAndCall(
        await startStdio(server.command, server.args, testEnv(server.env)),
        expectedFor(server.args),
        LIST_MODELS,
      );
      if (cap) expect(tools.length).toBeLessThanOrEqual(cap);
    });
  }

  it('the README shows the Claude Desktop example verbatim', async () => {
    const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
    const example = (await readFile(examples('claude-desktop/claude_desktop_config.json'), 'utf8')).trim();
    expect(readme).toContain(example);
  });

  it('openai-agents/agent.py: the MCPServerStdio params, under 128 tools', async () => {
    const source = await readFile(examples('openai-agents/agent.py'), 'utf8');
    // No Python needed: the params block is checked as data, and run as the command it names.
    const command = /"command":\s*"([^"]+)"/.exec(source)![1]!;
    const args = JSON.parse(/"args":\s*(\[[^\]]*\])/.exec(source)![1]!) as string[];
    expect(source).toMatch(/MCPServerStdio\(\s*name="openai",\s*params=SERVER_PARAMS/);
    expect(source).toContain('"env": {"OPENAI_API_KEY": os.environ["OPENAI_API_KEY"]}');
    const python = spawnSync('python3', [
      '-c',
      'import ast,sys; ast.parse(open(sys.argv[1]).read())',
      examples('openai-agents/agent.py'),
    ]);
    if (!python.error) expect(python.status).toBe(0);
    const tools = await listAndCall(
      await startStdio(command, args, testEnv({ OPENAI_API_KEY: 'x' })),
      expectedFor(args),
      LIST_MODELS,
    );
    expect(tools.length).toBeLessThanOrEqual(CAP.openai);
  });

  describe('remote, against a managed server started from the package (`serve --http`)', () => {
    const bin = () => path.join(packed.project, 'node_modules', '.bin', 'openai-mcp-kit');
    const cliJson = async (args: string[], env: Record<string, string> = {}) => {
      const { stdout } = await run(bin(), [...args, '--data-dir', dataDir, '--json'], {
        cwd: packed.project,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...allowLoopback, ...env },
      });
      return JSON.parse(stdout);
    };
    // Prism listens on loopback, a base URL the service refuses unless the operator allows private ones.
    const allowLoopback = { OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: '1' };
    let dataDir: string;
    let service: ChildProcess | undefined;
    let serverUrl: string;
    let clientToken: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'openai-mcp-kit-managed-'));
      const account = await cliJson(
        ['accounts', 'add', '--name', 'acme', ...(prismUrl() ? ['--base-url', prismUrl()!] : [])],
        { OPENAI_API_KEY: PROJECT_KEY, OPENAI_ADMIN_KEY: ADMIN_KEY },
      );
      const child = spawn(bin(), ['serve', '--http', '--port', '0', '--data-dir', dataDir], {
        cwd: packed.project,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { PATH: process.env.PATH ?? '', ...allowLoopback },
      });
      service = child;
      let err = '';
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          if (/listening on http/.test(err)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`serve --http exited ${code}: ${err}`)));
      });
      const created = await cliJson([
        'servers',
        'create',
        '--account',
        account.id,
        '--name',
        'remote',
        '--methods',
        'read',
        '--auth',
        'url+client-token',
      ]);
      serverUrl = created.url;
      clientToken = (await cliJson(['client-tokens', 'create', '--name', 'ci', '--server', created.id])).token;
    }, 60_000);
    afterAll(async () => {
      if (service && service.exitCode === null) {
        const exited = new Promise((r) => service!.once('exit', r));
        service.kill('SIGTERM');
        await exited;
      }
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('claude-code/add.sh: the stdio command after --, and the --transport http URL with its header', async () => {
      const script = await readFile(examples('claude-code/add.sh'), 'utf8');
      const stdioLine = script.split('\n').find((l) => l.startsWith('claude mcp add openai '))!;
      expect(stdioLine).toContain('-e OPENAI_API_KEY="$OPENAI_API_KEY"');
      // Everything after `--` is the server command, plain words (no quoting).
      const [command, ...args] = stdioLine.split(' -- ')[1]!.trim().split(/\s+/) as [string, ...string[]];
      await listAndCall(
        await startStdio(command, args, testEnv({ OPENAI_API_KEY: 'x' })),
        expectedFor(args),
        LIST_MODELS,
      );

      // Claude Code's HTTP transport is Streamable HTTP with the given header; the SDK client does the same.
      const httpLine = script.split('\n').find((l) => l.includes('--transport http'))!;
      expect(httpLine).toBe(
        'claude mcp add --transport http openai-managed "$OPENAI_MCP_URL" --header "Authorization: Bearer $OPENAI_MCP_CLIENT_TOKEN"',
      );
      const connectWith = async (headers: Record<string, string>) => {
        const client = new Client({ name: 'claude-code-like', version: '0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { requestInit: { headers } }));
        return client;
      };
      await expect(connectWith({})).rejects.toThrow(/requires a client token/);
      const client = await connectWith({ Authorization: `Bearer ${clientToken}` });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(READ);
      if (prismUrl()) {
        const r = (await client.callTool({ name: LIST_MODELS.name, arguments: {} })) as CallToolResult;
        expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      }
      await client.close();
    });

    it('mcp-remote/claude_desktop_config.json: mcp-remote bridges stdio to the managed server with the header', async () => {
      const { server } = await jsonConfig('mcp-remote/claude_desktop_config.json', 'mcpServers');
      const args = server.args.map((a) => (a === 'https://mcp.example.com/mcp/omcp_...' ? serverUrl : a));
      expect(args).not.toEqual(server.args);
      const env = { OPENAI_MCP_AUTH: `Bearer ${clientToken}`, MCP_REMOTE_CONFIG_DIR: path.join(dataDir, 'mcp-auth') };
      const started = await startStdio(server.command, args, env);
      await listAndCall(started, READ, LIST_MODELS);
      expect(started.stderr()).not.toContain(clientToken);
    }, 180_000);
  });

  it('embed-in-your-server.ts: read + billing tools next to its own, in its own McpServer', async () => {
    const source = await readFile(examples('embed-in-your-server.ts'), 'utf8');
    const line = /^\/\/\s+OPENAI_ADMIN_KEY=sk-admin-\.\.\. (npx tsx (\S+))$/m.exec(source)!;
    expect(line).toBeTruthy();
    await copyFile(examples('embed-in-your-server.ts'), path.join(packed.project, line[2]!));
    const [command, ...args] = line[1]!.split(' ') as [string, ...string[]];
    const billing = select((t) => t.access === 'read' && t.tags.includes('billing'));
    const noArgs = catalog.tools.find(
      (t) => billing.includes(t.name) && !(t.inputSchema.required as string[] | undefined)?.length,
    )!;
    const started = await startStdio(command, args, { ...testEnv({ OPENAI_ADMIN_KEY: 'x' }) });
    const r = (await started.client.callTool({ name: 'monthly_budget', arguments: { team: 'ml' } })) as CallToolResult;
    expect(r.content).toEqual([{ type: 'text', text: '{"team":"ml","budget_usd":500}' }]);
    await listAndCall(started, [...billing, 'monthly_budget'].sort(), { name: noArgs.name, args: {} });
  });

  it('fine-tuning-monitor.ts: prints the jobs the server returns', async () => {
    const prism = prismUrl();
    const source = await readFile(examples('fine-tuning-monitor.ts'), 'utf8');
    const line = /^\/\/\s+OPENAI_API_KEY=sk-\.\.\. (npx tsx (\S+))\s+# once$/m.exec(source)!;
    expect(line).toBeTruthy();
    expect(source).toContain(`args: ['-y', 'openai-mcp-kit', 'serve', '--methods', 'read', '--tags', 'fine-tuning']`);
    await copyFile(examples('fine-tuning-monitor.ts'), path.join(packed.project, line[2]!));
    const [command, ...args] = line[1]!.split(' ') as [string, ...string[]];
    const env = { ...process.env, OPENAI_API_KEY: PROJECT_KEY, ...(prism ? { OPENAI_BASE_URL: prism } : {}) };
    const result = spawnSync(command, args, { cwd: packed.project, env, encoding: 'utf8', timeout: 60_000 });
    if (!prism) {
      // No mock API: the monitor must fail cleanly, naming the tool, not hang or crash.
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/fine-tuning-monitor: list_all_open_ai_fine_tuning_jobs: /);
      return;
    }
    // stderr carries the server's own start-up line (the monitor passes it through); no error of the monitor.
    expect(result.stderr).not.toContain('fine-tuning-monitor:');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\S+Z {2}\d+ recent fine-tuning job\(s\)/);
    // Prism answers with values generated from the spec: check the shape, one line per job and the latest event
    // of each job still running.
    const jobs = [
      ...result.stdout.matchAll(
        /^ {2}(\S+) {2}(validating_files|queued|running|succeeded|failed|cancelled) *(\S.*)$/gm,
      ),
    ];
    expect(jobs.length).toBe(Number(/(\d+) recent/.exec(result.stdout)![1]));
    const running = jobs.filter((j) => !['succeeded', 'failed', 'cancelled'].includes(j[2]!)).length;
    expect(result.stdout.match(/^ {6}latest: /gm)?.length ?? 0).toBe(running);
    expect(result.stdout + result.stderr).not.toContain(PROJECT_KEY);
  });
});
