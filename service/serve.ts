// `openai-mcp serve --http`: opens the store, builds the app, listens, and keeps the store tidy (expired servers,
// old audit rows and rows over a server's cap are purged at start-up and periodically). Start-up fails fast: every
// store write happens before the port is bound (with `--port 0`, before the first request is taken), and any error
// closes what was opened, so the process exits non-zero and holds no port.

import { looksLikeServerId } from './tokens.js';
import { expressShaped } from './http/fast-lane.js';
import { createServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultCatalog } from '../runtime/catalog.js';
import { resolveLimits } from '../runtime/exposure/code/limits.js';
import type { ExposedTools, ExposureOptions } from '../runtime/exposure/index.js';
import { TaskRunner } from '../runtime/tasks.js';
import type { Catalog } from '../runtime/types.js';
import type { OAuthOptions } from './auth/oauth/router.js';
import { workStillAllowed } from './auth/modes.js';
import { parseWorkScope } from './auth/work-scope.js';
import { RunningCalls } from './abort.js';
import { DEFAULT_RETENTION_DAYS } from './audit.js';
import { AuditQueue } from './audit-queue.js';
import { Credentials } from './auth/credentials.js';
import { allowPrivateFromEnv } from './baseurl.js';
import { listCacheHint } from './cache-hint.js';
import { createApp } from './http/app.js';
import {
  DEFAULT_SSE_IDLE_MS,
  DEFAULT_SSE_LIFETIME_MS,
  DEFAULT_SSE_PER_SERVER,
  DEFAULT_SSE_TOTAL,
  SseLimits,
} from './http/connections.js';
import { allowedHostnames, isLoopback } from './http/guard.js';
import type { UiAdminPolicy } from './http/ui/admins.js';
import { type SessionOptions, Sessions } from './http/ui/sessions.js';
import {
  DEFAULT_MAX_CONCURRENT_PER_SERVER,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_RATE_PER_SERVER,
  DEFAULT_STALLED_WRITE_MS,
  ServerLimiter,
} from './http/limits.js';
import { isExpired } from './expiry.js';
import { Management } from './manage/index.js';
import { Operations } from './operations.js';
import { Scopes } from './scope.js';
import { openSecretBox } from './secrets.js';
import { backendOf, describeTarget, openStore } from './store/open.js';
import type { Store } from './store/store.js';

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_AUDIT_MAX_ROWS_PER_SERVER = 100_000;
export const DEFAULT_MAX_CONNECTIONS = 1000;
export const PUBLIC_URL_SETTING = 'public_url';
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
const SWEEP_MS = 60_000;
/** The task scope of the single-user `/mcp` (managed servers' tasks are scoped by server id). */
const SINGLE_USER_SCOPE = 'single-user';
const SSE_CHECK_MS = 500;
/** How long a revoked request in flight gets to be answered by its call's guard before it is cut. */
const REVOKED_REQUEST_GRACE_MS = 1000;

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
  /** Audit rows kept per server (the oldest beyond are purged with the sweep). */
  auditMaxRowsPerServer?: number;
  maxConcurrentPerServer?: number;
  /** Requests per second per server (bursts of twice that). */
  ratePerServer?: number;
  maxConcurrentRequests?: number;
  maxResponseBytes?: number;
  stalledWriteMs?: number;
  /** On close (SIGTERM): how long requests already taken may run to their end before they are cut (default 10 s). */
  shutdownGraceMs?: number;
  maxSsePerServer?: number;
  maxSseSessions?: number;
  sseIdleMs?: number;
  sseLifetimeMs?: number;
  /** Open connections over all clients; past it new ones are dropped (and logged). */
  maxConnections?: number;
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
  /** Who may log in to the dashboard through `oauth.oidc`'s identity provider (default nobody). */
  uiAdmins?: UiAdminPolicy;
  /** Dashboard session times (tests). */
  uiSessions?: SessionOptions;
  env?: Record<string, string | undefined>;
  /** Accept account base URLs on private, loopback or link-local hosts (also OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS). */
  allowPrivateBaseUrls?: boolean;
  /** Serve canonical MCP POSTs without express's router (service/http/fast-lane.ts); default true, false to compare. */
  fastLane?: boolean;
  /** Hears of each request the fast lane takes (tests). */
  onFastLane?: () => void;
  log: (line: string) => void;
}

