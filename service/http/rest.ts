// The management REST API under /v1, for management tokens (service/auth/). Handlers only translate HTTP to
// `Operations` calls, which check the token's scope, run the `Management` operation and audit it; validation,
// storage and the answer objects live there, shared with the CLI.

import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Credentials } from '../auth/credentials.js';
import { operatorOf, requireManagementToken } from '../auth/middleware.js';
import { ServiceError } from '../errors.js';
import { MAX_LIST } from '../manage/index.js';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { createServerForTools } from '../../runtime/server.js';
import { ADMIN_INSTRUCTIONS, adminTools } from '../admin-mcp.js';
import type { Operations } from '../operations.js';
import { webRequestOf, writeWebResponse } from './web.js';
import type { Scopes } from '../scope.js';

export interface RestOptions {
  ops: Operations;
  credentials: Credentials;
  scopes: Scopes;
  publicUrl: string;
  log: (line: string) => void;
  /** Parses the body; runs after the token check, so no body is read for a request without a valid token. */
  body: RequestHandler;
  /** Writes queued audit rows, so a listing of calls includes the ones just answered. */
  flushAudit?: () => Promise<void>;
}

/**
 * A page size or cursor: decimal digits only, so `1e3`, `0x10`, `-1` and `1.5` are 400s rather than numbers
 * JavaScript would read into something else.
 */
function intQuery(value: unknown, field: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= max))
    throw new ServiceError('invalid_request', `${field} must be a whole number from 1 to ${max}`, field);
  return n;
}

/** A query parameter given at most once (`?account_id=a&account_id=b` is a mistake, not "no filter"). */
function singleQuery(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ServiceError('invalid_request', `${field} must be given once`, field);
  return value;
}

