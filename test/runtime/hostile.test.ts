// Hostile upstreams and hostile arguments against the toolkit, over real loopback HTTP: secrets stay out of
// every result however text is cut, redirects are never followed, and oversized or odd input gets a clear,
// small isError instead of a crash or a reply that would end a stdio session.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OptionError } from '../../runtime/option-error.js';
import { fixtureKit, json, startCaptureServer, textOf, type CaptureServer } from './helpers.js';
import { fixtureCatalog, fixtureValidation } from '../fixtures/catalog.js';
import { createToolkit } from '../../runtime/toolkit.js';
import { selectTools } from '../../runtime/filter.js';

let srv: CaptureServer;
let other: CaptureServer;
beforeAll(async () => {
  srv = await startCaptureServer();
  other = await startCaptureServer();
});
afterAll(async () => {
  await srv.close();
  await other.close();
});
beforeEach(() => {
  srv.requests.length = 0;
  other.requests.length = 0;
});

// Deliberately not `sk-...`: only exact-secret redaction can catch it, so a cut prefix would show.
const KEY = 'prj-KEY-0123456789abcdefghij';
const kit = (options: Parameters<typeof fixtureKit>[1] = {}) =>
  fixtureKit(srv.baseUrl, { credentials: { apiKey: KEY }, ...options });
const everything = (r: unknown) => JSON.stringify(r);

/** Every prefix of the key long enough to be worth something (6+ characters) must be absent. */
function expectNoKeyPrefix(text: string, key = KEY) {
  for (let n = key.length; n >= 6; n--)
    expect(text, `leaked ${n} characters of the key`).not.toContain(key.slice(0, n));
}

describe('redaction happens before any cut', () => {
  it('an upstream error message with the key at every offset around the 2,000-character cut', async () => {
    for (let offset = 2000 - KEY.length - 1; offset <= 2001; offset++) {
      srv.respond((_q, res) =>
        json(res, 401, { error: { message: `${'x'.repeat(offset)}${KEY} trailing`, type: 'auth' } }),
      );
      const r = await kit().callTool('models_list', {});
      expect(r.isError).toBe(true);
      expectNoKeyPrefix(everything(r));
    }
  });

  it('a non-JSON error body with the key at the cut', async () => {
    for (const offset of [2000 - KEY.length + 1, 2000 - 3, 1999]) {
      srv.respond(
        (_q, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end(`${'<'.repeat(offset)}${KEY}>`),
      );
      expectNoKeyPrefix(everything(await kit().callTool('models_list', {})));
    }
  });

  it('a text result cut at maxTextChars with the key straddling the cut', async () => {
    const cap = 300;
    for (let offset = cap - KEY.length; offset <= cap; offset++) {
      srv.respond(
        (_q, res) =>
          void res
            .writeHead(200, { 'content-type': 'text/plain' })
            .end(`${'t'.repeat(offset)}${KEY}${'u'.repeat(500)}`),
      );
      const r = await kit({ maxTextChars: cap }).callTool('files_content', { file_id: 'file-1' });
      expect(textOf(r)).toContain('[Truncated');
      expectNoKeyPrefix(everything(r));
    }
  });

  it('a JSON result cut at maxTextChars with the key inside a string', async () => {
    const cap = 300;
    for (let offset = cap - KEY.length - 20; offset <= cap; offset += 3) {
      srv.respond((_q, res) => json(res, 200, { id: 'x', note: `${'n'.repeat(offset)}${KEY}${'m'.repeat(400)}` }));
      const r = await kit({ maxTextChars: cap }).callTool('files_get', { file_id: 'file-1' });
      expectNoKeyPrefix(everything(r));
    }
  });

  it('echoed argument values, argument names and tool names with the key at their cuts', async () => {
    for (let offset = 30; offset <= 60; offset++) {
      const r = await kit().callTool('fine_tuning_jobs_list', { limit: `${'v'.repeat(offset)}${KEY}` });
      expect(textOf(r)).toContain('must be integer');
      expectNoKeyPrefix(everything(r));
    }
    for (let offset = 200 - KEY.length; offset <= 200; offset += 2) {
      expectNoKeyPrefix(everything(await kit().callTool('models_list', { [`${'n'.repeat(offset)}${KEY}`]: 1 })));
      expectNoKeyPrefix(everything(await kit().callTool(`${'t'.repeat(offset)}${KEY}`, {})));
    }
    expect(srv.requests).toHaveLength(0);
  });

  it('short keys are redacted too', async () => {
    const short = 'Zq7#k2';
    srv.respond((_q, res) => json(res, 401, { error: { message: `Incorrect API key provided: ${short}.` } }));
    const r = await kit({ credentials: { apiKey: short } }).callTool('models_list', {});
    expect(textOf(r)).toContain('Incorrect API key provided: [REDACTED].');
    expect(everything(r)).not.toContain(short);
  });

  it('keys as they appear JSON-escaped or percent-encoded', async () => {
    const odd = 'key"with\\odd/chars-0123456789';
    const escaped = JSON.stringify(odd).slice(1, -1);
    // Raw text (not parsed) that carries the escaped spelling, and a JSON body whose string holds the raw key.
    srv.respond(
      (_q, res) =>
        void res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`echo: ${escaped} and ${encodeURIComponent(odd)}`),
    );
    const r1 = await kit({ credentials: { apiKey: odd } }).callTool('models_list', {});
    expect(textOf(r1)).not.toContain(escaped);
    expect(textOf(r1)).not.toContain(encodeURIComponent(odd));
    expect(textOf(r1)).toContain('[REDACTED]');
    srv.respond((_q, res) => json(res, 200, { id: 'f', owner: odd }));
    const r2 = await kit({ credentials: { apiKey: odd } }).callTool('files_get', { file_id: 'f' });
    expect(everything(r2)).not.toContain(escaped.slice(0, 12));
    expect(textOf(r2)).toContain('[REDACTED]');
  });

  it('a base URL with user:password@ is refused at start-up without echoing the password', () => {
    const url = srv.baseUrl.replace('http://', 'http://admin:hunter2secret@');
    let caught: unknown;
    try {
      fixtureKit(url);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptionError);
    expect((caught as OptionError).code).toBe('credentials_in_url');
    expect((caught as OptionError).option).toBe('baseUrl');
    expect((caught as Error).message).not.toContain('hunter2');
    // Also for a URL that does not even parse.
    expect(() => fixtureKit('http://admin:hunter2secret@bad host/v1')).toThrow(/^(?!.*hunter2).*not a valid URL/);
  });
});

