// `accounts`, `servers` and `api-tokens`: the management CLI over the same data dir a running `serve --http`
// reads, through the same `Management` operations as the REST API (so `--json` prints what REST answers).

import { readFileSync } from 'node:fs';
import { defaultCatalog } from '../runtime/catalog.js';
import type { Exposure } from '../runtime/exposure/types.js';
import { parseTime } from '../runtime/timeinput.js';
import { Management, type PublicServer, type ServerCodeLimits, type ServerConfig } from '../service/manage.js';
import { loadSecretBox } from '../service/secrets.js';
import { DEFAULT_HOST, DEFAULT_PORT, PUBLIC_URL_SETTING } from '../service/serve.js';
import { openSqliteStore } from '../service/store/sqlite.js';
import type { Store } from '../service/store/store.js';
import {
  type CodeLimitFlags,
  codeLimitUnits,
  nonEmpty,
  plural,
  printJson,
  printTable,
  resolveDataDir,
  UsageError,
} from './shared.js';

export interface CommonFlags {
  dataDir?: string;
  json?: boolean;
}

async function withManagement<T>(flags: CommonFlags, fn: (m: Management, store: Store) => Promise<T>): Promise<T> {
  const dataDir = resolveDataDir(flags.dataDir);
  const store = await openSqliteStore(dataDir);
  try {
    // For the resource URLs of `oauth` servers (no secret, so listings show them).
    const publicUrl = process.env.OPENAI_MCP_PUBLIC_URL ?? (await store.getSetting(PUBLIC_URL_SETTING));
    return await fn(
      new Management({ store, box: loadSecretBox(dataDir), catalog: defaultCatalog, publicUrl: () => publicUrl }),
      store,
    );
  } finally {
    await store.close();
  }
}

// Accounts -------------------------------------------------------------------------------------------------------

