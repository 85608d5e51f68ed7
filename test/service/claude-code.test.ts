// Claude Code itself against a managed server URL: the real CLI from the npm registry (`npx -p node@22 -p
// @anthropic-ai/claude-code`), with an empty HOME, adds the URL (`claude mcp add --transport http`) and health-checks
// it (`claude mcp list`, which needs no login). Its first attempt must be accepted: no 400 and no unsupported-version
// line in the service's log, and the health check says connected. A recording proxy between the two keeps what
// Claude Code sent (protocol version, JSON-RPC method) and what it got back, so a failure says which request it was.
//
// Needs the npm registry or a warm npx cache (the CLI is ~60 MB). Skipped, saying so, only when npx cannot fetch it.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, type Service, startService, tempDataDir } from './helpers.js';

/** The release issue 18 was measured with (it opens HTTP connections with MCP 2026-07-28). */
const CLAUDE_CODE = '@anthropic-ai/claude-code@2.1.332';
/** What npx prints when the registry is out of reach: only then is the test skipped. */
const OFFLINE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network request .* failed/i;

interface Seen {
  httpMethod: string;
  protocolVersion?: string;
  rpcMethod?: string;
  status?: number;
}

let service: Service;
let proxy: Server;
let url = '';
const seen: Seen[] = [];

/** Forwards to the service unchanged (Host rewritten, as a reverse proxy does) and records each exchange. */
function startProxy(target: URL): Promise<string> {
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: Seen = {
        httpMethod: req.method ?? '',
        protocolVersion: req.headers['mcp-protocol-version'] as string | undefined,
      };
      try {
        entry.rpcMethod = (JSON.parse(body.toString('utf8')) as { method?: string }).method;
      } catch {}
      seen.push(entry);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (up) => {
          entry.status = up.statusCode;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)),
  );
}

const home = mkdtempSync(path.join(tmpdir(), 'claude-home-'));
const project = mkdtempSync(path.join(tmpdir(), 'claude-project-'));

/** Runs the real `claude` with an empty HOME (npm's cache stays the user's, so the CLI is fetched once). */
async function claude(args: string[]): Promise<{ code: number | null; out: string }> {
  const cache = process.env.npm_config_cache ?? path.join(process.env.HOME ?? tmpdir(), '.npm');
  const child = spawn('npx', ['-y', '-p', 'node@22', '-p', CLAUDE_CODE, 'claude', ...args], {
    cwd: project,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      npm_config_cache: cache,
      npm_config_update_notifier: 'false',
      DISABLE_AUTOUPDATER: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  child.stderr.on('data', (c: Buffer) => (out += c));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 400_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, out };
}

beforeAll(async () => {
  const dataDir = tempDataDir();
  const acc = cliJson(
    ['accounts', 'add', '--name', 'a', '--base-url', 'http://127.0.0.1:9/v1', '--data-dir', dataDir],
    {
      env: { OPENAI_API_KEY: 'sk-proj-claude0123456789abcdef' },
    },
  );
  service = await startService(dataDir);
  const origin = await startProxy(new URL(service.url));
  url = cliJson([
    ...['servers', 'create', '--account', acc.id, '--name', 'claude', '--methods', 'read', '--tags', 'files'],
    ...['--data-dir', dataDir, '--public-url', origin],
  ]).url;
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await new Promise((r) => proxy?.close(r));
});

describe('Claude Code against a managed URL', () => {
  it('claude mcp add --transport http, then claude mcp list: connected on the first attempt, no 400', async (ctx) => {
    const add = await claude(['mcp', 'add', '--transport', 'http', 'oai-http', url]);
    if (add.code !== 0 && OFFLINE.test(add.out))
      ctx.skip(`npx could not fetch ${CLAUDE_CODE} (offline?): ${add.out.trim().slice(-300)}`);
    expect(add.code, add.out).toBe(0);
    // Adding writes the config only; the health check is the first contact.
    expect(seen).toEqual([]);

    const list = await claude(['mcp', 'list']);
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(/oai-http: http:\/\/127\.0\.0\.1:\d+\/mcp\/omcp_\S+ \(HTTP\) - ✔ Connected/);

    const log = service.stderr();
    const exchanges = JSON.stringify(seen);
    expect(seen.length, exchanges).toBeGreaterThan(0);
    // Claude Code 2.1.332 opens with a 2026-07-28 server/discover (no initialize): answered, not refused.
    expect(seen[0], exchanges).toMatchObject({
      protocolVersion: '2026-07-28',
      rpcMethod: 'server/discover',
      status: 200,
    });
    expect(
      seen.filter((s) => (s.status ?? 0) >= 400),
      exchanges,
    ).toEqual([]);
    expect(log).not.toMatch(/ 400 \d+ms|Unsupported protocol version|unsupported.version/i);
    expect(log).toMatch(/POST \/mcp\/:token srv_[\w-]+ 200 /);
    // Said in the report, so a change in what Claude Code opens with is visible.
    ctx.annotate(`Claude Code ${CLAUDE_CODE.split('@').pop()} sent: ${exchanges}`);
  }, 900_000);
});