describe('redirects are never followed', () => {
  it('302 to another origin: isError with status and Location, nothing sent there', async () => {
    const target = `${other.baseUrl}/models`;
    srv.respond((_q, res) => void res.writeHead(302, { location: target }).end());
    const r = await kit({ credentials: { apiKey: KEY, organization: 'org-1', project: 'proj-1' } }).callTool(
      'models_list',
      {},
    );
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('HTTP 302');
    expect(textOf(r)).toContain(target);
    expect(r.structuredContent).toEqual({ error: { type: 'redirect', status: 302, location: target } });
    expect(srv.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it('307 on an upload: the file is not sent again anywhere', async () => {
    srv.respond((_q, res) => void res.writeHead(307, { location: `${other.baseUrl}/files` }).end());
    const r = await kit().callTool('files_create', {
      file: { content: 'secret file body', filename: 'a.txt' },
      purpose: 'assistants',
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('HTTP 307');
    expect(srv.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it('same-origin redirect to an admin path: the key is not sent there', async () => {
    srv.respond(
      (q, res) =>
        void (q.path === '/v1/models'
          ? res.writeHead(301, { location: '/v1/organization/admin_api_keys' }).end()
          : json(res, 200, { leaked: true })),
    );
    const r = await kit().callTool('models_list', {});
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('/v1/organization/admin_api_keys');
    expect(srv.requests.map((q) => q.path)).toEqual(['/v1/models']);
  });
});

describe('sizes that would end a stdio session', () => {
  it('a 6 MB upstream error message is cut (after redaction)', async () => {
    srv.respond((_q, res) =>
      json(res, 400, { error: { message: `${KEY} ${'e'.repeat(6_000_000)}`, type: 't'.repeat(100_000) } }),
    );
    const r = await kit().callTool('models_list', {});
    expect(everything(r).length).toBeLessThan(6000);
    expect(textOf(r)).toContain('[REDACTED]');
  });

  it('a 9 MB unknown argument name is echoed cut, and many unknown names are summarized', async () => {
    const r = await kit().callTool('models_list', { ['a'.repeat(9_000_000)]: 1 });
    expect(r.isError).toBe(true);
    expect(everything(r).length).toBeLessThan(3000);
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`arg${i}`, i]));
    const r2 = await kit().callTool('models_list', many);
    expect(textOf(r2)).toContain('and 4980 more');
    expect(srv.requests).toHaveLength(0);
  });

  it('a binary result over maxBinaryBytes is refused with the way to download it', async () => {
    srv.respond((_q, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(300_000, 7)));
    const r = await kit({ maxBinaryBytes: 200_000 }).callTool('files_content', { file_id: 'file-1' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('300000 bytes of image/png');
    expect(textOf(r)).toContain(`${srv.baseUrl}/files/file-1/content`);
    expect(textOf(r)).toContain('openai-mcp serve --http');
    expect(everything(r).length).toBeLessThan(2000);
    const ok = await kit({ maxBinaryBytes: 400_000 }).callTool('files_content', { file_id: 'file-1' });
    expect(ok.content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });
  });
});

describe('odd input gets a clear isError', () => {
  it('JSON nested 200k levels deep from upstream', async () => {
    const deep = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
    srv.respond((_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(deep));
    const r = await kit().callTool('files_get', { file_id: 'f' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('nests deeper than 1000 levels');
    srv.respond(
      (_q, res) =>
        void res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(`{"error":{"message":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`),
    );
    const e = await kit().callTool('files_get', { file_id: 'f' });
    expect(e.isError).toBe(true);
    expect(textOf(e)).toContain('HTTP 400');
    expect(textOf(e)).not.toMatch(/Internal error|call stack/);
  });

  it('deeply nested arguments', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const r = await kit().callTool('fine_tuning_jobs_list', { metadata: deep as Record<string, string> });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('deeper than 1000 levels');
    expect(srv.requests).toHaveLength(0);
  });

  it('a lone surrogate in an id names the argument and sends nothing', async () => {
    const r = await kit().callTool('files_get', { file_id: 'file-\uD800' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('file_id: contains an unpaired UTF-16 surrogate');
    const q = await kit().callTool('fine_tuning_jobs_list', { after: 'x\uDC00' });
    expect(textOf(q)).toContain('after: contains an unpaired UTF-16 surrogate');
    // A proper pair is fine.
    srv.respond((_q, res) => json(res, 200, { id: 'ok' }));
    expect((await kit().callTool('files_get', { file_id: 'file-\uD83D\uDE00' })).isError).toBeFalsy();
    expect(srv.requests).toHaveLength(1);
  });

  it('a non-string upstream message is shown as JSON', async () => {
    srv.respond((_q, res) => json(res, 400, { error: { message: { detail: 'bad thing', n: 2 }, code: 42 } }));
    const text = textOf(await kit().callTool('models_list', {}));
    expect(text).toContain('{"detail":"bad thing","n":2}');
    expect(text).toContain('code=42');
    expect(text).not.toContain('[object Object]');
  });

  it('base64 file content that decodes to 0 bytes is refused', async () => {
    for (const content of ['', '==', ' \n ']) {
      const r = await kit().callTool('files_create', {
        file: { content, encoding: 'base64', filename: 'a.bin' },
        purpose: 'assistants',
      });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain('file.content: decodes to 0 bytes');
    }
    expect(srv.requests).toHaveLength(0);
  });

  it('negative retry-after is clamped and an absent limit prints no undefined', async () => {
    srv.respond((_q, res) =>
      json(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '-30', 'x-ratelimit-reset-requests': '2s' }),
    );
    const r = await kit().callTool('models_list', {});
    const text = textOf(r);
    expect(text).toContain('retry-after=0s');
    expect(text).toContain('requests resets in 2s');
    expect(text).not.toContain('undefined');
    expect((r._meta as Record<string, { 'retry-after': number }>)['openai/ratelimit']!['retry-after']).toBe(0);
    srv.respond((_q, res) => json(res, 429, { error: { message: 'slow' } }, { 'retry-after-ms': '-500' }));
    expect(textOf(await kit().callTool('models_list', {}))).toContain('retry-after=0s');
  });

  it('argument errors come before the missing-key check', async () => {
    const noKey = createToolkit({
      catalog: fixtureCatalog,
      validation: fixtureValidation,
      baseUrl: srv.baseUrl,
      env: {},
    });
    const bad = await noKey.callTool('fine_tuning_jobs_list', { limit: 'ten' });
    expect(textOf(bad)).toContain('Invalid arguments');
    expect(textOf(bad)).toContain('limit');
    const good = await noKey.callTool('fine_tuning_jobs_list', { limit: 10 });
    expect(textOf(good)).toContain('Missing credentials');
    expect(srv.requests).toHaveLength(0);
  });
});

describe('filter messages', () => {
  it('an unknown tool gets the closest names, not the whole list', () => {
    let caught: unknown;
    try {
      selectTools(fixtureCatalog, { tools: ['files_gte'] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptionError);
    const e = caught as OptionError;
    expect(e.code).toBe('unknown_value');
    expect(e.option).toBe('tools');
    expect(e.details.unknown).toEqual(['files_gte']);
    expect(e.details.suggestions?.[0]).toBe('files_get');
  });
});
