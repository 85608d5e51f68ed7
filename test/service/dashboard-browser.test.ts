// The dashboard at /ui in a real browser (Debian's chromium through playwright-core), against the HTTP service in
// this process: log in with a management token, add an account, create a read-only billing server, copy its URL,
// connect the v2 MCP SDK client and see the page's changes reach it (narrowing, revocation); the activity page shows
// its calls without argument values or keys; hostile names render inert; CSRF, cookie and CSP protections hold.
// Screenshots of every page go to test-artifacts/dashboard/ (ignored by git).

import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { haveChromium, launchChromium } from '../../testing/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../runtime/catalog.js';
import { selectTools } from '../../runtime/filter.js';
import { openSqliteStore } from '../../service/store/sqlite.js';
import { json } from '../helpers/capture-server.js';
import { type OAuthEnv, startOAuthService } from './oauth-helpers.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/dashboard');

const BILLING_KEY = 'sk-proj-BILLINGkey0123456789abcdEFGH';
const ADMIN_KEY = 'sk-admin-ADMINkey0123456789abcdWXYZ';
const ARG_SECRET = 'proj_ARGVALUEsecret42';

let env: OAuthEnv;
let browser: Browser;
/** Every HTML answer of /ui seen by any page: its URL, CSP header and body. */
const seen: { url: string; csp: string | undefined; body: string }[] = [];

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('response', async (res) => {
    if (!res.url().includes('/ui') || !(res.headers()['content-type'] ?? '').includes('text/html')) return;
    const body = await res.text().catch(() => '');
    seen.push({ url: res.url(), csp: res.headers()['content-security-policy'], body });
  });
  return page;
}

async function shot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function logIn(page: Page) {
  await page.goto(`${env.url}/ui/login`);
  await page.getByLabel('Management API token').fill(env.apiToken);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/ui$/);
}

