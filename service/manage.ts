// Accounts, scoped servers and API tokens: the operations behind both the REST API and the CLI, so the two
// validate the same way, store the same rows and answer with the same objects.

import * as z from 'zod';
import { EXPOSURES, type Exposure } from '../runtime/exposure/types.js';
import { selectTools } from '../runtime/filter.js';
import { OptionError } from '../runtime/option-error.js';
import type { Catalog } from '../runtime/types.js';
import { AUTH_MODES, type AuthMode, authModeOf, resourcePath, resourceUrl } from './auth/modes.js';
import { ServiceError } from './errors.js';
import type { SecretBox } from './secrets.js';
import type { AccountRow, ApiTokenRow, ServerRow, Store } from './store/store.js';
import { hintOf, issueToken, newId } from './tokens.js';

export const MIN_EXPIRY_LEAD_MS = 60_000;
const MAX_LIST = 500;

// Names are labels people read in listings; control characters would let one forge lines in a terminal.
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  // Format characters too: a right-to-left override makes a listing show something other than what is stored.
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'must not contain control or format characters');
const filterList = z
  .array(z.string().max(200, 'entries must be at most 200 characters'))
  .max(1000, 'at most 1000 entries');

/**
 * Sandbox limits of one code-mode server, in the units people set them in. Each can only tighten what the
 * service runs with (`serve --http --code-*`, else the defaults); the bounds keep a typo from meaning "unlimited".
 */
export const codeLimitsSchema = z.strictObject({
  timeout_seconds: z.int().min(1).max(600).optional(),
  memory_mib: z.int().min(1).max(2048).optional(),
  max_calls: z.int().min(1).max(10_000).optional(),
  max_result_chars: z.int().min(1_000).max(10_000_000).optional(),
});
export type ServerCodeLimits = z.infer<typeof codeLimitsSchema>;

export const serverConfigSchema = z.strictObject({
  methods: filterList.optional(),
  tags: filterList.optional(),
  tools: filterList.optional(),
  tool_exposure: z.enum(EXPOSURES).optional(),
  /** Used when `tool_exposure` is `code`; `null` in an update clears them. */
  code_limits: codeLimitsSchema.nullable().optional(),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;

const expiresAt = z.union([z.iso.datetime({ offset: true }), z.null()]);
const key = z.string().trim().min(1).max(500).optional();

export const accountInputSchema = z.strictObject({
  name,
  base_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    // The toolkit refuses a base URL with credentials at call time; refusing it here keeps a password out of
    // listings and makes the mistake a 400 now rather than a failing server later.
    .refine((u) => {
      const url = new URL(u);
      return !url.username && !url.password;
    }, 'must not contain credentials (user:password@)')
    .optional(),
  api_key: key,
  admin_key: key,
  // Sent as OpenAI-Organization / OpenAI-Project headers: ids only, never text that could break a header.
  organization_id: z
    .string()
    .trim()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be an OpenAI id such as org-…')
    .optional(),
  project_id: z
    .string()
    .trim()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be an OpenAI id such as proj_…')
    .optional(),
});
export type AccountInput = z.infer<typeof accountInputSchema>;

/** Who may log in to an `oauth` server through the upstream identity provider (operators with an API token always). */
export const oauthPolicySchema = z.strictObject({
  allow_emails: z
    .array(
      z
        .email()
        .max(320)
        .transform((e) => e.toLowerCase()),
    )
    .max(1000, 'at most 1000 entries')
    .optional(),
  allow_groups: z
    .array(
      z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(200, 'entries must be at most 200 characters')
        .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'must not contain control or format characters'),
    )
    .max(1000, 'at most 1000 entries')
    .optional(),
});
export type OAuthPolicyInput = z.infer<typeof oauthPolicySchema>;
export interface OAuthPolicy {
  allow_emails: string[];
  allow_groups: string[];
}

export const serverInputSchema = z.strictObject({
  name,
  config: serverConfigSchema.optional(),
  expires_at: expiresAt.optional(),
  auth: z.enum(AUTH_MODES).optional(),
  oauth: oauthPolicySchema.optional(),
  /** Read for compatibility: `true` is `auth: "url+api-token"`. */
  require_api_token_auth: z.boolean().optional(),
});
export type ServerInput = z.infer<typeof serverInputSchema>;

export const serverPatchSchema = z.strictObject({
  name: name.optional(),
  config: serverConfigSchema.optional(),
  expires_at: expiresAt.optional(),
  auth: z.enum(AUTH_MODES).optional(),
  oauth: oauthPolicySchema.optional(),
  require_api_token_auth: z.boolean().optional(),
});
export type ServerPatchInput = z.infer<typeof serverPatchSchema>;

export const apiTokenInputSchema = z.strictObject({ name });

/** Parses `input` or throws a 400 naming the first offending field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [])].map(String).join('.');
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''}` : issue.message;
  // Echo at most a short field path: a hostile key may be a megabyte long.
  const shown = field.length > 100 ? `${field.slice(0, 100)}…` : field;
  throw new ServiceError(
    issue.code === 'unrecognized_keys' ? 'unknown_field' : 'invalid_request',
    `${shown || 'body'}: ${message}`,
    shown || undefined,
  );
}

export interface PublicAccount {
  id: string;
  name: string;
  base_url: string | null;
  api_key: string | null;
  admin_key: string | null;
  organization_id: string | null;
  project_id: string | null;
  created_at: string;
}

export interface PublicServer {
  id: string;
  account_id: string;
  name: string;
  config: Required<Pick<ServerConfig, 'tool_exposure'>> & Omit<ServerConfig, 'tool_exposure'>;
  expires_at: string | null;
  auth: AuthMode;
  /** `auth === "url+api-token"`, kept for older clients. */
  require_api_token_auth: boolean;
  /** For `oauth` servers: the non-secret resource and who may log in. */
  oauth?: OAuthPolicy & { resource_path: string };
  tool_count: number;
  created_at: string;
  updated_at: string;
  /**
   * A `url` server's secret URL only in the answer that creates it (or moves it off `oauth`): the token is not
   * stored and cannot be shown again. An `oauth` server's resource URL, which is no secret, whenever the public
   * URL is known.
   */
  url?: string;
}

