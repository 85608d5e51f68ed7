// `serve` (stdio, or HTTP with --http) and `list-tools`. stdout belongs to MCP in stdio mode; logs go to stderr.

import { defaultCatalog } from '../runtime/catalog.js';
import { type Exposure, type ExposureOptions, exposeToolkit, exposureMode } from '../runtime/exposure/index.js';
import { limitsFromUnits, resolveLimits } from '../runtime/exposure/code/limits.js';
import { LeanAnswers } from '../runtime/lean.js';
import { serveStdioLazily } from '../runtime/stdio.js';
import { MemoryTaskStore, TaskRunner } from '../runtime/tasks.js';
import { warnIfOverToolCap } from '../runtime/tool-cap.js';
import { keyProblems } from '../runtime/key-kind.js';
import { SetupError } from '../service/store/driver.js';
import { ACTIONS, type Action } from '../service/auth/principals.js';
import { DEFAULT_UI_ADMIN_ACTIONS, type UiAdminPolicy } from '../service/http/ui/admins.js';
import { createToolkit, type OpenAiToolkit, type OpenAiToolsOptions } from '../runtime/toolkit.js';
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

export interface FilterFlags {
  methods?: string[];
  tags?: string[];
  tools?: string[];
  excludeTools?: string[];
  baseUrl?: string;
  timeout?: number;
}

export interface ServeFlags extends FilterFlags, CodeLimitFlags {
  http?: boolean;
  /** `--no-apps`: false; MCP Apps views are on otherwise. */
  apps?: boolean;
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  publicUrl?: string;
  allowedHosts?: string[];
  allowPrivateBaseUrls?: boolean;
  maxBodyBytes?: number;
  auditRetentionDays?: number;
  auditMaxRowsPerServer?: number;
  maxConcurrentPerServer?: number;
  ratePerServer?: number;
  maxConcurrentRequests?: number;
  maxResponseBytes?: number;
  stalledWriteTimeout?: number;
  maxSsePerServer?: number;
  maxSseSessions?: number;
  sseIdleTimeout?: number;
  sseMaxLifetime?: number;
  maxConnections?: number;
  exposure: Exposure;
  oidcIssuer?: string;
  oidcScopes?: string;
  oidcGroupsClaim?: string;
  oauthTokenLogin?: boolean;
  oauthCimdAllow?: string[];
  uiAdminEmail?: string[];
  uiAdminGroup?: string[];
  uiAdminAccounts?: string[];
  uiAdminActions?: string[];
}

/** The OAuth authorization server's settings from `serve` flags and the environment. */
export function oauthOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env) {
  let oidc:
    | { issuer: string; clientId: string; clientSecret: string; scopes?: string; groupsClaim?: string }
    | undefined;
  if (flags.oidcIssuer) {
    const clientId = env.OPENAI_MCP_OIDC_CLIENT_ID?.trim();
    const clientSecret = env.OPENAI_MCP_OIDC_CLIENT_SECRET?.trim();
    if (!clientId || !clientSecret)
      throw new UsageError(
        '--oidc-issuer needs OPENAI_MCP_OIDC_CLIENT_ID and OPENAI_MCP_OIDC_CLIENT_SECRET in the environment (the client registered at the identity provider)',
      );
    oidc = {
      issuer: flags.oidcIssuer,
      clientId,
      clientSecret,
      scopes: flags.oidcScopes,
      groupsClaim: flags.oidcGroupsClaim,
    };
  }
  return {
    oidc,
    // Undefined unless --oauth-token-login or --no-oauth-token-login was given: on by default without an IdP.
    tokenLogin: flags.oauthTokenLogin ?? !oidc,
    cimd: { allowCidrs: flags.oauthCimdAllow },
  };
}

/**
 * Who may log in to the dashboard through the identity provider, and with what scope: nobody unless named. Refused
 * at start-up when the list is given without an identity provider, or names an action that does not exist.
 */
