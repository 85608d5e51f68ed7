// Two `openai-mcp serve --http` replicas on one PostgreSQL database behind a round-robin loopback proxy, reached by
// a real SDK client: a server created, narrowed, expired or revoked through replica A takes effect on replica B's
// next request (measured: the time from A's answer to B's first changed answer), and killing one replica mid-load
// loses no call the proxy could route elsewhere.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CaptureServer, json, startCaptureServer } from '../helpers/capture-server.js';
import { freshDatabase, pgSkip } from '../helpers/postgres.js';
import { type RoundRobin, startRoundRobin } from '../../testing/round-robin.js';
import {
  cliJson,
  connect,
  restClient,
  type Service,
  startService,
  tempDataDir,
  textOf,
  allAccessToken,
} from './helpers.js';

const KEYS = { api_key: 'sk-proj-REPLICAprojectKEY0123456789', admin_key: 'sk-admin-REPLICAadminKEY0123456789' };
const COSTS = 'list_all_open_ai_costs';

describe.skipIf(!!pgSkip)(`two replicas on one Postgres${pgSkip ? ` (${pgSkip})` : ''}`, () => {
  let database: string;
  let env: Record<string, string>;
  let stub: CaptureServer;
  let proxy: RoundRobin;
  let a: Service;
  let b: Service;
  let token: string;
  let restA: ReturnType<typeof restClient>;
  let accountId: string;
  const answers: string[] = [];
  const origin = (url: string) => new URL(url).origin;
  /** A server URL (the proxy's) pointed at one replica directly. */
  const via = (url: string, replica: Service) => url.replace(proxy.url, origin(replica.url));

  beforeAll(async () => {
    database = await freshDatabase('replicas');
    env = { OPENAI_MCP_DATABASE_URL: database, OPENAI_MCP_SECRET_KEY: 'r'.repeat(40) };
    stub = await startCaptureServer();
    stub.respond((_req, res) => json(res, 200, { object: 'page', data: [], has_more: false }));
    proxy = await startRoundRobin();
    // Both start at once on a new database: one migrates, the other waits for it.
    // The per-server limits (per replica) are raised above this file's load: it tests routing, not the limits.
    const args = ['--public-url', proxy.url, '--max-concurrent-per-server', '1000', '--rate-per-server', '100000'];
    const started = await Promise.all([1, 2].map(() => startService(tempDataDir(), args, env)));
    a = started[0]!;
    b = started[1]!;
    proxy.setBackends([origin(a.url), origin(b.url)]);
    token = allAccessToken('ops', tempDataDir(), env);
    restA = restClient(a.url, answers);
    const acc = await restA('POST', '/v1/accounts', {
      token,
      body: { name: 'acme', base_url: stub.baseUrl, ...KEYS },
    });
    expect(acc.status, acc.text).toBe(201);
    accountId = acc.body.id;
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await proxy?.close();
    await stub?.close();
  });

  /** Milliseconds from now until `check` (run every 10 ms) holds. */
  async function until(check: () => Promise<boolean>, limitMs = 5_000): Promise<number> {
    const start = performance.now();
    while (!(await check())) {
      if (performance.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return performance.now() - start;
  }

  const listed = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();

  it('serves one URL from both replicas, and sees create, narrow, expire and revoke through A on B at once', async () => {
    const created = await restA('POST', `/v1/accounts/${accountId}/mcp`, {
      token,
      body: { name: 'billing', config: { methods: ['read'], tags: ['billing'] } },
    });
    expect(created.status, created.text).toBe(201);
    const url: string = created.body.url;
    expect(url.startsWith(`${proxy.url}/mcp/`)).toBe(true);

    // Through the proxy: a real SDK client, its requests alternating between the replicas.
    const client = await connect(url);
    const before = new Map(proxy.served);
    for (let i = 0; i < 6; i++) {
      const r = await client.callTool({ name: COSTS, arguments: { start_time: 1_700_000_000 } });
      expect(r.isError, textOf(r)).toBeFalsy();
    }
    for (const replica of [a, b])
      expect((proxy.served.get(origin(replica.url)) ?? 0) - (before.get(origin(replica.url)) ?? 0)).toBeGreaterThan(0);
    await client.close();

    // B directly, to time what it sees after each change made through A.
    const onB = await connect(via(url, b));
    const wide = await listed(onB);
    expect(wide.length).toBeGreaterThan(1);
    const narrowed = await restA('PATCH', `/v1/mcp-servers/${created.body.id}`, {
      token,
      body: { config: { tools: [COSTS] } },
    });
    expect(narrowed.status, narrowed.text).toBe(200);
    const narrowMs = await until(async () => (await listed(onB)).join() === COSTS);

    // Expiry: the shortest the API accepts is a minute away, so time is moved instead: the row's expiry is set to
    // the past in the shared database, as the clock would, and B must refuse its next request.
    const refused = async () => {
      const r = await fetch(via(url, b), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      await r.text();
      return r.status === 404;
    };
    expect(await refused()).toBe(false);
    const sqlClient = new pg.Client(database);
    await sqlClient.connect();
    await sqlClient.query('update mcp_servers set expires_at = $1 where id = $2', [Date.now() - 1, created.body.id]);
    await sqlClient.end();
    const expireMs = await until(refused);
    await onB.close();

    // A second server, deleted through A: B refuses its next request.
    const other = await restA('POST', `/v1/accounts/${accountId}/mcp`, { token, body: { name: 'other' } });
    const otherOnB = via(other.body.url, b);
    const c2 = await connect(otherOnB);
    expect((await c2.listTools()).tools.length).toBeGreaterThan(0);
    await c2.close();
    expect((await restA('DELETE', `/v1/mcp-servers/${other.body.id}`, { token })).status).toBe(200);
    const t0 = performance.now();
    const url2 = other.body.url as string;
    const check = async () => {
      const r = await fetch(via(url2, b), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      await r.text();
      return r.status === 404;
    };
    await until(check);
    const revokeMs = performance.now() - t0;

    process.stderr.write(
      `[replicas] visible on replica B after a change through A: narrow ${narrowMs.toFixed(0)} ms, expiry ${expireMs.toFixed(0)} ms, delete ${revokeMs.toFixed(0)} ms\n`,
    );
    // The goal is 1 s; each replica reads the server's row on every request, so it is one round trip here.
    for (const ms of [narrowMs, expireMs, revokeMs]) expect(ms).toBeLessThan(1000);
  });

  it('honours a dashboard session on the replica that did not create it; logout or revocation on one ends it on both', async () => {
    const loginOn = async (replica: Service, t: string) => {
      const form = await fetch(`${origin(replica.url)}/ui/login`);
      const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
      const res = await fetch(`${origin(replica.url)}/ui/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ token: t, csrf }).toString(),
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      return (res.headers.getSetCookie().find((c) => c.startsWith('omcp_ui=')) ?? '').split(';')[0]!;
    };
    const pageOn = (replica: Service, cookie: string) =>
      fetch(`${origin(replica.url)}/ui`, { headers: { cookie }, redirect: 'manual' });
    const cookie = await loginOn(a, token);
    expect((await pageOn(b, cookie)).status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await pageOn(b, cookie)).text())?.[1] ?? '';
    const out = await fetch(`${origin(b.url)}/ui/logout`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: 'manual',
    });
    expect(out.status).toBe(303);
    expect((await pageOn(a, cookie)).status).toBe(303);
    // A token revoked through B: its session made on A ends on A.
    const minted = await restA('POST', '/v1/management-tokens', {
      token,
      body: { name: 'dash', accounts: '*', actions: ['read'] },
    });
    expect(minted.status, minted.text).toBe(201);
    const second = await loginOn(a, minted.body.token);
    expect((await pageOn(b, second)).status).toBe(200);
    const revoked = await restClient(b.url, answers)('DELETE', `/v1/management-tokens/${minted.body.id}`, { token });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await pageOn(a, second)).status).toBe(303);
  });

  it('keeps serving when one replica is killed mid-load: only calls it had taken can fail', async () => {
    const created = await restA('POST', `/v1/accounts/${accountId}/mcp`, {
      token,
      body: { name: 'load', config: { tools: [COSTS] } },
    });
    const clients = await Promise.all([1, 2, 3, 4].map(() => connect(created.body.url)));
    const upstreamBefore = stub.requests.length;
    const failedBefore = proxy.failed;
    let ok = 0;
    let errors = 0;
    let killed = false;
    let afterKill = 0;
    let errorsAfterKill = 0;
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 40; i++) {
          if (!killed && ok >= 40) {
            killed = true;
            b.child.kill('SIGKILL');
          }
          const wasKilled = killed;
          try {
            const r = await client.callTool({ name: COSTS, arguments: { start_time: 1_700_000_000 } });
            if (r.isError) throw new Error(textOf(r));
            ok++;
            if (wasKilled) afterKill++;
          } catch {
            errors++;
            if (wasKilled) errorsAfterKill++;
          }
        }
      }),
    );
    for (const c of clients) await c.close().catch(() => {});
    const upstream = stub.requests.length - upstreamBefore;
    // Rows on the database for this server: every call A completed, and those B wrote before it died.
    const db = new pg.Client(database);
    await db.connect();
    const rows = Number(
      (await db.query('select count(*) as n from tool_calls where server_id = $1', [created.body.id])).rows[0].n,
    );
    await db.end();
    process.stderr.write(
      `[replicas] SIGKILL of B mid-load: ${ok} calls answered, ${errors} failed (${proxy.failed - failedBefore} taken by B when it died), ${afterKill} answered after the kill; ${upstream} upstream requests, ${rows} audit rows (at most ${Math.max(0, upstream - rows)} rows lost)\n`,
    );
    expect(killed).toBe(true);
    expect(afterKill).toBeGreaterThan(0);
    // A call fails only if B had taken it when it died (the proxy re-routes a refused connection, not a taken call).
    expect(errors).toBe(proxy.failed - failedBefore);
    expect(errors).toBeLessThanOrEqual(clients.length);
    expect(ok + errors).toBe(160);
    expect(errorsAfterKill).toBeLessThanOrEqual(clients.length);
  });
});
