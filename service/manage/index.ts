// Accounts, scoped servers and tokens: the operations behind both the REST API and the CLI, so the two validate the
// same way, store the same rows and answer with the same objects. Who may call what is service/operations.ts's job;
// what a token may mint is checked here, where the token is built.

import * as z from 'zod';
import { type CodeLimits, unitsOf } from '../../runtime/exposure/code/limits.js';
import { EXPOSURES, type Exposure } from '../../runtime/exposure/registry.js';
import { selectTools } from '../../runtime/filter.js';
import { FIELD_NAMES, keyProblem } from '../../runtime/key-kind.js';
import { OptionError } from '../../runtime/option-error.js';
import { cutText } from '../../runtime/redact.js';
import type { Catalog } from '../../runtime/types.js';
import { authModeNames, authModeOf, isAuthMode } from '../auth/modes.js';
import { resourcePath, resourceUrl } from '../auth/oauth/resource-url.js';
import { ACTIONS, type Action, type Scope, scopeCovers, scopeFromColumn, scopeToColumn } from '../auth/principals.js';
import { privateBaseUrlMessage, privateHostReason } from '../baseurl.js';
import { ServiceError } from '../errors.js';
import { nameProblem } from '../names.js';
import type { SecretBox } from '../secrets.js';
import type {
  AccountPatch,
  AccountRow,
  ApiTokenRow,
  ServerPatch,
  ServerRow,
  Store,
  TokenBinding,
} from '../store/store.js';
import { hintOf, issueToken, newId } from '../tokens.js';

export const MIN_EXPIRY_LEAD_MS = 60_000;
export const MAX_LIST = 500;
/** A management token given no expiry gets this one; `null` asks for none explicitly. */
export const DEFAULT_TOKEN_LIFETIME_MS = 90 * 86_400_000;

// Names are labels people read in listings, terminals and audit logs (see names.ts).
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .superRefine((s, ctx) => {
    const problem = nameProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
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
  max_result_bytes: z.int().min(1_000).max(10_000_000).optional(),
  /** The earlier name of `max_result_bytes`, from when the cap counted characters; stored as `max_result_bytes`. */
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

const expiresAt = z.union(
  [z.iso.datetime({ offset: true }), z.null()],
  'must be an ISO-8601 date-time with a zone, such as 2030-12-31T23:59:59Z, or null for no expiry',
);
const key = z.string().trim().min(1).max(500);
const baseUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  // The toolkit refuses a base URL with credentials at call time; refusing it here keeps a password out of
  // listings and makes the mistake a 400 now rather than a failing server later.
  .refine((u) => {
    const url = new URL(u);
    return !url.username && !url.password;
  }, 'must not contain credentials (user:password@)');
// Sent as OpenAI-Organization / OpenAI-Project headers: ids only, never text that could break a header.
const openAiId = (example: string) =>
  z
    .string()
    .trim()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, `must be an OpenAI id such as ${example}`);

export const accountInputSchema = z.strictObject({
  name,
  base_url: baseUrl.optional(),
  api_key: key.optional(),
  admin_key: key.optional(),
  organization_id: openAiId('org-…').optional(),
  project_id: openAiId('proj_…').optional(),
});
export type AccountInput = z.infer<typeof accountInputSchema>;

/** An account update: a given key replaces the stored one, `null` removes it (one key must remain). */
export const accountPatchSchema = z.strictObject({
  name: name.optional(),
  base_url: baseUrl.nullable().optional(),
  api_key: key.nullable().optional(),
  admin_key: key.nullable().optional(),
  organization_id: openAiId('org-…').nullable().optional(),
  project_id: openAiId('proj_…').nullable().optional(),
});
export type AccountPatchInput = z.infer<typeof accountPatchSchema>;

const authMode = z.string().superRefine((v, ctx) => {
  if (!isAuthMode(v)) ctx.addIssue({ code: 'custom', message: `must be one of: ${authModeNames().join(', ')}` });
});

/** Who may log in to an `oauth` server through the upstream identity provider (see service/auth/oauth/). */
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
  auth: authMode.optional(),
  /** Who may log in, for `auth: "oauth"` only. */
  oauth: oauthPolicySchema.optional(),
  /** Read for compatibility: `true` is `auth: "url+client-token"`, `false` is `auth: "url"`. */
  require_api_token_auth: z.boolean().optional(),
});
export type ServerInput = z.infer<typeof serverInputSchema>;

