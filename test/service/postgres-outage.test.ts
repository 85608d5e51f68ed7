// The shared database going away under a running replica: calls answer 503 with Retry-After and a message naming the
// database host (never its password), the process stays up, and serves again once the database is back. A server of
// its own (testing/postgres.ts), since it is stopped and started here.

import { rawToolCall } from '../../testing/mcp-2026.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../helpers/capture-server.js';
import { postgresBin, type RunningPostgres, startPostgres } from '../../testing/postgres.js';
import { SERVER_CACHE_MS } from '../../service/store/store.js';
import { restClient, type Service, startService, tempDataDir, allAccessToken } from './helpers.js';

const bin = postgresBin();
const KEYS = { api_key: 'sk-proj-OUTAGEprojectKEY0123456789' };

describe.skipIf(!bin)(
  `a replica when Postgres goes away${bin ? '' : ' (skipped: no PostgreSQL server binaries)'}`,
  () => {
    let postgres: RunningPostgres;
    let service: Service;
    let stub: CaptureServer;
    let url: string;

    beforeAll(async () => {
      postgres = await startPostgres(bin!);
      const admin = new pg.Client(postgres.url);
      await admin.connect();
      await admin.query('create database outage');
      await admin.end();
      const db = new URL(postgres.url);
      db.pathname = '/outage';
      stub = await startCaptureServer();
      stub.respond((_req, res) => json(res, 200, { object: 'page', data: [], has_more: false }));
      const env = { OPENAI_MCP_DATABASE_URL: db.toString(), OPENAI_MCP_SECRET_KEY: 'o'.repeat(40) };
      const token = allAccessToken('ops', tempDataDir(), env);
      service = await startService(tempDataDir(), [], env);
      const rest = restClient(service.url, []);
      const acc = await rest('POST', '/v1/accounts', {
        token,
        body: { name: 'acme', base_url: stub.baseUrl, ...KEYS },
      });
      const created = await rest('POST', `/v1/accounts/${acc.body.id}/mcp`, {
        token,
        body: { name: 's', config: { tools: ['list_all_open_ai_files'] } },
      });
      url = created.body.url;
    }, 120_000);

    afterAll(async () => {
      await service?.stop();
      await stub?.close();
      await postgres?.stop();
    });

    const callTool = async () => {
      const r = await rawToolCall(url, 'list_all_open_ai_files', {}, 'outage');
      return { status: r.status, retryAfter: r.headers.get('retry-after'), text: await r.text() };
    };

    it('answers 503 with Retry-After while it is down, stays up, and recovers when it is back', async () => {
      expect((await callTool()).status).toBe(200);
      await postgres.halt();
      // A replica reuses the server row it found for SERVER_CACHE_MS (the store's lookup cache): past that, every
      // call needs the database again.
      await new Promise((r) => setTimeout(r, SERVER_CACHE_MS + 50));
      const down = await callTool();
      expect(down.status).toBe(503);
      expect(down.retryAfter).toBe('1');
      expect(down.text).toContain(`127.0.0.1:${postgres.port}`);
      expect(down.text).not.toContain(postgres.password);
      expect(service.child.exitCode).toBeNull();
      const health = await fetch(`${service.url}/healthz`);
      expect(health.status).toBeLessThan(600);
      await postgres.resume();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await callTool()).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      expect(service.stderr()).not.toContain(postgres.password);
    });
  },
);
