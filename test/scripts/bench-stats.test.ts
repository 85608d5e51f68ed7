// The benchmarks' load loops (scripts/bench-stats.ts) against real loopback servers: what they count is what the
// README's throughput figures are made of, so they are checked here rather than trusted.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cannonLoop, closedLoop } from '../../scripts/bench-stats.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server answering each POST with its body echoed after `delayMs`; every `badEvery`-th answer is a 500. */
async function echo(delayMs: number, badEvery = 0) {
  let n = 0;
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      const bad = badEvery > 0 && ++n % badEvery === 0;
      setTimeout(() => {
        res.writeHead(bad ? 500 : 200, { 'content-type': 'application/json' });
        res.end(bad ? '{"error":1}' : `{"result":${body}}`);
      }, delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, bodies };
}

const ok = (status: number, body: string) => status === 200 && body.includes('"result"');

describe('closedLoop', () => {
  it('makes exactly `calls` calls with at most `concurrency` in flight, counting failures', async () => {
    let inFlight = 0;
    let most = 0;
    let n = 0;
    const { latencies, errors } = await closedLoop(7, 50, async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (++n % 10 === 0) throw new Error('boom');
      return n % 10 !== 5;
    });
    expect(latencies).toHaveLength(50);
    expect(most).toBe(7);
    expect(errors).toBe(10); // 5 thrown, 5 answered false
  });
});

describe('cannonLoop', () => {
  it('splits connections across the URLs, sends the request as given, and counts each answer once', async () => {
    const a = await echo(5);
    const b = await echo(5);
    const request = { headers: { 'content-type': 'application/json' }, body: '{"n":1}' };
    const r = await cannonLoop([a.url, b.url], 4, 1, request, ok);
    expect(r.errors).toBe(0);
    expect(r.wall).toBe(1000);
    // Four connections at ~5 ms a call for 1 s: up to ~800 answers, not more than the delay allows (fewer on a
    // loaded machine).
    expect(r.calls).toBeGreaterThan(20);
    expect(r.calls).toBeLessThanOrEqual(4 * (1000 / 5) + 4);
    expect(r.latencies).toHaveLength(r.calls);
    expect(r.answered).toBeGreaterThanOrEqual(r.calls);
    // Both servers took their share, with the exact body.
    expect(a.bodies.length).toBeGreaterThan(r.calls / 4);
    expect(b.bodies.length).toBeGreaterThan(r.calls / 4);
    expect(new Set([...a.bodies, ...b.bodies])).toEqual(new Set(['{"n":1}']));
  });

  it('counts answers whose body fails the check as errors, and reports them', async () => {
    const a = await echo(2, 4);
    const failures: string[] = [];
    const r = await cannonLoop([a.url], 2, 1, { headers: {}, body: '{}' }, ok, (what) => failures.push(what));
    // Every fourth answer is a 500: a quarter of those in the window, give or take the window's edge.
    expect(r.errors).toBeGreaterThan(r.calls / 4 - 3);
    expect(r.errors).toBeLessThan(r.calls / 4 + 3);
    expect(failures[0]).toBe('500 {"error":1}');
  });
});
