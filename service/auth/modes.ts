// The per-server auth modes: how a client proves it may use a managed server. A registry, so a mode is one entry:
// REST and CLI validation, listings, the README's table and the MCP endpoints all read it from here.
//
// - `url`: the secret server URL (`/mcp/omcp_…`) is the credential.
// - `url+client-token`: the URL and `Authorization: Bearer omcpcli_…`, a client token bound to this server.
// - `oauth`: the non-secret resource `/mcp/srv_<id>` and an OAuth access token issued for it (service/auth/oauth/).
//
// A mode whose path is not the secret URL (OAuth: `/mcp/srv_<id>` plus an access token) registers `locate` to find
// its server from the path, and `admit` to check the request.

import type { OAuthPolicyInput } from '../manage/schemas.js';
import type { ServerRow } from '../store/store.js';
import { clientTokenRefusal, type Refusal } from './challenge.js';
import { bearerOf, type Credentials } from './credentials.js';
import { oauthMode } from './oauth/mode.js';
import type { ClientPrincipal, OAuthPrincipal } from './principals.js';

/** What a mode may look at: the request's headers (lower-case names). */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
}

export type Admission =
  | { ok: true; row: ServerRow; principal?: ClientPrincipal | OAuthPrincipal }
  | { ok: false; status: number; message: string; headers: Refusal['headers'] };

export interface ServerAuthMode {
  readonly name: string;
  /** One line for `--help`, errors and the README. */
  readonly summary: string;
  /** Whether the answer that creates such a server shows a secret URL (shown once). */
  readonly secretUrl: boolean;
  /** For modes whose path is no URL token: the server a path segment names, if it is this mode's shape. */
  locate?(segment: string, credentials: Credentials): Promise<ServerRow | undefined> | undefined;
  /** After the server is found: whether this request may use it. */
  admit(req: AuthRequest, row: ServerRow, credentials: Credentials): Promise<Admission>;
  /**
   * Whether work admitted earlier (SSE sessions, calls in flight, tasks) may go on, checked while it runs so that
   * revocation reaches it. `grantId` is set for work a login grant admitted. Without this hook: work admitted by the
   * server alone goes on, grant work does not.
   */
  workLive?(row: ServerRow, grantId: string | undefined, credentials: Credentials): Promise<boolean>;
  /** The value of the legacy `require_api_token_auth` boolean that asks for this mode (set on at most one each). */
  readonly legacyFlag?: boolean;
  /**
   * Settings of the mode's own, given as `oauth` in a server's input and stored in `oauth_policy`: `store` turns
   * the input (merged over what is stored) into the column's value, `view` adds the listing's fields.
   */
  readonly settings?: {
    store(input: OAuthPolicyInput | undefined, current?: Pick<ServerRow, 'oauth_policy'>): string;
    view(row: ServerRow): Record<string, unknown>;
  };
  /** What the person who just created such a server must do next (the CLI prints it). */
  readonly nextStep?: (serverId: string) => string;
  /** For a mode whose URL is no secret: the server's URL under the service's public origin, shown in listings. */
  publicUrl?(origin: string, row: Pick<ServerRow, 'id'>): string;
}

const modes = new Map<string, ServerAuthMode>();

/** The mode of a server created without one. */
export const DEFAULT_AUTH_MODE = 'url';

export function registerAuthMode(mode: ServerAuthMode): void {
  if (modes.has(mode.name)) throw new Error(`auth mode ${mode.name} is registered twice`);
  modes.set(mode.name, mode);
}

export function authModeNames(): string[] {
  return [...modes.keys()];
}

export function isAuthMode(name: string): boolean {
  return modes.has(name);
}

/** The mode the legacy `require_api_token_auth` boolean asks for. */
export function modeForLegacyFlag(flag: boolean): string {
  for (const mode of modes.values()) if (mode.legacyFlag === flag) return mode.name;
  throw new Error(`no auth mode answers to require_api_token_auth: ${flag}`);
}

/** The names of the modes that take their own settings (`oauth` in a server's input), for error messages. */
export function modesWithSettings(): string[] {
  return [...modes.values()].filter((m) => m.settings).map((m) => m.name);
}

/** A stored server's mode; an unknown stored name (a newer release's) admits nothing rather than falling open. */
export function authModeOf(row: Pick<ServerRow, 'auth'>): ServerAuthMode {
  return modes.get(row.auth) ?? closed;
}

const closed: ServerAuthMode = {
  name: 'unknown',
  summary: 'a mode this release does not know',
  secretUrl: false,
  async admit() {
    return { ok: false, status: 403, message: "This server's auth mode is not supported by this release", headers: {} };
  },
};

const header = (req: AuthRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

registerAuthMode({
  name: 'url',
  summary: 'the secret URL is the credential',
  secretUrl: true,
  legacyFlag: false,
  async admit(_req, row) {
    return { ok: true, row };
  },
});

registerAuthMode({
  name: 'url+client-token',
  summary: 'the secret URL and Authorization: Bearer <client token bound to the server>',
  secretUrl: true,
  legacyFlag: true,
  nextStep: (id) => `Clients also need a client token: openai-mcp client-tokens create --server ${id} --name <label>`,
  async admit(req, row, credentials) {
    const authorization = header(req, 'authorization');
    const principal = await credentials.client(authorization, row.id);
    if (principal) return { ok: true, row, principal };
    return { ok: false, ...clientTokenRefusal(row.id, bearerOf(authorization) !== undefined) };
  },
});

registerAuthMode(oauthMode);

/** Whether running work on a live server, admitted by its grant `grantId` or by the server alone, may go on. */
export function workStillAllowed(
  row: ServerRow,
  grantId: string | undefined,
  credentials: Credentials,
): Promise<boolean> {
  const mode = authModeOf(row);
  return mode.workLive ? mode.workLive(row, grantId, credentials) : Promise.resolve(grantId === undefined);
}

/**
 * Admits a request to the MCP endpoint whose path segment is `segment`. One answer (404) for unknown, deleted and
 * expired servers: a URL reveals nothing about why it stopped working.
 */
export async function admitToServer(req: AuthRequest, segment: string, credentials: Credentials): Promise<Admission> {
  for (const mode of modes.values()) {
    const located = mode.locate?.(segment, credentials);
    if (located === undefined) continue;
    const row = await located;
    if (!row || row.auth !== mode.name) break;
    return mode.admit(req, row, credentials);
  }
  const row = await credentials.serverUrl(segment);
  const mode = row && authModeOf(row);
  if (!row || !mode?.secretUrl)
    return { ok: false, status: 404, message: 'Unknown or expired MCP server URL', headers: {} };
  return mode.admit(req, row, credentials);
}
