// The MCP endpoints of a managed server: Streamable HTTP at /mcp/<token> (stateless: a fresh transport per
// request, so any replica can answer any request) and the legacy HTTP+SSE pair /sse/<token> + /messages/<token>
// (stateful by nature: needs sticky sessions behind a load balancer).

import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import type { ExposedTools } from '../../runtime/exposure/types.js';
import { looksLikeServerId } from '../auth/modes.js';
import { checkResource } from '../auth/oauth/resource.js';
import type { OAuthService } from '../auth/oauth/router.js';
import type { OAuthScope } from '../auth/oauth/scopes.js';
import { createServerForTools } from '../../runtime/server.js';
import type { Scopes } from '../scope.js';
import type { ServerRow } from '../store/store.js';
import { InflightRequests } from './inflight.js';

export const AUTH_CHALLENGE = 'Bearer realm="openai-mcp", error="invalid_token"';

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
  /** The authorization server of `oauth` servers, whose resource is `/mcp/<server id>`. */
  oauth?: OAuthService;
  log: (line: string) => void;
}

export class McpRoutes {
  private readonly sse = new Map<
    string,
    { transport: SSEServerTransport; server: Server; serverId: string; updatedAt: number }
  >();
  /** Requests being answered on the stateless endpoint, so a later POST's `notifications/cancelled` can end them. */
  readonly inflight = new InflightRequests();

  constructor(private readonly options: McpRoutesOptions) {}

  /** Resolves the URL's token and the second-layer token; answers the refusal itself and returns undefined. */
  private async admit(req: Request, res: Response): Promise<ServerRow | undefined> {
    return (await this.admitWithScopes(req, res))?.row;
  }

  /** As admit, plus the narrowing scopes of an OAuth access token (`/mcp/<server id>`). */
  private async admitWithScopes(
    req: Request,
    res: Response,
  ): Promise<{ row: ServerRow; access?: OAuthScope[] } | undefined> {
    const token = String(req.params.token ?? '');
    if (this.options.oauth && looksLikeServerId(token)) {
      const check = await checkResource(this.options.oauth, req, token);
      if (!check.ok) {
        jsonRpcError(res, check.status, check.message, check.headers);
        return undefined;
      }
      res.locals.serverId = check.row.id;
      return { row: check.row, access: check.scopes };
    }
    const row = await this.options.scopes.serverFor(token);
    // One answer for unknown, deleted and expired servers: a URL reveals nothing about why it stopped working.
    if (!row) {
      jsonRpcError(res, 404, 'Unknown or expired MCP server URL');
      return undefined;
    }
    // For the access log, which names the server, never the token.
    res.locals.serverId = row.id;
    if (row.require_api_token_auth === 1) {
      if (!(await this.options.scopes.apiTokenFromHeader(req.headers.authorization))) {
        jsonRpcError(res, 401, 'This server requires Authorization: Bearer <API token>', {
          'WWW-Authenticate': AUTH_CHALLENGE,
        });
        return undefined;
      }
    }
    return { row };
  }

  /** POST|GET|DELETE /mcp/:token */
  streamable = async (req: Request, res: Response) => {
    const admitted = await this.admitWithScopes(req, res);
    if (!admitted) return;
    const { row, access } = admitted;
    await this.serveStreamable(req, res, await this.options.scopes.toolsFor(row, access), row.id);
  };

  /** Streamable HTTP for a given tool set (also the single-user `/mcp`). */
  async serveStreamable(req: Request, res: Response, tools: ExposedTools, label: string): Promise<void> {
    if (req.method === 'GET') {
      // Stateless: there is no session to push server-initiated messages on. 405 is the spec's way to say so.
      res
        .status(405)
        .set('Allow', 'POST, DELETE')
        .json({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Method not allowed: this server is stateless; use POST' },
          id: null,
        });
      return;
    }
    const server = createServerForTools(tools);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    server.onerror = (err) => this.options.log(`${label}: protocol error: ${err.message}`);
    this.inflight.cancelNamed(label, req.body);
    // Closing the server aborts its request handlers' signals.
    const untrack = this.inflight.track(label, req.body, () => void server.close());
    res.on('close', () => {
      untrack();
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  /** GET /sse/:token */
  sseOpen = async (req: Request, res: Response) => {
    const admitted = await this.admitWithScopes(req, res);
    if (!admitted) return;
    const { row, access } = admitted;
    const tools = await this.options.scopes.toolsFor(row, access);
    const token = String(req.params.token);
    const transport = new SSEServerTransport(`/messages/${encodeURIComponent(token)}`, res);
    const server = createServerForTools(tools);
    server.onerror = (err) => this.options.log(`${row.id}: protocol error: ${err.message}`);
    this.sse.set(transport.sessionId, { transport, server, serverId: row.id, updatedAt: row.updated_at });
    res.on('close', () => {
      this.sse.delete(transport.sessionId);
      void server.close();
    });
    await server.connect(transport);
  };

  /** POST /messages/:token?sessionId=… */
  sseMessage = async (req: Request, res: Response) => {
    const row = await this.admit(req, res);
    if (!row) return;
    const sessionId = typeof req.query.sessionId === 'string' ? req.query.sessionId : '';
    const session = this.sse.get(sessionId);
    if (!session || session.serverId !== row.id) {
      jsonRpcError(res, 404, 'Unknown SSE session');
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
    await session.transport.handlePostMessage(req, res, req.body);
  };

  /** Ends SSE sessions whose server was deleted, expired or changed (a changed scope needs a new session). */
  async closeStale(isLive: (serverId: string, updatedAt: number) => Promise<boolean>): Promise<void> {
    for (const [id, s] of this.sse) {
      if (!(await isLive(s.serverId, s.updatedAt))) {
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