export interface RunningHttpService {
  url: string;
  publicUrl: string;
  /** Where the store is, for the start-up line: `data dir …` or the database URL without its password. */
  database: string;
  close(): Promise<void>;
}

/** Deletes in chunks, yielding to the event loop between them, until a chunk comes back short. */
async function inChunks(step: () => Promise<number>, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < chunk) return total;
    await new Promise((r) => setImmediate(r));
  }
}

/** Purges expired servers, audit rows past retention and rows over a server's cap. */
async function sweepStore(
  store: Store,
  options: { retentionMs: number; maxRowsPerServer: number },
  log: (l: string) => void,
) {
  const expired = await store.deleteExpiredServers(Date.now());
  for (const id of expired) log(`purged expired server ${id}`);
  await inChunks(() => store.deleteCallsBefore(Date.now() - options.retentionMs));
  for (const id of await store.serversOverCallCap(options.maxRowsPerServer)) {
    const n = await inChunks(() => store.trimCalls(id, options.maxRowsPerServer));
    log(`audit log: purged the ${n} oldest rows of ${id} (over ${options.maxRowsPerServer} rows a server)`);
  }
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
  const database = backendOf(opened.target).where(opened.target, options.dataDir);
  // What is open so far, closed again if start-up fails, so a failed start exits and holds no port.
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => store.close()];
  try {
    // The key is checked against the data dir's fingerprint before anything listens or is written. A shared
    // database (Postgres) takes the key from the environment only.
    const box = await openSecretBox(options.dataDir, store, options.env, {
      shared: opened.shared ? describeTarget(opened.target) : undefined,
    });
    return await start(options, { host, port, log, catalog, box, store, cleanups, database });
  } catch (err) {
    for (const clean of cleanups.reverse()) await Promise.resolve(clean()).catch(() => {});
    throw err;
  }
}

