// `openai-mcp serve --http`: opens the store, builds the app, listens, and keeps the store tidy (expired servers
// and old audit rows are purged at start-up and periodically).

import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultCatalog } from '../runtime/catalog.js';
import { resolveLimits } from '../runtime/exposure/code/limits.js';
import type { ExposedTools, ExposureOptions } from '../runtime/exposure/index.js';
import { TaskRunner } from '../runtime/tasks.js';
import type { Catalog } from '../runtime/types.js';
import type { OAuthOptions } from './auth/oauth/router.js';
import { looksLikeServerId } from './auth/oauth/resource-url.js';
import { parseWorkScope } from './auth/work-scope.js';
import { DEFAULT_RETENTION_DAYS } from './audit.js';
import { listCacheHint } from './cache-hint.js';
import { allowedHostnames, isLoopback } from './http/guard.js';
import { createApp } from './http/app.js';
import { Credentials } from './auth/credentials.js';
import { allowPrivateFromEnv } from './baseurl.js';
import { isExpired, Management } from './manage.js';
import { Operations } from './operations.js';
import { Scopes } from './scope.js';
import { openSecretBox } from './secrets.js';
import { openSqliteStore } from './store/sqlite.js';

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const PUBLIC_URL_SETTING = 'public_url';
const SWEEP_MS = 60_000;
/** The task scope of the single-user `/mcp` (managed servers' tasks are scoped by server id). */
const SINGLE_USER_SCOPE = 'single-user';
const SSE_CHECK_MS = 500;

export interface HttpServiceOptions {
  dataDir: string;
  host?: string;
  port?: number;
  publicUrl?: string;
  allowedHosts?: readonly string[];
  maxBodyBytes?: number;
  retentionDays?: number;
  /** Default OpenAI base URL for accounts without one. */
  baseUrl?: string;
  timeoutMs?: number;
  /** Sandbox limits for managed servers in code mode. */
  exposure?: ExposureOptions;
  catalog?: Catalog;
  /** Builds the single-user `/mcp` tool set from the environment; called only when no servers are stored. */
  single?: () => ExposedTools | undefined;
  /** The OAuth authorization server's settings (upstream IdP, token login, CIMD address policy). */
  oauth?: OAuthOptions;
  env?: Record<string, string | undefined>;
  /** Accept account base URLs on private, loopback or link-local hosts (also OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS). */
  allowPrivateBaseUrls?: boolean;
  log: (line: string) => void;
}

export interface RunningHttpService {
  url: string;
  publicUrl: string;
  close(): Promise<void>;
}