async function mcpClient(url: string) {
  const client = new Client({ name: 'dashboard-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

beforeAll(async () => {
  if (!haveChromium) return;
  env = await startOAuthService();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

describe.skipIf(!haveChromium)('dashboard in chromium', () => {
  it('logs in, adds an account, creates a read-only billing server, and the page drives a real MCP client', async () => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    try {
      const page = await newPage(context);
      await page.goto(`${env.url}/ui`);
      await page.waitForURL(/\/ui\/login$/);
      await shot(page, '01-login');
      await logIn(page);
      // The session cookie: httpOnly, SameSite=Strict, invisible to script.
      expect(await page.evaluate(() => document.cookie)).toBe('');
      const cookies = await context.cookies();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ui' });
      await shot(page, '02-accounts');

      // Add an account: keys pasted once, shown masked afterwards.
      await page.getByLabel('Name', { exact: true }).fill('Billing Co');
      await page.getByLabel('OpenAI API key').fill(BILLING_KEY);
      await page.getByLabel('Admin key (for usage and costs)').fill(ADMIN_KEY);
      await page.getByLabel('Base URL (optional)').fill(env.stub.baseUrl);
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.waitForURL(/\/ui\/accounts\/acc_/);
      const accountHtml = await page.content();
      expect(accountHtml).toContain('…EFGH');
      expect(accountHtml).toContain('…WXYZ');
      expect(accountHtml).not.toContain(BILLING_KEY);
      expect(accountHtml).not.toContain(ADMIN_KEY);
      const accountUrl = page.url();
      await shot(page, '03-account');

      // A read-only billing server.
      await page.getByRole('link', { name: 'New server' }).click();
      await page.getByLabel('Name', { exact: true }).fill('billing-ro');
      await page.getByLabel('read (list, get)').check();
      await page.getByLabel(/^billing \(/).check();
      const expected = selectTools(defaultCatalog, { methods: ['read'], tags: ['billing'] }).map((t) => t.name);
      await expect.poll(() => page.locator('#tool-count').textContent()).toContain(`${expected.length} tools selected`);
      // The searchable checklist narrows what it shows.
      await page.getByLabel('Search tools').fill('costs');
      expect(await page.locator('li[data-tool]:visible').count()).toBeLessThan(10);
      await shot(page, '04-new-server');
      await page.getByLabel('Search tools').fill('');
      await page.getByRole('button', { name: 'Create server' }).click();
      await page.waitForSelector('#server-url');
      const url = (await page.locator('#server-url').textContent())!;
      expect(url).toMatch(/\/mcp\/omcp_/);
      await page.getByRole('button', { name: 'Copy URL' }).click();
      await expect.poll(() => page.locator('#server-url-status').textContent()).toBe('Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      for (const host of ['Claude Desktop', 'Claude Code', 'Cursor', 'VS Code', 'Codex', 'mcp-remote'])
        expect(await page.getByRole('heading', { name: new RegExp(host) }).count()).toBeGreaterThan(0);
      await shot(page, '05-created');

      // A real MCP client lists exactly the server's tools and calls one.
      const client = await mcpClient(url);
      try {
        const listed = (await client.listTools()).tools.map((t) => t.name).sort();
        expect(listed).toEqual([...expected].sort());
        await client.callTool({
          name: 'list_all_open_ai_costs',
          arguments: { start_time: 1_700_000_000, project_ids: [ARG_SECRET] },
        });
        await client.callTool({ name: 'list_all_open_ai_costs', arguments: { start_time: 'not a number' } });

        // Narrow it in the page: the client's next tools/list changes.
        await page.getByRole('link', { name: 'Open the server' }).click();
        await page.getByRole('link', { name: 'Edit scope' }).click();
        await page.getByLabel('list_all_open_ai_costs').check();
        await expect.poll(() => page.locator('#tool-count').textContent()).toContain('1 tool selected');
        await shot(page, '06-edit');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL(/saved=1/);
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['list_all_open_ai_costs']);

        // Activity: the client's calls, errors first, and never an argument value or a key.
        await page.goto(page.url().replace(/\?.*$/, ''));
        const activity = await page.content();
        expect(activity).toContain('list_all_open_ai_costs');
        expect(await page.locator('table').first().locator('tbody tr').count()).toBeGreaterThan(0);
        expect(activity).not.toContain(ARG_SECRET);
        expect(activity).not.toContain('not a number');
        expect(activity).not.toContain(BILLING_KEY);
        expect(activity).not.toContain(ADMIN_KEY);
        expect(activity).toMatch(/Status mix: .* of [1-9]\d* calls/);
        await page.getByLabel('Status').selectOption('error');
        await page.getByRole('button', { name: 'Filter' }).click();
        await page.waitForURL(/status=error/);
        await shot(page, '07-server-activity');

        // Revoke: confirmation naming what stops working, then the client is refused.
        await page.getByRole('link', { name: 'Revoke…' }).click();
        expect(await page.content()).toContain('stops working');
        await shot(page, '08-revoke');
        await page.getByRole('button', { name: /^Revoke / }).click();
        await page.waitForURL(/\/ui\/accounts\//);
        await expect(client.listTools()).rejects.toThrow();
      } finally {
        await client.close().catch(() => {});
      }

      // Usage at a glance: costs fetched through a server's costs tool (its scope, its audit), with the admin key.
      const day = (n: number) => Math.floor(Date.now() / 86_400_000 - n) * 86_400;
      env.stub.respond((req, res) => {
        if (!req.url.startsWith('/v1/organization/costs'))
          return json(res, 200, { object: 'list', data: [], has_more: false });
        const result = (project: string, item: string, value: number) => ({
          object: 'organization.costs.result',
          amount: { value, currency: 'usd' },
          line_item: item,
          project_id: project,
        });
        json(res, 200, {
          object: 'page',
          data: [
            {
              object: 'bucket',
              start_time: day(2),
              end_time: day(1),
              results: [result('proj_alpha', 'gpt-5, input', 12.5)],
            },
            {
              object: 'bucket',
              start_time: day(1),
              end_time: day(0),
              results: [result('proj_alpha', 'gpt-5, output', 30), result('proj_<b>beta</b>', 'gpt-5, input', 2.25)],
            },
          ],
          has_more: false,
          next_page: null,
        });
      });
      await page.getByRole('link', { name: 'Costs of the last 7 and 30 days' }).click();
      await page.getByRole('button', { name: 'Create the usage server' }).click();
      await page.waitForURL(/\/usage$/);
      const usage = await page.content();
      expect(usage).toContain('Total: 44.75 usd');
      expect(usage).toContain('proj_alpha');
      expect(usage).toContain('proj_&lt;b&gt;beta&lt;/b&gt;');
      expect(usage).not.toContain(ADMIN_KEY);
      const costCall = env.stub.requests.find((r) => r.url.startsWith('/v1/organization/costs'));
      expect(costCall?.headers.authorization).toBe(`Bearer ${ADMIN_KEY}`);
      await shot(page, '09-usage');
      await page.getByRole('link', { name: 'Last 30 days' }).click();
      await page.waitForURL(/days=30/);
      // The call is in the usage server's audit log.
      await page.getByRole('link', { name: 'usage (dashboard)' }).click();
      expect(await page.content()).toContain('list_all_open_ai_costs');

      // Remove the account: the confirmation names what stops working.
      await page.goto(accountUrl);
      await page.getByRole('link', { name: 'Remove this account…' }).click();
      expect(await page.content()).toContain('stop working');
      await shot(page, '10-remove-account');

      // Logout ends the session server-side: the old cookie no longer opens a page.
      const [old] = await context.cookies();
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(/\/ui\/login$/);
      const again = await fetch(`${env.url}/ui`, {
        headers: { cookie: `${old!.name}=${old!.value}` },
        redirect: 'manual',
      });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('/ui/login');
    } finally {
      await context.close();
    }
  });

  it('renders hostile names inert: markup, right-to-left overrides, 10 KB names', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    try {
      const page = await newPage(context);
      await logIn(page);
      const xss = '<img src=x onerror=window.__pwned=1>';
      await page.getByLabel('Name', { exact: true }).fill(xss);
      await page.getByLabel('OpenAI API key').fill('sk-proj-HOSTILEkey0123456789abcdefgh');
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.waitForURL(/\/ui\/accounts\/acc_/);
      const accountUrl = page.url();
      const accountId = accountUrl.split('/').pop()!;
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('h1').textContent()).toBe(xss);

      // Names the service refuses (format characters, over 200 characters): the refusal renders, nothing breaks.
      for (const name of ['pay\u202Egnp.exe', 'x'.repeat(10_240)]) {
        await page.goto(`${env.url}/ui`);
        await page.getByLabel('Name', { exact: true }).evaluate((el, v) => {
          (el as HTMLInputElement).removeAttribute('maxlength');
          (el as HTMLInputElement).value = v;
        }, name);
        await page.getByLabel('OpenAI API key').fill('sk-proj-HOSTILEkey0123456789abcdefgh');
        await page.getByRole('button', { name: 'Add account' }).click();
        await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/name: /);
      }
      await shot(page, '11-refused-name');

      // Rows the form cannot make (tool names in the audit log are whatever was stored): planted in the store.
      const created = await fetch(`${env.url}/v1/accounts/${accountId}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'hostile', config: { methods: ['read'], tags: ['models'] } }),
      });
      const server = (await created.json()) as { id: string };
      const store = await openSqliteStore(env.dataDir);
      try {
        const now = Date.now();
        for (const tool of [xss, 'evil\u202Etxt.exe', 'W'.repeat(10_240)])
          await store.recordCall({
            server_id: server.id,
            at: now,
            tool,
            http_status: 500,
            duration_ms: 3,
            is_error: 1,
          });
      } finally {
        await store.close();
      }
      await page.goto(`${env.url}/ui/servers/${server.id}`);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.content()).toContain('&lt;img src=x onerror=window.__pwned=1&gt;');
      // No element anywhere carries an event-handler attribute.
      expect(
        await page.evaluate(() =>
          [...document.querySelectorAll('*')].some((e) => [...e.attributes].some((a) => a.name.startsWith('on'))),
        ),
      ).toBe(false);
      // The right-to-left override is shown as an escape, not obeyed.
      const text = await page.locator('main').textContent();
      expect(text).toContain('evil\\u202etxt.exe');
      expect(text).not.toContain('\u202E');
      // A 10 KB name wraps: the page does not grow sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1000);
      await shot(page, '12-hostile-activity');
    } finally {
      await context.close();
    }
  });

  it('refuses state changes without the CSRF token, same-site and cross-site', async () => {
    const context = await browser.newContext();
    let evil: http.Server | undefined;
    try {
      const page = await newPage(context);
      await logIn(page);
      const before = (
        (await (
          await fetch(`${env.url}/v1/accounts`, { headers: { authorization: `Bearer ${env.apiToken}` } })
        ).json()) as { data: unknown[] }
      ).data.length;
      // Same origin, with the session cookie, without the token.
      const status = await page.evaluate(async () => {
        const r = await fetch('/ui/accounts', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'name=csrf-victim&api_key=sk-proj-CSRFkey0123456789abcdefghij',
        });
        return r.status;
      });
      expect(status).toBe(403);
      // A wrong token is refused too.
      const wrong = await page.evaluate(async () => {
        const r = await fetch('/ui/accounts', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'csrf=forged&name=csrf-victim&api_key=sk-proj-CSRFkey0123456789abcdefghij',
        });
        return r.status;
      });
      expect(wrong).toBe(403);

      // A cross-site page auto-submitting a form to the dashboard.
      evil = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          `<form id=f method=post action="${env.url}/ui/accounts"><input name=name value=cross-site-victim><input name=api_key value=sk-proj-CSRFkey0123456789abcdefghij></form><script>document.getElementById('f').submit()</script>`,
        );
      });
      await new Promise<void>((r) => evil!.listen(0, '127.0.0.1', r));
      const evilUrl = `http://localhost:${(evil.address() as { port: number }).port}/`;
      const response = page.waitForResponse((r) => r.url().startsWith(`${env.url}/ui/accounts`));
      await page.goto(evilUrl);
      expect([401, 403]).toContain((await response).status());
      const after = (
        (await (
          await fetch(`${env.url}/v1/accounts`, { headers: { authorization: `Bearer ${env.apiToken}` } })
        ).json()) as { data: unknown[] }
      ).data.length;
      expect(after).toBe(before);
    } finally {
      evil?.close();
      await context.close();
    }
  });

  it('works by keyboard, at 400% zoom and in dark mode, without layout shift', async () => {
    // 400% zoom of a 1280-pixel window is a 320-pixel-wide viewport.
    const context = await browser.newContext({ viewport: { width: 320, height: 256 }, colorScheme: 'dark' });
    try {
      const page = await newPage(context);
      await logIn(page);
      // The first Tab reaches the skip link, which is visible when focused and outlined.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline).toBe('solid');
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe('rgb(18, 18, 18)');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await shot(page, '13-accounts-400pct-dark');
      // Every form control has a label.
      const unlabeled = await page.evaluate(() =>
        [...document.querySelectorAll('input:not([type=hidden]), select')]
          .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label'))
          .map((e) => e.outerHTML),
      );
      expect(unlabeled).toEqual([]);
      // The account page and the new-server form: no horizontal scrolling, no layout shift while loading.
      await page.goto(`${env.url}/ui/accounts/${env.accountId}/servers/new`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      const shift = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            let total = 0;
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) total += (e as unknown as { value: number }).value;
            }).observe({ type: 'layout-shift', buffered: true });
            setTimeout(() => resolve(total), 500);
          }),
      );
      expect(shift).toBeLessThan(0.01);
      await shot(page, '14-new-server-400pct-dark');
    } finally {
      await context.close();
    }
  });

  it("every page's Content-Security-Policy forbids inline script, and no page carries one", async () => {
    const pages = seen.filter((s) => new URL(s.url).origin === new URL(env.url).origin);
    expect(pages.length).toBeGreaterThan(10);
    for (const p of pages) {
      expect(p.csp, p.url).toBeDefined();
      const script = /script-src ([^;]*)/.exec(p.csp!)?.[1] ?? /default-src ([^;]*)/.exec(p.csp!)?.[1];
      expect(script, p.url).toBe("'self'");
      expect(p.csp).toContain("frame-ancestors 'none'");
      expect(p.body, p.url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    }
    const res = await fetch(`${env.url}/ui/login`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
