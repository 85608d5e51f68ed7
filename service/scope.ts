// From an admitted server to the tools it may use (who may use a server is service/auth/'s). Each scoped toolkit is built once and cached by server id
// and `updated_at`, so an update through the CLI or REST is seen on the next request and 288 tools are not
// rebuilt per request.

import { type CodeLimits, limitsFromUnits, resolveLimits, tightenLimits } from '../runtime/exposure/code/index.js';
import { OptionError } from '../runtime/option-error.js';
import { cutText } from '../runtime/redact.js';
import { createToolkit } from '../runtime/toolkit.js';
import { ServiceError } from './errors.js';
import {
  DEFAULT_EXPOSURE,
  type ExposedTools,
  type ExposureOptions,
  exposeToolkit,
  exposureMode,
} from '../runtime/exposure/index.js';
import type { Catalog } from '../runtime/types.js';
import type { ValidationSource } from '../runtime/validation.js';
import { auditExposure, auditToolkit, type RecordCall } from './audit.js';
import { OAUTH_SCOPES, type OAuthScope } from './auth/oauth/scopes.js';
import { type Management, type ServerCodeLimits, storedConfig } from './manage/index.js';
import type { ServerRow, Store } from './store/store.js';

const CACHE_LIMIT = 1000;

export interface ScopeOptions {
  store: Store;
  manage: Management;
  catalog: Catalog;
  validation?: ValidationSource;
  /** Used when an account has no base URL of its own. */
  defaultBaseUrl?: string;
  timeoutMs?: number;
  /** Sandbox limits for servers in code mode (the operator's `serve --code-*` flags). */
  exposure?: ExposureOptions;
  fetch?: typeof fetch;
  record: RecordCall;
  /** Wraps each built tool set (the service's bounds and revocation, `RunningCalls.guard`). */
  guard?: (row: ServerRow, tools: ExposedTools) => ExposedTools;
  now?: () => number;
}

export interface ScopedServer {
  row: ServerRow;
  tools: ExposedTools;
}

export class Scopes {
  private readonly cache = new Map<string, { updatedAt: number; tools: ExposedTools }>();
  /** What code-mode servers run with unless their own `code_limits` tighten it. */
  private readonly codeLimits: CodeLimits;

  constructor(private readonly options: ScopeOptions) {
    this.codeLimits = resolveLimits(options.exposure?.code?.limits);
  }

  /** `access`: an OAuth token's scopes, which narrow the server's tools to those kinds (read, write). */
  async toolsFor(row: ServerRow, access?: readonly OAuthScope[]): Promise<ExposedTools> {
    const narrowed = access && OAUTH_SCOPES.some((s) => !access.includes(s)) ? access : undefined;
    const key = narrowed ? `${row.id} ${narrowed.join(',')}` : row.id;
    const hit = this.cache.get(key);
    if (hit && hit.updatedAt === row.updated_at) return hit.tools;
    const tools = await this.build(row, narrowed);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { updatedAt: row.updated_at, tools });
    return tools;
  }

  private exposureFor(row: ServerRow, limits: ServerCodeLimits | null | undefined): ExposureOptions {
    return {
      ...this.options.exposure,
      code: {
        limits: limits ? tightenLimits(this.codeLimits, limitsFromUnits(limits)) : this.codeLimits,
        // Fair shares of the sandbox workers go by account, so one account's many server URLs are still one tenant.
        tenant: { account: row.account_id, server: row.id },
      },
    };
  }

  forget(serverId: string): void {
    for (const key of [...this.cache.keys()])
      if (key === serverId || key.startsWith(`${serverId} `)) this.cache.delete(key);
  }

  private async build(row: ServerRow, access?: readonly OAuthScope[]): Promise<ExposedTools> {
    const { manage, catalog, validation, record } = this.options;
    const account = await manage.accounts.accountRow(row.account_id);
    // An account stored before private base URLs were refused (or with the switch on then) is checked again here.
    try {
      manage.accounts.checkBaseUrl(account.base_url);
    } catch (err) {
      throw new ServiceError('conflict', `This server's account cannot be used: ${(err as Error).message}`);
    }
    const secrets = manage.accounts.accountSecrets(account);
    const config = storedConfig(row);
    // A narrowing token drops the server's tools of the other kind; what remains is never more than the server's.
    const excludeTools = access
      ? manage.servers
          .toolsOf(row)
          .filter((t) => !access.includes(t.access as OAuthScope))
          .map((t) => t.name)
      : undefined;
    let kit: ReturnType<typeof createToolkit>;
    try {
      kit = createToolkit({
        catalog,
        validation,
        methods: config.methods,
        tags: config.tags,
        tools: config.tools,
        excludeTools: excludeTools?.length ? excludeTools : undefined,
        credentials: {
          apiKey: secrets.apiKey,
          adminKey: secrets.adminKey,
          organization: account.organization_id ?? undefined,
          project: account.project_id ?? undefined,
        },
        // Never the serving process's environment: a server must only ever use its own account's keys.
        env: {},
        baseUrl: account.base_url ?? this.options.defaultBaseUrl,
        timeoutMs: this.options.timeoutMs,
        fetch: this.options.fetch,
      });
    } catch (err) {
      // A config stored under an older spec can name a tool or tag this catalog no longer has.
      if (err instanceof OptionError)
        throw new ServiceError(
          'conflict',
          `This server's configuration no longer matches the tool catalog (${cutText(err.message, 300)}); update it.`,
        );
      throw err;
    }
    const audited = auditToolkit(kit, row.id, record);
    const mode = exposureMode(config.tool_exposure ?? DEFAULT_EXPOSURE);
    const exposed = exposeToolkit(audited, mode.name, this.exposureFor(row, config.code_limits));
    // A direct mode's calls are the audited toolkit's own; others' meta-tools get rows of their own.
    const tools = mode.direct ? exposed : auditExposure(exposed, mode, row.id, record);
    return this.options.guard ? this.options.guard(row, tools) : tools;
  }
}
