// A low-level SDK Server that serves only OpenAI tools: listing uses the precomputed JSON Schemas.
//   OPENAI_ADMIN_KEY=sk-admin-... npx tsx examples/low-level-server.ts
import { Server } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { registerOpenAiTools } from '../runtime/index.js';

const server = new Server({ name: 'openai-billing', version: '1.0.0' }, { capabilities: { tools: {} } });
registerOpenAiTools(server, { tags: ['billing'], methods: ['read'] });
await server.connect(new StdioServerTransport());
