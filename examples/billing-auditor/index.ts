// A billing auditor: asks a running `openai-mcp serve --http` for a read-only, billing-only server that expires in
// an hour and also needs a client token, issues that client token, connects an MCP client with the URL and the token,
// reads the last 7 days of costs, then deletes the server (which ends the client token's use too).
//
//   openai-mcp serve --http &                                  # once, with accounts added
//   openai-mcp management-tokens create --name auditor --accounts acc_... \
//     --actions read,servers:write,tokens:write --expires-at +30d
//   OPENAI_MCP_URL=http://127.0.0.1:8787 OPENAI_MCP_MANAGEMENT_TOKEN=omcpadm_... OPENAI_MCP_ACCOUNT=acc_... \
//     npx tsx examples/billing-auditor/index.ts

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const base = process.env.OPENAI_MCP_URL ?? 'http://127.0.0.1:8787';
// A management token: it administers; it is never what the MCP client sends.
const managementToken = process.env.OPENAI_MCP_MANAGEMENT_TOKEN;
const account = process.env.OPENAI_MCP_ACCOUNT;
if (!managementToken || !account) {
  process.stderr.write(
    'Set OPENAI_MCP_MANAGEMENT_TOKEN (openai-mcp management-tokens create) and OPENAI_MCP_ACCOUNT (openai-mcp accounts list).\n',
  );
  process.exit(2);
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${managementToken}`, 'content-type': 'application/json' },
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
  auth: 'url+client-token',
});
// What the MCP client holds besides the URL: a client token bound to this one server, with no REST rights.
const clientToken = await api('POST', '/v1/client-tokens', {
  name: 'billing-auditor',
  servers: [server.id],
  expires_at: server.expires_at,
});

const client = new Client({ name: 'billing-auditor', version: '1.0.0' });
try {
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${clientToken.token}` } },
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
