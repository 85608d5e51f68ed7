// examples/billing-auditor, run as its header says, against a real service whose account points at a stub.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CaptureServer, json, startCaptureServer } from '../runtime/helpers.js';
import { cleanEnv, cliJson, type Service, startService, tempDataDir } from './helpers.js';

const ADMIN = 'sk-admin-AUDITORkey0123456789abcdefgh';
let stub: CaptureServer;
let service: Service;
const dataDir = tempDataDir();

beforeAll(async () => {
  stub = await startCaptureServer();
  stub.respond((_req, res) =>
    json(res, 200, {
      object: 'page',
      data: [
        {
          object: 'bucket',
          start_time: 1,
          end_time: 2,
          results: [
            { object: 'organization.costs.result', amount: { value: 1.5, currency: 'usd' }, project_id: 'proj_1' },
          ],
        },
      ],
      has_more: false,
      next_page: null,
    }),
  );
  service = await startService(dataDir);
});
afterAll(async () => {
  await service.stop();
  await stub.close();
});

it('creates a read-only billing server through REST, uses its URL, and deletes it', async () => {
  const account = cliJson(['accounts', 'add', '--name', 'org', '--base-url', stub.baseUrl, '--data-dir', dataDir], {
    env: { OPENAI_ADMIN_KEY: ADMIN },
  }).id;
  // As the example's header says: a token for this account only, with just the actions it needs.
  const token = cliJson([
    ...['management-tokens', 'create', '--name', 'auditor', '--accounts', account],
    ...['--actions', 'read,servers:write,tokens:write', '--expires-at', '+1d', '--data-dir', dataDir],
  ]).token;
  // Asynchronous: the stub lives in this process and must keep answering while the example runs.
  const r = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.resolve(import.meta.dirname, '../../examples/billing-auditor/index.ts')],
    {
      encoding: 'utf8',
      env: cleanEnv({ OPENAI_MCP_URL: service.url, OPENAI_MCP_MANAGEMENT_TOKEN: token, OPENAI_MCP_ACCOUNT: account }),
    },
  );
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ tools: 17, read_only: true, costs_ok: true });
  expect(out.costs.totals).toBeDefined();
  expect(stub.requests.map((q) => `${q.path} ${q.headers.authorization}`)).toEqual([
    `/v1/organization/costs Bearer ${ADMIN}`,
  ]);
  expect(cliJson(['servers', 'list', '--data-dir', dataDir])).toEqual([]);
});