export function uiAdminOptions(flags: ServeFlags): UiAdminPolicy | undefined {
  const emails = (flags.uiAdminEmail ?? []).map((e) => e.toLowerCase());
  const groups = flags.uiAdminGroup ?? [];
  const named = emails.length + groups.length > 0;
  if (!flags.oidcIssuer) {
    if (named || flags.uiAdminAccounts || flags.uiAdminActions)
      throw new UsageError(
        '--ui-admin-* flags need --oidc-issuer: they say who may log in to the dashboard through it',
      );
    return undefined;
  }
  for (const e of emails)
    if (!/^[^@\s]+@[^@\s]+$/.test(e)) throw new UsageError(`--ui-admin-email: ${JSON.stringify(e)} is not an email`);
  const all = (v: string[]) => v.some((x) => x === 'all' || x === '*');
  let actions: UiAdminPolicy['actions'] = DEFAULT_UI_ADMIN_ACTIONS;
  if (flags.uiAdminActions) {
    if (all(flags.uiAdminActions)) actions = '*';
    else {
      const bad = flags.uiAdminActions.find((a) => !(ACTIONS as readonly string[]).includes(a));
      if (bad !== undefined)
        throw new UsageError(`--ui-admin-actions: ${JSON.stringify(bad)} is not one of ${ACTIONS.join(', ')}, all`);
      actions = flags.uiAdminActions as Action[];
    }
  }
  const accounts = !flags.uiAdminAccounts || all(flags.uiAdminAccounts) ? '*' : flags.uiAdminAccounts;
  return { emails, groups, accounts, actions };
}

const CODE_FLAGS = {
  timeoutMs: '--code-timeout',
  memoryBytes: '--code-memory',
  maxCalls: '--code-max-calls',
  maxResultBytes: '--code-max-result-bytes',
} as const;

/** The `--code-*` flags as sandbox limits; the rest keep their defaults. */
export function exposureOptions(flags: ServeFlags): ExposureOptions {
  const limits = limitsFromUnits(codeLimitUnits(flags));
  // Checked here so a bad value fails at start-up, not when the first code-mode server is opened.
  try {
    resolveLimits(limits);
  } catch (err) {
    const message = (err as Error).message;
    const flag = Object.entries(CODE_FLAGS).find(([key]) => message.includes(` ${key} `))?.[1] ?? '--code-*';
    throw new UsageError(`${flag}: ${message}`);
  }
  return { code: { limits }, apps: flags.apps };
}

export function toolkitOptions(flags: FilterFlags): OpenAiToolsOptions {
  return {
    methods: nonEmpty(flags.methods),
    tags: nonEmpty(flags.tags),
    tools: nonEmpty(flags.tools),
    excludeTools: nonEmpty(flags.excludeTools),
    baseUrl: flags.baseUrl,
    timeoutMs: flags.timeout,
  };
}

function missingKeys(kit: OpenAiToolkit): string[] {
  return [
    kit.tools.some((t) => t.http.auth === 'project') && !process.env.OPENAI_API_KEY && 'OPENAI_API_KEY',
    kit.tools.some((t) => t.http.auth === 'admin') && !process.env.OPENAI_ADMIN_KEY && 'OPENAI_ADMIN_KEY',
  ].filter((x): x is string => typeof x === 'string');
}

/** A key of the wrong kind fails every call it is used for; say so at start-up, on stderr. */
function warnAboutKeys(write: (line: string) => void): void {
  for (const p of keyProblems(process.env)) write(`warning: ${p.message} ${p.fix}`);
}

export async function serveStdioCommand(flags: ServeFlags): Promise<void> {
  warnAboutKeys(log);
  const kit = createToolkit({ ...toolkitOptions(flags), catalog: defaultCatalog });
  const tools = exposeToolkit(kit, flags.exposure, exposureOptions(flags));
  // Tasks of a stdio session live in this process: the session is the only client that can poll them.
  const tasks = { runner: new TaskRunner({ store: new MemoryTaskStore(), log }), scope: 'stdio' };
  const missing = missingKeys(kit);
  const { direct } = exposureMode(flags.exposure);
  const shown = direct
    ? plural(kit.tools.length, 'tool')
    : `${plural(kit.tools.length, 'tool')} through ${flags.exposure} mode`;
  log(
    `serving ${shown} over stdio${missing.length ? ` (not set: ${missing.join(', ')}; those tools will report it)` : ''}`,
  );
  if (direct) warnIfOverToolCap(kit.tools.length, log);
  // The opening answers (initialize, server/discover, tools/list) come from lean.ts; server.ts and the SDK under it
  // are loaded right after, so the first tools/list does not wait for the SDK's schemas to be evaluated.
  const load = async () => (await import('../runtime/server.js')).serverFactory(tools, { tasks });
  await serveStdioLazily(load, new LeanAnswers(tools, { tasks: true }), { log });
  // Keep-alive sockets to OpenAI would hold the process open; exit once the last reply is flushed.
  process.stdout.write('', () => process.exit(0));
}

