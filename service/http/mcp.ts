// The MCP endpoints of a managed server: Streamable HTTP at /mcp/<token> through the v2 SDK's `createMcpHandler`,
// which serves MCP 2026-07-28 natively (no handshake, every request self-contained) and 2025-era clients
// statelessly from the same server factory, a fresh server per request, so any replica can answer any request;
// and the legacy HTTP+SSE pair /sse/<token> + /messages/<token> (stateful by nature: needs sticky sessions).

import { createMcpHandler, type Server } from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import type { Request, Response } from 'express';
import type { ExposedTools } from '../../runtime/exposure/types.js';
import {
  headerMismatches,
  missingEnvelopeError,
  missingEnvelopeKeys,
  unservedVersionOf,
  unsupportedVersionError,
} from '../../runtime/protocol.js';
import { createServerForTools, type ServeOptions } from '../../runtime/server.js';
import { admitToServer } from '../auth/modes.js';
import type { Credentials } from '../auth/credentials.js';
import type { OAuthScope } from '../auth/oauth/scopes.js';
import { accessOf } from '../auth/principals.js';
import { workScope } from '../auth/work-scope.js';
import type { Scopes } from '../scope.js';
import type { ServerRow } from '../store/store.js';
import type { SseLimits, SseSlot } from './connections.js';
import { InflightRequests } from './inflight.js';
import { directCallOf, serveDirectCall } from './direct-call.js';
import { capResponses } from './limits.js';
import { webRequestOf, writeWebResponse } from './web.js';

/**
 * Open `subscriptions/listen` streams one tool set may hold: nothing is published on them (a configuration change
 * makes a new tool set, and clients see it through the lists' cache hints), so a client needs few.
 */
const MAX_LISTEN_STREAMS = 4;
/** Handlers kept per tool set (one per work scope: the server, or one OAuth login of it); the oldest goes first. */
const MAX_HANDLERS_PER_TOOLS = 1000;

export function jsonRpcError(
  res: Response,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res
    .status(status)
    .set(headers)
    .json({ jsonrpc: '2.0', error: { code: status === 404 ? -32001 : -32000, message }, id: null });
}

export interface McpRoutesOptions {
  scopes: Scopes;
  credentials: Credentials;
  log: (line: string) => void;
  /** An answer over this many bytes of JSON becomes an error naming the cap. */
  maxResponseBytes?: number;
  /** Caps and timeouts of legacy SSE sessions. */
  sse?: SseLimits;
  /** Cache hints and tasks for a managed server's requests (tasks are scoped to the server). */
  /** `scope`: the work scope of the request (service/auth/work-scope.ts), which its tasks belong to. */
  serveOptions?: (row: ServerRow, scope: string) => ServeOptions;
  /**
   * Answer a canonical MCP 2026-07-28 tools/call without the SDK's HTTP entry (./direct-call.ts). Default true; false
   * only to compare the two paths (test/service/direct-call.test.ts).
   */
  directCalls?: boolean;
}

type McpHandler = ReturnType<typeof createMcpHandler>;

export class McpRoutes {
  private readonly sse = new Map<
    string,
    {
      transport: SSEServerTransport;
      server: Server;
      serverId: string;
      updatedAt: number;
      slot?: SseSlot;
      /** The work scope the session was opened in (an OAuth session's grant included). */
      scope: string;
      /** An OAuth session's scopes: a message must carry a token with at least these. */
      access?: readonly OAuthScope[];
    }
  >();
  /** Requests being answered on the stateless endpoint, so a later POST's `notifications/cancelled` can end them. */
  readonly inflight = new InflightRequests();
  /**
   * One SDK handler per tool set. A managed server's tool set is rebuilt when its configuration changes, so its
   * handler (and what it serves) goes with it.
   */
  private readonly handlers = new WeakMap<ExposedTools, Map<string, McpHandler>>();

  constructor(private readonly options: McpRoutesOptions) {}

  /** Admits the request by its URL and the server's auth mode (service/auth/); answers a refusal itself. */
  private async admit(req: Request, res: Response): Promise<Admitted | undefined> {
    // Already admitted by `admission`, before the body was read.
    if (res.locals.admitted) return res.locals.admitted as Admitted;
    const admission = await admitToServer(req, String(req.params.token ?? ''), this.options.credentials);
    if (!admission.ok) {
      jsonRpcError(res, admission.status, admission.message, admission.headers);
      return undefined;
    }
    // For the access log, which names the server, never the token.
    res.locals.serverId = admission.row.id;
    return {
      row: admission.row,
      scope: workScope(admission.row.id, admission.principal),
      access: accessOf(admission.principal),
    };
  }

