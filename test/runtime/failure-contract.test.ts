// Every failure a tool returns carries `structuredContent.error` with one of our kinds at `error.type`, so a
// client or a code-mode program can branch on it without reading prose. OpenAI's own fields sit under
// `error.upstream`, never beside our kind. One row per failure path.

import { describe, expect, it } from 'vitest';
import { TOOL_ERROR_TYPES } from '../../runtime/contract/index.js';
import { internalErrorResult } from '../../runtime/errors.js';
import { createCodeExposure } from '../../runtime/exposure/code/index.js';
import type { CallToolResult } from '../../runtime/protocol.js';
import { tooManyTasksResult } from '../../runtime/server.js';
import { createToolkit } from '../../runtime/toolkit.js';
import { runWait } from '../../runtime/wait.js';
import { RunningCalls } from '../../service/abort.js';
import type { ServerRow } from '../../service/store/store.js';
import { fixtureCatalog, fixtureValidation } from '../fixtures/catalog.js';
import { fixtureKit, generatedKit, json, useCaptureServer } from './helpers.js';

const srv = useCaptureServer();

type Row = [path: string, run: () => Promise<CallToolResult> | CallToolResult, kind: string];

const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

const rows: Row[] = [
  ['unknown tool', () => fixtureKit(srv.baseUrl).callTool('no_such_tool', {}), 'unknown_tool'],
  [
    'missing credentials',
    () =>
      createToolkit({ catalog: fixtureCatalog, validation: fixtureValidation, baseUrl: srv.baseUrl, env: {} }).callTool(
        'models_list',
        {},
      ),
    'missing_credentials',
  ],
  ['invalid arguments', () => fixtureKit(srv.baseUrl).callTool('files_get', {}), 'invalid_arguments'],
  [
    'JSON nested too deep',
    () => {
      srv.respond((_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: deep(1200) }));
      });
      return fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-1' });
    },
    'result_too_deep',
  ],
  [
    'upstream HTTP error',
    () => {
      srv.respond((_q, res) => json(res, 404, { error: { type: 'invalid_request_error', message: 'No such file' } }));
      return fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-1' });
    },
    'upstream',
  ],
  [
    'redirect',
    () => {
      srv.respond((_q, res) => {
        res.writeHead(302, { location: 'https://elsewhere.example/' });
        res.end();
      });
      return fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-1' });
    },
    'redirect',
  ],
  [
    'wait: the polled object has no status',
    () => {
      srv.respond((_q, res) => json(res, 200, { id: 'ftjob-1', object: 'fine_tuning.job' }));
      return generatedKit(srv.baseUrl).callTool('wait_for_open_ai_fine_tuning_job_by_id', {
        fine_tuning_job_id: 'ftjob-1',
        timeout_seconds: 1,
      });
    },
    'no_status',
  ],
  [
    'wait: cancelled',
    () => {
      const tool = generatedKit(srv.baseUrl).tools.find((t) => t.wait)!;
      return runWait(tool, {}, { signal: AbortSignal.abort() }, async () => ({ content: [] }));
    },
    'cancelled',
  ],
  ['too many tasks', () => tooManyTasksResult('some_tool'), 'too_many_tasks'],
  ['internal error', () => internalErrorResult('some_tool', new Error('boom')), 'internal'],
  [
    'managed server: audit log unavailable',
    () =>
      new RunningCalls({
        store: { getServer: async () => undefined },
        maxConcurrentPerServer: 1,
        auditAccepting: () => false,
        log: () => {},
      })
        .guard({ id: 'srv_1', account_id: 'acct_1' } as ServerRow, fixtureKit(srv.baseUrl))
        .callTool('models_list', {}),
    'audit_unavailable',
  ],
  [
    'code mode: unknown meta-tool',
    () => createCodeExposure(fixtureKit(srv.baseUrl)).callTool('nope', {}),
    'unknown_tool',
  ],
  [
    'code mode: empty program',
    () => createCodeExposure(fixtureKit(srv.baseUrl)).callTool('execute_code', { code: '' }),
    'invalid_code',
  ],
];

describe('every failure result carries structuredContent.error with our kind at error.type', () => {
  it.each(rows)('%s', async (_path, run, kind) => {
    const r = await run();
    expect(r.isError).toBe(true);
    const error = (r.structuredContent as { error?: { type?: unknown } } | undefined)?.error;
    expect(error, JSON.stringify(r.content).slice(0, 300)).toBeTypeOf('object');
    expect(error?.type).toBe(kind);
    expect(TOOL_ERROR_TYPES).toContain(kind);
  });

  it("keeps OpenAI's own type, code and param under error.upstream", async () => {
    srv.respond((_q, res) =>
      json(
        res,
        429,
        { error: { type: 'requests', code: 'rate_limit_exceeded', message: 'Slow down', param: null } },
        { 'retry-after': '7', 'x-request-id': 'req_123' },
      ),
    );
    const r = await fixtureKit(srv.baseUrl).callTool('files_get', { file_id: 'file-1' });
    expect(r.structuredContent).toEqual({
      error: {
        type: 'upstream',
        message: 'Slow down',
        upstream: {
          status: 429,
          type: 'requests',
          code: 'rate_limit_exceeded',
          param: null,
          request_id: 'req_123',
          retry_after: 7,
        },
      },
    });
  });
});