export const serverPatchSchema = z.strictObject({
  name: name.optional(),
  config: serverConfigSchema.optional(),
  expires_at: expiresAt.optional(),
  auth: authMode.optional(),
  oauth: oauthPolicySchema.optional(),
  require_api_token_auth: z.boolean().optional(),
});
export type ServerPatchInput = z.infer<typeof serverPatchSchema>;

const accountIds = z.array(z.string().min(1).max(100)).min(1, 'must name at least one account').max(1000);
export const managementTokenInputSchema = z.strictObject({
  name,
  /** `"*"` for every account, present and future, or a list of account ids. */
  accounts: z.union([z.literal('*'), accountIds]),
  /** `"*"` for every action, or a list of them. */
  actions: z.union([z.literal('*'), z.array(z.enum(ACTIONS)).min(1, 'must name at least one action')]),
  /** Defaults to 90 days from now; `null` for none (only from a token that has none). */
  expires_at: expiresAt.optional(),
});

export const clientTokenInputSchema = z.strictObject({
  name,
  servers: z.array(z.string().min(1).max(100)).min(1, 'must name at least one server').max(100),
  expires_at: expiresAt.optional(),
});

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
  updated_at: string;
}

export interface PublicServer {
  id: string;
  account_id: string;
  name: string;
  config: Required<Pick<ServerConfig, 'tool_exposure'>> & Omit<ServerConfig, 'tool_exposure'>;
  expires_at: string | null;
  /** How a client proves it may use the server (service/auth/modes.ts). */
  auth: string;
  /** `auth === "url+client-token"`, kept for older clients. */
  require_api_token_auth: boolean;
  /** For `oauth` servers: the non-secret resource and who may log in. */
  oauth?: OAuthPolicy & { resource_path: string };
  tool_count: number;
  created_at: string;
  updated_at: string;
  /**
   * A secret URL only in the answer that creates it (or rotates it, or moves the server off `oauth`): the token is
   * not stored and cannot be shown again. An `oauth` server's resource URL, which is no secret, whenever the public
   * URL is known.
   */
  url?: string;
}

interface PublicTokenBase {
  id: string;
  name: string;
  created_at: string;
  /** The token id or `cli:<user>` that issued it; null for tokens migrated from API tokens. */
  created_by: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Only at creation. */
  token?: string;
}

export interface PublicManagementToken extends PublicTokenBase {
  kind: 'management';
  accounts: Scope<string>;
  actions: Scope<Action>;
}

export interface PublicClientToken extends PublicTokenBase {
  kind: 'client';
  /** The servers it opens (deleted ones drop out). */
  servers: string[];
}

/** What a new token may not exceed: its issuer's own scope and expiry. */
export interface TokenBounds {
  accounts: Scope<string>;
  actions: Scope<Action>;
  expiresAt: number | null;
  /** The token id or `cli:<user>` issuing it. */
  issuer: string;
}

/** The live server a page ends with; the next page starts after it. */
export interface ServerPage {
  data: PublicServer[];
  has_more: boolean;
  next_cursor: string | null;
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
  /**
   * The service's own code-mode limits (`serve --http --code-*`), when known: a server's `code_limits` above them
   * are refused, and servers are shown with the limits in force. The CLI, which may run without the service, stores
   * what it is given; the service clamps at run time either way.
   */
  codeLimits?: CodeLimits;
  /** Accept base URLs naming private, loopback or link-local hosts (see baseurl.ts). */
  allowPrivateBaseUrls?: boolean;
  /** The service's public origin, for the (non-secret) resource URLs of `oauth` servers in answers. */
  publicUrl?: () => string | undefined;
}