/** Keys from stdin: a JSON object, or KEY=VALUE lines using the environment variable names. */
function parseStdinKeys(text: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new UsageError('stdin: not valid JSON');
    }
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
  }
  const out: Record<string, string> = {};
  for (const line of trimmed.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export async function accountsAdd(flags: CommonFlags & { name: string; baseUrl?: string; stdin?: boolean }) {
  const src: Record<string, string | undefined> = flags.stdin ? parseStdinKeys(readFileSync(0, 'utf8')) : process.env;
  const pick = (...names: string[]) => names.map((n) => src[n]?.trim()).find(Boolean);
  const account = await withManagement(flags, (m) =>
    m.createAccount({
      name: flags.name,
      base_url: flags.baseUrl,
      api_key: pick('OPENAI_API_KEY', 'api_key'),
      admin_key: pick('OPENAI_ADMIN_KEY', 'admin_key'),
      organization_id: pick('OPENAI_ORG_ID', 'organization_id'),
      project_id: pick('OPENAI_PROJECT_ID', 'project_id'),
    }),
  );
  if (flags.json) return printJson(account);
  process.stdout.write(
    `${account.id}\t${account.name}\tapi_key=${account.api_key ?? '-'}\tadmin_key=${account.admin_key ?? '-'}\n`,
  );
}

export async function accountsList(flags: CommonFlags) {
  const accounts = await withManagement(flags, (m) => m.listAccounts());
  if (flags.json) return printJson(accounts);
  printTable(
    ['ID', 'NAME', 'API KEY', 'ADMIN KEY', 'BASE URL'],
    accounts.map((a) => [a.id, a.name, a.api_key ?? '-', a.admin_key ?? '-', a.base_url ?? 'default']),
  );
}

export async function accountsRemove(id: string, flags: CommonFlags) {
  await withManagement(flags, (m) => m.removeAccount(id));
  if (flags.json) return printJson({ id, deleted: true });
  process.stdout.write(`removed ${id} and its servers\n`);
}

// Servers --------------------------------------------------------------------------------------------------------

export interface ServerFlags extends CommonFlags, CodeLimitFlags {
  name?: string;
  methods?: string[];
  tags?: string[];
  tools?: string[];
  exposure?: Exposure;
  expiresAt?: string;
  requireApiTokenAuth?: boolean;
  auth?: string;
  oauthAllowEmail?: string[];
  oauthAllowGroup?: string[];
  publicUrl?: string;
  clearCodeLimits?: boolean;
  clearFilters?: boolean;
}

/** The `--code-*` flags as a server's `code_limits` (same units as the REST API). */
function codeLimitsOf(flags: ServerFlags): ServerCodeLimits | null | undefined {
  if (flags.clearCodeLimits) return null;
  const limits = codeLimitUnits(flags);
  return Object.keys(limits).length ? limits : undefined;
}

function configOf(flags: ServerFlags): ServerConfig | undefined {
  const config: ServerConfig = {};
  // An empty list means "no filter" to the API; a flag given after --clear-filters still applies.
  if (flags.clearFilters) Object.assign(config, { methods: [], tags: [], tools: [] });
  if (nonEmpty(flags.methods)) config.methods = flags.methods;
  if (nonEmpty(flags.tags)) config.tags = flags.tags;
  if (nonEmpty(flags.tools)) config.tools = flags.tools;
  if (flags.exposure) config.tool_exposure = flags.exposure;
  const codeLimits = codeLimitsOf(flags);
  if (codeLimits !== undefined) config.code_limits = codeLimits;
  return Object.keys(config).length ? config : undefined;
}

/** `never` or `none` clears an expiry; anything else must be ISO-8601. */
function expiryOf(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (['never', 'none', 'null'].includes(value)) return null;
  // Relative times in the tools' grammar (`+7d`, `+12h`, `+P1M`); anything else goes to the API as given, which
  // takes ISO-8601 only and says so.
  const seconds = /^[+-]/.test(value.trim()) ? parseTime(value) : undefined;
  return seconds === undefined ? value : new Date(seconds * 1000).toISOString();
}

function printServer(s: PublicServer) {
  const rows: [string, string][] = [
    ['id', s.id],
    ['name', s.name],
    ['account', s.account_id],
    ['tools', `${s.tool_count} (${s.config.tool_exposure})`],
    ['methods', s.config.methods?.join(',') ?? 'all'],
    ['tags', s.config.tags?.join(',') ?? 'all'],
    ...(s.config.tools ? ([['tool names', s.config.tools.join(',')]] as [string, string][]) : []),
    ...(s.config.code_limits
      ? ([
          [
            'code limits',
            Object.entries(s.config.code_limits)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ],
        ] as [string, string][])
      : []),
    ['expires', s.expires_at ?? 'never'],
    ['auth', s.auth],
    ...(s.oauth
      ? ([
          ['resource', s.url ?? s.oauth.resource_path],
          ['allowed emails', s.oauth.allow_emails.join(',') || '-'],
          ['allowed groups', s.oauth.allow_groups.join(',') || '-'],
        ] as [string, string][])
      : []),
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(18)}${v}\n`);
}

export async function serversCreate(flags: ServerFlags & { account: string }) {
  const created = await withManagement(flags, async (m, store) => {
    const publicUrl =
      flags.publicUrl ??
      process.env.OPENAI_MCP_PUBLIC_URL ??
      (await store.getSetting(PUBLIC_URL_SETTING)) ??
      `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
    return m.createServer(
      flags.account,
      {
        name: flags.name,
        config: configOf(flags),
        expires_at: expiryOf(flags.expiresAt),
        ...(flags.auth !== undefined ? { auth: flags.auth } : {}),
        ...(flags.requireApiTokenAuth !== undefined ? { require_api_token_auth: flags.requireApiTokenAuth } : {}),
        ...oauthPolicyOf(flags),
      },
      publicUrl,
    );
  });
  if (flags.json) return printJson(created);
  printServer(created);
  if (created.auth === 'oauth') {
    process.stderr.write(
      'Clients connect to the resource URL above and log in (OAuth); the URL itself is no secret.\n',
    );
    return;
  }
  process.stdout.write(`\nurl               ${created.url}\n`);
  process.stderr.write('This URL is shown once; it is stored only as a hash. Treat it like a password.\n');
}

/** `--oauth-allow-email` / `--oauth-allow-group` as the API's `oauth` object (each given list replaces). */
function oauthPolicyOf(flags: ServerFlags): { oauth?: { allow_emails?: string[]; allow_groups?: string[] } } {
  if (flags.oauthAllowEmail === undefined && flags.oauthAllowGroup === undefined) return {};
  return {
    oauth: {
      ...(flags.oauthAllowEmail ? { allow_emails: flags.oauthAllowEmail } : {}),
      ...(flags.oauthAllowGroup ? { allow_groups: flags.oauthAllowGroup } : {}),
    },
  };
}

