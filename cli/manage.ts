// `accounts`, `servers`, `management-tokens`, `client-tokens`, `audit-log` and `secrets`: the management CLI over
// the same data dir a running `serve --http` reads, through the same operations as the REST API (so `--json`
// prints what REST answers). Whoever runs it has the data dir and its key, so it acts with full rights, and its
// changes are audited as `cli:<user>`. Every command checks the secret key against the data dir first.

import { authModeOf, modeForLegacyFlag } from '../service/auth/modes.js';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { defaultCatalog } from '../runtime/catalog.js';
import type { Exposure } from '../runtime/exposure/registry.js';
import { MAX_CLIENT_SERVER_NAME } from '../runtime/types.js';
import { keyProblem, type KeySlot } from '../runtime/key-kind.js';
import { DateTime } from 'luxon';
import { parseTime } from '../runtime/timeinput.js';
import type { LocalPrincipal } from '../service/auth/principals.js';
import { allowPrivateFromEnv } from '../service/baseurl.js';
import { Management, type PublicServer, type ServerCodeLimits, type ServerConfig } from '../service/manage/index.js';
import { Operations } from '../service/operations.js';
import { boxFromPassphrase, openSecretBox, rotateSecretKey, type SecretBox } from '../service/secrets.js';
import { DEFAULT_HOST, DEFAULT_PORT, PUBLIC_URL_SETTING } from '../service/serve.js';
import { describeTarget, openStore } from '../service/store/open.js';
import { ensureDataDir } from '../service/store/sqlite.js';
import type { Store } from '../service/store/store.js';
import {
  type CodeLimitFlags,
  codeLimitUnits,
  log,
  nonEmpty,
  plural,
  printJson,
  printTable,
  resolveDataDir,
  UsageError,
} from './shared.js';
import { escapeControls } from '../runtime/redact.js';

export interface CommonFlags {
  dataDir?: string;
  /** `sqlite:<file>` or `postgres://…` (else $OPENAI_MCP_DATABASE_URL, else SQLite in the data dir). */
  databaseUrl?: string;
  json?: boolean;
  /** accounts add|update: accept a base URL on a private, loopback or link-local host. */
  allowPrivateBaseUrl?: boolean;
}