export interface PublicApiToken {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Only at creation. */
  token?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The stored secrets of an account, decrypted; only the scoped toolkit ever sees these. */
export interface AccountSecrets {
  apiKey?: string;
  adminKey?: string;
}

export interface ManageOptions {
  store: Store;
  box: SecretBox;
  catalog: Catalog;
  now?: () => number;
  /** The service's public origin, for the resource URLs of `oauth` servers in answers. */
  publicUrl?: () => string | undefined;
}

/** The auth mode an input asks for: `auth`, else the legacy boolean; both given must agree. */
function requestedMode(input: { auth?: AuthMode; require_api_token_auth?: boolean }): AuthMode | undefined {
  const legacy =
    input.require_api_token_auth === undefined ? undefined : input.require_api_token_auth ? 'url+api-token' : 'url';
  if (input.auth !== undefined && legacy !== undefined && input.auth !== legacy)
    throw new ServiceError(
      'invalid_request',
      `auth: "${input.auth}" contradicts require_api_token_auth: ${input.require_api_token_auth} (give auth alone)`,
      'auth',
    );
  return input.auth ?? legacy;
}

function policyJson(policy: OAuthPolicyInput | undefined, base?: OAuthPolicy): string {
  const out: OAuthPolicy = {
    allow_emails: [...new Set(policy?.allow_emails ?? base?.allow_emails ?? [])],
    allow_groups: [...new Set(policy?.allow_groups ?? base?.allow_groups ?? [])],
  };
  return JSON.stringify(out);
}

export function oauthPolicyOf(row: Pick<ServerRow, 'oauth_policy'>): OAuthPolicy {
  const p = row.oauth_policy ? (JSON.parse(row.oauth_policy) as Partial<OAuthPolicy>) : {};
  return { allow_emails: p.allow_emails ?? [], allow_groups: p.allow_groups ?? [] };
}

export class Management {
  private readonly store: Store;
  private readonly box: SecretBox;
  private readonly catalog: Catalog;
  private readonly now: () => number;

  constructor(options: ManageOptions) {
    this.store = options.store;
    this.box = options.box;
    this.catalog = options.catalog;
    this.now = options.now ?? Date.now;
    this.publicUrl = options.publicUrl ?? (() => undefined);
  }
  private readonly publicUrl: () => string | undefined;