  /** Middleware: the URL's token (and the second-layer token) checked before anything reads the body. */
  admission = async (req: Request, res: Response, next: (err?: unknown) => void) => {
    const admitted = await this.admit(req, res);
    if (!admitted) return;
    res.locals.admitted = admitted;
    next();
  };

  private cap(transport: Parameters<typeof capResponses>[0], label: string): void {
    const max = this.options.maxResponseBytes;
    if (max)
      capResponses(transport, max, (bytes) =>
        this.options.log(`${label}: an answer of ${bytes} bytes was over the ${max}-byte cap; sent an error instead`),
      );
  }

  /** `server` with the response cap on whatever transport the handler connects it to. */
  private capped(server: Server, label: string): Server {
    const connect = server.connect.bind(server);
    server.connect = async (transport) => {
      this.cap(transport, label);
      return connect(transport);
    };
    return server;
  }

  /** POST|GET|DELETE /mcp/:token */
  streamable = async (req: Request, res: Response) => {
    const admitted = await this.admit(req, res);
    if (!admitted) return;
    const { row, scope, access } = admitted;
    await this.serveStreamable(
      req,
      res,
      await this.options.scopes.toolsFor(row, access),
      scope,
      this.options.serveOptions?.(row, scope),
    );
  };

  /** One handler per tool set and work scope: its tasks belong to the scope (an OAuth login's are its own). */
  private handlerFor(tools: ExposedTools, label: string, serve: ServeOptions): McpHandler {
    const byScope = this.handlers.get(tools) ?? new Map<string, McpHandler>();
    this.handlers.set(tools, byScope);
    let handler = byScope.get(label);
    if (handler) return handler;
    handler = createMcpHandler(() => this.capped(createServerForTools(tools, serve), label), {
      legacy: 'stateless',
      maxSubscriptions: MAX_LISTEN_STREAMS,
      onerror: (err) => this.options.log(`${label}: ${err.message}`),
    });
    if (byScope.size >= MAX_HANDLERS_PER_TOOLS) byScope.delete(byScope.keys().next().value!);
    byScope.set(label, handler);
    return handler;
  }

  /** Streamable HTTP for a given tool set (also the single-user `/mcp`): both protocol eras, one URL. */
  async serveStreamable(
    req: Request,
    res: Response,
    tools: ExposedTools,
    label: string,
    serve: ServeOptions = {},
  ): Promise<void> {
    // A revision this server does not serve is refused with every one it does, whichever era the request is of
    // (the SDK names only 2026-07-28 for a modern request and has no such error for a 2025-era header).
    if (req.method === 'POST') {
      const header =
        typeof req.headers['mcp-protocol-version'] === 'string' ? req.headers['mcp-protocol-version'] : undefined;
      // Header and `_meta` disagreeing is the SDK's -32020 (HeaderMismatch), answered below.
      const mismatch = headerMismatches(req.body, header);
      const unserved = mismatch ? undefined : unservedVersionOf(req.body, header);
      const missing = mismatch || unserved !== undefined ? [] : missingEnvelopeKeys(req.body, header);
      if (unserved !== undefined || missing.length) {
        const id = (req.body as { id?: unknown } | undefined)?.id;
        res.status(400).json({
          jsonrpc: '2.0',
          id: typeof id === 'string' || typeof id === 'number' ? id : null,
          error: unserved !== undefined ? unsupportedVersionError(unserved) : missingEnvelopeError(missing),
        });
        return;
      }
    }
    this.inflight.cancelNamed(label, req.body);
    // One signal for the request: the client going away, or a later POST's `notifications/cancelled` naming it.
    const abort = new AbortController();
    let answered = false;
    const untrack = this.inflight.track(label, req.body, () => abort.abort());
    res.on('close', () => {
      untrack();
      if (!answered) abort.abort();
    });
    if (res.destroyed) abort.abort();
    const direct = this.options.directCalls === false ? undefined : directCallOf(req);
    if (direct) {
      const max = this.options.maxResponseBytes;
      await serveDirectCall(res, tools, direct, {
        signal: abort.signal,
        maxResponseBytes: max,
        onCapped: (bytes) =>
          this.options.log(`${label}: an answer of ${bytes} bytes was over the ${max}-byte cap; sent an error instead`),
      });
      answered = true;
      return;
    }
    const handler = this.handlerFor(tools, label, serve);
    let response: globalThis.Response;
    try {
      // Express parsed the body already: the handler classifies and serves it from `parsedBody`.
      response = await handler.fetch(await webRequestOf(req, req.body, abort.signal), {
        ...(req.body !== undefined ? { parsedBody: req.body } : {}),
      });
    } catch (err) {
      this.options.log(`${label}: ${(err as Error).message}`);
      const id = (req.body as { id?: unknown } | undefined)?.id;
      answered = true;
      jsonRpcInternal(res, typeof id === 'string' || typeof id === 'number' ? id : null);
      return;
    }
    await writeWebResponse(res, response, abort.signal);
    answered = true;
  }