interface Session {
  ops: Operations;
  manage: Management;
  store: Store;
  box: SecretBox;
  me: LocalPrincipal;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

async function withManagement<T>(flags: CommonFlags, fn: (s: Session) => Promise<T>): Promise<T> {
  const dataDir = resolveDataDir(flags.dataDir);
  ensureDataDir(dataDir);
  const { store, target, shared } = await openStore({ dataDir, databaseUrl: flags.databaseUrl });
  try {
    const box = await openSecretBox(dataDir, store, process.env, {
      shared: shared ? describeTarget(target) : undefined,
    });
    // For the resource URLs of `oauth` servers (no secret, so listings show them).
    const publicUrl = process.env.OPENAI_MCP_PUBLIC_URL ?? (await store.getSetting(PUBLIC_URL_SETTING));
    const manage = new Management({
      store,
      box,
      catalog: defaultCatalog,
      allowPrivateBaseUrls: flags.allowPrivateBaseUrl || allowPrivateFromEnv(),
      publicUrl: () => publicUrl,
    });
    const ops = new Operations({ manage, store, log });
    return await fn({ ops, manage, store, box, me: { kind: 'local', user: localUser() } });
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

/** The keys of `src` (environment or stdin), by their environment names or the API's field names. */
function keysFrom(src: Record<string, string | undefined>) {
  const pick = (...names: string[]) => names.map((n) => src[n]?.trim()).find(Boolean);
  return {
    api_key: pick('OPENAI_API_KEY', 'api_key'),
    admin_key: pick('OPENAI_ADMIN_KEY', 'admin_key'),
    organization_id: pick('OPENAI_ORG_ID', 'organization_id'),
    project_id: pick('OPENAI_PROJECT_ID', 'project_id'),
  };
}

export async function accountsAdd(flags: CommonFlags & { name: string; baseUrl?: string; stdin?: boolean }) {
  const src: Record<string, string | undefined> = flags.stdin ? parseStdinKeys(readFileSync(0, 'utf8')) : process.env;
  const keys = keysFrom(src);
  checkAccountKeys(keys, flags.stdin ? 'stdin' : 'the environment');
  const account = await withManagement(flags, ({ ops, me }) =>
    ops.createAccount(me, { name: flags.name, base_url: flags.baseUrl, ...keys }),
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
  const accounts = await withManagement(flags, ({ ops, me }) => ops.listAccounts(me));
  if (flags.json) return printJson(accounts);
  printTable(
    ['ID', 'NAME', 'API KEY', 'ADMIN KEY', 'BASE URL'],
    accounts.map((a) => [a.id, a.name, a.api_key ?? '-', a.admin_key ?? '-', a.base_url ?? 'default']),
  );
}

export async function accountsGet(id: string, flags: CommonFlags) {
  const a = await withManagement(flags, ({ ops, me }) => ops.getAccount(me, id));
  if (flags.json) return printJson(a);
  const rows: [string, string][] = [
    ['id', a.id],
    ['name', a.name],
    ['api key', a.api_key ?? '-'],
    ['admin key', a.admin_key ?? '-'],
    ['organization', a.organization_id ?? '-'],
    ['project', a.project_id ?? '-'],
    ['base url', a.base_url ?? 'default'],
    ['updated', a.updated_at],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(14)}${escapeControls(v)}\n`);
}

/**
 * Renames or moves an account, or rotates its keys in place (`--keys` from the environment, `--stdin` from
 * stdin, as accounts add reads them): its servers keep their URLs and use the new keys from their next request.
 */
export async function accountsUpdate(
  id: string,
  flags: CommonFlags & { name?: string; baseUrl?: string; defaultBaseUrl?: boolean; keys?: boolean; stdin?: boolean },
) {
  const patch: Record<string, unknown> = {};
  if (flags.name !== undefined) patch.name = flags.name;
  if (flags.baseUrl !== undefined) patch.base_url = flags.baseUrl;
  if (flags.defaultBaseUrl) patch.base_url = null;
  if (flags.keys || flags.stdin) {
    const keys = keysFrom(flags.stdin ? parseStdinKeys(readFileSync(0, 'utf8')) : process.env);
    for (const [k, v] of Object.entries(keys)) if (v) patch[k] = v;
    if (!keys.api_key && !keys.admin_key)
      throw new UsageError(
        `no key found in ${flags.stdin ? 'stdin' : 'the environment'}: give OPENAI_API_KEY and/or OPENAI_ADMIN_KEY`,
      );
  }
  if (!Object.keys(patch).length)
    throw new UsageError('nothing to update: give --name, --base-url, --default-base-url, --keys or --stdin');
  const account = await withManagement(flags, ({ ops, me }) => ops.updateAccount(me, id, patch));
  if (flags.json) return printJson(account);
  process.stdout.write(
    `${account.id}\t${account.name}\tapi_key=${account.api_key ?? '-'}\tadmin_key=${account.admin_key ?? '-'}\n`,
  );
}

export async function accountsRemove(id: string, flags: CommonFlags) {
  await withManagement(flags, ({ ops, me }) => ops.removeAccount(me, id));
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
  auth?: string;
  requireApiTokenAuth?: boolean;
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

/** The origin URLs are printed with: --public-url, $OPENAI_MCP_PUBLIC_URL, what `serve --http` last used, the default. */
async function publicUrlOf(flags: { publicUrl?: string }, store: Store): Promise<string> {
  return (
    flags.publicUrl ??
    process.env.OPENAI_MCP_PUBLIC_URL ??
    (await store.getSetting(PUBLIC_URL_SETTING)) ??
    `http://${DEFAULT_HOST}:${DEFAULT_PORT}`
  );
}

/** `--auth`, else the older `--[no-]require-api-token-auth`. */
function authOf(flags: ServerFlags): string | undefined {
  if (flags.auth !== undefined) return flags.auth;
  if (flags.requireApiTokenAuth === undefined) return undefined;
  return modeForLegacyFlag(flags.requireApiTokenAuth);
}

export async function serversCreate(flags: ServerFlags & { account: string }) {
  const created = await withManagement(flags, async ({ ops, me, store }) => {
    const publicUrl = await publicUrlOf(flags, store);
    const auth = authOf(flags);
    return ops.createServer(
      me,
      flags.account,
      {
        name: flags.name,
        config: configOf(flags),
        expires_at: expiryOf(flags.expiresAt),
        ...(auth !== undefined ? { auth } : {}),
        ...oauthPolicyOf(flags),
      },
      publicUrl,
    );
  });
  if (flags.json) return printJson(created);
  printServer(created);
  const mode = authModeOf(created);
  if (mode.secretUrl && created.url) {
    process.stdout.write(`\nurl               ${created.url}\n`);
    process.stderr.write('This URL is shown once; it is stored only as a hash. Treat it like a password.\n');
  }
  if (mode.nextStep) process.stderr.write(`${mode.nextStep(created.id)}\n`);
  if (!mode.secretUrl) return;
  // Hosts prefix tool names with the name the client gives the server (`mcp__<name>__<tool>`) and cap them at 64.
  process.stderr.write(
    `Name it in your client with ${MAX_CLIENT_SERVER_NAME} characters at most (e.g. "openai"): hosts cap mcp__<name>__<tool> at 64.\n`,
  );
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
  const servers = await withManagement(flags, async ({ manage, ops, me }) => {
    if (flags.account !== undefined) await ops.getAccount(me, flags.account);
    return manage.servers.listServers(flags.account);
  });
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
  const server = await withManagement(flags, ({ ops, me }) => ops.getServer(me, id));
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
  const auth = authOf(flags);
  if (auth !== undefined) patch.auth = auth;
  Object.assign(patch, oauthPolicyOf(flags));
  if (!Object.keys(patch).length)
    throw new UsageError(
      'nothing to update: give --name, --methods, --tags, --tools, --exposure, --clear-filters, --code-*, --clear-code-limits, --expires-at, --auth or --oauth-allow-*',
    );
  const server = await withManagement(flags, async ({ ops, me, store }) =>
    ops.updateServer(me, id, patch, await publicUrlOf(flags, store)),
  );
  if (flags.json) return printJson(server);
  printServer(server);
  // Moved off `oauth` (to a mode whose URL is the credential): the new secret URL, shown this once.
  if (authModeOf(server).secretUrl && server.url) {
    process.stdout.write(`\nurl               ${server.url}\n`);
    process.stderr.write('This URL is shown once; it is stored only as a hash. Treat it like a password.\n');
  }
}

export async function serversRotateUrl(id: string, flags: CommonFlags & { publicUrl?: string }) {
  const rotated = await withManagement(flags, async ({ ops, me, store }) =>
    ops.rotateServerUrl(me, id, await publicUrlOf(flags, store)),
  );
  if (flags.json) return printJson(rotated);
  process.stdout.write(`${rotated.id}\t${rotated.name}\nurl               ${rotated.url}\n`);
  process.stderr.write(
    'The old URL stopped working now. This one is shown once; it is stored only as a hash. Update the clients that used the old one.\n',
  );
}

export async function serversDelete(id: string, flags: CommonFlags) {
  await withManagement(flags, ({ ops, me }) => ops.deleteServer(me, id));
  if (flags.json) return printJson({ id, deleted: true });
  process.stdout.write(`deleted ${id}\n`);
}

export async function serversLogs(id: string, flags: CommonFlags & { limit?: number }) {
  const calls = await withManagement(flags, ({ ops, me }) => ops.calls(me, id, { limit: flags.limit }));
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

// Tokens ---------------------------------------------------------------------------------------------------------

/** `all` or `*` for everything, else the list. */
function scopeFlag(values: string[] | undefined, flag: string): '*' | string[] {
  if (!values?.length) throw new UsageError(`${flag} is required: a comma-separated list, or all`);
  return values.some((v) => v === 'all' || v === '*') ? '*' : values;
}

const when = (iso: string | null) => iso ?? '-';

export async function managementTokensCreate(
  flags: CommonFlags & { name: string; accounts?: string[]; actions?: string[]; expiresAt?: string },
) {
  const token = await withManagement(flags, ({ ops, me }) =>
    ops.createManagementToken(me, {
      name: flags.name,
      accounts: scopeFlag(flags.accounts, '--accounts'),
      actions: scopeFlag(flags.actions, '--actions'),
      ...(flags.expiresAt !== undefined ? { expires_at: expiryOf(flags.expiresAt) } : {}),
    }),
  );
  if (flags.json) return printJson(token);
  process.stdout.write(`${token.id}\t${token.name}\texpires ${token.expires_at ?? 'never'}\n${token.token}\n`);
  process.stderr.write('This token is shown once; it is stored only as a hash.\n');
}

export async function managementTokensList(flags: CommonFlags) {
  const tokens = await withManagement(flags, ({ ops, me }) => ops.listManagementTokens(me));
  if (flags.json) return printJson(tokens);
  printTable(
    ['ID', 'NAME', 'ACCOUNTS', 'ACTIONS', 'EXPIRES', 'LAST USED', 'REVOKED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.accounts === '*' ? 'all' : t.accounts.join(','),
      t.actions === '*' ? 'all' : t.actions.join(','),
      t.expires_at ?? 'never',
      when(t.last_used_at),
      when(t.revoked_at),
    ]),
  );
}

export async function managementTokensRevoke(id: string, flags: CommonFlags) {
  await withManagement(flags, ({ ops, me }) => ops.revokeToken(me, 'management', id));
  if (flags.json) return printJson({ id, revoked: true });
  process.stdout.write(`revoked ${id}\n`);
}

/** `api-tokens create`, kept for scripts of earlier releases: a management token for everything. */
export async function apiTokensCreate(flags: CommonFlags & { name: string; expiresAt?: string }) {
  process.stderr.write(
    'api-tokens is deprecated: this is `management-tokens create --accounts all --actions all`; give clients a client token instead (client-tokens create).\n',
  );
  return managementTokensCreate({ ...flags, accounts: ['all'], actions: ['all'] });
}

export async function clientTokensCreate(flags: CommonFlags & { name: string; server?: string[]; expiresAt?: string }) {
  if (!flags.server?.length) throw new UsageError('--server is required: the server(s) the token opens');
  const token = await withManagement(flags, ({ ops, me }) =>
    ops.createClientToken(me, {
      name: flags.name,
      servers: flags.server,
      ...(flags.expiresAt !== undefined ? { expires_at: expiryOf(flags.expiresAt) } : {}),
    }),
  );
  if (flags.json) return printJson(token);
  process.stdout.write(`${token.id}\t${token.name}\t${token.servers.join(',')}\n${token.token}\n`);
  process.stderr.write(
    'This token is shown once; it is stored only as a hash. The client sends it as Authorization: Bearer <token>.\n',
  );
}

export async function clientTokensList(flags: CommonFlags & { server?: string }) {
  const tokens = await withManagement(flags, ({ ops, me }) => ops.listClientTokens(me, flags.server));
  if (flags.json) return printJson(tokens);
  printTable(
    ['ID', 'NAME', 'SERVERS', 'EXPIRES', 'LAST USED', 'REVOKED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.servers.join(',') || '-',
      t.expires_at ?? 'never',
      when(t.last_used_at),
      when(t.revoked_at),
    ]),
  );
}

export async function clientTokensRevoke(id: string, flags: CommonFlags) {
  await withManagement(flags, ({ ops, me }) => ops.revokeToken(me, 'client', id));
  if (flags.json) return printJson({ id, revoked: true });
  process.stdout.write(`revoked ${id}\n`);
}

// The operator audit log ---------------------------------------------------------------------------------------

export async function auditLog(flags: CommonFlags & { limit?: number; before?: number }) {
  const events = await withManagement(flags, ({ ops, me }) =>
    ops.events(me, { limit: flags.limit, before: flags.before }),
  );
  if (flags.json) return printJson(events);
  printTable(
    ['ID', 'TIME', 'ACTOR', 'ACTION', 'TARGET', 'ACCOUNT', 'RESULT', 'MESSAGE'],
    events.map((e) => [
      String(e.id),
      e.at,
      e.actor,
      e.action,
      e.target ?? '-',
      e.account_id ?? '-',
      `${e.result} ${e.status}`,
      e.message ?? '',
    ]),
  );
  process.stdout.write(`${plural(events.length, 'event')}\n`);
}

// Secrets --------------------------------------------------------------------------------------------------------

const NEW_SECRET_KEY_ENV = 'OPENAI_MCP_NEW_SECRET_KEY';

/**
 * Re-encrypts every account under a new key in one transaction. The current key comes from where it always does;
 * the new one from stdin (`--stdin`) or OPENAI_MCP_NEW_SECRET_KEY. Afterwards `serve` and the CLI need the new key
 * as OPENAI_MCP_SECRET_KEY.
 */
export async function secretsRotate(flags: CommonFlags & { stdin?: boolean }) {
  const passphrase = flags.stdin ? readFileSync(0, 'utf8').split(/\r?\n/)[0] : process.env[NEW_SECRET_KEY_ENV];
  if (passphrase === undefined) throw new UsageError(`give the new key on stdin (--stdin) or in ${NEW_SECRET_KEY_ENV}`);
  const next = boxFromPassphrase(passphrase, flags.stdin ? 'the new key (stdin)' : NEW_SECRET_KEY_ENV);
  const count = await withManagement(flags, async ({ ops, me, store, box }) => {
    try {
      const n = await rotateSecretKey(store, box, next);
      await ops.recordChange(me, 'secrets.rotate', 'ok', `${n} accounts re-encrypted`);
      return n;
    } catch (err) {
      await ops.recordChange(me, 'secrets.rotate', 'error', (err as Error).message);
      throw err;
    }
  });
  if (flags.json) return printJson({ accounts: count, fingerprint: next.fingerprint });
  process.stdout.write(
    `re-encrypted ${plural(count, 'account')} under the new key (fingerprint ${next.fingerprint})\n`,
  );
  process.stderr.write(
    'From now on, run serve and the CLI with OPENAI_MCP_SECRET_KEY set to the new key, and restart a running serve.\n',
  );
}
