// A billing auditor: asks a running `openai-mcp serve --http` for a read-only, billing-only server that expires in
// an hour, connects an MCP client to the URL it gets back, reads the last 7 days of costs, then deletes the server.
//
//   openai-mcp serve --http &                                  # once, with accounts added
//   OPENAI_MCP_URL=http://127.0.0.1:8787 OPENAI_MCP_API_TOKEN=omcpapi_... OPENAI_MCP_ACCOUNT=acc_... \
//     npx tsx examples/billing-auditor/index.ts

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const base = process.env.OPENAI_MCP_URL ?? 'http://127.0.0.1:8787';
const apiToken = process.env.OPENAI_MCP_API_TOKEN;
const account = process.env.OPENAI_MCP_ACCOUNT;
if (!apiToken || !account) {
  process.stderr.write(
    'Set OPENAI_MCP_API_TOKEN (openai-mcp api-tokens create) and OPENAI_MCP_ACCOUNT (openai-mcp accounts list).\n',
  );
  process.exit(2);
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const server = await api('POST', `/v1/accounts/${account}/mcp`, {
  name: 'billing-auditor',
  config: { methods: ['read'], tags: ['billing'] },
  expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  require_api_token_auth: true,
});

const client = new Client({ name: 'billing-auditor', version: '1.0.0' });
try {
  // The URL alone opens the server; with require_api_token_auth the API token is needed as well.
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${apiToken}` } },
    }),
  );
  const { tools } = await client.listTools();
  const weekAgo = Math.floor(Date.now() / 1000) - 7 * 86_400;
  const costs = await client.callTool({
    name: 'list_all_open_ai_costs',
    arguments: { start_time: weekAgo, group_by: ['project_id'] },
  });
  const out = {
    server: server.id,
    tools: tools.length,
    read_only: tools.every((t) => t.annotations?.readOnlyHint === true),
    costs_ok: !costs.isError,
    costs: costs.structuredContent ?? null,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} finally {
  await client.close();
  await api('DELETE', `/v1/mcp-servers/${server.id}`);
}
