// Real parts for the OAuth tests: the HTTP service in this process on loopback (its store operated through the
// same Management the CLI uses), a real OpenID Connect provider (`oidc-provider`) on loopback as the upstream IdP,
// a capture server standing in for OpenAI, and plain-HTTP drivers of the login and consent forms.

import { createHash, randomBytes } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import { defaultCatalog } from '../../runtime/catalog.js';
import type { OAuthOptions } from '../../service/auth/oauth/router.js';
import type { UiAdminPolicy } from '../../service/http/ui/admins.js';
import { Management } from '../../service/manage/index.js';
import { openSecretBox } from '../../service/secrets.js';
import { type RunningHttpService, startHttpService } from '../../service/serve.js';
import { openSqliteStore } from '../../service/store/sqlite.js';
import { type CaptureServer, json, startCaptureServer } from '../helpers/capture-server.js';

export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Idp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/** An OpenID provider on loopback with its development login pages (any login name; the password is ignored). */
export async function startIdp(options: {
  port: number;
  /** The redirect URIs registered for the service (its /oauth/callback, and the dashboard's /ui/login/callback). */
  callback: string | string[];
  clientSecret: string;
  groups?: Record<string, string[]>;
  unverified?: string[];
}): Promise<Idp> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const clientId = 'openai-mcp-test';
  const clientSecret = options.clientSecret;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.callback].flat(),
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: id,
            email_verified: !(options.unverified ?? []).includes(id),
            groups: options.groups?.[id] ?? [],
          };
        },
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'groups'],
    cookies: { keys: [randomBytes(16).toString('hex')] },
    features: { devInteractions: { enabled: true } },
  });
  const server = provider.listen(options.port, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface OAuthEnv {
  url: string;
  dataDir: string;
  apiToken: string;
  apiTokenId: string;
  accountId: string;
  stub: CaptureServer;
  service: RunningHttpService;
  logs: string[];
  /** Runs fn with the Management of this data dir (as the CLI would). */
  manage<T>(fn: (m: Management) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startOAuthService(
  options: { port?: number; oauth?: OAuthOptions; uiAdmins?: UiAdminPolicy } = {},
): Promise<OAuthEnv> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'openai-mcp-oauth-'));
  const stub = await startCaptureServer();
  stub.respond((_req, res) => json(res, 200, { object: 'list', data: [], has_more: false }));
  const manage = async <T>(fn: (m: Management) => Promise<T>) => {
    const store = await openSqliteStore(dataDir);
    try {
      return await fn(
        new Management({
          store,
          box: await openSecretBox(dataDir, store),
          catalog: defaultCatalog,
          // The capture server standing in for OpenAI is on loopback.
          allowPrivateBaseUrls: true,
        }),
      );
    } finally {
      await store.close();
    }
  };
  const { token, account } = await manage(async (m) => ({
    token: await m.tokens.createManagementToken(
      { name: 'operator', accounts: '*', actions: '*' },
      { accounts: '*', actions: '*', expiresAt: null, issuer: 'cli:test' },
    ),
    account: await m.accounts.createAccount({
      name: 'Acme',
      api_key: 'sk-proj-ACMEoauthKEY0123456789abcd',
      base_url: stub.baseUrl,
    }),
  }));
  const logs: string[] = [];
  const service = await startHttpService({
    dataDir,
    port: options.port ?? 0,
    oauth: options.oauth,
    uiAdmins: options.uiAdmins,
    allowPrivateBaseUrls: true,
    log: (l) => logs.push(l),
  });
  return {
    url: service.url,
    dataDir,
    apiToken: token.token!,
    apiTokenId: token.id,
    accountId: account.id,
    stub,
    service,
    logs,
    manage,
    async close() {
      await service.close();
      await stub.close();
    },
  };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function register(base: string, metadata: Record<string, unknown>) {
  const res = await fetch(`${base}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function tokenRequest(base: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A browser's cookie jar, just enough for one origin's `/oauth` cookies. */
export class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  resource?: string;
  challenge?: string;
  method?: string;
  scope?: string;
  state?: string;
}

export function authorizeUrl(base: string, p: AuthorizeParams): string {
  const q = new URLSearchParams({ response_type: 'code', client_id: p.clientId, redirect_uri: p.redirectUri });
  if (p.challenge !== undefined) q.set('code_challenge', p.challenge);
  if (p.method !== undefined) q.set('code_challenge_method', p.method);
  else if (p.challenge !== undefined) q.set('code_challenge_method', 'S256');
  if (p.resource !== undefined) q.set('resource', p.resource);
  if (p.scope !== undefined) q.set('scope', p.scope);
  if (p.state !== undefined) q.set('state', p.state);
  return `${base}/oauth/authorize?${q}`;
}

export interface Step {
  status: number;
  location: string | null;
  text: string;
}

async function step(jar: Jar, url: string, init: RequestInit = {}): Promise<Step> {
  const res = await fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
  });
  jar.take(res);
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/**
 * The whole browser part over plain HTTP with the operator's API-token login: authorize → login form → consent
 * form. Returns each answer so a test can stop or tamper anywhere; `code` when the flow ended at the client.
 */
export async function tokenLoginFlow(
  base: string,
  p: AuthorizeParams,
  apiToken: string,
  options: { decision?: 'approve' | 'deny'; tamperCsrf?: boolean; jar?: Jar } = {},
): Promise<{ steps: Step[]; code?: string; redirect?: URL }> {
  const jar = options.jar ?? new Jar();
  const steps: Step[] = [];
  const first = await step(jar, authorizeUrl(base, p));
  steps.push(first);
  if (first.status !== 302 || !first.location?.includes('/oauth/login'))
    return { steps, redirect: maybeUrl(first.location) };
  const login = await step(jar, first.location);
  steps.push(login);
  if (login.status !== 200) return { steps };
  const requestId = new URL(first.location).searchParams.get('request')!;
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const posted = await step(
    jar,
    `${base}/oauth/login/token`,
    form({ request: requestId, csrf: csrfOf(login.text), token: apiToken }),
  );
  steps.push(posted);
  if (posted.status !== 303) return { steps };
  const consent = await step(jar, posted.location!);
  steps.push(consent);
  if (consent.status !== 200) return { steps };
  const csrf = options.tamperCsrf ? `${csrfOf(consent.text)}x` : csrfOf(consent.text);
  const answered = await step(
    jar,
    `${base}/oauth/consent`,
    form({ request: requestId, csrf, decision: options.decision ?? 'approve' }),
  );
  steps.push(answered);
  const redirect = maybeUrl(answered.location);
  return { steps, redirect, code: redirect?.searchParams.get('code') ?? undefined };
}

function maybeUrl(s: string | null): URL | undefined {
  try {
    return s ? new URL(s) : undefined;
  } catch {
    return undefined;
  }
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** One stateless `tools/list` with a bearer token; the status, the challenge, and the tool names. */
export async function listWith(resource: string, token?: string) {
  const res = await fetch(resource, {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      'mcp-protocol-version': '2025-06-18',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
  const text = await res.text();
  const data = /^data: (.*)$/m.exec(text)?.[1] ?? text;
  let tools: string[] = [];
  try {
    tools = ((JSON.parse(data) as any).result?.tools ?? []).map((t: { name: string }) => t.name);
  } catch {
    // Not JSON-RPC: a refusal page.
  }
  return { status: res.status, challenge: res.headers.get('www-authenticate'), tools, text };
}
