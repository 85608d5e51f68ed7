// A real `openai-mcp` process for service tests: the built bin, spawned with a temp data dir, driven through its
// CLI and its HTTP endpoints exactly as an operator and an MCP client would.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const BIN = path.resolve(import.meta.dirname, '../../dist/bin/openai-mcp.mjs');

/** Test env values: a string sets the variable, `undefined` removes it. */
export type TestEnv = Record<string, string | undefined>;

/**
 * An environment without the developer's OpenAI settings, plus `extra`. The tests' fake OpenAI listens on
 * loopback, which the service refuses as a base URL unless the operator allows private base URLs: so the tests do,
 * and the tests of that refusal remove the switch (`OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: undefined`).
 */
/**
 * Where a spawned command's default data dir lands (`XDG_DATA_HOME`): a temp dir per test process, never the
 * machine's own `~/.local/share/openai-mcp`, which a command run without `--data-dir` would otherwise create and
 * migrate (and another checkout's newer schema would then make every other checkout refuse it).
 */
const XDG_DATA_HOME = mkdtempSync(path.join(tmpdir(), 'openai-mcp-xdg-'));

export function cleanEnv(extra: TestEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XDG_DATA_HOME,
    OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: '1',
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'openai-mcp-data-'));
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], options: { env?: TestEnv; input?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: cleanEnv(options.env),
    input: options.input,
    timeout: options.timeoutMs,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a CLI command with `--json` and parses its stdout; throws with stderr when it fails. */
export function cliJson<T = any>(args: string[], options: { env?: TestEnv; input?: string } = {}): T {
  const r = cli([...args, '--json'], options);
  if (r.status !== 0) throw new Error(`openai-mcp ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A management token for every account and action (the operator's own), created with the CLI. */
export function allAccessToken(name: string, dataDir: string, env?: TestEnv): string {
  return cliJson<{ token: string }>(
    ['management-tokens', 'create', '--name', name, '--accounts', 'all', '--actions', 'all', '--data-dir', dataDir],
    { env },
  ).token;
}

export interface Service {
  url: string;
  stderr(): string;
  stop(): Promise<void>;
  child: ChildProcess;
}

export async function startService(dataDir: string, extraArgs: string[] = [], env: TestEnv = {}): Promise<Service> {
  const child = spawn(process.execPath, [BIN, 'serve', '--http', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start: ${err}`)), 15_000);
    child.stderr!.on('data', (chunk: string) => {
      err += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited ${code}: ${err}`));
    });
  });
  return {
    url,
    child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        // A process killed by a signal has signalCode set and exitCode null.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function connect(
  url: string,
  kind: 'streamable' | 'sse' = 'streamable',
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'service-test', version: '1.0.0' });
  const transport =
    kind === 'streamable'
      ? new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } })
      : new SSEClientTransport(new URL(url.replace('/mcp/', '/sse/')), {
          requestInit: { headers },
          eventSourceInit: {
            fetch: (u, init) =>
              fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
          },
        });
  await client.connect(transport);
  return client;
}

export interface RestAnswer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** REST call that keeps every answer's text, so the suite can check none of them leaks a secret. */
export function restClient(base: string, answers: string[]) {
  return async (
    method: string,
    p: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<RestAnswer> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${base}${p}`, { method, headers, body });
    const text = await res.text();
    answers.push(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}

export const textOf = (r: unknown) =>
  (((r as { content?: unknown }).content as { type: string; text?: string }[]) ?? [])
    .map((c) => c.text ?? '')
    .join('\n');
