// `accounts`, `servers` and `api-tokens`: the management CLI over the same data dir a running `serve --http`
// reads, through the same `Management` operations as the REST API (so `--json` prints what REST answers).

import { readFileSync } from 'node:fs';
import { defaultCatalog } from '../runtime/catalog.js';
import type { Exposure } from '../runtime/exposure/types.js';
import { keyProblem, type KeySlot } from '../runtime/key-kind.js';
import { DateTime } from 'luxon';
import { parseTime } from '../runtime/timeinput.js';
import { Management, type PublicServer, type ServerCodeLimits, type ServerConfig } from '../service/manage.js';
import { loadSecretBox } from '../service/secrets.js';
import { DEFAULT_HOST, DEFAULT_PORT, PUBLIC_URL_SETTING } from '../service/serve.js';
import { ensureDataDir, openSqliteStore } from '../service/store/sqlite.js';
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
  ensureDataDir(dataDir);
  const store = await openSqliteStore(dataDir);
  try {
    return await fn(new Management({ store, box: loadSecretBox(dataDir), catalog: defaultCatalog }), store);
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
  const keys = { api_key: pick('OPENAI_API_KEY', 'api_key'), admin_key: pick('OPENAI_ADMIN_KEY', 'admin_key') };
  checkAccountKeys(keys, flags.stdin ? 'stdin' : 'the environment');
  const account = await withManagement(flags, (m) =>
    m.createAccount({
      name: flags.name,
      base_url: flags.baseUrl,
      ...keys,
      organization_id: pick('OPENAI_ORG_ID', 'organization_id'),
      project_id: pick('OPENAI_PROJECT_ID', 'project_id'),
    }),
  );
  if (flags.json) return printJson(account);
  process.stdout.write(
    `${account.id}\t${account.name}\tapi_key=${account.api_key ?? '-'}\tadmin_key=${account.admin_key ?? '-'}\n`,
  );
}

/** Named the way the user gave them (variables), before the API's field-named checks would see them. */
function checkAccountKeys(keys: Partial<Record<KeySlot, string>>, from: string): void {
  if (!keys.api_key && !keys.admin_key)
    throw new UsageError(
      `accounts add: no key in ${from}. Set OPENAI_API_KEY (a project key, sk-proj-…) and/or OPENAI_ADMIN_KEY ` +
        '(an admin key, sk-admin-…), e.g. `OPENAI_API_KEY=sk-proj-… openai-mcp accounts add --name acme`, or pipe ' +
        'them in with --stdin (JSON or KEY=VALUE lines). Keys are never taken from arguments.',
    );
  for (const slot of ['api_key', 'admin_key'] as const) {
    const value = keys[slot];
    const problem = value ? keyProblem(slot, value) : undefined;
    if (problem) throw new UsageError(`accounts add: ${problem.message} ${problem.fix}`);
  }
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

const EXPIRY_FORMS =
  'a relative time such as +7d, +12h or +P1M, an ISO-8601 date or time such as 2030-12-31 or 2030-12-31T23:59:59Z (no zone means UTC), or never';

/**
 * `--expires-at` as the ISO-8601 time the API takes: `never` clears it; `+7d`, `+12h`, `+P1M` count from now; a
 * date or a time without a zone is UTC. A past time, or a relative one without its `+`, is refused with the form
 * that works, before anything is sent.
 */
export function expiryOf(value: string | undefined, now: Date = new Date()): string | null | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (['never', 'none', 'null'].includes(v.toLowerCase())) return null;
  if (/^\d+\s*(s|sec|min|m|h|d|w|mo|y)$/i.test(v) || /^p[\dt]/i.test(v))
    throw new UsageError(`--expires-at ${JSON.stringify(v)}: a relative time needs its sign: +${v} (from now)`);
  const seconds = /^[+-]/.test(v) || !/^\d+$/.test(v) ? parseTime(v, DateTime.fromJSDate(now).toUTC()) : undefined;
  if (seconds === undefined || ['now', 'today', 'yesterday'].includes(v.toLowerCase()) || /^start of/i.test(v))
    throw new UsageError(`--expires-at ${JSON.stringify(v.slice(0, 100))} is not a time; give ${EXPIRY_FORMS}`);
  // An ISO time keeps its milliseconds (parseTime counts whole seconds); a relative one counts from now.
  const iso = /^[+-]/.test(v) ? undefined : DateTime.fromISO(v, { zone: 'utc' });
  const at = iso?.isValid ? iso.toJSDate() : new Date(seconds * 1000);
  if (at.getTime() <= now.getTime())
    throw new UsageError(
      `--expires-at ${JSON.stringify(v.slice(0, 100))} is in the past (${at.toISOString()}); give a future time, e.g. +7d or ${now.getUTCFullYear() + 1}-12-31`,
    );
  return at.toISOString();
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
    ['second-layer auth', s.require_api_token_auth ? 'API token required' : 'off'],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(18)}${v}\n`);
}

/** The origin URLs are printed with: --public-url, $OPENAI_MCP_PUBLIC_URL, what `serve --http` last used, the default. */
async function publicUrlOf(flags: { publicUrl?: string }, store: Store): Promise<string> {
  return (
    flags.publicUrl ??
    process.env.OPENAI_MCP_PUBLIC_URL ??
    (await store.getSetting(PUBLIC_URL_SETTING)) ??
    `http://${DEFAULT_HOST}:${DEFAULT_PORT}`
  );
}

export async function serversCreate(flags: ServerFlags & { account: string }) {
  const created = await withManagement(flags, async (m, store) => {
    const publicUrl = await publicUrlOf(flags, store);
    return m.createServer(
      flags.account,
      {
        name: flags.name,
        config: configOf(flags),
        expires_at: expiryOf(flags.expiresAt),
        require_api_token_auth: flags.requireApiTokenAuth ?? false,
      },
      publicUrl,
    );
  });
  if (flags.json) return printJson(created);
  printServer(created);
  process.stdout.write(`\nurl               ${created.url}\n`);
  process.stderr.write('This URL is shown once; it is stored only as a hash. Treat it like a password.\n');
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
  if (!Object.keys(patch).length)
    throw new UsageError(
      'nothing to update: give --name, --methods, --tags, --tools, --exposure, --clear-filters, --code-*, --clear-code-limits, --expires-at or --[no-]require-api-token-auth',
    );
  const server = await withManagement(flags, (m) => m.updateServer(id, patch));
  if (flags.json) return printJson(server);
  printServer(server);
}

export async function serversRotateUrl(id: string, flags: CommonFlags & { publicUrl?: string }) {
  const rotated = await withManagement(flags, async (m, store) =>
    m.rotateServerUrl(id, await publicUrlOf(flags, store)),
  );
  if (flags.json) return printJson(rotated);
  process.stdout.write(`${rotated.id}\t${rotated.name}\nurl               ${rotated.url}\n`);
  process.stderr.write(
    'The old URL stopped working now. This one is shown once; it is stored only as a hash. Update the clients that used the old one.\n',
  );
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
