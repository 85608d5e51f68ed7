// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP 2025-11-25): a client whose
// `client_id` is an HTTPS URL is described by the JSON document at that URL. Fetching it makes this service send a
// request to a URL a stranger chose, so the fetch is fenced: public unicast addresses only (unless the operator
// allows address ranges), the address checked at connect time (no DNS rebinding between check and use), IP
// literals refused before any connection, no redirects, a short timeout and a small size cap.

import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { OAuthClientMetadataSchema } from '@modelcontextprotocol/core';
import type { OAuthClientInformationFull } from '@modelcontextprotocol/server';
import ipaddr from 'ipaddr.js';
import { checkRedirectUris } from './redirects.js';

export interface CimdPolicy {
  /**
   * Address ranges (CIDR) that may be fetched although not public unicast, e.g. `127.0.0.1/32` for a test or an
   * internal client registry. Plain `http:` is allowed only for loopback addresses in these ranges.
   */
  allowCidrs?: readonly string[];
  timeoutMs?: number;
  maxBytes?: number;
  /** Seconds a fetched document is reused when it says nothing (Cache-Control max-age is honoured, capped). */
  cacheSeconds?: number;
  /** For tests: the function that opens the connection (counting calls proves a refusal sent no request). */
  request?: typeof http.request;
}

export class CimdError extends Error {}

const MAX_CACHE_SECONDS = 3600;

/** Whether a client_id is a metadata document URL rather than a registered id. */
export function isCimdClientId(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId);
}

type Parsed = [ipaddr.IPv4 | ipaddr.IPv6, number];

export class CimdFetcher {
  private readonly allowed: Parsed[];
  private readonly cache = new Map<string, { info: OAuthClientInformationFull; until: number }>();

  constructor(private readonly policy: CimdPolicy = {}) {
    this.allowed = (policy.allowCidrs ?? []).map((c) => {
      try {
        return ipaddr.parseCIDR(c);
      } catch {
        throw new CimdError(`not an address range (CIDR): ${c}`);
      }
    });
  }

  /** Why an address may not be fetched, or undefined when it may. */
  refusal(address: string): string | undefined {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.process(address);
    } catch {
      return `${address} is not an IP address`;
    }
    if (this.allowed.some(([range, bits]) => ip.kind() === range.kind() && ip.match(range, bits))) return undefined;
    const range = ip.range();
    return range === 'unicast' ? undefined : `${ip.toString()} is a ${range} address`;
  }

  private isLoopbackAllowed(address: string): boolean {
    return ipaddr.process(address).range() === 'loopback' && this.refusal(address) === undefined;
  }

  /** The client a metadata document URL describes; throws CimdError saying why not. */
  async client(clientId: string, now = Date.now()): Promise<OAuthClientInformationFull> {
    const hit = this.cache.get(clientId);
    if (hit && hit.until > now) return hit.info;
    const { info, maxAge } = await this.fetchDocument(clientId);
    const seconds = Math.min(maxAge ?? this.policy.cacheSeconds ?? 300, MAX_CACHE_SECONDS);
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(clientId, { info, until: now + seconds * 1000 });
    return info;
  }

  private async fetchDocument(clientId: string): Promise<{ info: OAuthClientInformationFull; maxAge?: number }> {
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      throw new CimdError('client_id is not a URL');
    }
    if (url.href !== clientId) throw new CimdError('client_id must be a URL in normalized form');
    if (url.username || url.password || url.hash)
      throw new CimdError('client_id must not carry credentials or a fragment');
    if (url.pathname === '/') throw new CimdError('client_id must have a path');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An address in the URL itself is checked here, before any connection: Node does not "look up" IP literals.
    if (ipaddr.isValid(host)) {
      const why = this.refusal(host);
      if (why) throw new CimdError(`refused to fetch ${url.origin}: ${why}`);
    }
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && ipaddr.isValid(host) && this.isLoopbackAllowed(host))
    )
      throw new CimdError('client_id must be an https URL');

    const lookup: LookupFunction = (hostname, options, callback) => {
      dns.lookup(hostname, { all: true, family: options.family as number | undefined }, (err, addresses) => {
        if (err) return callback(err, '', 4);
        const bad = addresses.map((a) => this.refusal(a.address)).find(Boolean);
        if (bad || !addresses.length)
          return callback(new CimdError(`refused to fetch ${url.origin}: ${bad ?? 'no address'}`), '', 4);
        if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    const maxBytes = this.policy.maxBytes ?? 10_000;
    const timeoutMs = this.policy.timeoutMs ?? 5000;
    const request = this.policy.request ?? (url.protocol === 'https:' ? https.request : http.request);
    const body = await new Promise<{ text: string; maxAge?: number }>((resolve, reject) => {
      const req = request(
        url,
        { method: 'GET', lookup, agent: false, timeout: timeoutMs, headers: { accept: 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            // Redirects are refused, not followed: the document must be at the client_id itself.
            return reject(new CimdError(`metadata document answered HTTP ${res.statusCode}`));
          }
          const length = Number(res.headers['content-length'] ?? 0);
          if (length > maxBytes) {
            res.destroy();
            return reject(new CimdError(`metadata document over ${maxBytes} bytes`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
              res.destroy();
              reject(new CimdError(`metadata document over ${maxBytes} bytes`));
            } else chunks.push(c);
          });
          res.on('end', () => {
            const m = /max-age=(\d+)/.exec(String(res.headers['cache-control'] ?? ''));
            resolve({ text: Buffer.concat(chunks).toString('utf8'), maxAge: m ? Number(m[1]) : undefined });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new CimdError('metadata document fetch timed out')));
      req.on('error', (err) =>
        reject(err instanceof CimdError ? err : new CimdError(`metadata document fetch failed: ${err.message}`)),
      );
      req.end();
    });
    let doc: unknown;
    try {
      doc = JSON.parse(body.text);
    } catch {
      throw new CimdError('metadata document is not JSON');
    }
    const parsed = OAuthClientMetadataSchema.safeParse(doc);
    if (!parsed.success) throw new CimdError(`metadata document is invalid: ${parsed.error.issues[0]?.message}`);
    const raw = doc as { client_id?: unknown };
    if (raw.client_id !== clientId) throw new CimdError('metadata document client_id differs from its URL');
    const method = parsed.data.token_endpoint_auth_method ?? 'none';
    // A document is public: it can hold no secret, so its client authenticates with nothing (PKCE binds the code).
    if (method !== 'none')
      throw new CimdError(`token_endpoint_auth_method "${method}" is not allowed for a metadata document client`);
    checkRedirectUris(parsed.data.redirect_uris);
    return {
      info: { ...parsed.data, token_endpoint_auth_method: 'none', client_id: clientId },
      maxAge: body.maxAge,
    };
  }
}