/** The auth mode an input asks for: `auth`, else the legacy boolean; both given must agree. */
function requestedMode(input: { auth?: string; require_api_token_auth?: boolean }): string | undefined {
  const legacy =
    input.require_api_token_auth === undefined ? undefined : input.require_api_token_auth ? 'url+client-token' : 'url';
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
  private readonly codeCeiling: ServerCodeLimits | undefined;
  private readonly allowPrivateBaseUrls: boolean;

  constructor(options: ManageOptions) {
    this.store = options.store;
    this.box = options.box;
    this.catalog = options.catalog;
    this.now = options.now ?? Date.now;
    this.codeCeiling = options.codeLimits && unitsOf(options.codeLimits);
    this.allowPrivateBaseUrls = options.allowPrivateBaseUrls ?? false;
    this.publicUrl = options.publicUrl ?? (() => undefined);
  }
  private readonly publicUrl: () => string | undefined;

  // Accounts ------------------------------------------------------------------------------------------------

  /** Refuses a base URL naming a non-public host unless the operator allows them. */
  checkBaseUrl(url: string | null | undefined): void {
    if (!url || this.allowPrivateBaseUrls) return;
    const reason = privateHostReason(url);
    if (reason) throw new ServiceError('invalid_request', `base_url: ${privateBaseUrlMessage(reason)}`, 'base_url');
  }

  async createAccount(raw: unknown): Promise<PublicAccount> {
    const input = parseInput(accountInputSchema, raw);
    if (!input.api_key && !input.admin_key) {
      throw new ServiceError('invalid_request', 'an account needs api_key or admin_key (or both)', 'api_key');
    }
    // A key of the wrong kind would fail every call made with it; refuse it now, by kind, never echoing it.
    for (const slot of ['api_key', 'admin_key'] as const) {
      const value = input[slot];
      const problem = value ? keyProblem(slot, value, FIELD_NAMES) : undefined;
      if (problem) throw new ServiceError('invalid_request', `${problem.message} ${problem.fix}`, slot);
    }
    this.checkBaseUrl(input.base_url);
    const id = newId('acc');
    const secrets: AccountSecrets = { apiKey: input.api_key, adminKey: input.admin_key };
    const now = this.now();
    const row: AccountRow = {
      id,
      name: input.name,
      base_url: input.base_url ?? null,
      secrets: this.box.seal(JSON.stringify(secrets), id),
      api_key_hint: hintOf(input.api_key),
      admin_key_hint: hintOf(input.admin_key),
      organization_id: input.organization_id || null,
      project_id: input.project_id || null,
      created_at: now,
      updated_at: now,
    };
    await this.store.insertAccount(row, this.box.fingerprint);
    return this.publicAccount(row);
  }

  async listAccounts(ids?: readonly string[]): Promise<PublicAccount[]> {
    return (await this.store.listAccounts(ids)).map((r) => this.publicAccount(r));
  }

  async getAccount(id: string): Promise<PublicAccount> {
    return this.publicAccount(await this.accountRow(id));
  }

  /**
   * Renames an account, moves it, or rotates its keys in place: its servers keep their URLs and use the new keys
   * from their next request. An update that changes nothing writes nothing.
   */
  async updateAccount(id: string, raw: unknown): Promise<PublicAccount> {
    const patch = parseInput(accountPatchSchema, raw);
    const current = await this.accountRow(id);
    const out: AccountPatch = {};
    if (patch.name !== undefined && patch.name !== current.name) out.name = patch.name;
    if (patch.base_url !== undefined && patch.base_url !== current.base_url) {
      this.checkBaseUrl(patch.base_url);
      out.base_url = patch.base_url;
    }
    for (const field of ['organization_id', 'project_id'] as const) {
      const value = patch[field] === undefined ? undefined : patch[field] || null;
      if (value !== undefined && value !== current[field]) out[field] = value;
    }
    if (patch.api_key !== undefined || patch.admin_key !== undefined) {
      for (const slot of ['api_key', 'admin_key'] as const) {
        const value = patch[slot];
        const problem = value ? keyProblem(slot, value, FIELD_NAMES) : undefined;
        if (problem) throw new ServiceError('invalid_request', `${problem.message} ${problem.fix}`, slot);
      }
      const secrets = this.accountSecrets(current);
      const next: AccountSecrets = {
        apiKey: patch.api_key === undefined ? secrets.apiKey : (patch.api_key ?? undefined),
        adminKey: patch.admin_key === undefined ? secrets.adminKey : (patch.admin_key ?? undefined),
      };
      if (!next.apiKey && !next.adminKey)
        throw new ServiceError('invalid_request', 'an account needs api_key or admin_key (or both)', 'api_key');
      if (next.apiKey !== secrets.apiKey || next.adminKey !== secrets.adminKey) {
        out.secrets = this.box.seal(JSON.stringify(next), id);
        out.api_key_hint = hintOf(next.apiKey);
        out.admin_key_hint = hintOf(next.adminKey);
      }
    }
    if (!Object.keys(out).length) return this.publicAccount(current);
    const row = await this.store.updateAccount(id, out, this.now(), this.box.fingerprint);
    if (!row) throw new ServiceError('not_found', `No account ${JSON.stringify(clip(id))}`);
    return this.publicAccount(row);
  }

  async removeAccount(id: string): Promise<void> {
    if (!(await this.store.deleteAccount(id, this.now())))
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
      updated_at: iso(r.updated_at ?? r.created_at)!,
    };
  }

  // Servers -------------------------------------------------------------------------------------------------

  /** Checks a config against the catalog: unknown methods/tags/tools and empty selections are 400s. */
  checkConfig(config: ServerConfig | undefined): { config: PublicServer['config']; toolCount: number } {
    const normalized = { ...(config ?? {}), tool_exposure: config?.tool_exposure ?? ('all' as Exposure) };
    if (normalized.code_limits) normalized.code_limits = renamedCodeLimits(normalized.code_limits);
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
      const past = at <= this.now() ? ` (${value} is in the past)` : '';
      throw new ServiceError(
        'invalid_request',
        `expires_at must be at least 60 seconds in the future${past}`,
        'expires_at',
      );
    }
    return at;
  }

  /** A limit asked for above the service's could never apply; refused rather than stored and shown as if it did. */
  private checkCeiling(given: ServerCodeLimits | null | undefined): void {
    if (!given || !this.codeCeiling) return;
    for (const [key, value] of Object.entries(renamedCodeLimits(given)) as Array<[keyof ServerCodeLimits, number]>) {
      const most = this.codeCeiling[key];
      if (value !== undefined && most !== undefined && value > most)
        throw new ServiceError(
          'invalid_request',
          `config.code_limits.${key}: ${value} is above this service's ${most}; a server's code limits can only lower the service's (serve --code-*)`,
          `config.code_limits.${key}`,
        );
    }
  }

  async createServer(accountId: string, raw: unknown, publicUrl: string): Promise<PublicServer> {
    const input = parseInput(serverInputSchema, raw);
    this.checkCeiling(input.config?.code_limits);
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
      auth: mode,
      require_api_token_auth: mode === 'url+client-token' ? 1 : 0,
      oauth_policy: mode === 'oauth' ? policyJson(input.oauth) : null,
      token_lookup: token.lookup,
      token_hash: token.hash,
      created_at: now,
      updated_at: now,
    };
    await this.store.insertServer(row);
    const answer = this.publicServer(row, toolCount);
    if (authModeOf(row).secretUrl) return { ...answer, url: serverUrl(publicUrl, token.token) };
    return mode === 'oauth' ? { ...answer, url: resourceUrl(publicUrl, row.id) } : answer;
  }

  /**
   * Live servers in id order, a page at a time: `after` is the last id of the previous page (keyset, so a deleted
   * cursor row still works). `accountIds` narrows to those accounts.
   */
  async listServersPage(
    accountIds?: readonly string[],
    options: { limit?: number; after?: string } = {},
  ): Promise<ServerPage> {
    const limit = options.limit ?? MAX_LIST;
    const rows = await this.store.listServersPage({
      accountIds,
      after: options.after,
      limit: limit + 1,
      now: this.now(),
    });
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
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

  /** The account a live server belongs to; 404 otherwise. */
  async serverAccount(id: string): Promise<string> {
    return (await this.liveServer(id)).account_id;
  }

  /** The account of a server, live or deleted (its audit rows outlive it); 404 for ids never seen. */
  async anyServerAccount(id: string): Promise<string> {
    const live = await this.store.getServer(id);
    if (live) return live.account_id;
    const gone = await this.store.getTombstone(id);
    if (gone) return gone.account_id;
    throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
  }

  /**
   * Applies a patch; one that changes nothing writes nothing (updated_at and open sessions stay). `publicUrl` is
   * needed only when the update moves a server off `oauth`: the answer then carries its new secret URL, once.
   */
  async updateServer(id: string, raw: unknown, publicUrl?: string): Promise<PublicServer> {
    const patch = parseInput(serverPatchSchema, raw);
    this.checkCeiling(patch.config?.code_limits);
    const current = await this.liveServer(id);
    const mode = requestedMode(patch);
    const nextMode = mode ?? current.auth;
    if (patch.oauth && nextMode !== 'oauth')
      throw new ServiceError('invalid_request', 'oauth: only for servers with auth "oauth"', 'oauth');
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
    const out: ServerPatch = {};
    if (patch.name !== undefined && patch.name !== current.name) out.name = patch.name;
    if (checked && JSON.stringify(checked.config) !== current.config) out.config = JSON.stringify(checked.config);
    if (expiresAt !== undefined && expiresAt !== current.expires_at) out.expires_at = expiresAt;
    if (mode !== undefined && mode !== current.auth) {
      out.auth = mode;
      out.require_api_token_auth = mode === 'url+client-token' ? 1 : 0;
    }
    const leaving = current.auth === 'oauth' && nextMode !== 'oauth';
    if (nextMode === 'oauth') {
      const policy = policyJson(patch.oauth, oauthPolicyOf(current));
      if (policy !== current.oauth_policy) out.oauth_policy = policy;
    } else if (leaving) out.oauth_policy = null;
    // Leaving `oauth`: the old URL token was never shown, so a new one is issued and shown in this answer once.
    const newToken = leaving ? issueToken('server') : undefined;
    if (newToken) Object.assign(out, { token_lookup: newToken.lookup, token_hash: newToken.hash });
    if (!Object.keys(out).length) return this.publicServer(current, checked?.toolCount);
    // Strictly increasing, so a cache keyed on (id, updated_at) notices two updates within one millisecond.
    const row = await this.store.updateServer(id, out, Math.max(this.now(), current.updated_at + 1));
    if (!row) throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    // Tokens issued for the server end with its `oauth` mode; a mode change back does not revive them.
    if (leaving) await this.store.oauth.revokeServer(id, this.now());
    const answer = this.publicServer(row);
    if (newToken) {
      const origin = publicUrl ?? this.publicUrl();
      if (origin) answer.url = serverUrl(origin, newToken.token);
    }
    return answer;
  }

  /**
   * A new URL for a server, in place: same id, scope, expiry and audit log; the old URL answers 404 from this write
   * on (a leaked URL is revoked without recreating the server and reconfiguring every other client).
   */
  async rotateServerUrl(id: string, publicUrl: string): Promise<PublicServer> {
    const current = await this.liveServer(id);
    if (!authModeOf(current).secretUrl)
      throw new ServiceError(
        'conflict',
        `Server ${current.id} has auth "${current.auth}": its URL is no secret and cannot be rotated; revoke access by changing its allow-list or deleting it`,
      );
    const token = issueToken('server');
    const row = await this.store.updateServer(
      id,
      { token_lookup: token.lookup, token_hash: token.hash },
      // A new updated_at also ends SSE sessions opened with the old URL (see McpRoutes.closeStale).
      Math.max(this.now(), current.updated_at + 1),
    );
    if (!row) throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    return { ...this.publicServer(row), url: serverUrl(publicUrl, token.token) };
  }

  async deleteServer(id: string): Promise<void> {
    if (!(await this.store.deleteServer(id, this.now())))
      throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    await this.store.oauth.revokeServer(id, this.now());
  }

  /** A server's audit rows, newest first; also of a deleted server, by its id. */
  async calls(id: string, options: { limit?: number; before?: number } = {}) {
    await this.anyServerAccount(id);
    const limit = Math.min(options.limit ?? 100, 1000);
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
    const origin = r.auth === 'oauth' ? this.publicUrl() : undefined;
    // Stored before the rename, or above what this service allows (stored through the CLI, or before the service's
    // limits were lowered): shown as they apply.
    if (config.code_limits) {
      const limits = renamedCodeLimits(config.code_limits);
      if (this.codeCeiling)
        for (const key of Object.keys(limits) as Array<keyof ServerCodeLimits>) {
          const most = this.codeCeiling[key];
          if (most !== undefined && limits[key] !== undefined) limits[key] = Math.min(limits[key], most);
        }
      config.code_limits = limits;
    }
    return {
      id: r.id,
      account_id: r.account_id,
      name: r.name,
      config,
      expires_at: iso(r.expires_at),
      auth: r.auth,
      require_api_token_auth: r.auth === 'url+client-token',
      ...(r.auth === 'oauth' ? { oauth: { resource_path: resourcePath(r.id), ...oauthPolicyOf(r) } } : {}),
      tool_count: toolCount ?? this.toolCountOf(config),
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at)!,
      ...(r.auth === 'oauth' && origin ? { url: resourceUrl(origin, r.id) } : {}),
    };
  }

  /** The tools of a stored config, for the consent page and OAuth scopes (what a login grants). */
  toolsOf(r: ServerRow): ReturnType<typeof selectTools> {
    try {
      return this.selected(storedConfig(r));
    } catch (err) {
      if (err instanceof OptionError) return [];
      throw err;
    }
  }

  // Tokens --------------------------------------------------------------------------------------------------

  /** The expiry of a new token: as asked, else the default, and never past its issuer's. */
  private tokenExpiry(value: string | null | undefined, bounds: TokenBounds, fallback: number | null): number | null {
    const asked = this.expiry(value);
    const at = asked === undefined ? fallback : asked;
    if (bounds.expiresAt === null) return at;
    if (asked === undefined) return at === null ? bounds.expiresAt : Math.min(at, bounds.expiresAt);
    if (at === null || at > bounds.expiresAt)
      throw new ServiceError(
        'forbidden',
        `expires_at: a token cannot outlive the token that issues it (${iso(bounds.expiresAt)})`,
        'expires_at',
      );
    return at;
  }

  /** A management token within `bounds`: accounts, actions and expiry no broader than its issuer's. */
  async createManagementToken(raw: unknown, bounds: TokenBounds): Promise<PublicManagementToken> {
    const input = parseInput(managementTokenInputSchema, raw);
    const accounts: Scope<string> = input.accounts === '*' ? '*' : [...new Set(input.accounts)];
    const actions: Scope<Action> = input.actions === '*' ? '*' : [...new Set(input.actions)];
    // Scope before existence: a scoped issuer learns nothing about accounts outside its scope.
    if (!scopeCovers(bounds.accounts, accounts))
      throw new ServiceError('forbidden', 'accounts: a token cannot reach accounts its issuer cannot', 'accounts');
    if (!scopeCovers(bounds.actions, actions))
      throw new ServiceError('forbidden', 'actions: a token cannot have actions its issuer lacks', 'actions');
    if (accounts !== '*') for (const id of accounts) await this.accountRow(id);
    const expiresAt = this.tokenExpiry(input.expires_at, bounds, this.now() + DEFAULT_TOKEN_LIFETIME_MS);
    const token = issueToken('management');
    const row: ApiTokenRow = {
      id: newId('tok'),
      name: input.name,
      kind: 'management',
      accounts: scopeToColumn(accounts),
      actions: scopeToColumn(actions),
      token_lookup: token.lookup,
      token_hash: token.hash,
      created_at: this.now(),
      created_by: bounds.issuer,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
    };
    await this.store.insertApiToken(row);
    return { ...publicManagementToken(row), token: token.token };
  }

  /** A client token bound to live servers on accounts within `bounds`. */
  async createClientToken(raw: unknown, bounds: TokenBounds): Promise<PublicClientToken> {
    const input = parseInput(clientTokenInputSchema, raw);
    const bindings: TokenBinding[] = [];
    const tokenId = newId('tok');
    for (const serverId of new Set(input.servers)) {
      const row = await this.store.getServer(serverId);
      if (!row || isExpired(row, this.now()) || !scopeCovers(bounds.accounts, [row.account_id])) {
        const err = new ServiceError('not_found', `No server ${JSON.stringify(clip(serverId))}`, 'servers');
        err.denied = !!row && !scopeCovers(bounds.accounts, [row.account_id]);
        throw err;
      }
      bindings.push({ token_id: tokenId, server_id: row.id, account_id: row.account_id });
    }
    const expiresAt = this.tokenExpiry(input.expires_at, { ...bounds, expiresAt: null }, null);
    const token = issueToken('client');
    const row: ApiTokenRow = {
      id: tokenId,
      name: input.name,
      kind: 'client',
      accounts: null,
      actions: null,
      token_lookup: token.lookup,
      token_hash: token.hash,
      created_at: this.now(),
      created_by: bounds.issuer,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
    };
    await this.store.insertApiToken(row, bindings);
    return { ...publicClientToken(row, bindings), token: token.token };
  }

  /** Management tokens whose accounts lie within `accounts`. */
  async listManagementTokens(accounts: Scope<string> = '*'): Promise<PublicManagementToken[]> {
    return (await this.store.listApiTokens('management'))
      .filter((r) => scopeCovers(accounts, scopeFromColumn<string>(r.accounts)))
      .map(publicManagementToken);
  }

  /** Client tokens whose servers all lie on accounts within `accounts`. */
  async listClientTokens(accounts: Scope<string> = '*', serverId?: string): Promise<PublicClientToken[]> {
    const rows = await this.store.listApiTokens('client');
    const bindings = await this.store.bindingsOf(rows.map((r) => r.id));
    return rows
      .map((r) => ({ row: r, bound: bindings.filter((b) => b.token_id === r.id) }))
      .filter(({ bound }) =>
        scopeCovers(
          accounts,
          bound.map((b) => b.account_id),
        ),
      )
      .filter(({ bound }) => serverId === undefined || bound.some((b) => b.server_id === serverId))
      .map(({ row, bound }) => publicClientToken(row, bound));
  }

  /** Revokes a token of `kind` within `accounts` (404 for others, as for unknown ids). */
  async revokeToken(kind: 'management' | 'client', id: string, accounts: Scope<string> = '*'): Promise<void> {
    const row = await this.store.getApiToken(id);
    const notFound = () => new ServiceError('not_found', `No active ${kind} token ${JSON.stringify(clip(id))}`);
    if (!row || row.kind !== kind) throw notFound();
    const reach =
      kind === 'management'
        ? scopeFromColumn<string>(row.accounts)
        : (await this.store.bindingsOf([id])).map((b) => b.account_id);
    if (!scopeCovers(accounts, reach)) {
      const err = notFound();
      err.denied = true;
      throw err;
    }
    if (!(await this.store.revokeApiToken(id, this.now()))) throw notFound();
  }
}

