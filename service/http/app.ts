// Wiring of the HTTP service: refused-upload budget → guard → health check → declared body limit → per route: token → rate and concurrency
// → body (depth-checked) → MCP endpoints or REST API → one error format. The cheapest check comes first: no body
// byte is read before its token has been checked.

import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ExposedTools } from '../../runtime/exposure/types.js';
import type { ServeOptions } from '../../runtime/server.js';
import type { ServerRow } from '../store/store.js';
import { ServiceError } from '../errors.js';
import type { Credentials } from '../auth/credentials.js';
import { type OAuthOptions, OAuthService } from '../auth/oauth/router.js';
import { OAuthResource } from '../auth/oauth/resource.js';
import type { Management } from '../manage/index.js';
import type { Operations } from '../operations.js';
import type { Scopes } from '../scope.js';
import type { Store } from '../store/store.js';
import type { SseLimits } from './connections.js';
import { hostAndOriginGuard, isLoopbackRequest } from './guard.js';
import {
  abandonStalledWrites,
  declaredBodyLimit,
  jsonBody,
  jsonBodyChecks,
  LimitError,
  type ServerLimiter,
  DEFAULT_MAX_JSON_DEPTH,
} from './limits.js';
import { fastLaneToken, leanJsonBody, runLane } from './fast-lane.js';
import { jsonRpcError, McpRoutes } from './mcp.js';
import { cutRefusedUploads, DEFAULT_REFUSAL_BUDGET, RefusalBudget, type RefusalBudgetOptions } from './refusals.js';
import { restRouter } from './rest.js';
import { NO_UI_ADMINS, type UiAdminPolicy } from './ui/admins.js';
import { uiRouter } from './ui/router.js';
import { Sessions } from './ui/sessions.js';
import type { Catalog } from '../../runtime/contract/catalog.js';

export interface AppOptions {
  store: Store;
  manage: Management;
  /** The management operations as operators call them (scoped, audited). */
  ops: Operations;
  /** The verifiers of server URLs, management and client tokens. */
  credentials: Credentials;
  scopes: Scopes;
  publicUrl: string;
  allowedHosts: ReadonlySet<string>;
  /** The port the service listens on, which loopback Origins must name. */
  port?: number;
  maxBodyBytes: number;
  /** The single-user endpoint `/mcp` (environment keys, loopback only); absent when not offered. */
  single?: ExposedTools;
  /** Per-server rate and concurrency; absent: unlimited. */
  limiter?: ServerLimiter;
  sse?: SseLimits;
  maxResponseBytes?: number;
  flushAudit?: () => Promise<void>;
  maxJsonDepth?: number;
  /** A response whose client does not read it for this long is abandoned. */
  stalledWriteMs?: number;
  /** What /healthz reports besides `ok` (e.g. the audit queue); `ok: false` answers 503. */
  health?: () => { ok: boolean } & Record<string, unknown>;
  /** Cache hints and tasks: for a managed server's MCP requests, and for the single-user endpoint's. */
  serveOptions?: (row: ServerRow, scope: string) => ServeOptions;
  singleServeOptions?: ServeOptions;
  /** The OAuth authorization server for `oauth` servers (login through an IdP or a management token). */
  oauth?: OAuthOptions;
  /** Bytes of refused bodies each client address may have discarded; past it, such connections are cut unread. */
  refusalBudget?: RefusalBudgetOptions;
  /** The tools the dashboard's scope form offers; absent: no dashboard at /ui. */
  catalog?: Catalog;
  /** The dashboard's sessions (in the store); absent: the store's, with the default times. */
  uiSessions?: Sessions;
  /** Who may log in to the dashboard through the OAuth issue's identity provider (`oauth.oidc`); default nobody. */
  uiAdmins?: UiAdminPolicy;
  /**
   * Serve a canonical POST /mcp/<token> without express's router and body-parser (./fast-lane.ts). Default true; false
   * only to compare the two (test/service/fast-lane.test.ts).
   */
  fastLane?: boolean;
  /** Hears of each request the fast lane takes (tests: that the lane is the path compared). */
  onFastLane?: () => void;
  log: (line: string) => void;
}