  // Accounts ------------------------------------------------------------------------------------------------

  async createAccount(raw: unknown): Promise<PublicAccount> {
    const input = parseInput(accountInputSchema, raw);
    if (!input.api_key && !input.admin_key) {
      throw new ServiceError('invalid_request', 'an account needs api_key or admin_key (or both)', 'api_key');
    }
    const id = newId('acc');
    const secrets: AccountSecrets = { apiKey: input.api_key, adminKey: input.admin_key };
    const row: AccountRow = {
      id,
      name: input.name,
      base_url: input.base_url ?? null,
      secrets: this.box.seal(JSON.stringify(secrets), id),
      api_key_hint: hintOf(input.api_key),
      admin_key_hint: hintOf(input.admin_key),
      organization_id: input.organization_id || null,
      project_id: input.project_id || null,
      created_at: this.now(),
    };
    await this.store.insertAccount(row);
    return this.publicAccount(row);
  }

  async listAccounts(): Promise<PublicAccount[]> {
    return (await this.store.listAccounts()).map((r) => this.publicAccount(r));
  }

  async removeAccount(id: string): Promise<void> {
    if (!(await this.store.deleteAccount(id)))
      throw new ServiceError('not_found', `No account ${JSON.stringify(clip(id))}`);
  }

  async accountRow(id: string): Promise<AccountRow> {
    const row = await this.store.getAccount(id);
    if (!row) throw new ServiceError('not_found', `No account ${JSON.stringify(clip(id))}`, 'account_id');
    return row;
  }

  accountSecrets(row: AccountRow): AccountSecrets {
    return JSON.parse(this.box.open(row.secrets, row.id)) as AccountSecrets;
  }

  private publicAccount(r: AccountRow): PublicAccount {
    return {
      id: r.id,
      name: r.name,
      base_url: r.base_url,
      api_key: r.api_key_hint,
      admin_key: r.admin_key_hint,
      organization_id: r.organization_id,
      project_id: r.project_id,
      created_at: iso(r.created_at)!,
    };
  }

  // Servers -------------------------------------------------------------------------------------------------

  /** Checks a config against the catalog: unknown methods/tags/tools and empty selections are 400s. */
  checkConfig(config: ServerConfig | undefined): { config: PublicServer['config']; toolCount: number } {
    const normalized = { ...(config ?? {}), tool_exposure: config?.tool_exposure ?? ('all' as Exposure) };
    // Cleared or empty limits are not stored: the service's own limits apply.
    if (!normalized.code_limits || !Object.values(normalized.code_limits).some((v) => v !== undefined))
      delete normalized.code_limits;
    try {
      return { config: normalized, toolCount: this.selected(config).length };
    } catch (err) {
      if (!(err instanceof OptionError)) throw err;
      const field = err.code === 'unknown_value' ? `config.${err.option}` : 'config';
      throw new ServiceError('invalid_request', clip(err.message, 4000), field);
    }
  }

  private expiry(value: string | null | undefined): number | null | undefined {
    if (value === undefined || value === null) return value;
    const at = Date.parse(value);
    if (at - this.now() < MIN_EXPIRY_LEAD_MS) {
      throw new ServiceError('invalid_request', 'expires_at must be at least 60 seconds in the future', 'expires_at');
    }
    return at;
  }

  async createServer(accountId: string, raw: unknown, publicUrl: string): Promise<PublicServer> {
    const input = parseInput(serverInputSchema, raw);
    await this.accountRow(accountId);
    const { config, toolCount } = this.checkConfig(input.config);
    const expiresAt = this.expiry(input.expires_at) ?? null;
    const mode = requestedMode(input) ?? 'url';
    if (input.oauth && mode !== 'oauth')
      throw new ServiceError('invalid_request', 'oauth: only for servers with auth "oauth"', 'oauth');
    // An `oauth` server gets a URL token too (the column is required), but it is never shown: the URL stops being
    // a credential, and a server moved off `oauth` later gets a fresh one.
    const token = issueToken('server');
    const now = this.now();
    const row: ServerRow = {
      id: newId('srv'),
      account_id: accountId,
      name: input.name,
      config: JSON.stringify(config),
      expires_at: expiresAt,
      require_api_token_auth: mode === 'url+api-token' ? 1 : 0,
      auth: mode,
      oauth_policy: mode === 'oauth' ? policyJson(input.oauth) : null,
      token_lookup: token.lookup,
      token_hash: token.hash,
      created_at: now,
      updated_at: now,
    };
    await this.store.insertServer(row);
    return {
      ...this.publicServer(row, toolCount),
      url: mode === 'oauth' ? resourceUrl(publicUrl, row.id) : serverUrl(publicUrl, token.token),
    };
  }

