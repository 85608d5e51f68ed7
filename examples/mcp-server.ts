// Add the OpenAI tools to your own McpServer, next to your own tools.
//   OPENAI_API_KEY=sk-... npx tsx examples/mcp-server.ts
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { registerOpenAiTools } from '../runtime/index.js';

const server = new McpServer({ name: 'my-server', version: '1.0.0' });

server.registerTool(
  'ping',
  { description: 'Answers pong.', inputSchema: z.object({ word: z.string().optional() }) },
  async () => ({
    content: [{ type: 'text', text: 'pong' }],
  }),
);

// Read-only fine-tuning and file tools only: methods and tags combine with AND.
const kit = registerOpenAiTools(server, { methods: ['read'], tags: ['fine-tuning', 'files'] });
process.stderr.write(`registered ${kit.tools.length} OpenAI tools\n`);

await server.connect(new StdioServerTransport());