function tokenBase(r: ApiTokenRow) {
  return {
    id: r.id,
    name: r.name,
    created_at: iso(r.created_at)!,
    created_by: r.created_by,
    expires_at: iso(r.expires_at),
    last_used_at: iso(r.last_used_at),
    revoked_at: iso(r.revoked_at),
  };
}

function publicManagementToken(r: ApiTokenRow): PublicManagementToken {
  return {
    ...tokenBase(r),
    kind: 'management',
    accounts: scopeFromColumn<string>(r.accounts),
    actions: scopeFromColumn<Action>(r.actions),
  };
}

function publicClientToken(r: ApiTokenRow, bindings: readonly TokenBinding[]): PublicClientToken {
  return { ...tokenBase(r), kind: 'client', servers: bindings.map((b) => b.server_id) };
}

/** `code_limits` with `max_result_chars`, the earlier name of `max_result_bytes`, renamed (the newer name wins). */
function renamedCodeLimits(limits: ServerCodeLimits): ServerCodeLimits {
  const { max_result_chars, ...rest } = limits;
  return max_result_chars === undefined ? rest : { max_result_bytes: max_result_chars, ...rest };
}

export function storedConfig(r: ServerRow): ServerConfig {
  return JSON.parse(r.config) as ServerConfig;
}

export function isExpired(r: { expires_at: number | null }, now: number): boolean {
  return r.expires_at !== null && r.expires_at <= now;
}

export function serverUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/mcp/${token}`;
}

/** `max` characters of an id or message quoted back, then `…` (runtime/redact.ts `cutText`, surrogate-safe). */
export function clip(s: string, max = 100): string {
  return cutText(s, max + 1);
}
