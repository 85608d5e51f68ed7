// The whole OAuth flow as people and hosts run it: the MCP SDK's Client with its OAuth client provider (and
// mcp-remote) discover the service from a 401, register, and send the user to /oauth/authorize; Debian's chromium,
// driven by playwright-core, signs in at a real OpenID Connect provider (oidc-provider on loopback) and answers
// the consent page; the client exchanges the code and lists and calls tools. A user outside the server's
// allow-list is refused, and nothing reaches the stand-in for OpenAI.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Client as ClientV2,
  type OAuthClientProvider as OAuthClientProviderV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
  UnauthorizedError as UnauthorizedErrorV2,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium } from '../../testing/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type Idp, type OAuthEnv, startIdp, startOAuthService } from './oauth-helpers.js';

let env: OAuthEnv;
let idp: Idp;
let browser: Browser;
let allowed: { id: string; url: string };

/** A loopback HTTP server standing in for the client's redirect URI: resolves with the query it receives. */
async function callbackServer() {
  let resolve!: (q: URLSearchParams) => void;
  const got = new Promise<URLSearchParams>((r) => {
    resolve = r;
  });
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('done');
    resolve(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/callback`, got, close: () => server.close() };
}

/** The SDK's OAuth client provider interface, kept in memory; the "browser redirect" is handed to the test. */
class MemoryProvider implements OAuthClientProvider {
  info?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = '';
  authorizationUrl?: URL;
  constructor(private readonly callback: string) {}
  get redirectUrl() {
    return this.callback;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK test client',
      redirect_uris: [this.callback],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** Signs in at the IdP's login page as `login`, then answers its consent, then ours. */
async function signIn(page: Page, startUrl: string, login: string, decision: 'Allow' | 'Deny' = 'Allow') {
  page.setDefaultTimeout(15_000);
  try {
    await page.goto(startUrl);
    await page.getByRole('button', { name: /Sign in with/ }).click();
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    // The IdP asks its own consent for the scopes (development interactions).
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/oauth\/consent|\/oauth\/callback/);
    // At /oauth/callback the service answered with a page of its own (a refusal); the caller checks it.
    if (!page.url().includes('/oauth/consent')) return;
    await page.getByRole('button', { name: decision }).click();
    await page.waitForLoadState();
  } catch (err) {
    const body = await page.content().catch(() => '');
    throw new Error(
      `${(err as Error).message.split('\n')[0]} at ${page.url()}: ${body.replace(/<style[\s\S]*?<\/style>/g, '').slice(0, 1500)}`,
    );
  }
}

beforeAll(async () => {
  if (!haveChromium) return;
  const servicePort = await freePort();
  const idpPort = await freePort();
  const clientSecret = randomBytes(24).toString('hex');
  env = await startOAuthService({
    port: servicePort,
    oauth: {
      oidc: {
        issuer: `http://127.0.0.1:${idpPort}`,
        clientId: 'openai-mcp-test',
        clientSecret,
        scopes: 'openid email groups',
      },
    },
  });
  idp = await startIdp({
    port: idpPort,
    callback: `${env.url}/oauth/callback`,
    clientSecret,
    groups: { 'carol@example.com': ['ml-team'] },
  });
  const made = await env.manage((m) =>
    m.servers.createServer(
      env.accountId,
      {
        name: 'Files for Alice',
        auth: 'oauth',
        config: { tags: ['Files'] },
        oauth: { allow_emails: ['alice@example.com'], allow_groups: ['ml-team'] },
      },
      env.url,
    ),
  );
  allowed = { id: made.id, url: made.url! };
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
  await idp?.close();
});

