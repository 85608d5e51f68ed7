// A bare MCP 2026-07-28 `tools/call` over HTTP, with no handshake and no SDK: what a stateless host sends, and what
// the benchmarks and the store-fault tests load a managed URL with. One place for the headers and `_meta` envelope.

export const PROTOCOL_2026 = '2026-07-28';

/** The per-request `_meta` a 2026-07-28 request carries in place of the old handshake. */
export function envelope(clientName: string): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': PROTOCOL_2026,
    'io.modelcontextprotocol/clientInfo': { name: clientName, version: '0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
}

let nextId = 1;

/** POSTs one `tools/call` of `tool` to a server URL and returns the HTTP response. */
export function rawToolCall(
  url: string,
  tool: string,
  args: Record<string, unknown> = {},
  clientName = 'raw',
): Promise<Response> {
  return fetch(url, { method: 'POST', ...toolCallRequest(tool, args, clientName, nextId++) });
}

/** The headers and body of that request, for clients other than fetch (the benchmarks' load generator). */
export function toolCallRequest(
  tool: string,
  args: Record<string, unknown> = {},
  clientName = 'raw',
  id: number | string = 1,
): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_2026,
      'mcp-method': 'tools/call',
      'mcp-name': tool,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: tool, arguments: args, _meta: envelope(clientName) },
    }),
  };
}

/** Whether an answer's body is a successful tool result (not a JSON-RPC error, not `isError`). */
export function answeredOk(status: number, text: string): boolean {
  return status >= 200 && status < 300 && text.includes('"result"') && !text.includes('"isError":true');
}

/**
 * A loopback stand-in for OpenAI that answers every request with one small file list at once (the benchmarks'
 * upstream, so what is measured is the service), with keep-alive long enough for a whole run.
 */
export async function startFilesStub(
  headers: Record<string, string> = {},
): Promise<{ server: import('node:http').Server; url: string }> {
  const { createServer } = await import('node:http');
  const body = JSON.stringify({
    object: 'list',
    data: [{ id: 'file-1', object: 'file', bytes: 10, created_at: 1, filename: 'a.jsonl', purpose: 'batch' }],
    has_more: false,
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/v1` };
}