async function start(
  options: HttpServiceOptions,
  ctx: {
    host: string;
    port: number;
    log: (line: string) => void;
    catalog: Catalog;
    box: Awaited<ReturnType<typeof openSecretBox>>;
    store: Store;
    cleanups: (() => Promise<unknown> | unknown)[];
    database: string;
  },
): Promise<RunningHttpService> {
  const { host, port, log, catalog, box, store, cleanups, database } = ctx;
  const audit = new AuditQueue({ store, log });
  cleanups.push(() => audit.close(0));
  // Reads of the audit log see every call made before them: what is queued is written first.
  const readsAudit = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'callStats')
        return async (...args: Parameters<Store['callStats']>) => {
          await audit.flush();
          return target.callStats(...args);
        };
      if (prop !== 'listCalls') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<Store['listCalls']>) => {
        await audit.flush();
        return target.listCalls(...args);
      };
    },
  });
  // Known once listening (the port may be chosen then); `oauth` servers' answers show their resource URL with it.
  let publicUrlNow: string | undefined;
  const manage = new Management({
    store: readsAudit,
    box,
    catalog,
    publicUrl: () => publicUrlNow,
    allowPrivateBaseUrls: options.allowPrivateBaseUrls ?? allowPrivateFromEnv(options.env),
    codeLimits: resolveLimits(options.exposure?.code?.limits),
  });
  const credentials = new Credentials({ store });
  const ops = new Operations({ manage, store: readsAudit, log });
  const retentionMs = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400_000;
  const maxRowsPerServer = options.auditMaxRowsPerServer ?? DEFAULT_AUDIT_MAX_ROWS_PER_SERVER;
  // Long calls of clients that take tasks run here; their records live in the store, so any replica answers polls.
  const taskStore = store.taskStore(box);
  const tasks = new TaskRunner({ store: taskStore, log });
  cleanups.push(() => tasks.close());
  // One replica at a time (a Postgres advisory lock; the others skip this round): N replicas sweeping the same rows
  // would each scan and lock them for nothing.
  const uiSessions = new Sessions(store.ui, options.uiSessions);
  const sweep = async () => {
    await store.exclusive('sweep', async () => {
      await sweepStore(store, { retentionMs, maxRowsPerServer }, log);
      await store.deleteOperatorEventsBefore(Date.now() - retentionMs);
      await taskStore.deleteExpired(Date.now());
      await store.oauth.sweep(Date.now(), Date.now() - retentionMs);
      await store.ui.deleteExpired(Date.now(), Date.now() - uiSessions.idleMs);
    });
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

  const maxConcurrentPerServer = options.maxConcurrentPerServer ?? DEFAULT_MAX_CONCURRENT_PER_SERVER;
  const running = new RunningCalls({
    store,
    maxConcurrentPerServer,
    auditAccepting: () => audit.accepting,
    record: audit.record,
    log,
  });
  cleanups.push(() => running.close());
  const scopes = new Scopes({
    store,
    manage,
    catalog,
    defaultBaseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    exposure: options.exposure,
    record: audit.record,
    guard: (row, tools) => running.guard(row, tools),
  });

  // Known before listening unless the port is picked by the system: then the write follows the bind, and still
  // precedes the first request (the handler is attached after it).
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  if (port !== 0) {
    const publicUrl = (options.publicUrl ?? `http://${bracket(host)}:${port}`).replace(/\/+$/, '');
    await store.setSetting(PUBLIC_URL_SETTING, publicUrl);
  }

  // Requests born with express's prototypes (linked below, once the app exists): see service/http/fast-lane.ts.
  const shaped = expressShaped();
  const httpServer: HttpServer = createServer({
    IncomingMessage: shaped.IncomingMessage,
    ServerResponse: shaped.ServerResponse,
  }) as unknown as HttpServer;
  // Slow-loris bounds; response time is bounded per call by the toolkit's timeout, not here.
  httpServer.headersTimeout = 20_000;
  httpServer.requestTimeout = 60_000;
  // Longer than common load-balancer idle timeouts (60 s), so a proxy never reuses a socket this side just closed.
  httpServer.keepAliveTimeout = 65_000;
  // Past this many open connections new ones are closed at once; logged (at most every 10 s) so it is not silent.
  httpServer.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  let dropped = 0;
  let dropLogged = 0;
  httpServer.on('drop', () => {
    dropped++;
    if (Date.now() - dropLogged < 10_000) return;
    dropLogged = Date.now();
    log(`connections refused: ${dropped} so far, over the limit of ${httpServer.maxConnections} open connections`);
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  cleanups.push(() => new Promise((resolve) => httpServer.close(resolve)));
  const address = httpServer.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  const publicUrl = (options.publicUrl ?? (port !== 0 ? `http://${bracket(host)}:${port}` : url)).replace(/\/+$/, '');
  if (port === 0) await store.setSetting(PUBLIC_URL_SETTING, publicUrl);
  publicUrlNow = publicUrl;

  const allowed = allowedHostnames({ host, publicUrl, extra: options.allowedHosts });
  const { app, mcp, fastLane } = createApp({
    store,
    catalog,
    manage,
    ops,
    credentials,
    scopes,
    publicUrl,
    allowedHosts: allowed,
    port: address.port,
    uiSessions,
    uiAdmins: options.uiAdmins,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    single,
    limiter: new ServerLimiter({
      maxConcurrent: maxConcurrentPerServer,
      ratePerSecond: options.ratePerServer ?? DEFAULT_RATE_PER_SERVER,
      maxTotal: options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS,
    }),
    sse: new SseLimits({
      perServer: options.maxSsePerServer ?? DEFAULT_SSE_PER_SERVER,
      total: options.maxSseSessions ?? DEFAULT_SSE_TOTAL,
      idleMs: options.sseIdleMs ?? DEFAULT_SSE_IDLE_MS,
      lifetimeMs: options.sseLifetimeMs ?? DEFAULT_SSE_LIFETIME_MS,
      log,
    }),
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    stalledWriteMs: options.stalledWriteMs ?? DEFAULT_STALLED_WRITE_MS,
    health: () => ({ ok: audit.accepting, audit: audit.state }),
    serveOptions: (row, scope) => ({
      cacheHint: () => listCacheHint(row, Date.now()),
      tasks: { runner: tasks, scope },
    }),
    singleServeOptions: { tasks: { runner: tasks, scope: SINGLE_USER_SCOPE } },
    oauth: options.oauth,
    flushAudit: () => audit.flush(),
    fastLane: options.fastLane,
    onFastLane: options.onFastLane,
    log,
  });
  shaped.link(app);
  // Requests being answered, so a stop (SIGTERM) lets them finish, and their audit rows be written, before it exits.
  // A balancer should stop routing here first (a failing /healthz, or its own deregistration) for a clean hand-over.
  let open = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (draining) {
      // Stopping: a balancer retries this elsewhere; the connection closes so the next request goes elsewhere too.
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
      res.end(JSON.stringify({ error: { code: 'shutting_down', message: 'This replica is stopping; try again' } }));
      return;
    }
    // GETs are streams (SSE, `subscriptions/listen`) that end only when closed: they are not waited for.
    if (req.method !== 'GET') {
      open++;
      res.once('close', () => {
        open--;
        if (draining && open === 0) drained?.();
      });
    }
    if (!fastLane(req, res)) app(req, res);
  });
  /** Stops taking requests and waits (at most `graceMs`) for those taken to be answered. */
  const drain = async (graceMs: number) => {
    draining = true;
    httpServer.close();
    httpServer.closeIdleConnections();
    if (open === 0) return;
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, graceMs).unref();
    });
    if (open) log(`stopping: ${open} request(s) still running after ${Math.round(graceMs / 1000)} s are cut`);
  };

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
    return workStillAllowed(row, grantId, credentials);
  };
  // Scopes whose late cut is already scheduled: the check runs every SSE_CHECK_MS, so without this a scope still in
  // flight would get a second (and third) timer before the first fires.
  const cutScheduled = new Set<string>();
  const revokeRunning = async () => {
    if (mcp.sseSessions) await mcp.closeStale(workLive);
    for (const scope of new Set([...mcp.inflight.scopes(), ...tasks.runningScopes()])) {
      if (await workLive(scope)) continue;
      const stopped = await tasks.cancelScope(scope, 'Cancelled: access to this server was revoked');
      if (stopped) log(`revoked ${scope}: ${stopped} task(s) stopped`);
      // A tool call in flight is answered `revoked` by its guard (RunningCalls, checked every 250 ms), so its client
      // hears why; cutting the request here first would end it with no answer at all (a cancelled request gets
      // none), and the client would wait out its own timeout. What is still open a moment later (an OAuth grant's
      // requests, which the guard does not watch) is cut then.
      if (cutScheduled.has(scope)) continue;
      cutScheduled.add(scope);
      setTimeout(() => {
        cutScheduled.delete(scope);
        const requests = mcp.inflight.cancelScope(scope);
        if (requests) log(`revoked ${scope}: ${requests} request(s) stopped`);
      }, REVOKED_REQUEST_GRACE_MS).unref();
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
    database,
    async close() {
      clearInterval(sweepTimer);
      clearInterval(sseTimer);
      await drain(options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      await mcp.closeAll();
      await tasks.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      running.close();
      // Queued audit rows (and the summaries of refused calls) are written before the store closes.
      await audit.close();
      await store.close();
    },
  };
}