export async function serveHttpCommand(flags: ServeFlags): Promise<void> {
  const options = toolkitOptions(flags);
  // Checked now so a bad filter fails at start-up, not on the first request to /mcp.
  createToolkit({ ...options, catalog: defaultCatalog });
  const dataDir = resolveDataDir(flags.dataDir);
  const { DEFAULT_HOST, DEFAULT_PORT, startHttpService } = await import('../service/serve.js');
  const { ensureDataDir } = await import('../service/store/sqlite.js');
  ensureDataDir(dataDir);
  const host = flags.host ?? DEFAULT_HOST;
  const port = flags.port ?? DEFAULT_PORT;
  warnAboutKeys(log);
  const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  // Checked before anything starts: --oidc-issuer without the client's credentials is a usage error.
  const oauth = oauthOptions(flags);
  const uiAdmins = uiAdminOptions(flags);
  let service: Awaited<ReturnType<typeof startHttpService>>;
  try {
    service = await startHttpService({
      dataDir,
      databaseUrl: flags.databaseUrl,
      host,
      port,
      publicUrl: flags.publicUrl,
      allowedHosts: flags.allowedHosts,
      ...(flags.allowPrivateBaseUrls ? { allowPrivateBaseUrls: true } : {}),
      maxBodyBytes: flags.maxBodyBytes,
      retentionDays: flags.auditRetentionDays,
      auditMaxRowsPerServer: flags.auditMaxRowsPerServer,
      maxConcurrentPerServer: flags.maxConcurrentPerServer,
      ratePerServer: flags.ratePerServer,
      maxConcurrentRequests: flags.maxConcurrentRequests,
      maxResponseBytes: flags.maxResponseBytes,
      stalledWriteMs: seconds(flags.stalledWriteTimeout),
      maxSsePerServer: flags.maxSsePerServer,
      maxSseSessions: flags.maxSseSessions,
      sseIdleMs: seconds(flags.sseIdleTimeout),
      sseLifetimeMs: seconds(flags.sseMaxLifetime),
      maxConnections: flags.maxConnections,
      baseUrl: flags.baseUrl,
      timeoutMs: flags.timeout,
      exposure: exposureOptions(flags),
      oauth,
      uiAdmins,
      single: () => {
        const kit = createToolkit({ ...options, catalog: defaultCatalog });
        const missing = missingKeys(kit);
        if (missing.length) log(`/mcp: not set: ${missing.join(', ')}; those tools will report it`);
        return exposeToolkit(kit, flags.exposure, exposureOptions(flags));
      },
      log,
    });
  } catch (err) {
    // The error is reported by main(); whatever start-up left running (a worker, a socket) must not keep a failed
    // service alive, so the process ends even then.
    setTimeout(() => process.exit(process.exitCode || 1), 2000).unref();
    throw listenError(err as NodeJS.ErrnoException, host, port);
  }
  log(`listening on ${service.url} (${service.database}; server URLs use ${service.publicUrl})`);
  const shutdown = () => {
    void service.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** EADDRINUSE and friends as a message with the next step; anything else unchanged. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE')
    return new SetupError('port_in_use', `${host}:${port} is already in use (another openai-mcp serve --http?).`, [
      `serve on another port: openai-mcp serve --http --port ${port === 8787 ? 8788 : port + 1} (or --port 0 for any free one)`,
      `or find what holds it: openai-mcp doctor --port ${port}`,
    ]);
  if (err.code === 'EACCES' && port < 1024)
    return new SetupError('port_in_use', `${host}:${port}: ports below 1024 need privileges.`, [
      'use a port of 1024 or more (--port 8787), and a reverse proxy for 80/443',
    ]);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
    return new SetupError('port_in_use', `--host ${host} is not an address of this machine.`, [
      'use --host 127.0.0.1 (the default), or an address this machine has',
    ]);
  return err;
}

export function listToolsCommand(flags: FilterFlags & { json?: boolean; exposure?: Exposure }): void {
  const kit = createToolkit({ ...toolkitOptions(flags), catalog: defaultCatalog });
  if (flags.exposure && !exposureMode(flags.exposure).direct) {
    // What a client's tools/list shows in that mode: the meta-tools in front of the selected tools.
    const tools = exposeToolkit(kit, flags.exposure, {}).listTools();
    if (flags.json) {
      printJson(tools);
      return;
    }
    printTable(
      ['TOOL', 'DESCRIPTION'],
      tools.map((t) => [t.name, (t.description ?? '').split('\n')[0]!.slice(0, 100)]),
    );
    process.stdout.write(`${plural(tools.length, 'tool')} in front of ${plural(kit.tools.length, 'selected tool')}\n`);
    return;
  }
  if (flags.json) {
    printJson(kit.listTools());
    return;
  }
  printTable(
    ['TOOL', 'METHOD', 'ACCESS', 'AUTH', 'TAGS'],
    kit.tools.map((t) => [t.name, t.method, t.access, t.http.auth, t.tags.join(',')]),
  );
  process.stdout.write(`${plural(kit.tools.length, 'tool')}\n`);
}
