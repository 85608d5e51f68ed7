// A loopback load balancer for replica tests and benchmarks: each request goes to the next backend in turn (no
// stickiness, as Streamable HTTP needs none). A backend that refuses the connection is marked down and the request,
// which it never received, goes to the next one, as a load balancer's health check would arrange; a backend that
// fails after taking the request gets a 502 (the call may have run: it is not replayed).

import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from 'node:net';

export interface RoundRobin {
  url: string;
  /** Backends as origins (`http://127.0.0.1:1234`); may be set after the proxy starts (its URL is needed first). */
  setBackends(origins: string[]): void;
  /** Requests each backend answered, by origin. */
  served: Map<string, number>;
  /** Requests that failed after a backend took them (answered 502). */
  failed: number;
  close(): Promise<void>;
}

export async function startRoundRobin(): Promise<RoundRobin> {
  let backends: string[] = [];
  const down = new Set<string>();
  const served = new Map<string, number>();
  let next = 0;
  const state = { failed: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, tried: number) => {
    const live = backends.filter((b) => !down.has(b));
    if (!live.length || tried >= backends.length) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no backend');
      return;
    }
    const origin = live[next++ % live.length]!;
    const target = new URL(req.url ?? '/', origin);
    const up = request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      served.set(origin, (served.get(origin) ?? 0) + 1);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') {
        down.add(origin);
        forward(req, res, body, tried + 1);
        return;
      }
      state.failed++;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`backend failed: ${err.code}`);
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    up.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), 0));
  });
  // Longer than a client's idle keep-alive (undici: 4 s), so the client closes an idle socket, never this side while
  // the client reuses it (that race is an ECONNRESET for a request the backend never saw).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends(origins) {
      backends = origins;
      down.clear();
    },
    served,
    get failed() {
      return state.failed;
    },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The same balancer at the connection level (as a network load balancer): each client connection goes to the next
 * backend in turn and its bytes are piped both ways, unparsed. Streamable HTTP needs no stickiness, so this spreads
 * keep-alive connections, not requests. For benchmarks: on a 2-core machine the HTTP proxy above, which parses every
 * request and answer, costs the load generator's process about as much as the replicas' work it measures. No fault
 * handling beyond dropping a connection whose backend fails.
 */
export async function startTcpRoundRobin(): Promise<RoundRobin> {
  let backends: string[] = [];
  const served = new Map<string, number>();
  const sockets = new Set<Socket>();
  let next = 0;
  const server = createTcpServer((client) => {
    if (!backends.length) return client.destroy();
    const origin = backends[next++ % backends.length]!;
    const { hostname, port } = new URL(origin);
    const upstream = connect(Number(port), hostname);
    served.set(origin, (served.get(origin) ?? 0) + 1);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends(origins) {
      backends = origins;
    },
    served,
    failed: 0,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