  /** GET /sse/:token */
  sseOpen = async (req: Request, res: Response) => {
    const admitted = await this.admit(req, res);
    if (!admitted) return;
    const { row, scope, access } = admitted;
    const tools = await this.options.scopes.toolsFor(row, access);
    const token = String(req.params.token);
    const transport = new SSEServerTransport(`/messages/${encodeURIComponent(token)}`, res);
    const server = createServerForTools(tools, this.options.serveOptions?.(row, scope));
    server.onerror = (err) => this.options.log(`${row.id}: protocol error: ${err.message}`);
    // Throws a 429 when the caps are reached; `end` closes the session when it is idle or too old.
    const slot = this.options.sse?.open(row.id, () => void transport.close());
    this.cap(transport, row.id);
    this.sse.set(transport.sessionId, {
      transport,
      server,
      serverId: row.id,
      updatedAt: row.updated_at,
      slot,
      scope,
      access,
    });
    res.on('close', () => {
      slot?.release();
      this.sse.delete(transport.sessionId);
      void server.close();
    });
    await server.connect(transport);
  };

  /** POST /messages/:token?sessionId=… */
  sseMessage = async (req: Request, res: Response) => {
    const admitted = await this.admit(req, res);
    if (!admitted) return;
    const { row, scope, access } = admitted;
    const sessionId = typeof req.query.sessionId === 'string' ? req.query.sessionId : '';
    const session = this.sse.get(sessionId);
    if (!session || session.serverId !== row.id || session.scope !== scope) {
      jsonRpcError(res, 404, 'Unknown SSE session');
      return;
    }
    // The session's tools were built for the token that opened it: a narrower token may not use them.
    if (session.access && !session.access.every((s) => access?.includes(s))) {
      jsonRpcError(res, 403, "This access token's scopes are narrower than the session's; open a new session");
      return;
    }
    // The session's tools were built for the config it opened with; after an update not one more message may use
    // them (the periodic closeStale would end the session only later).
    if (session.updatedAt !== row.updated_at) {
      this.sse.delete(sessionId);
      void session.server.close();
      jsonRpcError(res, 404, "Unknown SSE session: the server's configuration changed; connect again");
      return;
    }
    session.slot?.touch();
    await session.transport.handlePostMessage(req, res, req.body);
  };

  /** Ends SSE sessions whose server was deleted, expired or changed (a changed scope needs a new session). */
  async closeStale(isLive: (scope: string, updatedAt: number) => Promise<boolean>): Promise<void> {
    for (const [id, s] of this.sse) {
      if (!(await isLive(s.scope, s.updatedAt))) {
        this.sse.delete(id);
        await s.transport.close().catch(() => {});
        await s.server.close().catch(() => {});
      }
    }
  }

  get sseSessions(): number {
    return this.sse.size;
  }

  async closeAll(): Promise<void> {
    await this.closeStale(async () => false);
  }
}

/** The answer when serving failed unexpectedly: the request's id when it had one, and nothing about why. */
function jsonRpcInternal(res: Response, id: string | number | null): void {
  if (res.headersSent) return;
  res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id });
}

/** What admission established: the server, the work scope and an OAuth token's scopes. */
interface Admitted {
  row: ServerRow;
  scope: string;
  access?: readonly OAuthScope[];
}
