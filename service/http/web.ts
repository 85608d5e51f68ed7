// The Node side of the v2 SDK's web-standard MCP handler (`createMcpHandler(...).fetch`), lighter than the node
// adapter's `toNodeHandler` on the hot path. Profiled under bench:http, building a full `Request` per call (undici
// copies and validates every header, re-serializes the already parsed body, and makes and links an AbortSignal) and
// reading the `Response` back as a web stream were about an eighth of the service's CPU per tools/call.
//
// What the handler reads of a request whose body is already parsed (`parsedBody`): `method`, `headers.get(name)`
// (content type, accept, the MCP-* headers, host and origin), `signal`, and `url` in some error paths; the body
// itself never. So an express-parsed POST gets a view of exactly that over Node's own request; a request without a
// parsed body (never on the hot path: the JSON parser runs first on every MCP route) gets the adapter's full
// conversion. test/service/mcp-2026.test.ts, managed-http.test.ts and inflight.test.ts cover both protocol eras,
// refusals and cancellation through this path.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWebRequest } from '@modelcontextprotocol/node';

/** `Headers#get` over Node's (lower-cased, duplicates joined) header object. */
class NodeHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/**
 * The request the SDK's handler is given: a read-only view of `req` when express parsed its body (passed beside it as
 * `parsedBody`), else the node adapter's full `Request`.
 */
export async function webRequestOf(req: IncomingMessage, parsedBody: unknown, signal: AbortSignal): Promise<Request> {
  if (parsedBody === undefined) return toWebRequest(req, undefined, { signal });
  const method = (req.method ?? 'GET').toUpperCase();
  const view = {
    method,
    url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
    headers: new NodeHeaders(req.headers),
    signal,
    body: null,
  };
  // A structural view, not a Request: see the module comment for what the handler reads.
  return view as unknown as Request;
}

/**
 * Writes a handler's `Response` to `res`: a JSON answer (the hot path) in one piece; an event stream chunk by chunk,
 * honouring backpressure and stopping when `signal` aborts (the client went away).
 */
export async function writeWebResponse(res: ServerResponse, response: Response, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  if (response.body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  if (!(headers['content-type'] ?? '').startsWith('text/event-stream')) {
    const body = Buffer.from(await response.arrayBuffer());
    if (res.destroyed) return;
    headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  // Event streams: written as they come (a long call's progress, `subscriptions/listen`). The head goes out with the
  // first event, not before: until then a proxy in front can still answer a replica's death with a 502 of its own.
  res.writeHead(response.status, headers);
  let drained: (() => void) | undefined;
  const release = () => {
    drained?.();
    drained = undefined;
  };
  res.on('drain', release);
  const closed = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    for await (const chunk of response.body) {
      if (signal.aborted) break;
      if (!res.write(chunk))
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          closed,
        ]);
    }
  } catch {
    /* the stream was cancelled or errored: end what was sent */
  } finally {
    res.off('drain', release);
    res.end();
  }
}
