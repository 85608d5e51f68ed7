// DNS-rebinding and cross-site protection: a request must name an allowed Host, and a browser request must come
// from an allowed Origin. Checked before anything else, so a hostile page learns nothing, not even 404 vs 401.

import type { NextFunction, Request, Response } from 'express';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** A loopback host name or address (`127.x.y.z`, `::1` bracketed or not, `localhost`), lower-case. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.includes(host) || host === '::1' || /^127\./.test(host);
}

/** Hostnames (no port) accepted in `Host`: loopback, the bound host, the public URL's host, and `--allowed-hosts`. */
export function allowedHostnames(options: { host: string; publicUrl: string; extra?: readonly string[] }): Set<string> {
  const out = new Set(LOOPBACK);
  const bound = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  if (!['0.0.0.0', '[::]'].includes(bound)) out.add(bound.toLowerCase());
  out.add(new URL(options.publicUrl).hostname.toLowerCase());
  for (const h of options.extra ?? []) out.add(h.trim().toLowerCase());
  return out;
}

function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Headers a reverse proxy adds; their presence means the request did not start on this machine. */
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

/**
 * True when a request names a loopback Host and carries no proxy headers. The socket's peer address is not enough:
 * a reverse proxy on the same machine also connects from 127.0.0.1.
 */
export function isLoopbackRequest(req: Request): boolean {
  const hostname = req.headers.host ? hostnameOf(req.headers.host) : undefined;
  if (!hostname || !isLoopback(hostname)) return false;
  return !FORWARDED.some((h) => req.headers[h] !== undefined);
}

export type Reject = (res: Response, status: number, message: string) => void;

const portOf = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');

/**
 * `own`, when given, narrows loopback Origins to this service's own port or public origin: another program's page
 * on `http://localhost:9999` is not this service, though its hostname is allowed.
 */
export function hostAndOriginGuard(
  allowed: ReadonlySet<string>,
  reject: Reject,
  own?: { port: number; publicOrigin: string },
) {
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.headers.host;
    const hostname = host ? hostnameOf(host) : undefined;
    if (!hostname || !allowed.has(hostname)) return reject(res, 403, 'Host not allowed');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let ok = false;
      try {
        const u = new URL(origin);
        ok = (u.protocol === 'http:' || u.protocol === 'https:') && allowed.has(u.hostname.toLowerCase());
        if (ok && own && isLoopback(u.hostname.toLowerCase()))
          ok = portOf(u) === String(own.port) || u.origin === own.publicOrigin;
      } catch {
        ok = false;
      }
      if (!ok) return reject(res, 403, 'Origin not allowed');
    }
    next();
  };
}