  /** Live servers, oldest first, a page at a time: `after` is the last id of the previous page. */
  async listServersPage(
    accountId?: string,
    options: { limit?: number; after?: string } = {},
  ): Promise<{ data: PublicServer[]; has_more: boolean; next_cursor: string | null }> {
    const rows = await this.liveServerRows(accountId);
    const limit = Math.min(Math.max(options.limit ?? MAX_LIST, 1), MAX_LIST);
    let start = 0;
    if (options.after !== undefined) {
      const at = rows.findIndex((r) => r.id === options.after);
      if (at < 0)
        throw new ServiceError('invalid_request', 'after: no such server id (it may have been deleted)', 'after');
      start = at + 1;
    }
    const page = rows.slice(start, start + limit);
    const hasMore = start + limit < rows.length;
    return {
      data: page.map((r) => this.publicServer(r)),
      has_more: hasMore,
      next_cursor: hasMore ? (page[page.length - 1]?.id ?? null) : null,
    };
  }

  /** Every live server (the CLI's view: local, so not paged). */
  async listServers(accountId?: string): Promise<PublicServer[]> {
    return (await this.liveServerRows(accountId)).map((r) => this.publicServer(r));
  }

  /** Stored servers minus the expired ones the sweep has not purged yet, oldest first. */
  private async liveServerRows(accountId?: string): Promise<ServerRow[]> {
    const now = this.now();
    return (await this.store.listServers(accountId)).filter((r) => !isExpired(r, now));
  }

  async getServer(id: string): Promise<PublicServer> {
    return this.publicServer(await this.liveServer(id));
  }

  /** `publicUrl` is needed only when the update moves a server off `oauth`: the answer then carries its new URL. */
  async updateServer(id: string, raw: unknown, publicUrl?: string): Promise<PublicServer> {
    const patch = parseInput(serverPatchSchema, raw);
    const current = await this.liveServer(id);
    const currentMode = authModeOf(current);
    const mode = requestedMode(patch) ?? currentMode;
    if (patch.oauth && mode !== 'oauth')
      throw new ServiceError('invalid_request', 'oauth: only for servers with auth "oauth"', 'oauth');
    // Leaving `oauth`: the old URL token was never shown, so a new one is issued and shown in this answer once.
    const newToken = currentMode === 'oauth' && mode !== 'oauth' ? issueToken('server') : undefined;
    const stored = storedConfig(current);
    // `code_limits` merges key by key, so `--code-max-calls 5` alone keeps a timeout set earlier; `null` clears.
    const merged = patch.config
      ? {
          ...stored,
          ...patch.config,
          ...(patch.config.code_limits !== undefined
            ? { code_limits: patch.config.code_limits && { ...stored.code_limits, ...patch.config.code_limits } }
            : {}),
        }
      : undefined;
    const checked = merged ? this.checkConfig(merged) : undefined;
    const expiresAt = this.expiry(patch.expires_at);
    const row = await this.store.updateServer(
      id,
      {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(checked ? { config: JSON.stringify(checked.config) } : {}),
        ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
        ...(mode !== currentMode ? { auth: mode, require_api_token_auth: mode === 'url+api-token' ? 1 : 0 } : {}),
        ...(mode === 'oauth' && (patch.oauth || currentMode !== 'oauth')
          ? { oauth_policy: policyJson(patch.oauth, oauthPolicyOf(current)) }
          : {}),
        ...(mode !== 'oauth' && currentMode === 'oauth' ? { oauth_policy: null } : {}),
        ...(newToken ? { token_lookup: newToken.lookup, token_hash: newToken.hash } : {}),
      },
      // Strictly increasing, so a cache keyed on (id, updated_at) notices two updates within one millisecond.
      Math.max(this.now(), current.updated_at + 1),
    );
    if (!row) throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    // Tokens issued for the server end with its `oauth` mode; a mode change back does not revive them.
    if (currentMode === 'oauth' && mode !== 'oauth') await this.store.oauth.revokeServer(id, this.now());
    const answer = this.publicServer(row);
    if (newToken) {
      const origin = publicUrl ?? this.publicUrl();
      if (origin) answer.url = serverUrl(origin, newToken.token);
    }
    return answer;
  }

