// LangChain's MCP adapters (the real package, 1.1.4) over stdio, against the built server: each listed tool becomes a
// LangChain tool whose input LangChain checks itself before calling. Its converter keeps one type of a union, so an
// object|string union became an object and LangChain refused `voice: "alloy"`; listed as one string, both forms
// (a voice name, a custom voice's `{"id": …}`) get through and OpenAI receives what the spec describes.
import { loadMcpTools } from '@langchain/mcp-adapters';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../service/helpers.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';

let stub: CaptureServer;
let client: Client;

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'audio/mpeg' }).end('ID3');
  });
  client = new Client({ name: 'langchain-test', version: '1' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--tools', 'create_a_open_ai_audio_speech,create_a_open_ai_response'],
      env: {
        PATH: process.env.PATH ?? '',
        OPENAI_API_KEY: 'sk-proj-LANGCHAINtest0123456789',
        OPENAI_BASE_URL: stub.baseUrl,
        OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS: '1',
      },
      stderr: 'ignore',
    }),
  );
});
afterAll(async () => {
  await client?.close();
  await stub?.close();
});

describe('@langchain/mcp-adapters 1.1.4', () => {
  it('takes a voice name and a custom voice as LangChain checks them, and OpenAI gets the spec forms', async () => {
    const tools = await loadMcpTools('openai', client);
    const speech = tools.find((t) => t.name.endsWith('create_a_open_ai_audio_speech'))!;
    expect(speech).toBeDefined();
    const base = { model: 'gpt-4o-mini-tts', input: 'hi' };
    await speech.invoke({ ...base, voice: 'alloy' });
    await speech.invoke({ ...base, voice: '{"id": "voice_123"}' });
    const sent = stub.requests
      .filter((r) => r.path.endsWith('/audio/speech'))
      .map((r) => JSON.parse(r.body.toString('utf8')).voice);
    expect(sent).toEqual(['alloy', { id: 'voice_123' }]);
  });

  it('lists every tool of the catalog without an object|string union left for its converter to break', async () => {
    const all = await client.listTools();
    for (const t of all.tools)
      expect(JSON.stringify(t.inputSchema), t.name).not.toMatch(/"anyOf":\[\{"type":"object"[^\]]*\{"type":"string"/);
  });
});
