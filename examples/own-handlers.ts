// Someone else's server that owns tools/list and tools/call: merge the OpenAI tools into its answers.
import { Server, type Tool } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { createOpenAiToolkit } from '../runtime/index.js';

const openai = createOpenAiToolkit({ tools: ['list_all_open_ai_models', 'get_single_open_ai_model_by_id'] });
const mine: Tool[] = [{ name: 'hello', inputSchema: { type: 'object' } }];

const server = new Server({ name: 'composite', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler('tools/list', async () => ({ tools: [...mine, ...openai.listTools()] }));
server.setRequestHandler('tools/call', async (request, ctx) => {
  if (request.params.name === 'hello') return { content: [{ type: 'text', text: 'hi' }] };
  // The MCP request's abort signal cancels the HTTP call.
  return openai.callTool(request.params.name, request.params.arguments, { signal: ctx.mcpReq.signal });
});
await server.connect(new StdioServerTransport());
