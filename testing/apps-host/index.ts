// A test host for MCP Apps views in Debian's chromium: a loopback page running the ext-apps SDK's AppBridge
// (testing/apps-host/page.ts), each view served in a sandboxed iframe with the CSP a host builds from the
// resource's `_meta.ui.csp`, tool calls from the view answered by a real MCP client, and a second loopback server
// that counts every request reaching it (what a view must never manage).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium } from '../browser.js';

export interface ViewResource {
  html: string;
  csp?: { connectDomains?: string[]; resourceDomains?: string[] };
}

export interface AppsHost {
  page: Page;
  /** Base URL of the request counter (`${probeUrl}/anything`). */
  probeUrl: string;
  /** Requests the counter has seen. */
  probeHits(): number;
  /** Tool calls the views made through the host, in order. */
  calls: Array<{ name: string; arguments?: unknown }>;
  /** Shows a view and hands it one tool call; resolves with the view's frame and the time the result was sent. */
  show(view: string, tool: unknown, input: unknown, result: unknown): Promise<{ frame: Frame; sentAt: number }>;
  /** Sends the shown view another tool result. */
  resend(result: unknown): Promise<void>;
  close(): Promise<void>;
}

/** The CSP a host builds from a resource's metadata (ext-apps spec: nothing beyond what the resource declares). */
export function hostCsp(csp: ViewResource['csp'] = {}): string {
  const res = (csp.resourceDomains ?? []).join(' ');
  const connect = (csp.connectDomains ?? []).join(' ') || "'none'";
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${res}`.trim(),
    `style-src 'self' 'unsafe-inline' ${res}`.trim(),
    `img-src 'self' data: ${res}`.trim(),
    `font-src 'self' ${res}`.trim(),
    `connect-src ${connect}`,
    "frame-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

let pageScript: Promise<string> | undefined;
function hostScript(): Promise<string> {
  pageScript ??= build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  return pageScript;
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

export async function startAppsHost(options: {
  views: Record<string, ViewResource>;
  callTool: (params: { name: string; arguments?: Record<string, unknown> }) => Promise<unknown>;
  browser?: Browser;
}): Promise<AppsHost> {
  const script = await hostScript();
  let hits = 0;
  const probe = createServer((_req, res) => {
    hits++;
    res.writeHead(204, { 'access-control-allow-origin': '*' });
    res.end();
  });
  const probeUrl = await listen(probe);
  const host = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(
        '<!doctype html><meta charset="utf-8"><title>apps host</title><body></body><script src="/host.js"></script>',
      );
    }
    if (url.pathname === '/host.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(script);
    }
    const view = url.pathname.startsWith('/view/') ? options.views[url.pathname.slice(6)] : undefined;
    if (view) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': hostCsp(view.csp) });
      return res.end(view.html);
    }
    res.writeHead(404).end();
  });
  const hostUrl = await listen(host);
  const browser = options.browser ?? (await launchChromium());
  const page = await browser.newPage({ viewport: { width: 800, height: 620 } });
  const calls: AppsHost['calls'] = [];
  await page.exposeFunction('hostCallTool', (params: { name: string; arguments?: Record<string, unknown> }) => {
    calls.push({ name: params.name, arguments: params.arguments });
    return options.callTool(params);
  });
  await page.goto(`${hostUrl}/`);
  return {
    page,
    probeUrl,
    probeHits: () => hits,
    calls,
    async show(view, tool, input, result) {
      const sentAt = await page.evaluate(([src, t, i, r]) => window.showView(src as string, t, i, r), [
        `${hostUrl}/view/${view}`,
        tool,
        input,
        result,
      ] as const);
      const frame = page.frames().find((f) => f.url().includes(`/view/${view}`));
      if (!frame) throw new Error(`no frame for ${view}`);
      return { frame, sentAt };
    },
    async resend(result) {
      await page.evaluate((r) => window.resendResult(r), result);
    },
    async close() {
      await page.close();
      if (!options.browser) await browser.close();
      await new Promise((r) => host.close(r));
      await new Promise((r) => probe.close(r));
    },
  };
}
