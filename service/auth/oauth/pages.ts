// The three pages a person sees during an authorization: login, consent, and an error. Plain HTML without
// scripts; every interpolated value goes through escape-html, and the answer headers forbid framing (a consent
// page in a hostile frame could be clicked through) and caching.

import type { Response } from 'express';
import escapeHtml from 'escape-html';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}table{border-collapse:collapse;margin:1rem 0}td{padding:.2rem .8rem .2rem 0;vertical-align:top}
td:first-child{color:#555}button,input[type=submit]{font:inherit;padding:.5rem 1.2rem;margin-right:.5rem}
input[type=password]{font:inherit;width:100%;padding:.4rem}.err{color:#a00}.muted{color:#555;font-size:.9rem}`;

/** Joins literal parts with escaped values; `raw()` marks a value that is already HTML (built here). */
class Html {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new Html(text);
function html(parts: TemplateStringsArray, ...values: unknown[]): Html {
  let out = parts[0] ?? '';
  values.forEach((v, i) => {
    const text = Array.isArray(v)
      ? v.map((x) => (x instanceof Html ? x.text : escapeHtml(String(x)))).join('')
      : v instanceof Html
        ? v.text
        : escapeHtml(String(v ?? ''));
    out += text + (parts[i + 1] ?? '');
  });
  return new Html(out);
}

function send(res: Response, status: number, title: string, body: Html): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      // Not no-referrer: with it a browser sends `Origin: null` on the form posts, which the Origin guard refuses.
      'Referrer-Policy': 'same-origin',
    })
    .send(
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title}</title><style>${raw(STYLE)}</style></head><body>${body}</body></html>`.text,
    );
}

export function errorPage(res: Response, status: number, title: string, message: string): void {
  send(res, status, title, html`<h1>${title}</h1><p class="err">${message}</p>`);
}

export interface LoginView {
  requestId: string;
  csrf: string;
  serverName: string;
  clientName: string;
  /** The IdP's name for the "Sign in with" button; absent when no IdP is configured. */
  oidc?: string;
  tokenLogin: boolean;
  error?: string;
}

export function loginPage(res: Response, v: LoginView, status = 200): void {
  const oidc = v.oidc
    ? html`<p><a href="login/oidc?request=${encodeURIComponent(v.requestId)}"><button type="button">Sign in with ${v.oidc}</button></a></p>`
    : raw('');
  const token = v.tokenLogin
    ? html`<form method="post" action="login/token">
<input type="hidden" name="request" value="${v.requestId}"><input type="hidden" name="csrf" value="${v.csrf}">
<p><label>Operator login with a management API token<br><input type="password" name="token" autocomplete="off" required></label></p>
<p><input type="submit" value="Log in"></p></form>`
    : raw('');
  send(
    res,
    status,
    'Sign in',
    html`<h1>Sign in to use “${v.serverName}”</h1>
<p><strong>${v.clientName}</strong> asks to use this OpenAI MCP server on your behalf.</p>
${v.error ? html`<p class="err">${v.error}</p>` : raw('')}${oidc}${token}`,
  );
}

export interface ConsentView {
  requestId: string;
  csrf: string;
  serverName: string;
  accountName: string;
  clientName: string;
  redirectHost: string;
  subject: string;
  access: string;
  tags: string;
  toolCount: number;
  exposure: string;
  expires: string;
}

export function consentPage(res: Response, v: ConsentView): void {
  send(
    res,
    200,
    'Allow access?',
    html`<h1>Allow ${v.clientName} to use “${v.serverName}”?</h1>
<p>Signed in as <strong>${v.subject}</strong>.</p>
<table>
<tr><td>Server</td><td>${v.serverName}</td></tr>
<tr><td>OpenAI account</td><td>${v.accountName}</td></tr>
<tr><td>Allows</td><td>${v.access}</td></tr>
<tr><td>Tags</td><td>${v.tags}</td></tr>
<tr><td>Tools</td><td>${v.toolCount} (${v.exposure})</td></tr>
<tr><td>Server expires</td><td>${v.expires}</td></tr>
<tr><td>Answer goes to</td><td>${v.redirectHost}</td></tr>
</table>
<form method="post" action="consent">
<input type="hidden" name="request" value="${v.requestId}"><input type="hidden" name="csrf" value="${v.csrf}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
<p class="muted">Access lasts until the server expires or an operator revokes it; the application refreshes it without asking again.</p>`,
  );
}
