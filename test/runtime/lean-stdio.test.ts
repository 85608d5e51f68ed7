// The stdio server's opening answers given before the v2 SDK is loaded (runtime/lean.ts) are the SDK's, byte for
// byte: each sequence below goes through `serveStdio` (the SDK from the first message) and `serveStdioLazily` (lean
// answers, then the SDK replayed them) on in-memory streams, and the two outputs must be identical — for the
// 2025-11-25, 2025-06-18 and 2025-03-26 handshakes, 2026-07-28 requests, and what the lean path leaves to the SDK
// (unsupported versions, malformed and oversized lines, messages out of their era). The happy paths must also be
// answered leanly (the SDK loaded only after the first list), or the test would pass without testing anything.

import { PassThrough } from 'node:stream';
import * as sdk from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../runtime/catalog.js';
import { type Exposure, exposeToolkit } from '../../runtime/exposure/index.js';
import { LeanAnswers } from '../../runtime/lean.js';
import {
  CLIENT_CAPABILITIES_META_KEY,
  LATEST_LEGACY_PROTOCOL_VERSION,
  LEGACY_PROTOCOL_VERSIONS,
  PROTOCOL_VERSION_META_KEY,
} from '../../runtime/protocol.js';
import { serverFactory } from '../../runtime/server.js';
import { serveStdio, serveStdioLazily, type StdioOptions } from '../../runtime/stdio.js';
import { MemoryTaskStore, TaskRunner } from '../../runtime/tasks.js';
import { createToolkit } from '../../runtime/toolkit.js';

const ENVELOPE = {
  [PROTOCOL_VERSION_META_KEY]: '2026-07-28',
  [CLIENT_CAPABILITIES_META_KEY]: { extensions: { 'io.modelcontextprotocol/tasks': {} } },
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
};

const line = (m: object) => JSON.stringify(m);
const init = (id: number, protocolVersion: string, extra: Record<string, unknown> = {}) =>
  line({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion,
      capabilities: { roots: { listChanged: true }, elicitation: { form: {} } },
      clientInfo: { name: 'c', version: '1' },
      ...extra,
    },
  });
const initialized = line({ jsonrpc: '2.0', method: 'notifications/initialized' });
const list = (id: number | string, params?: object) =>
  line({ jsonrpc: '2.0', id, method: 'tools/list', ...(params ? { params } : {}) });
const discover = (id: number, meta: object = ENVELOPE) =>
  line({ jsonrpc: '2.0', id, method: 'server/discover', params: { _meta: meta } });
// A call refused before any request to OpenAI (an unknown argument), so no upstream is needed.
const badCall = (id: number, meta?: object) =>
  line({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'list_all_open_ai_models', arguments: { nope: 1 }, ...(meta ? { _meta: meta } : {}) },
  });
const ping = (id: number) => line({ jsonrpc: '2.0', id, method: 'ping' });

interface Run {
  out: string;
  logs: string[];
  /** How many lines were out when the SDK was asked for (lazy path only). */
  linesAtLoad?: number;
}

/** Sends the lines one at a time (waiting for each request's answer, or a moment for the rest); returns stdout. */
async function run(
  lazy: boolean,
  lines: string[],
  opts: Partial<StdioOptions> = {},
  exposure: Exposure = 'all',
): Promise<Run> {
  const kit = createToolkit({ catalog: defaultCatalog, credentials: { apiKey: 'sk-test' } });
  const tools = exposeToolkit(kit, exposure, {});
  const logs: string[] = [];
  const tasks = { runner: new TaskRunner({ store: new MemoryTaskStore(), log: (m) => logs.push(m) }), scope: 'stdio' };
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const result: Run = { out: '', logs };
  const options: StdioOptions = { log: (m) => logs.push(m), stdin, stdout, smallHeap: false, ...opts };
  const done = lazy
    ? serveStdioLazily(
        async () => {
          result.linesAtLoad = out.split('\n').length - 1;
          return serverFactory(tools, { tasks });
        },
        new LeanAnswers(tools, { tasks: true }),
        options,
      )
    : serveStdio(serverFactory(tools, { tasks }), options);
  for (const l of lines) {
    const before = out.length;
    const id = (() => {
      try {
        return (JSON.parse(l) as { id?: unknown }).id;
      } catch {
        return undefined;
      }
    })();
    stdin.write(`${l}\n`);
    if (id === undefined) await new Promise((r) => setTimeout(r, 30));
    else for (let i = 0; i < 400 && out.length === before; i++) await new Promise((r) => setTimeout(r, 5));
  }
  stdin.end();
  await done;
  result.out = out;
  return result;
}

async function same(lines: string[], opts: Partial<StdioOptions> = {}, exposure: Exposure = 'all') {
  const viaSdk = await run(false, lines, opts, exposure);
  const lean = await run(true, lines, opts, exposure);
  expect(lean.out).toBe(viaSdk.out);
  expect(lean.logs.filter((l) => l.includes('differs'))).toEqual([]);
  return { viaSdk, lean };
}

