// The management REST API under /v1, protected by an API token. Handlers only translate HTTP to `Management`
// calls; validation, storage and the answer objects live there, shared with the CLI.

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ServiceError } from '../errors.js';
import type { Management } from '../manage.js';
import type { Scopes } from '../scope.js';

export interface RestOptions {
  manage: Management;
  scopes: Scopes;
  publicUrl: string;
  log: (line: string) => void;
}

function requireApiToken(scopes: Scopes) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!(await scopes.apiTokenFromHeader(req.headers.authorization))) {
      res.set('WWW-Authenticate', 'Bearer realm="openai-mcp"');
      res
        .status(401)
        .json(
          new ServiceError(
            'unauthorized',
            'A valid API token is required: Authorization: Bearer <token> (create one with `openai-mcp api-tokens create`)',
          ).toJSON(),
        );
      return;
    }
    next();
  };
}

function intQuery(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n))
    throw new ServiceError('invalid_request', `${field} must be an integer`, field);
  return n;
}

/** A query parameter given at most once (`?account_id=a&account_id=b` is a mistake, not "no filter"). */
function singleQuery(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ServiceError('invalid_request', `${field} must be given once`, field);
  return value;
}

export function restRouter(options: RestOptions): Router {
  const { manage } = options;
  const r = express.Router();
  r.use(requireApiToken(options.scopes));
  // A body in another format would reach validation as "nothing" and get a confusing 400.
  r.use((req, _res, next) => {
    if ((req.method === 'POST' || req.method === 'PATCH') && !req.is(['application/json', 'application/*+json']))
      throw new ServiceError('unsupported_media_type', 'Content-Type must be application/json');
    next();
  });
  const param = (req: Request) => String(req.params.id);

  r.post('/accounts', async (req, res) => {
    res.status(201).json(await manage.createAccount(req.body));
  });
  r.get('/accounts', async (_req, res) => {
    res.json({ data: await manage.listAccounts() });
  });
  r.delete('/accounts/:id', async (req, res) => {
    await manage.removeAccount(param(req));
    res.json({ id: param(req), deleted: true });
  });
  r.post('/accounts/:id/mcp', async (req, res) => {
    const created = await manage.createServer(param(req), req.body, options.publicUrl);
    options.log(`created server ${created.id} for account ${created.account_id}`);
    res.status(201).json(created);
  });
  r.get('/mcp-servers', async (req, res) => {
    res.json(
      await manage.listServersPage(singleQuery(req.query.account_id, 'account_id'), {
        limit: intQuery(req.query.limit, 'limit'),
        after: singleQuery(req.query.after, 'after'),
      }),
    );
  });
  r.get('/mcp-servers/:id', async (req, res) => {
    res.json(await manage.getServer(param(req)));
  });
  r.patch('/mcp-servers/:id', async (req, res) => {
    const updated = await manage.updateServer(param(req), req.body, options.publicUrl);
    options.scopes.forget(updated.id);
    res.json(updated);
  });
  r.delete('/mcp-servers/:id', async (req, res) => {
    await manage.deleteServer(param(req));
    options.scopes.forget(param(req));
    res.json({ id: param(req), deleted: true });
  });
  r.get('/mcp-servers/:id/calls', async (req, res) => {
    const calls = await manage.calls(param(req), {
      limit: intQuery(req.query.limit, 'limit'),
      before: intQuery(req.query.before, 'before'),
    });
    res.json({ data: calls });
  });
  return r;
}