describe.skipIf(!haveChromium)('OAuth with a browser, a real IdP and real MCP clients', () => {
  it('the SDK Client completes discovery → registration → authorize (IdP login, consent) → token → tools/call', async () => {
    const cb = await callbackServer();
    const provider = new MemoryProvider(cb.url);
    const before = env.stub.requests.length;
    const first = new StreamableHTTPClientTransport(new URL(allowed.url), { authProvider: provider });
    const c1 = new Client({ name: 'sdk-oauth', version: '1.0.0' });
    await expect(c1.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.info?.client_id).toBeTruthy();
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(allowed.url);
    const page = await browser.newPage();
    try {
      await signIn(page, provider.authorizationUrl!.href, 'alice@example.com');
      expect(page.url(), await page.content()).not.toContain('/oauth/callback');
      const q = await cb.got;
      expect(q.get('iss')).toBe(env.url);
      await first.finishAuth(q.get('code')!);
    } finally {
      await page.close();
      cb.close();
    }
    expect(env.stub.requests.length).toBe(before);
    const client = new Client({ name: 'sdk-oauth', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(allowed.url), { authProvider: provider }));
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    const list =
      tools.find((t) => t.name === 'list_all_open_ai_files') ?? tools.find((t) => t.name.startsWith('list_'));
    const result = await client.callTool({ name: list!.name, arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(env.stub.requests.length).toBe(before + 1);
    await client.close();
  });

  it('the v2 SDK Client (MCP 2026-07-28) completes the same flow with its OAuth client provider and calls a tool', async () => {
    const cb = await callbackServer();
    // The v2 provider interface has the same members; checked by the compiler against the v2 types.
    const provider: OAuthClientProviderV2 & MemoryProvider = new MemoryProvider(cb.url);
    const before = env.stub.requests.length;
    const first = new StreamableHTTPClientTransportV2(new URL(allowed.url), { authProvider: provider });
    const c1 = new ClientV2({ name: 'sdk-v2-oauth', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await expect(c1.connect(first)).rejects.toBeInstanceOf(UnauthorizedErrorV2);
    expect(provider.info?.client_id).toBeTruthy();
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(allowed.url);
    expect(provider.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    const page = await browser.newPage();
    try {
      await signIn(page, provider.authorizationUrl!.href, 'alice@example.com');
      expect(page.url(), await page.content()).not.toContain('/oauth/callback');
      // The callback's parameters as they came: the v2 SDK checks `iss` (RFC 9207) before it redeems the code.
      await first.finishAuth(await cb.got);
    } finally {
      await page.close();
      cb.close();
    }
    expect(provider.saved?.access_token).toMatch(/^omcpat_/);
    expect(env.stub.requests.length).toBe(before);
    const client = new ClientV2({ name: 'sdk-v2-oauth', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransportV2(new URL(allowed.url), { authProvider: provider }));
    expect(client.getProtocolEra()).toBe('modern');
    const { tools } = await client.listTools();
    const list =
      tools.find((t) => t.name === 'list_all_open_ai_files') ?? tools.find((t) => t.name.startsWith('list_'));
    const result = await client.callTool({ name: list!.name, arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(env.stub.requests.length).toBe(before + 1);
    await client.close();
  });

  it('a group on the allow-list gets in; a user outside it is refused at the login, and nothing reaches OpenAI', async () => {
    const before = env.stub.requests.length;
    for (const [login, ok] of [
      ['carol@example.com', true],
      ['mallory@example.com', false],
    ] as const) {
      const cb = await callbackServer();
      const provider = new MemoryProvider(cb.url);
      const transport = new StreamableHTTPClientTransport(new URL(allowed.url), { authProvider: provider });
      await expect(new Client({ name: 'x', version: '1' }).connect(transport)).rejects.toBeInstanceOf(
        UnauthorizedError,
      );
      const page = await browser.newPage();
      try {
        await signIn(page, provider.authorizationUrl!.href, login);
        if (ok) {
          const q = await cb.got;
          await transport.finishAuth(q.get('code')!);
          expect(provider.saved?.access_token).toMatch(/^omcpat_/);
        } else {
          expect(await page.content()).toContain('may not use this server');
          expect(provider.saved).toBeUndefined();
        }
      } finally {
        await page.close();
        cb.close();
      }
    }
    expect(env.stub.requests.length).toBe(before);
    const refusals = await env.manage(async () => {
      const Database = (await import('better-sqlite3')).default;
      const d = new Database(path.join(env.dataDir, 'openai-mcp.sqlite'));
      const rows = d.prepare("select subject, detail from auth_events where event = 'refused'").all() as any[];
      d.close();
      return rows;
    });
    expect(refusals.some((r) => String(r.subject).includes('mallory@example.com') && /allow-list/.test(r.detail))).toBe(
      true,
    );
  });

  it('mcp-remote completes the same flow (its browser step driven in chromium) and lists tools', async () => {
    const configDir = mkdtempSync(path.join(tmpdir(), 'mcp-remote-'));
    const port = await freePort();
    const proxy = path.resolve(import.meta.dirname, '../../node_modules/mcp-remote/dist/proxy.js');
    let stderr = '';
    // mcp-remote prints the authorization URL and tries to open a browser (none here: BROWSER points at `true`).
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [proxy, allowed.url, String(port), '--host', '127.0.0.1'],
      env: { PATH: process.env.PATH ?? '', HOME: configDir, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: 'true' },
      stderr: 'pipe',
    });
    const authUrl = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no authorization URL from mcp-remote: ${stderr}`)), 30_000);
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const m = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const client = new Client({ name: 'via-mcp-remote', version: '1.0.0' });
    const connected = client.connect(transport);
    const page = await browser.newPage();
    try {
      await signIn(page, await authUrl, 'alice@example.com');
      await page.waitForURL(/127\.0\.0\.1:\d+\/oauth\/callback/);
      await connected;
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(0);
    } finally {
      await page.close();
      await client.close().catch(() => {});
    }
  }, 90_000);
});
