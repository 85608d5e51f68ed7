// A stand-in for a managed server: the OpenAI tools over Streamable HTTP on loopback behind a bearer token, so the
// remote client configs (Claude Code `--transport http`, mcp-remote) can be started against something real.
// Stateless: each POST gets a fresh server and transport, as the SDK recommends for stateless deployments.
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createOpenAiMcpServer, type OpenAiToolsOptions } from '../../runtime/index.js';

export interface HttpMcp {
  url: string;
  /** Authorization header values seen, in order (to show the client sent the configured one). */
  authorizations: string[];
  close(): Promise<void>;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function startHttpMcp(token: string, options: OpenAiToolsOptions): Promise<HttpMcp> {
  const authorizations: string[] = [];
  const http = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    authorizations.push(auth);
    if (!same(auth, `Bearer ${token}`)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
      return;
    }
    const server = createOpenAiMcpServer(options);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500).end(err.message);
      });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