export function restRouter(options: RestOptions): Router {
  const { ops } = options;
  const r = express.Router();
  // The token first: no body is read for a request without a valid management token.
  r.use(requireManagementToken(options.credentials));
  r.use(options.body);
  // Answers carry server URLs and tokens (once) and tenants' data: no cache may keep them.
  r.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // A body in another format would reach validation as "nothing" and get a confusing 400.
  r.use((req, _res, next) => {
    if ((req.method === 'POST' || req.method === 'PATCH') && !req.is(['application/json', 'application/*+json']))
      throw new ServiceError('unsupported_media_type', 'Content-Type must be application/json');
    next();
  });
  const param = (req: Request) => String(req.params.id);
  const op = (res: Response) => operatorOf(res);

  /** Declares a path's methods; any other method gets 405 with `Allow`. */
  const route = (
    path: string,
    handlers: Partial<Record<'get' | 'post' | 'patch' | 'delete', express.RequestHandler>>,
  ) => {
    const rt = r.route(path);
    const allow = (Object.keys(handlers) as (keyof typeof handlers)[]).map((m) => m.toUpperCase()).join(', ');
    for (const [method, handler] of Object.entries(handlers)) rt[method as keyof typeof handlers](handler!);
    rt.all((_req, res) => {
      res
        .status(405)
        .set('Allow', allow)
        .json(new ServiceError('method_not_allowed', `Method not allowed here; allowed: ${allow}`).toJSON());
    });
  };

  route('/accounts', {
    get: async (_req, res) => {
      res.json({ data: await ops.listAccounts(op(res)) });
    },
    post: async (req, res) => {
      res.status(201).json(await ops.createAccount(op(res), req.body));
    },
  });
  route('/accounts/:id', {
    get: async (req, res) => {
      res.json(await ops.getAccount(op(res), param(req)));
    },
    patch: async (req, res) => {
      res.json(await ops.updateAccount(op(res), param(req), req.body));
    },
    delete: async (req, res) => {
      await ops.removeAccount(op(res), param(req));
      res.json({ id: param(req), deleted: true });
    },
  });
  route('/accounts/:id/mcp', {
    post: async (req, res) => {
      const created = await ops.createServer(op(res), param(req), req.body, options.publicUrl);
      options.log(`created server ${created.id} for account ${created.account_id}`);
      res.status(201).json(created);
    },
  });
  route('/mcp-servers', {
    get: async (req, res) => {
      res.json(
        await ops.listServers(op(res), {
          accountId: singleQuery(req.query.account_id, 'account_id'),
          limit: intQuery(singleQuery(req.query.limit, 'limit'), 'limit', MAX_LIST),
          after: singleQuery(req.query.after, 'after'),
        }),
      );
    },
  });
  route('/mcp-servers/:id', {
    get: async (req, res) => {
      res.json(await ops.getServer(op(res), param(req)));
    },
    patch: async (req, res) => {
      const updated = await ops.updateServer(op(res), param(req), req.body, options.publicUrl);
      options.scopes.forget(updated.id);
      res.json(updated);
    },
    delete: async (req, res) => {
      await ops.deleteServer(op(res), param(req));
      options.scopes.forget(param(req));
      res.json({ id: param(req), deleted: true });
    },
  });
  route('/mcp-servers/:id/rotate-url', {
    post: async (req, res) => {
      const rotated = await ops.rotateServerUrl(op(res), param(req), options.publicUrl);
      options.scopes.forget(rotated.id);
      options.log(`rotated the URL of server ${rotated.id}`);
      res.json(rotated);
    },
  });
  route('/mcp-servers/:id/calls', {
    get: async (req, res) => {
      await options.flushAudit?.();
      const calls = await ops.calls(op(res), param(req), {
        limit: intQuery(singleQuery(req.query.limit, 'limit'), 'limit', 1000),
        before: intQuery(singleQuery(req.query.before, 'before'), 'before', Number.MAX_SAFE_INTEGER),
      });
      res.json({ data: calls });
    },
  });
  route('/management-tokens', {
    get: async (_req, res) => {
      res.json({ data: await ops.listManagementTokens(op(res)) });
    },
    post: async (req, res) => {
      res.status(201).json(await ops.createManagementToken(op(res), req.body));
    },
  });
  route('/management-tokens/:id', {
    delete: async (req, res) => {
      await ops.revokeToken(op(res), 'management', param(req));
      res.json({ id: param(req), revoked: true });
    },
  });
  route('/client-tokens', {
    get: async (req, res) => {
      res.json({ data: await ops.listClientTokens(op(res), singleQuery(req.query.server_id, 'server_id')) });
    },
    post: async (req, res) => {
      res.status(201).json(await ops.createClientToken(op(res), req.body));
    },
  });
  route('/client-tokens/:id', {
    delete: async (req, res) => {
      await ops.revokeToken(op(res), 'client', param(req));
      res.json({ id: param(req), revoked: true });
    },
  });
  // The admin MCP server: read-only tools over this service's records (service/admin-mcp.ts) for the token's
  // operator, Streamable HTTP without sessions (a fresh server per request, like a managed server's).
  route('/mcp', {
    post: async (req, res) => {
      const operator = op(res);
      const handler = createMcpHandler(
        () => createServerForTools(adminTools(ops, operator), { instructions: ADMIN_INSTRUCTIONS }),
        { legacy: 'stateless', onerror: (err) => options.log(`admin mcp: ${err.message}`) },
      );
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      await options.flushAudit?.();
      const response = await handler.fetch(await webRequestOf(req, req.body, abort.signal), {
        ...(req.body !== undefined ? { parsedBody: req.body } : {}),
      });
      await writeWebResponse(res, response, abort.signal);
    },
  });
  route('/audit-log', {
    get: async (req, res) => {
      res.json({
        data: await ops.events(op(res), {
          limit: intQuery(singleQuery(req.query.limit, 'limit'), 'limit', 1000),
          before: intQuery(singleQuery(req.query.before, 'before'), 'before', Number.MAX_SAFE_INTEGER),
        }),
      });
    },
  });
  return r;
}
