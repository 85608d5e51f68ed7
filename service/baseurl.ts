// Where an account's calls may go. A token holder who can set `base_url` could otherwise make the service fetch an
// internal host (the cloud metadata address, a database's admin page) and read the body back through a tool. So a
// base URL naming a loopback, link-local, private, shared or reserved address, or a `localhost` name, is refused
// unless the operator allows private base URLs (a self-hosted gateway, tests against a local fake).
//
// The WHATWG URL parser has already turned odd IPv4 spellings (`0x7f.1`, `2130706433`, `127.1`, `0177.0.0.1`) into
// dotted quads; ipaddr.js classifies the address. Names are not resolved here: a public name pointing at a private
// address is the network's to stop (egress rules), as this check cannot see what a name resolves to at call time.

import ipaddr from 'ipaddr.js';

export const ALLOW_PRIVATE_ENV = 'OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS';

/** Whether the environment turns the switch on (`1`, `true`, `yes`). */
export function allowPrivateFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  return /^(1|true|yes)$/i.test(env[ALLOW_PRIVATE_ENV]?.trim() ?? '');
}

/** Why `url` points at a non-public host, or undefined when it does not. */
export function privateHostReason(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare.endsWith('.localhost') || bare === 'localhost.') return `${host} is a loopback name`;
  if (!ipaddr.isValid(bare)) return undefined;
  let addr = ipaddr.parse(bare);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  const range = addr.range();
  return range === 'unicast' ? undefined : `${host} is a ${range} address`;
}

/** The message of the 400 for a private base URL. */
export function privateBaseUrlMessage(reason: string): string {
  return `must be a public address (${reason}); an operator who means it can allow private base URLs with serve --allow-private-base-urls, accounts add|update --allow-private-base-url, or ${ALLOW_PRIVATE_ENV}=1`;
}
