// The servers aggregate: a scoped server of an account (its tool selection, exposure, code limits, expiry and auth
// mode), its secret URL (issued once, rotated in place) and its audit rows.

import { DEFAULT_EXPOSURE } from '../../runtime/exposure/registry.js';
import { selectTools } from '../../runtime/filter.js';
import { OptionError } from '../../runtime/option-error.js';
import {
  authModeOf,
  DEFAULT_AUTH_MODE,
  modeForLegacyFlag,
  modesWithSettings,
  type ServerAuthMode,
} from '../auth/modes.js';
import { ServiceError } from '../errors.js';
import type { CallBucket, CallFilter, ServerPatch, ServerRow } from '../store/store.js';
import { isExpired } from '../expiry.js';
import { issueToken, newId } from '../tokens.js';
import type { Accounts } from './accounts.js';
import { expiry, type ManageContext } from './context.js';
import {
  MAX_LIST,
  parseInput,
  type ServerCodeLimits,
  type ServerConfig,
  serverInputSchema,
  serverPatchSchema,
} from './schemas.js';
import { clip, iso, type PublicServer, renamedCodeLimits, type ServerPage, serverUrl, storedConfig } from './views.js';

/** The auth mode an input asks for: `auth`, else the legacy boolean; both given must agree. */
function requestedMode(input: { auth?: string; require_api_token_auth?: boolean }): string | undefined {
  const legacy =
    input.require_api_token_auth === undefined ? undefined : modeForLegacyFlag(input.require_api_token_auth);
  if (input.auth !== undefined && legacy !== undefined && input.auth !== legacy)
    throw new ServiceError(
      'invalid_request',
      `auth: "${input.auth}" contradicts require_api_token_auth: ${input.require_api_token_auth} (give auth alone)`,
      'auth',
    );
  return input.auth ?? legacy;
}

/** Refuses mode settings (`oauth`) for a mode that takes none. */
function checkSettings(input: { oauth?: unknown }, mode: ServerAuthMode): void {
  if (input.oauth && !mode.settings)
    throw new ServiceError(
      'invalid_request',
      `oauth: only for servers with auth ${modesWithSettings()
        .map((m) => `"${m}"`)
        .join(' or ')}`,
      'oauth',
    );
}

export class Servers {
  constructor(
    private readonly ctx: ManageContext,
    private readonly accounts: Accounts,
  ) {}

