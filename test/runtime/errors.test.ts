import { describe, expect, it, vi } from 'vitest';
import { RATE_LIMIT_META_KEY } from '../../runtime/ratelimit.js';
import { fixtureKit, json, PROJECT_KEY, useCaptureServer, textOf } from './helpers.js';

const srv = useCaptureServer();

const RL_HEADERS = {
  'x-ratelimit-limit-requests': '500',
  'x-ratelimit-remaining-requests': '0',
  'x-ratelimit-reset-requests': '1m2.5s',
  'x-ratelimit-limit-tokens': '30000',
  'x-ratelimit-remaining-tokens': '12',
  'x-ratelimit-reset-tokens': '20ms',
};

describe('upstream errors (one request each, never retried)', () => {
  it('400 carries status, type, code, message and param', async () => {
    srv.respond((_q, res) =>
      json(res, 400, {
        error: {
          type: 'invalid_request_error',
          code: 'invalid_value',
          message: 'Invalid model "gpt-9".',
          param: 'model',
        },
      }),
    );
    const r = await fixtureKit(srv.baseUrl).callTool('models_list', {});
    expect(r.isError).toBe(true);
    const text = textOf(r);
    expect(text).toContain('HTTP 400');
    expect(text).toContain('type=invalid_request_error');
    expect(text).toContain('code=invalid_value');
    expect(text).toContain('param=model');
    expect(text).toContain('Invalid model "gpt-9".');
    expect(r.structuredContent).toEqual({
      error: {
        type: 'upstream',
        message: 'Invalid model "gpt-9".',
        upstream: { status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'model' },
      },
    });
    expect(srv.requests).toHaveLength(1);
  });

  it('401 redacts a key echoed by OpenAI', async () => {
    srv.respond((_q, res) =>
      json(res, 401, {
        error: {
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          message: `Incorrect API key provided: ${PROJECT_KEY}. Also sk-otherkeyABCDEFGHIJKLMNOP.`,
          param: null,
        },
      }),
    );
    const r = await fixtureKit(srv.baseUrl).callTool('models_list', {});
    expect(r.isError).toBe(true);
    const everything = JSON.stringify(r);
    expect(everything).toContain('HTTP 401');
    expect(everything).toContain('invalid_api_key');
    expect(everything).not.toContain(PROJECT_KEY);
    expect(everything).not.toContain('sk-otherkeyABCDEFGHIJKLMNOP');
    expect(everything).toContain('[REDACTED]');
    expect(srv.requests).toHaveLength(1);
  });

  it('404 with a non-JSON body still reports status and text', async () => {
    srv.respond((_q, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such route');
    });
    const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-missing' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('HTTP 404');
    expect(textOf(r)).toContain('no such route');
    expect(srv.requests).toHaveLength(1);
  });

  it('429 returns at once with retry-after and normalized rate-limit fields', async () => {
    srv.respond((_q, res) =>
      json(
        res,
        429,
        {
          error: {
            type: 'requests',
            code: 'rate_limit_exceeded',
            message: 'Rate limit reached for requests',
            param: null,
          },
        },
        { ...RL_HEADERS, 'retry-after': '7' },
      ),
    );
    const started = Date.now();
    const r = await fixtureKit(srv.baseUrl).callTool('models_list', {});
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.isError).toBe(true);
    expect(srv.requests).toHaveLength(1);
    expect(textOf(r)).toContain('HTTP 429');
    expect(textOf(r)).toContain('retry-after=7s');
    expect(textOf(r)).toContain('rate_limit_exceeded');
    expect(r._meta?.[RATE_LIMIT_META_KEY]).toEqual({
      requests: { 'ratelimit-limit': 500, 'ratelimit-remaining': 0, 'ratelimit-reset': 62.5 },
      tokens: { 'ratelimit-limit': 30000, 'ratelimit-remaining': 12, 'ratelimit-reset': 0.02 },
      'retry-after': 7,
    });
    expect(r.structuredContent).toHaveProperty('error.upstream.retry_after', 7);
    expect(textOf(r)).toMatch(
      /Rate limits: requests 0\/500 remaining, resets in 62\.5s; tokens 12\/30000 remaining, resets in 0\.02s/,
    );
  });

  it('500 is reported, not retried', async () => {
    srv.respond((_q, res) =>
      json(res, 500, { error: { type: 'server_error', code: null, message: 'The server had an error', param: null } }),
    );
    const r = await fixtureKit(srv.baseUrl).callTool('models_list', {});
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('HTTP 500');
    expect(textOf(r)).toContain('type=server_error');
    expect(srv.requests).toHaveLength(1);
  });

  it('a dropped connection is a network error, and the toolkit keeps working', async () => {
    srv.respond((_q, res) => {
      res.socket?.destroy();
    });
    const kit = fixtureKit(srv.baseUrl);
    const r = await kit.callTool('models_list', {});
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/Network error/);
    expect(srv.requests).toHaveLength(1);

    srv.respond((_q, res) => json(res, 200, { object: 'list', data: [] }));
    const again = await kit.callTool('models_list', {});
    expect(again.isError).toBeFalsy();
    expect(srv.requests).toHaveLength(2);
  });

  it('a slow upstream times out', async () => {
    srv.respond(() => new Promise(() => {}));
    const r = await fixtureKit(srv.baseUrl, { timeoutMs: 200 }).callTool('models_list', {});
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('did not answer within 200 ms');
    expect(srv.requests).toHaveLength(1);
  });

  it("the caller's abort signal cancels the fetch", async () => {
    srv.respond(() => new Promise(() => {}));
    const ac = new AbortController();
    const pending = fixtureKit(srv.baseUrl).callTool('models_list', {}, { signal: ac.signal });
    // Abort once the request is on the wire (a fixed delay is too short on a loaded machine).
    await vi.waitFor(() => expect(srv.requests).toHaveLength(1), { timeout: 10_000, interval: 10 });
    ac.abort();
    const r = await pending;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('cancelled');
    expect(srv.requests).toHaveLength(1);
  });

  /** An answer whose headers and first bytes arrive, then nothing: `closed` says when the connection went away. */
  function halfAnswer() {
    const state = { closed: false };
    srv.respond((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"object":"list","data":[');
      res.on('close', () => {
        state.closed = true;
      });
    });
    return state;
  }

  it('a body that stops half way times out, and its connection is closed', async () => {
    const state = halfAnswer();
    const r = await fixtureKit(srv.baseUrl, { timeoutMs: 300 }).callTool('models_list', {});
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('did not answer within 300 ms');
    await vi.waitFor(() => expect(state.closed).toBe(true), { timeout: 5_000, interval: 10 });
  });

  it("the caller's abort signal stops a body being read, and its connection is closed", async () => {
    const state = halfAnswer();
    const ac = new AbortController();
    const pending = fixtureKit(srv.baseUrl).callTool('models_list', {}, { signal: ac.signal });
    await vi.waitFor(() => expect(srv.requests).toHaveLength(1), { timeout: 10_000, interval: 10 });
    // Past the headers: the body is being read when the caller gives up.
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    const r = await pending;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('cancelled');
    await vi.waitFor(() => expect(state.closed).toBe(true), { timeout: 5_000, interval: 10 });
  });
});

