// `openai-mcp serve --http`: opens the store, builds the app, listens, and keeps the store tidy (expired servers
// and old audit rows are purged at start-up and periodically).

import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { defaultCatalog } from '../runtime/catalog.js';
import { resolveLimits } from '../runtime/exposure/code/limits.js';
import type { ExposedTools, ExposureOptions } from '../runtime/exposure/index.js';
import { TaskRunner } from '../runtime/tasks.js';
import type { Catalog } from '../runtime/types.js';
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
import { describeTarget, openStore } from './store/open.js';
import { DATABASE_FILE } from './store/sqlite.js';

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
  /** `sqlite:<file>` or `postgres://…` (else $OPENAI_MCP_DATABASE_URL in `env`, else SQLite in the data dir). */
  databaseUrl?: string;
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
  env?: Record<string, string | undefined>;
  /** Accept account base URLs on private, loopback or link-local hosts (also OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS). */
  allowPrivateBaseUrls?: boolean;
  log: (line: string) => void;
}

export interface RunningHttpService {
  url: string;
  publicUrl: string;
  /** Where the store is, for the start-up line: `data dir …` or the database URL without its password. */
  database: string;
  close(): Promise<void>;
}

export async function startHttpService(options: HttpServiceOptions): Promise<RunningHttpService> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const log = options.log;
  const catalog = options.catalog ?? defaultCatalog;
  const opened = await openStore({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    env: options.env ?? process.env,
    log,
  });
  const store = opened.store;
  // The key is checked against the data dir's fingerprint before anything listens or is written.
  const box = await openSecretBox(options.dataDir, store, options.env, {
    shared: opened.shared ? describeTarget(opened.target) : undefined,
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const manage = new Management({
    store,
    box,
    catalog,
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

  const allowed = allowedHostnames({ host, publicUrl, extra: options.allowedHosts });
  const { app, mcp } = createApp({
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
    serveOptions: (row) => ({
      cacheHint: () => listCacheHint(row, Date.now()),
      tasks: { runner: tasks, scope: row.id },
    }),
    singleServeOptions: { tasks: { runner: tasks, scope: SINGLE_USER_SCOPE } },
    log,
  });
  httpServer.on('request', app);

  const sweepTimer = setInterval(
    () => void sweep().catch((err: Error) => log(`sweep failed: ${err.message}`)),
    SWEEP_MS,
  );
  const sseTimer = setInterval(() => {
    if (!mcp.sseSessions) return;
    void mcp.closeStale(async (id, updatedAt) => {
      const row = await store.getServer(id);
      return !!row && row.updated_at === updatedAt && !isExpired(row, Date.now());
    });
  }, SSE_CHECK_MS);
  sweepTimer.unref();
  sseTimer.unref();

  return {
    url,
    publicUrl,
    database:
      opened.target.kind === 'postgres'
        ? `database ${describeTarget(opened.target)}`
        : `data dir ${options.dataDir}${opened.target.file !== path.join(options.dataDir, DATABASE_FILE) ? `, database ${opened.target.file}` : ''}`,
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
