// OpenAI's x-request-id travels with an error result, as openai-node's APIError.request_id, so a failed call
// can be traced with OpenAI support.
import { describe, expect, it } from 'vitest';
import { fixtureKit, json, textOf, useCaptureServer } from './helpers.js';

const srv = useCaptureServer();

describe('upstream error request id', () => {
  it('is in the text and in structuredContent when OpenAI sends one', async () => {
    srv.respond((_q, res) =>
      json(
        res,
        500,
        { error: { type: 'server_error', message: 'The server had an error.' } },
        { 'x-request-id': 'req_abc123' },
      ),
    );
    const r = await fixtureKit(srv.baseUrl).callTool('models_list', {});
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/HTTP 500 .*The server had an error\.\n.*\nRequest id: req_abc123$/s);
    expect(r.structuredContent).toHaveProperty('error.upstream.request_id', 'req_abc123');
  });

  it('is left out when there is none', async () => {
    srv.respond((_q, res) => json(res, 404, { error: { message: 'No such model.' } }));
    const r = await fixtureKit(srv.baseUrl).callTool('models_list', {});
    expect(textOf(r)).not.toContain('Request id');
    expect(r.structuredContent).toHaveProperty('error.upstream.status', 404);
    expect(r.structuredContent).not.toHaveProperty('error.upstream.request_id');
  });
});
