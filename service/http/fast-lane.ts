// The request this service answers most, a POST /mcp/<token> with a JSON body, run through the very handlers of its
// express route, in the same order, but without express's router and body-parser. Profiled under bench:http, routing
// (express's layer walk, path matching, parameter processing) and body-parser (type-is, content-type, raw-body's
// stream plumbing, iconv) were about a tenth of the service's CPU per tools/call.
//
// What stays identical: every check (access log, refused-upload budget, Host/Origin guard, declared body limit, token
// admission, rate and concurrency, stalled writes, depth and batch checks) is the route's own handler object, and
// errors go to the app's own error handler. Only a plainly canonical request takes this lane (exact path, no query,
// `Content-Type: application/json` without parameters, a declared length, no content encoding); anything else goes
// through express as before. test/service/fast-lane.test.ts sends the same requests, good and bad, to a service with
// and without the lane and compares the answers.

import { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import { firstSignificant } from './limits.js';

/** `/mcp/<token>` with a token of URL-safe characters only (nothing to decode) and no query string. */
const MCP_TOKEN_URL = /^\/mcp\/([A-Za-z0-9_.~-]+)$/;

/** What the access log reads as the route (express sets `req.route` to the matched route). */
export const MCP_TOKEN_ROUTE = '/mcp/:token';

/** The token of a request the lane takes, else undefined (express serves it). */
export function fastLaneToken(req: IncomingMessage): string | undefined {
  if (req.method !== 'POST') return undefined;
  const h = req.headers;
  if (h['content-type'] !== 'application/json' || h['content-encoding'] !== undefined) return undefined;
  // A declared length, as body-parser needs to see a body at all (a chunked upload goes through express).
  const length = h['content-length'];
  if (length === undefined || h['transfer-encoding'] !== undefined) return undefined;
  return MCP_TOKEN_URL.exec(req.url ?? '')?.[1];
}

/** An error as body-parser makes it: the app's error handler answers by `type`. */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, type, expose: true });
}

const BOM = [0xef, 0xbb, 0xbf];

/**
 * body-parser's JSON reading for a canonical request (UTF-8, declared length): the body read up to `limit` bytes,
 * `verify` run on the raw bytes, a UTF-8 BOM dropped (as iconv-lite does), an empty body taken as `{}`, anything
 * not starting with `{` or `[` refused (strict mode), then `JSON.parse`. The same errors, by `type`.
 */
export function leanJsonBody(options: { limit: number; verify: (buf: Uint8Array) => void }): RequestHandler {
  return (req, _res, next) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      next(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.limit) {
        // As raw-body: stop reading; the rest is discarded (or the connection cut) once the refusal is sent.
        req.pause();
        finish(bodyError(413, 'entity.too.large', 'request entity too large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      let buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      try {
        options.verify(buf);
      } catch (err) {
        finish(err);
        return;
      }
      if (buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2]) buf = buf.subarray(3);
      const first = firstSignificant(buf);
      if (buf.length === 0) req.body = {};
      else if (first !== 0x7b && first !== 0x5b) {
        finish(bodyError(400, 'entity.parse.failed', 'Unexpected token in JSON'));
        return;
      } else {
        try {
          req.body = JSON.parse(buf.toString('utf8'));
        } catch (err) {
          finish(bodyError(400, 'entity.parse.failed', (err as Error).message));
          return;
        }
      }
      finish();
    };
    const onError = (err: Error) => finish(bodyError(400, 'request.aborted', err.message));
    const onClose = () => {
      if (!req.complete) finish(bodyError(400, 'request.aborted', 'request aborted'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  };
}

/**
 * Request and response classes for `http.createServer` whose prototypes are linked once (`link`) to an express app's
 * request and response: the lane's requests then have express's methods from birth, instead of an
 * `Object.setPrototypeOf` on every request and response (what express's app.handle does, and the largest part of the
 * lane's own time in a profile). Requests express serves get its prototypes as before.
 */
export function expressShaped() {
  class LaneRequest extends IncomingMessage {}
  class LaneResponse<R extends IncomingMessage = IncomingMessage> extends ServerResponse<R> {}
  return {
    IncomingMessage: LaneRequest,
    ServerResponse: LaneResponse,
    link(app: Express): void {
      Object.setPrototypeOf(LaneRequest.prototype, app.request);
      Object.setPrototypeOf(LaneResponse.prototype, app.response);
    },
  };
}

/**
 * Runs the app-wide handlers, then the route's, on `req` as express's router does: each calls `next()` to go on;
 * `next(err)`, a throw or a rejected promise goes to `onError` (once). `req` and `res` are first set up as
 * `app.handle` sets them up.
 */
export function runLane(
  app: Express,
  token: string,
  chain: { app: readonly RequestHandler[]; route: readonly RequestHandler[] },
  onError: ErrorRequestHandler,
  rawReq: IncomingMessage,
  rawRes: ServerResponse,
): void {
  const req = rawReq as Request;
  const res = rawRes as Response;
  // As app.handle and the router set them up (the access log reads `route`, admission reads `params`).
  req.res = res;
  res.req = req;
  // Already express's when the server was made with `expressShaped()` classes linked to this app.
  if ((req as { app?: unknown }).app !== app) Object.setPrototypeOf(req, app.request);
  if ((res as { app?: unknown }).app !== app) Object.setPrototypeOf(res, app.response);
  res.locals ??= Object.create(null);
  req.originalUrl = req.url;
  req.baseUrl = '';
  req.params = {};
  const routeStart = chain.app.length;
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    try {
      onError(err, req, res, () => {});
    } catch {
      res.destroy();
    }
  };
  let i = 0;
  const next = (err?: unknown): void => {
    // As express's router: a falsy argument goes on, anything else is an error.
    if (i === routeStart && !err) {
      // Entering the route, as the router does: from here on the access log names it and `params` has the token.
      (req as { route?: unknown }).route = { path: MCP_TOKEN_ROUTE };
      req.params = { token };
    }
    const handler = err ? undefined : i < routeStart ? chain.app[i++] : chain.route[i++ - routeStart];
    if (!handler) {
      fail(err || new Error('fast lane: no handler answered the request'));
      return;
    }
    try {
      const r = handler(req, res, next) as unknown;
      if (r instanceof Promise) r.then(undefined, (e: unknown) => fail(e ?? new Error('Rejected promise')));
    } catch (e) {
      fail(e);
    }
  };
  next();
}
