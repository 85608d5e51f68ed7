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
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_2026,
      'mcp-method': 'tools/call',
      'mcp-name': tool,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name: tool, arguments: args, _meta: envelope(clientName) },
    }),
  });
}

/** Whether an answer's body is a successful tool result (not a JSON-RPC error, not `isError`). */
export function answeredOk(status: number, text: string): boolean {
  return status >= 200 && status < 300 && text.includes('"result"') && !text.includes('"isError":true');
}