describe('rate-limit fields on success', () => {
  it('puts normalized fields in _meta and a line in the text', async () => {
    srv.respond((_q, res) => json(res, 200, { id: 'file-1' }, RL_HEADERS));
    const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-1' });
    expect(r.isError).toBeFalsy();
    expect(r._meta?.[RATE_LIMIT_META_KEY]).toMatchObject({ requests: { 'ratelimit-remaining': 0 } });
    expect(textOf(r)).toContain('Rate limits:');
  });
});

describe('before any request', () => {
  it('a missing key names the env variable and sends nothing', async () => {
    srv.respond((_q, res) => json(res, 200, {}));
    const kit = fixtureKit(srv.baseUrl, { credentials: {}, env: {} });
    const project = await kit.callTool('models_list', {});
    expect(project.isError).toBe(true);
    expect(textOf(project)).toContain('OPENAI_API_KEY');
    const admin = await fixtureKit(srv.baseUrl, { credentials: { apiKey: PROJECT_KEY }, env: {} }).callTool(
      'admin_api_keys_list',
      {},
    );
    expect(admin.isError).toBe(true);
    expect(textOf(admin)).toContain('OPENAI_ADMIN_KEY');
    expect(srv.requests).toHaveLength(0);
  });

  it('invalid arguments name the path and expectation, and send nothing', async () => {
    const kit = fixtureKit(srv.baseUrl);
    const r = await kit.callTool('fine_tuning_jobs_create', {
      model: 'gpt-4o-mini',
      training_file: 'file-1',
      hyperparameters: { n_epochs: 'many' },
    });
    expect(r.isError).toBe(true);
    const text = textOf(r);
    expect(text).toContain('hyperparameters.n_epochs');
    expect(text).toContain('"auto"');
    expect(text).toContain('integer');
    expect(text).toContain('"many"');

    const missing = await kit.callTool('fine_tuning_jobs_create', { model: 'gpt-4o-mini' });
    expect(textOf(missing)).toContain('training_file: is required');

    const viaDefs = await kit.callTool('fine_tuning_jobs_create', {
      model: 'm',
      training_file: 'f',
      metadata: { k: 1 },
    });
    expect(textOf(viaDefs)).toContain('metadata.k: must be string');

    const unknown = await kit.callTool('models_delete', { model: 'x', force: true });
    expect(textOf(unknown)).toContain('force: unknown argument');

    const notObject = await kit.callTool('models_delete', [] as unknown as Record<string, unknown>);
    expect(notObject.isError).toBe(true);
    expect(srv.requests).toHaveLength(0);
  });
});