const isMcpPath = (p: string) => /^\/(mcp|messages|sse)(\/|$)/.test(p);

function reject(
  req: Request,
  res: Response,
  status: number,
  code: ConstructorParameters<typeof ServiceError>[0],
  message: string,
) {
  if (isMcpPath(req.path)) jsonRpcError(res, status, message);
  else if (!res.headersSent) res.status(status).json(new ServiceError(code, message).toJSON());
}

function refuse(req: Request, res: Response, err: LimitError) {
  if (res.headersSent) return;
  res.set(err.headers);
  if (isMcpPath(req.path))
    res.status(err.status).json({ jsonrpc: '2.0', error: { code: err.rpcCode, message: err.message }, id: null });
  else res.status(err.status).json(err.toJSON());
}

export function createApp(options: AppOptions) {
  const app = express();
  // The authorization server of `oauth` servers; their MCP endpoints check its tokens through the credentials.
  const oauth = new OAuthService(
    {
      store: options.store,
      manage: options.manage,
      credentials: options.credentials,
      publicUrl: options.publicUrl,
      log: options.log,
    },
    options.oauth,
  );
  options.credentials.useOAuth(new OAuthResource(oauth));
  const mcp = new McpRoutes({
    scopes: options.scopes,
    credentials: options.credentials,
    log: options.log,
    serveOptions: options.serveOptions,
    maxResponseBytes: options.maxResponseBytes,
    sse: options.sse,
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // Logged by route pattern and server id: a URL carries its token, so the raw path is never written.
  const accessLog: express.RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const route = req.route
        ? `${req.baseUrl}${String(req.route.path)}`
        : isMcpPath(req.path)
          ? req.path.split('/').slice(0, 2).join('/')
          : req.baseUrl || req.path.slice(0, 40);
      const server = res.locals.serverId ? ` ${res.locals.serverId}` : '';
      options.log(`${req.method} ${route}${server} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });
    next();
  };
  app.use(accessLog);

  // Before every check that can refuse: a refused upload past its address's budget is cut, not read to its end.
  const refusals = cutRefusedUploads(new RefusalBudget(options.refusalBudget ?? DEFAULT_REFUSAL_BUDGET), options.log);
  app.use(refusals);

  const guard = hostAndOriginGuard(
    options.allowedHosts,
    (res, status, message) => {
      const req = res.req;
      reject(req, res, status, 'forbidden', message);
    },
    options.port === undefined ? undefined : { port: options.port, publicOrigin: new URL(options.publicUrl).origin },
  );
  app.use(guard);

  // After the Host guard, so a rebinding page learns nothing; never touches the database, so a held lock or a full
  // disk cannot stall it.
  app.get('/healthz', (_req, res) => {
    const health = options.health?.() ?? { ok: true };
    res.status(health.ok ? 200 : 503).json(health);
  });

  const bodyLimit = declaredBodyLimit(options.maxBodyBytes);
  app.use(bodyLimit);
  const maxDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const mcpBody = jsonBody({ limit: options.maxBodyBytes, maxDepth, refuseBatches: true });
  const restBody = jsonBody({ limit: options.maxBodyBytes, maxDepth, refuseBatches: false });
  const pass: express.RequestHandler = (_req, _res, next) => next();
  const rate = options.limiter?.middleware(false) ?? pass;
  const rateAndConcurrency = options.limiter?.middleware(true) ?? pass;
  const stalled = options.stalledWriteMs
    ? abandonStalledWrites(options.stalledWriteMs, (req, res) =>
        options.log(
          `abandoned a stalled response on ${req.path.split('/').slice(0, 2).join('/')} of ${res.locals.serverId ?? '-'}: the client read nothing for ${Math.round(options.stalledWriteMs! / 1000)} s`,
        ),
      )
    : pass;

  // The MCP routes before the authorization server's ~15: a tools/call is the request this service answers most, and
  // express tries routes in order (none of the OAuth paths starts with /mcp, /sse or /messages).
  app.all('/mcp/:token', mcp.admission, rateAndConcurrency, stalled, mcpBody, mcp.streamable);
  // The same route's chain for a canonical JSON POST, from the top (./fast-lane.ts): the app-wide handlers above, then
  // the route's own, with the body read by the lean reader instead of body-parser.
  const leanMcpBody = leanJsonBody({
    limit: options.maxBodyBytes,
    verify: jsonBodyChecks({ maxDepth, refuseBatches: true }),
  });
  const lane = {
    app: [accessLog, refusals, guard, bodyLimit],
    route: [mcp.admission, rateAndConcurrency, stalled, leanMcpBody, mcp.streamable],
  };
  app.get('/sse/:token', mcp.admission, rate, stalled, mcp.sseOpen);
  app.post('/messages/:token', mcp.admission, rateAndConcurrency, mcpBody, mcp.sseMessage);
  // The single-user endpoint has no token: it answers only requests made on this machine, and closes for good
  // (until a restart) once a managed server exists, so deleting the last server does not silently reopen it.
  let singleClosed = !options.single;
  app.all(
    '/mcp',
    async (req, res, next) => {
      if (!singleClosed && (await options.store.countServers()) > 0) singleClosed = true;
      if (singleClosed || !options.single || !isLoopbackRequest(req)) {
        jsonRpcError(res, 404, 'No single-user endpoint here: use the URL of a managed server (/mcp/<token>)');
        return;
      }
      next();
    },
    mcpBody,
    async (req, res) => {
      await mcp.serveStreamable(req, res, options.single!, 'single-user', options.singleServeOptions);
    },
  );

  // The OAuth authorization server (metadata, registration, authorize, token, revoke, login and consent pages): its
  // handlers parse their own bodies (forms, JSON) within the declared limit.
  app.use(oauth.router());

  app.use(
    '/v1',
    restRouter({
      ops: options.ops,
      credentials: options.credentials,
      scopes: options.scopes,
      publicUrl: options.publicUrl,
      log: options.log,
      body: restBody,
      flushAudit: options.flushAudit,
    }),
  );

  // The dashboard: the same operations as /v1, behind a session cookie instead of a bearer header.
  if (options.catalog)
    app.use(
      '/ui',
      uiRouter({
        ops: options.ops,
        credentials: options.credentials,
        scopes: options.scopes,
        catalog: options.catalog,
        publicUrl: options.publicUrl,
        sessions: options.uiSessions ?? new Sessions(options.store.ui),
        store: options.store.ui,
        oidc: options.oauth?.oidc
          ? { upstream: options.oauth.oidc, admins: options.uiAdmins ?? NO_UI_ADMINS }
          : undefined,
        log: options.log,
      }),
    );

  app.use((req, res) => reject(req, res, 404, 'not_found', 'Not found'));

  // Express 5 routes rejected promises here too.
  const onError: express.ErrorRequestHandler = (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (err instanceof LimitError) return refuse(req, res, err);
    if (err instanceof ServiceError) {
      // A 503 (the database is away or locked) is worth retrying: say when.
      const headers: Record<string, string> = err.status === 503 ? { 'Retry-After': '1' } : {};
      if (isMcpPath(req.path)) jsonRpcError(res, err.status, err.message, headers);
      else if (!res.headersSent) res.status(err.status).set(headers).json(err.toJSON());
      return;
    }
    if (e?.type === 'entity.too.large')
      return reject(req, res, 413, 'payload_too_large', `Request body over ${options.maxBodyBytes} bytes`);
    if (e?.type === 'entity.parse.failed')
      return reject(req, res, 400, 'invalid_json', 'Malformed JSON body (a JSON object or array is expected)');
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
      return reject(req, res, e.status, 'invalid_request', 'Bad request');
    options.log(`internal error on ${req.method} ${req.baseUrl}${req.route?.path ?? ''}: ${e?.message ?? String(err)}`);
    reject(req, res, 500, 'internal', 'Internal error');
  };
  app.use(onError);

  /**
   * Serves `req` through the fast lane when it is a canonical POST /mcp/<token> (./fast-lane.ts) and answers true;
   * false: hand it to `app`.
   */
  const fastLane = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (options.fastLane === false) return false;
    const token = fastLaneToken(req);
    if (token === undefined) return false;
    options.onFastLane?.();
    runLane(app, token, lane, onError, req, res);
    return true;
  };

  return { app, mcp, oauth, fastLane };
}