export async function startHttpService(options: HttpServiceOptions): Promise<RunningHttpService> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const log = options.log;
  const catalog = options.catalog ?? defaultCatalog;
  const store = await openSqliteStore(options.dataDir);
  // The key is checked against the data dir's fingerprint before anything listens or is written.
  const box = await openSecretBox(options.dataDir, store, options.env).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  // Known once listening (the port may be chosen then); `oauth` servers' answers show their resource URL with it.
  let publicUrlNow: string | undefined;
  const manage = new Management({
    store,
    box,
    catalog,
    publicUrl: () => publicUrlNow,
    allowPrivateBaseUrls: options.allowPrivateBaseUrls ?? allowPrivateFromEnv(options.env),
    codeLimits: resolveLimits(options.exposure?.code?.limits),
  });
  const credentials = new Credentials({ store });
  const ops = new Operations({ manage, store, log });
  const retentionMs = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400_000;
  // Long calls of clients that take tasks run here; their records live in the store, so any replica answers polls.
  const taskStore = store.taskStore(box);
  const tasks = new TaskRunner({ store: taskStore, log });

  const sweep = async () => {
    const expired = await store.deleteExpiredServers(Date.now());
    for (const id of expired) log(`purged expired server ${id}`);
    await store.deleteCallsBefore(Date.now() - retentionMs);
    await store.deleteOperatorEventsBefore(Date.now() - retentionMs);
    await taskStore.deleteExpired(Date.now());
    await store.oauth.sweep(Date.now(), Date.now() - retentionMs);
  };
  await sweep();

  let single: ExposedTools | undefined;
  const publicHost = options.publicUrl ? new URL(options.publicUrl).hostname : undefined;
  // Behind a proxy (a public URL or extra allowed hosts) anyone the proxy serves could reach a token-less endpoint.
  const proxied = (publicHost !== undefined && !isLoopback(publicHost)) || (options.allowedHosts?.length ?? 0) > 0;
  if ((await store.countServers()) === 0 && options.single) {
    if (proxied) {
      log(
        'no managed servers stored; the single-user /mcp endpoint is off because --public-url or --allowed-hosts says this service is reached through a proxy',
      );
    } else if (isLoopback(host)) {
      single = options.single();
      if (single)
        log("no managed servers stored: serving the environment's keys at /mcp (loopback only, for one user)");
    } else {
      log(`no managed servers stored; the single-user /mcp endpoint is off because --host ${host} is not loopback`);
    }
  }

  const scopes = new Scopes({
    store,
    manage,
    catalog,
    defaultBaseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    exposure: options.exposure,
    record: (call) => {
      store.recordCall(call).catch((err: Error) => log(`audit write failed for ${call.server_id}: ${err.message}`));
    },
  });

  const httpServer: HttpServer = createServer();
  // Slow-loris bounds; response time is bounded per call by the toolkit's timeout, not here.
  httpServer.headersTimeout = 20_000;
  httpServer.requestTimeout = 60_000;
  // Longer than common load-balancer idle timeouts (60 s), so a proxy never reuses a socket this side just closed.
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  await store.setSetting(PUBLIC_URL_SETTING, publicUrl);
  publicUrlNow = publicUrl;

  const allowed = allowedHostnames({ host, publicUrl, extra: options.allowedHosts });
  const { app, mcp, oauth } = createApp({
    store,
    manage,
    ops,
    credentials,
    scopes,
    publicUrl,
    allowedHosts: allowed,
    port: address.port,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    single,
    serveOptions: (row, scope) => ({
      cacheHint: () => listCacheHint(row, Date.now()),
      tasks: { runner: tasks, scope },
    }),
    singleServeOptions: { tasks: { runner: tasks, scope: SINGLE_USER_SCOPE } },
    oauth: options.oauth,
    log,
  });
  httpServer.on('request', app);

  const sweepTimer = setInterval(
    () => void sweep().catch((err: Error) => log(`sweep failed: ${err.message}`)),
    SWEEP_MS,
  );
  // Revocation reaches running work: a server deleted or expired, or an OAuth grant revoked (or its subject no longer
  // allowed), ends its SSE sessions, its requests in flight and its running tasks, not only the next request.
  const workLive = async (scope: string, updatedAt?: number): Promise<boolean> => {
    const { serverId, grantId } = parseWorkScope(scope);
    if (!looksLikeServerId(serverId)) return true; // the single-user endpoint's work: no server to revoke
    const row = await store.getServer(serverId);
    if (!row || isExpired(row, Date.now()) || (updatedAt !== undefined && row.updated_at !== updatedAt)) return false;
    return grantId === undefined ? row.auth !== 'oauth' : oauth.grantLive(row, grantId);
  };
  const revokeRunning = async () => {
    if (mcp.sseSessions) await mcp.closeStale(workLive);
    for (const scope of new Set([...mcp.inflight.scopes(), ...tasks.runningScopes()])) {
      if (await workLive(scope)) continue;
      const requests = mcp.inflight.cancelScope(scope);
      const stopped = await tasks.cancelScope(scope, 'Cancelled: access to this server was revoked');
      if (requests || stopped) log(`revoked ${scope}: ${requests} request(s) and ${stopped} task(s) stopped`);
    }
  };
  const sseTimer = setInterval(
    () => void revokeRunning().catch((err: Error) => log(`revocation check failed: ${err.message}`)),
    SSE_CHECK_MS,
  );
  sweepTimer.unref();
  sseTimer.unref();

  return {
    url,
    publicUrl,
    async close() {
      clearInterval(sweepTimer);
      clearInterval(sseTimer);
      await mcp.closeAll();
      await tasks.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await store.close();
    },
  };
}