describe('stdio opening answers before the SDK loads', () => {
  it("protocol.ts's constants are the SDK's", () => {
    expect(LEGACY_PROTOCOL_VERSIONS).toEqual(sdk.SUPPORTED_PROTOCOL_VERSIONS);
    expect(LATEST_LEGACY_PROTOCOL_VERSION).toBe(sdk.LATEST_PROTOCOL_VERSION);
    expect(PROTOCOL_VERSION_META_KEY).toBe(sdk.PROTOCOL_VERSION_META_KEY);
    expect(CLIENT_CAPABILITIES_META_KEY).toBe(sdk.CLIENT_CAPABILITIES_META_KEY);
  });

  for (const version of ['2025-11-25', '2025-06-18', '2025-03-26']) {
    it(`a ${version} handshake and list: the same bytes, answered before the SDK is loaded`, async () => {
      const { lean } = await same([init(1, version), initialized, list(2), badCall(3), ping(4), list(5)]);
      // initialize and tools/list were out before the SDK was asked for.
      expect(lean.linesAtLoad).toBeGreaterThanOrEqual(2);
      expect(lean.out.split('\n')[1]).toContain('"tools":[');
      expect(lean.out).toContain('"isError":true');
    }, 60_000);
  }

  it('2026-07-28: server/discover and tools/list with no handshake, then calls and refusals', async () => {
    const { lean } = await same([
      discover(1),
      list('two', { _meta: ENVELOPE }),
      badCall(3, ENVELOPE),
      list(4, { _meta: { ...ENVELOPE, [PROTOCOL_VERSION_META_KEY]: '2099-01-01' } }),
      list(5, { _meta: { [PROTOCOL_VERSION_META_KEY]: '2026-07-28' } }),
      list(6, { cursor: 'x', _meta: ENVELOPE }),
      list(7),
    ]);
    expect(lean.linesAtLoad).toBeGreaterThanOrEqual(2);
    expect(lean.out).toContain('"ttlMs"');
  }, 60_000);

  it('the discovery and code exposures list the same way', async () => {
    for (const exposure of ['discovery', 'code'] as const) {
      const a = await same([init(1, '2025-11-25'), initialized, list(2), ping(3)], {}, exposure);
      expect(a.lean.linesAtLoad).toBeGreaterThanOrEqual(2);
      const b = await same([list(1, { _meta: ENVELOPE }), ping(2)], {}, exposure);
      expect(b.lean.linesAtLoad).toBeGreaterThanOrEqual(1);
    }
  }, 60_000);

  it('what it leaves to the SDK is answered as the SDK alone would', async () => {
    // An initialize naming an unknown revision (the SDK offers its latest), or with capabilities it may refuse.
    await same([init(1, '1999-01-01'), initialized, list(2)]);
    await same([init(1, '2025-11-25', { capabilities: { roots: { listChanged: 'yes' } } }), initialized, list(2)]);
    await same([init(1, '2025-06-18', { clientInfo: { name: 'c', version: '1', icons: [{ src: 'x' }] } }), list(2)]);
    // A first 2026-07-28 request naming an unsupported revision, or missing an envelope key.
    await same([discover(1, { ...ENVELOPE, [PROTOCOL_VERSION_META_KEY]: '2099-01-01' }), discover(2)]);
    await same([discover(1, { [PROTOCOL_VERSION_META_KEY]: '2026-07-28' }), list(2, { _meta: ENVELOPE })]);
    // Messages of the other era, or with params the lean path does not read.
    await same([init(1, '2025-11-25'), initialized, list(2, { _meta: ENVELOPE }), list(3)]);
    await same([init(1, '2025-11-25'), initialized, list(2, { _meta: { progressToken: 9 } })]);
    await same([discover(1), list(2), init(3, '2025-11-25')]);
    await same([list(1), init(2, '2025-11-25'), list(3)]);
    await same([init(1, '2025-11-25'), init(2, '2025-11-25'), list(3)]);
  }, 120_000);

  it('malformed and oversized lines: the same answers, and the session goes on', async () => {
    await same([
      'this is not json',
      line({ jsonrpc: '2.0', id: 5, method: 7 }),
      line({ jsonrpc: '1.0', id: 6, method: 'initialize' }),
      init(1, '2025-11-25'),
      initialized,
      list(2),
    ]);
    const big = line({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: { pad: 'x'.repeat(20_000) } });
    await same([big, init(1, '2025-11-25'), initialized, list(2), big, list(3)], { maxMessageBytes: 10_000 });
    await same([discover(1), big, list(2, { _meta: ENVELOPE })], { maxMessageBytes: 10_000 });
    // A list over the reply limit is replaced by the same error on both paths.
    await same([init(1, '2025-11-25'), initialized, list(2), ping(3)], { maxReplyBytes: 4_000 });
  }, 120_000);

  it('stdin closing while the SDK loads: the calls that waited for it are still answered', async () => {
    const lines = [init(1, '2025-11-25'), initialized, list(2), badCall(3), ping(4)];
    const outputs: string[][] = [];
    for (const lazy of [false, true]) {
      const kit = createToolkit({ catalog: defaultCatalog, credentials: { apiKey: 'sk-test' } });
      const tools = exposeToolkit(kit, 'all', {});
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const opts = { log: () => {}, stdin, stdout, smallHeap: false };
      const done = lazy
        ? serveStdioLazily(async () => serverFactory(tools), new LeanAnswers(tools, { tasks: false }), opts)
        : serveStdio(serverFactory(tools), opts);
      stdin.end(`${lines.join('\n')}\n`);
      await done;
      outputs.push(out.split('\n').filter(Boolean).sort());
    }
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[0]).toHaveLength(4);
  }, 60_000);
});