  async deleteServer(id: string): Promise<void> {
    if (!(await this.store.deleteServer(id)))
      throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    await this.store.oauth.revokeServer(id, this.now());
  }

  async calls(id: string, options: { limit?: number; before?: number } = {}) {
    await this.liveServer(id);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows = await this.store.listCalls(id, { limit, before: options.before });
    return rows.map((r) => ({
      id: r.id,
      at: iso(r.at)!,
      server_id: r.server_id,
      tool: r.tool,
      http_status: r.http_status,
      duration_ms: r.duration_ms,
      is_error: r.is_error === 1,
    }));
  }

  private async liveServer(id: string): Promise<ServerRow> {
    const row = await this.store.getServer(id);
    if (!row || isExpired(row, this.now()))
      throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    return row;
  }

  /** The catalog's tools a config selects; throws OptionError for unknown methods, tags or tools. */
  private selected(config: ServerConfig | undefined) {
    return selectTools(this.catalog, { methods: config?.methods, tags: config?.tags, tools: config?.tools });
  }

  /**
   * Tools a stored config selects. A config that was valid when stored can name a tool or tag a newer spec
   * dropped: that server then has 0 tools (its URL says why), and listings must still work.
   */
  private toolCountOf(config: ServerConfig): number {
    try {
      return this.selected(config).length;
    } catch (err) {
      if (err instanceof OptionError) return 0;
      throw err;
    }
  }

  publicServer(r: ServerRow, toolCount?: number): PublicServer {
    const config = storedConfig(r) as PublicServer['config'];
    const mode = authModeOf(r);
    const origin = mode === 'oauth' ? this.publicUrl() : undefined;
    return {
      id: r.id,
      account_id: r.account_id,
      name: r.name,
      config,
      expires_at: iso(r.expires_at),
      auth: mode,
      require_api_token_auth: mode === 'url+api-token',
      ...(mode === 'oauth' ? { oauth: { resource_path: resourcePath(r.id), ...oauthPolicyOf(r) } } : {}),
      tool_count: toolCount ?? this.toolCountOf(config),
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at)!,
      ...(origin ? { url: resourceUrl(origin, r.id) } : {}),
    };
  }

  /** The tools of a stored config, for the consent page (what a login grants). */
  toolsOf(r: ServerRow): ReturnType<typeof selectTools> {
    try {
      return this.selected(storedConfig(r));
    } catch (err) {
      if (err instanceof OptionError) return [];
      throw err;
    }
  }

  // API tokens ----------------------------------------------------------------------------------------------

  async createApiToken(raw: unknown): Promise<PublicApiToken> {
    const input = parseInput(apiTokenInputSchema, raw);
    const token = issueToken('api');
    const row: ApiTokenRow = {
      id: newId('tok'),
      name: input.name,
      token_lookup: token.lookup,
      token_hash: token.hash,
      created_at: this.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.store.insertApiToken(row);
    return { ...publicApiToken(row), token: token.token };
  }

  async listApiTokens(): Promise<PublicApiToken[]> {
    return (await this.store.listApiTokens()).map(publicApiToken);
  }

  async revokeApiToken(id: string): Promise<void> {
    if (!(await this.store.revokeApiToken(id, this.now()))) {
      throw new ServiceError('not_found', `No active API token ${JSON.stringify(clip(id))}`);
    }
  }
}

function publicApiToken(r: ApiTokenRow): PublicApiToken {
  return {
    id: r.id,
    name: r.name,
    created_at: iso(r.created_at)!,
    last_used_at: iso(r.last_used_at),
    revoked_at: iso(r.revoked_at),
  };
}

export function storedConfig(r: ServerRow): ServerConfig {
  return JSON.parse(r.config) as ServerConfig;
}

export function isExpired(r: Pick<ServerRow, 'expires_at'>, now: number): boolean {
  return r.expires_at !== null && r.expires_at <= now;
}

export function serverUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/mcp/${token}`;
}

function clip(s: string, max = 100): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