  /** Checks a config against the catalog: unknown methods/tags/tools and empty selections are 400s. */
  checkConfig(config: ServerConfig | undefined): { config: PublicServer['config']; toolCount: number } {
    const normalized = { ...(config ?? {}), tool_exposure: config?.tool_exposure ?? DEFAULT_EXPOSURE };
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

  /** A limit asked for above the service's could never apply; refused rather than stored and shown as if it did. */
  private checkCeiling(given: ServerCodeLimits | null | undefined): void {
    if (!given || !this.ctx.codeCeiling) return;
    for (const [key, value] of Object.entries(renamedCodeLimits(given)) as Array<[keyof ServerCodeLimits, number]>) {
      const most = this.ctx.codeCeiling[key];
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
    await this.accounts.accountRow(accountId);
    const { config, toolCount } = this.checkConfig(input.config);
    const expiresAt = expiry(this.ctx, input.expires_at) ?? null;
    const mode = requestedMode(input) ?? DEFAULT_AUTH_MODE;
    const entry = authModeOf({ auth: mode });
    checkSettings(input, entry);
    // A server whose URL is no secret (`oauth`) gets a URL token too (the column is required), but it is never
    // shown: the URL stops being a credential, and a server moved to a secret-URL mode later gets a fresh one.
    const token = issueToken('server');
    const now = this.ctx.now();
    const row: ServerRow = {
      id: newId('srv'),
      account_id: accountId,
      name: input.name,
      config: JSON.stringify(config),
      expires_at: expiresAt,
      auth: mode,
      require_api_token_auth: entry.legacyFlag ? 1 : 0,
      oauth_policy: entry.settings ? entry.settings.store(input.oauth) : null,
      token_lookup: token.lookup,
      token_hash: token.hash,
      created_at: now,
      updated_at: now,
    };
    await this.ctx.store.insertServer(row);
    const answer = this.publicServer(row, toolCount);
    if (entry.secretUrl) return { ...answer, url: serverUrl(publicUrl, token.token) };
    return entry.publicUrl ? { ...answer, url: entry.publicUrl(publicUrl, row) } : answer;
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
    const rows = await this.ctx.store.listServersPage({
      accountIds,
      after: options.after,
      limit: limit + 1,
      now: this.ctx.now(),
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
    const now = this.ctx.now();
    return (await this.ctx.store.listServers(accountId)).filter((r) => !isExpired(r, now));
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
    const live = await this.ctx.store.getServer(id);
    if (live) return live.account_id;
    const gone = await this.ctx.store.getTombstone(id);
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
    const was = authModeOf(current);
    const next = authModeOf({ auth: mode ?? current.auth });
    checkSettings(patch, next);
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
    const expiresAt = expiry(this.ctx, patch.expires_at);
    const out: ServerPatch = {};
    if (patch.name !== undefined && patch.name !== current.name) out.name = patch.name;
    if (checked && JSON.stringify(checked.config) !== current.config) out.config = JSON.stringify(checked.config);
    if (expiresAt !== undefined && expiresAt !== current.expires_at) out.expires_at = expiresAt;
    if (mode !== undefined && mode !== current.auth) {
      out.auth = mode;
      out.require_api_token_auth = next.legacyFlag ? 1 : 0;
    }
    // Moving from a mode whose URL is no secret (`oauth`) to one where it is the credential.
    const leaving = !was.secretUrl && next.secretUrl;
    if (next.settings) {
      const policy = next.settings.store(patch.oauth, current);
      if (policy !== current.oauth_policy) out.oauth_policy = policy;
    } else if (current.oauth_policy !== null) out.oauth_policy = null;
    // Leaving it: the old URL token was never shown, so a new one is issued and shown in this answer once.
    const newToken = leaving ? issueToken('server') : undefined;
    if (newToken) Object.assign(out, { token_lookup: newToken.lookup, token_hash: newToken.hash });
    if (!Object.keys(out).length) return this.publicServer(current, checked?.toolCount);
    // Strictly increasing, so a cache keyed on (id, updated_at) notices two updates within one millisecond.
    const row = await this.ctx.store.updateServer(id, out, Math.max(this.ctx.now(), current.updated_at + 1));
    if (!row) throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    // Tokens issued for the server end with its `oauth` mode; a mode change back does not revive them.
    if (leaving) await this.ctx.store.oauth.revokeServer(id, this.ctx.now());
    const answer = this.publicServer(row);
    if (newToken) {
      const origin = publicUrl ?? this.ctx.publicUrl();
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
    const row = await this.ctx.store.updateServer(
      id,
      { token_lookup: token.lookup, token_hash: token.hash },
      // A new updated_at also ends SSE sessions opened with the old URL (see McpRoutes.closeStale).
      Math.max(this.ctx.now(), current.updated_at + 1),
    );
    if (!row) throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    return { ...this.publicServer(row), url: serverUrl(publicUrl, token.token) };
  }

  async deleteServer(id: string): Promise<void> {
    if (!(await this.ctx.store.deleteServer(id, this.ctx.now())))
      throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    await this.ctx.store.oauth.revokeServer(id, this.ctx.now());
  }

  /** A server's audit rows, newest first; also of a deleted server, by its id. */
  async calls(id: string, options: CallFilter & { limit?: number; before?: number } = {}) {
    await this.anyServerAccount(id);
    const limit = Math.min(options.limit ?? 100, 1000);
    const rows = await this.ctx.store.listCalls(id, { ...options, limit });
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

  /** A server's calls and errors per time bucket (newest data included), also of a deleted server. */
  async callStats(id: string, options: CallFilter & { bucketMs: number }): Promise<CallBucket[]> {
    await this.anyServerAccount(id);
    return this.ctx.store.callStats(id, options);
  }

  private async liveServer(id: string): Promise<ServerRow> {
    const row = await this.ctx.store.getServer(id);
    if (!row || isExpired(row, this.ctx.now()))
      throw new ServiceError('not_found', `No server ${JSON.stringify(clip(id))}`);
    return row;
  }

  /** The catalog's tools a config selects; throws OptionError for unknown methods, tags or tools. */
  private selected(config: ServerConfig | undefined) {
    return selectTools(this.ctx.catalog, { methods: config?.methods, tags: config?.tags, tools: config?.tools });
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
    const origin = mode.publicUrl ? this.ctx.publicUrl() : undefined;
    // Stored before the rename, or above what this service allows (stored through the CLI, or before the service's
    // limits were lowered): shown as they apply.
    if (config.code_limits) {
      const limits = renamedCodeLimits(config.code_limits);
      if (this.ctx.codeCeiling)
        for (const key of Object.keys(limits) as Array<keyof ServerCodeLimits>) {
          const most = this.ctx.codeCeiling[key];
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
      require_api_token_auth: mode.legacyFlag === true,
      ...mode.settings?.view(r),
      tool_count: toolCount ?? this.toolCountOf(config),
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at)!,
      ...(mode.publicUrl && origin ? { url: mode.publicUrl(origin, r) } : {}),
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
}
