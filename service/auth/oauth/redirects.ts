// Redirect URIs: registered ones are checked for shape once, and a requested one must equal a registered one
// exactly (OAuth 2.1 §2.3.1): no port, case, trailing-slash or query leeway, so a code is only ever sent where the
// client said it may go.

import { isLoopback } from '../../http/guard.js';

export class RedirectUriError extends Error {}

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

/** Throws RedirectUriError unless every URI is absolute, fragment-free, and https (or http on loopback, or a native app's private scheme). */
export function checkRedirectUris(uris: readonly string[]): void {
  if (!uris.length) throw new RedirectUriError('redirect_uris must list at least one URI');
  if (uris.length > 20) throw new RedirectUriError('redirect_uris: at most 20');
  for (const uri of uris) {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      throw new RedirectUriError(`redirect_uris: not an absolute URI: ${uri.slice(0, 200)}`);
    }
    if (uri.length > 2000) throw new RedirectUriError('redirect_uris: each at most 2000 characters');
    if (u.hash || uri.includes('#')) throw new RedirectUriError('redirect_uris: must not contain a fragment');
    if (FORBIDDEN_SCHEMES.has(u.protocol))
      throw new RedirectUriError(`redirect_uris: scheme ${u.protocol} not allowed`);
    if (u.protocol === 'http:' && !isLoopback(u.hostname.toLowerCase()))
      throw new RedirectUriError('redirect_uris: http is allowed only for loopback (use https)');
    if (u.username || u.password) throw new RedirectUriError('redirect_uris: must not contain credentials');
  }
}

/** Exact string equality with a registered URI. */
export function redirectRegistered(requested: string, registered: readonly string[]): boolean {
  return registered.includes(requested);
}
