// Dashboard login through the identity provider, end to end: Debian's chromium (playwright-core) clicks "Log in with
// <issuer>" on /ui/login, signs in at a real OpenID Connect provider (oidc-provider on loopback) and comes back to
// the dashboard, where it acts with the admin list's scope, audited under its OIDC subject. People off the list,
// and a listed email the provider has not verified, are refused with a clear page and get no session; taking someone
// off the list ends their session, in another process of the same store too.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiAdminPolicy } from '../../service/http/ui/admins.js';
import { startHttpService } from '../../service/serve.js';
import { haveChromium, launchChromium } from '../../testing/browser.js';
import { freePort, type Idp, type OAuthEnv, startIdp, startOAuthService } from './oauth-helpers.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/dashboard');
const ADMINS: UiAdminPolicy = {
  emails: ['alice@example.com', 'dave@example.com'],
  groups: ['platform'],
  accounts: '*',
  actions: ['read', 'servers:write'],
};

let env: OAuthEnv;
let idp: Idp;
let browser: Browser;
let oidc: { issuer: string; clientId: string; clientSecret: string; scopes: string };

beforeAll(async () => {
  if (!haveChromium) return;
  const servicePort = await freePort();
  const idpPort = await freePort();
  oidc = {
    issuer: `http://127.0.0.1:${idpPort}`,
    clientId: 'openai-mcp-test',
    clientSecret: randomBytes(24).toString('hex'),
    scopes: 'openid email groups',
  };
  env = await startOAuthService({ port: servicePort, oauth: { oidc }, uiAdmins: ADMINS });
  idp = await startIdp({
    port: idpPort,
    callback: [`${env.url}/oauth/callback`, `${env.url}/ui/login/callback`],
    clientSecret: oidc.clientSecret,
    groups: { 'carol@example.com': ['platform'], 'mallory@example.com': ['contractors'] },
    unverified: ['dave@example.com'],
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
  await idp?.close();
});

const subjectOf = (login: string) => `oidc:${oidc.issuer}#${login}`;

/** From the dashboard's login page through the identity provider's pages, back to the dashboard. */
async function idpLogin(page: Page, login: string): Promise<void> {
  page.setDefaultTimeout(15_000);
  try {
    await page.goto(`${env.url}/ui/login`);
    await page.getByRole('link', { name: `Log in with ${new URL(oidc.issuer).host}` }).click();
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/ui\/login\/callback|\/ui$/);
    await page.waitForLoadState();
  } catch (err) {
    const body = await page.content().catch(() => '');
    throw new Error(`${(err as Error).message.split('\n')[0]} at ${page.url()}: ${body.slice(0, 1500)}`);
  }
}

async function shot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function auditLog() {
  const res = await fetch(`${env.url}/v1/audit-log?limit=200`, {
    headers: { authorization: `Bearer ${env.apiToken}` },
  });
  return ((await res.json()) as { data: Record<string, unknown>[] }).data;
}

async function cookieHeader(page: Page) {
  const cookies = await page.context().cookies(`${env.url}/ui/`);
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

describe.skipIf(!haveChromium)('dashboard login through the identity provider', () => {
  let alice: Page;
  let carol: Page;

  it('a listed person logs in with the identity provider, acts within the list scope, audited as their subject', async () => {
    alice = await (await browser.newContext()).newPage();
    await idpLogin(alice, 'alice@example.com');
    await alice.waitForURL(/\/ui$/);
    expect(await alice.locator('nav').textContent()).toContain('signed in as alice@example.com');
    await shot(alice, 'oidc-01-signed-in');
    const cookies = await alice.context().cookies(`${env.url}/ui/`);
    const session = cookies.find((c) => c.name === 'omcp_ui');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ui' });
    // Expiring: at most the session lifetime (12 h) from now.
    expect(session!.expires * 1000).toBeLessThanOrEqual(Date.now() + 12 * 3_600_000 + 5_000);
    expect(session!.expires * 1000).toBeGreaterThan(Date.now());
    expect(cookies.some((c) => c.name === 'omcp_oidc')).toBe(false); // the login's browser binding is spent
    const subject = subjectOf('alice@example.com');
    expect(await auditLog()).toContainEqual(
      expect.objectContaining({ actor: subject, action: 'ui.login', result: 'ok' }),
    );

    // Outside the list's actions (no accounts:write): refused in the page, audited as denied under the subject.
    await alice.getByLabel('Name', { exact: true }).fill('Not allowed');
    await alice.getByLabel('OpenAI API key').fill('sk-proj-NOTallowedKEY0123456789abcd');
    await alice.getByRole('button', { name: 'Add account' }).click();
    expect(await alice.locator('[role=alert]').textContent()).toContain('accounts:write');
    expect(await auditLog()).toContainEqual(
      expect.objectContaining({ actor: subject, action: 'accounts.create', result: 'denied' }),
    );

    // Within them (servers:write): a server created in the page, audited as done by the subject.
    await alice.goto(`${env.url}/ui/accounts/${env.accountId}`);
    await alice.getByRole('link', { name: 'New server' }).click();
    await alice.getByLabel('Name', { exact: true }).fill('made-by-alice');
    await alice.getByLabel('read (list, get)').check();
    await alice.getByRole('button', { name: 'Create server' }).click();
    await alice.waitForSelector('#server-url');
    await shot(alice, 'oidc-02-server-created');
    expect(await auditLog()).toContainEqual(
      expect.objectContaining({ actor: subject, action: 'servers.create', result: 'ok', account_id: env.accountId }),
    );
  });

  it('a member of a listed group gets in; someone off the list, or with an unverified listed email, is refused', async () => {
    carol = await (await browser.newContext()).newPage();
    await idpLogin(carol, 'carol@example.com');
    await carol.waitForURL(/\/ui$/);
    expect(await carol.locator('nav').textContent()).toContain('carol@example.com');

    for (const login of ['mallory@example.com', 'dave@example.com']) {
      const page = await (await browser.newContext()).newPage();
      try {
        const answers: number[] = [];
        page.on('response', (r) => {
          if (r.url().includes('/ui/login/callback')) answers.push(r.status());
        });
        await idpLogin(page, login);
        expect(page.url()).toContain('/ui/login/callback');
        expect(answers).toEqual([403]);
        const alert = await page.locator('[role=alert]').textContent();
        expect(alert).toContain('is not a dashboard admin here');
        expect(alert).toContain('--ui-admin-email');
        await shot(page, `oidc-03-refused-${login.split('@')[0]}`);
        expect((await page.context().cookies(`${env.url}/ui/`)).some((c) => c.name === 'omcp_ui')).toBe(false);
        // And the dashboard itself still sends them to the login page.
        await page.goto(`${env.url}/ui`);
        expect(new URL(page.url()).pathname).toBe('/ui/login');
        expect(await auditLog()).toContainEqual(
          expect.objectContaining({ actor: subjectOf(login), action: 'ui.login', result: 'denied' }),
        );
      } finally {
        await page.context().close();
      }
    }
  });

  it('refuses a callback whose state it did not issue, or that comes without the browser that started it', async () => {
    const forged = await fetch(`${env.url}/ui/login/callback?code=abc&state=${'x'.repeat(43)}`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(forged.headers.getSetCookie().some((c) => c.startsWith('omcp_ui='))).toBe(false);
    // A real state, started by a browser whose binding cookie the request lacks (a link sent to someone else).
    const started = await fetch(`${env.url}/ui/login/oidc`, { redirect: 'manual' });
    expect(started.status).toBe(303);
    expect(started.headers.get('set-cookie')).toMatch(/^omcp_oidc=.*HttpOnly.*SameSite=Lax/i);
    const to = new URL(started.headers.get('location')!);
    expect(to.origin).toBe(oidc.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('nonce')).toBeTruthy();
    expect(to.searchParams.get('redirect_uri')).toBe(`${env.url}/ui/login/callback`);
    const state = to.searchParams.get('state')!;
    const foreign = await fetch(`${env.url}/ui/login/callback?code=abc&state=${state}`, { redirect: 'manual' });
    expect(foreign.status).toBe(400);
    // Used or not, a state is good once: the same callback with the right browser cookie now fails too.
    const cookie = started.headers.get('set-cookie')!.split(';')[0]!;
    const again = await fetch(`${env.url}/ui/login/callback?code=abc&state=${state}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(again.status).toBe(400);
  });

  it('taking someone off the list ends their session, on another process of the same store too', async () => {
    const narrowed = await startHttpService({
      dataDir: env.dataDir,
      port: 0,
      oauth: { oidc },
      uiAdmins: { ...ADMINS, emails: [] },
      allowPrivateBaseUrls: true,
      log: () => {},
    });
    try {
      const get = async (page: Page) =>
        fetch(`${narrowed.url}/ui`, { headers: { cookie: await cookieHeader(page) }, redirect: 'manual' });
      expect((await get(carol)).status).toBe(200); // still in by her group
      const out = await get(alice);
      expect(out.status).toBe(303);
      expect(out.headers.get('location')).toBe('/ui/login');
      // Refused there, so deleted: gone here as well.
      await alice.goto(`${env.url}/ui`);
      expect(new URL(alice.url()).pathname).toBe('/ui/login');
    } finally {
      await narrowed.close();
      await alice?.context().close();
      await carol?.context().close();
    }
  });
});
