// Put read-only OpenAI billing tools (usage, costs, spend alerts and limits) next to your own tools in your own
// McpServer. In your project: `npm i openai-mcp-kit @modelcontextprotocol/server zod tsx`, copy this file, then
//   OPENAI_ADMIN_KEY=sk-admin-... npx tsx embed-in-your-server.ts
// (billing endpoints are organization endpoints: they take the admin key).
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { registerOpenAiTools } from 'openai-mcp-kit';
import { z } from 'zod';

const server = new McpServer({ name: 'my-finance-server', version: '1.0.0' });

// One of your own tools.
server.registerTool(
  'monthly_budget',
  { description: 'The monthly OpenAI budget of this team, in USD.', inputSchema: z.object({ team: z.string() }) },
  async ({ team }) => ({ content: [{ type: 'text', text: JSON.stringify({ team, budget_usd: 500 }) }] }),
);

// Methods and tags combine with AND: read tools tagged `billing` only.
const kit = registerOpenAiTools(server, { methods: ['read'], tags: ['billing'] });
process.stderr.write(`my-finance-server: 1 own tool + ${kit.tools.length} OpenAI billing tools\n`);

// No top-level await: this file also runs in a CommonJS project (npm init's default).
server.connect(new StdioServerTransport()).catch((err: Error) => {
  process.stderr.write(`my-finance-server: ${err.message}\n`);
  process.exit(1);
});
