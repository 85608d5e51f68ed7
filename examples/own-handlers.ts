// Someone else's server that owns tools/list and tools/call: merge the OpenAI tools into its answers.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { createOpenAiToolkit } from '../runtime/index.js';

const openai = createOpenAiToolkit({ tools: ['list_all_open_ai_models', 'get_single_open_ai_model_by_id'] });
const mine: Tool[] = [{ name: 'hello', inputSchema: { type: 'object' } }];

const server = new Server({ name: 'composite', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [...mine, ...openai.listTools()] }));
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  if (request.params.name === 'hello') return { content: [{ type: 'text', text: 'hi' }] };
  // The MCP request's abort signal cancels the HTTP call.
  return openai.callTool(request.params.name, request.params.arguments, { signal: extra.signal });
});
await server.connect(new StdioServerTransport());