export async function serversList(flags: CommonFlags & { account?: string }) {
  const servers = await withManagement(flags, (m) => m.listServers(flags.account));
  if (flags.json) return printJson(servers);
  printTable(
    ['ID', 'NAME', 'ACCOUNT', 'TOOLS', 'EXPOSURE', 'EXPIRES'],
    servers.map((s) => [
      s.id,
      s.name,
      s.account_id,
      String(s.tool_count),
      s.config.tool_exposure,
      s.expires_at ?? 'never',
    ]),
  );
}

export async function serversGet(id: string, flags: CommonFlags) {
  const server = await withManagement(flags, (m) => m.getServer(id));
  if (flags.json) return printJson(server);
  printServer(server);
}

export async function serversUpdate(id: string, flags: ServerFlags) {
  const patch: Record<string, unknown> = {};
  if (flags.name !== undefined) patch.name = flags.name;
  const config = configOf(flags);
  if (config) patch.config = config;
  const expires = expiryOf(flags.expiresAt);
  if (expires !== undefined) patch.expires_at = expires;
  if (flags.requireApiTokenAuth !== undefined) patch.require_api_token_auth = flags.requireApiTokenAuth;
  if (flags.auth !== undefined) patch.auth = flags.auth;
  Object.assign(patch, oauthPolicyOf(flags));
  if (!Object.keys(patch).length)
    throw new UsageError(
      'nothing to update: give --name, --methods, --tags, --tools, --exposure, --clear-filters, --code-*, --clear-code-limits, --expires-at, --auth, --oauth-allow-* or --[no-]require-api-token-auth',
    );
  const server = await withManagement(flags, async (m, store) =>
    m.updateServer(
      id,
      patch,
      flags.publicUrl ?? process.env.OPENAI_MCP_PUBLIC_URL ?? (await store.getSetting(PUBLIC_URL_SETTING)),
    ),
  );
  if (flags.json) return printJson(server);
  printServer(server);
  if (server.auth !== 'oauth' && server.url) {
    process.stdout.write(`\nurl               ${server.url}\n`);
    process.stderr.write('This URL is shown once; it is stored only as a hash. Treat it like a password.\n');
  }
}

export async function serversDelete(id: string, flags: CommonFlags) {
  await withManagement(flags, (m) => m.deleteServer(id));
  if (flags.json) return printJson({ id, deleted: true });
  process.stdout.write(`deleted ${id}\n`);
}

export async function serversLogs(id: string, flags: CommonFlags & { limit?: number }) {
  const calls = await withManagement(flags, (m) => m.calls(id, { limit: flags.limit }));
  if (flags.json) return printJson(calls);
  printTable(
    ['TIME', 'TOOL', 'STATUS', 'MS', 'ERROR'],
    calls.map((c) => [
      c.at,
      c.tool,
      c.http_status === null ? '-' : String(c.http_status),
      String(c.duration_ms),
      c.is_error ? 'yes' : 'no',
    ]),
  );
  process.stdout.write(`${plural(calls.length, 'call')}\n`);
}

// API tokens -----------------------------------------------------------------------------------------------------

export async function apiTokensCreate(flags: CommonFlags & { name: string }) {
  const token = await withManagement(flags, (m) => m.createApiToken({ name: flags.name }));
  if (flags.json) return printJson(token);
  process.stdout.write(`${token.id}\t${token.name}\n${token.token}\n`);
  process.stderr.write('This token is shown once; it is stored only as a hash.\n');
}

export async function apiTokensList(flags: CommonFlags) {
  const tokens = await withManagement(flags, (m) => m.listApiTokens());
  if (flags.json) return printJson(tokens);
  printTable(
    ['ID', 'NAME', 'CREATED', 'LAST USED', 'REVOKED'],
    tokens.map((t) => [t.id, t.name, t.created_at, t.last_used_at ?? '-', t.revoked_at ?? '-']),
  );
}

export async function apiTokensRevoke(id: string, flags: CommonFlags) {
  await withManagement(flags, (m) => m.revokeApiToken(id));
  if (flags.json) return printJson({ id, revoked: true });
  process.stdout.write(`revoked ${id}\n`);
}
