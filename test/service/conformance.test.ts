// The official MCP conformance suite (`@modelcontextprotocol/conformance`, from the npm registry, run on Node 22)
// against a managed server URL of a spawned `serve --http`: the stable 0.1.16 (2025 revisions) and the newest
// release, 0.2.0-alpha.12, with `--requirements 2026-07-28` (the scenarios that revision requires, plus the Tasks
// extension's). The suite drives HTTP only (`server --url`); it has no stdio mode.
//
// Every scenario this server can meaningfully pass is asserted check by check: each check SUCCESS, INFO or SKIPPED,
// except the ones listed below with the reason. The rest of the suite exercises features this server does not
// have (prompts, resources, sampling, elicitation, logging, completion, input_required rounds) or calls fixture
// tools (`test_simple_text`, `slow_compute`, `test_missing_capability`, `json_schema_2020_12_tool`, tools with
// x-mcp-header params) that only the suite's reference server defines; those are listed in NOT_APPLICABLE.
//
// Needs the npm registry or a warm npx cache. Skipped, saying so, only when npx cannot fetch the suite.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, type Service, startService, tempDataDir } from './helpers.js';

const OFFLINE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network request .* failed/i;

interface Suite {
  version: string;
  args: string[];
  /** Scenario → check id → why that check may fail here. */
  scenarios: Record<string, Record<string, string>>;
}

const FIXTURE = "calls a fixture tool only the suite's reference server defines";
const SUITES: Suite[] = [
  {
    version: '0.1.16',
    args: [],
    scenarios: {
      'server-initialize': {},
      ping: {},
      'tools-list': {},
      'tools-call-error': {},
      'dns-rebinding-protection': {},
      // 0.1.16 opens its streams on a session; 0.2's version (below) checks the stateless server and passes.
      'server-sse-multiple-streams': {
        'server-sse-multiple-streams-session': 'stateless: no MCP-Session-Id (a WARNING in 0.1.16)',
      },
    },
  },
  {
    version: '0.2.0-alpha.12',
    args: ['--requirements', '2026-07-28'],
    scenarios: {
      'server-stateless': {
        // Our -32022 lists every revision served on the URL (the 2025 ones through initialize), as issue 18 asks;
        // the suite wants only those server/discover lists (2026-07-28).
        'sep-2575-server-unsupported-version-error':
          '-32022 names the 2025 revisions too, which server/discover does not list',
        'sep-2575-server-rejects-undeclared-capability': FIXTURE,
        'sep-2575-missing-capability-http-400': FIXTURE,
      },
      'tools-list': {},
      'tools-call-error': {},
      'server-sse-multiple-streams': {},
      'dns-rebinding-protection': {},
      'http-header-validation': {},
      caching: {
        'sep-2549-prompts-list-caching-hints': 'no prompts: prompts/list is -32601',
        'sep-2549-resources-list-caching-hints': 'no resources: resources/list is -32601',
        'sep-2549-resources-templates-list-caching-hints': 'no resources: resources/templates/list is -32601',
      },
      'tasks-capability-negotiation': { 'tasks-per-request-meta-opt-in': FIXTURE },
      'tasks-dispatch-and-envelope': {
        'tasks-server-directed-creation-no-hint': FIXTURE,
        'sep-2663-durable-create-strong-consistency': FIXTURE,
      },
    },
  },
];

/** Scenarios run but not asserted, and why; a scenario in neither list fails the test (a new one gets a look). */
const NOT_APPLICABLE: Array<[RegExp, string]> = [
  [
    /^(prompts|resources)-|^sep-2164-resource-not-found$|^completion-complete$|^logging-set-level$|^tools-call-with-logging$/,
    'no prompts, resources, completions or logging',
  ],
  [/^tools-call-(sampling|elicitation)$|^elicitation-|^input-required-result-/, 'no tool asks the client for input'],
  [
    /^tools-call-(simple-text|image|audio|embedded-resource|mixed-content|with-progress)$|^json-schema-2020-12$/,
    FIXTURE,
  ],
  [
    /^tasks-/,
    `the others: ${FIXTURE} (slow_compute, failing_job); our Tasks are tested with our wait tools in mcp-2026*.test.ts`,
  ],
  [/^http-custom-header-server-validation$/, 'no tool has x-mcp-header parameters'],
  [/^server-session-lifecycle$|^server-sse-polling$/, 'stateless: no MCP-Session-Id, no resumable SSE'],
  [/^sep-2640-skills-/, 'no skills'],
];

let service: Service;
let url = '';
beforeAll(async () => {
  const dataDir = tempDataDir();
  const acc = cliJson(
    ['accounts', 'add', '--name', 'a', '--base-url', 'http://127.0.0.1:9/v1', '--data-dir', dataDir],
    {
      env: { OPENAI_API_KEY: 'sk-proj-conformance0123456789' },
    },
  );
  // The suite sends its requests back to back; the per-server rate guard (20/s, tested elsewhere) would answer
  // some with 429.
  service = await startService(dataDir, ['--rate-per-server', '100000']);
  url = cliJson([
    ...['servers', 'create', '--account', acc.id, '--name', 'conformance', '--methods', 'read', '--tags', 'files'],
    ...['--data-dir', dataDir, '--public-url', service.url],
  ]).url;
}, 60_000);
afterAll(() => service?.stop());

function runSuite(suite: Suite, out: string): Promise<{ code: number | null; log: string }> {
  const run = spawn(
    'npx',
    [
      ...['-y', '-p', 'node@22', '-p', `@modelcontextprotocol/conformance@${suite.version}`, '--'],
      ...['conformance', 'server', '--url', url, '-o', out, ...suite.args],
    ],
    { env: { ...process.env, npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  run.stdout.on('data', (c: Buffer) => (log += c));
  run.stderr.on('data', (c: Buffer) => (log += c));
  return new Promise((resolve) => run.on('exit', (code) => resolve({ code, log })));
}

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

describe.each(SUITES)('MCP conformance suite $version against a managed URL', (suite) => {
  it('passes every scenario this server can meaningfully pass', async (ctx) => {
    const out = mkdtempSync(path.join(tmpdir(), 'conformance-'));
    const { log } = await runSuite(suite, out);
    const dirs = readdirSync(out);
    if (dirs.length === 0 && OFFLINE.test(log))
      ctx.skip(`npx could not fetch @modelcontextprotocol/conformance@${suite.version} (offline?): ${log.slice(-300)}`);
    // The suite exits non-zero because most scenarios need features or fixtures this server does not have.
    const ran = dirs.map((d) => /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(d)?.[1] ?? d);
    const unexplained = ran.filter((n) => !(n in suite.scenarios) && !NOT_APPLICABLE.some(([re]) => re.test(n)));
    expect(unexplained, 'scenarios neither asserted nor listed as not applicable').toEqual([]);
    for (const [scenario, allowed] of Object.entries(suite.scenarios)) {
      const dir = dirs.find((d) => d.startsWith(`server-${scenario}-`));
      expect(dir, `${scenario} did not run:\n${log.slice(-2000)}`).toBeDefined();
      const checks = JSON.parse(readFileSync(path.join(out, dir!, 'checks.json'), 'utf8')) as Check[];
      const failed = checks
        .filter((c) => !['SUCCESS', 'INFO', 'SKIPPED'].includes(c.status) && !(c.id in allowed))
        .map((c) => `${c.id} ${c.status}: ${c.errorMessage}`);
      expect(failed, scenario).toEqual([]);
      if (scenario !== 'server-sse-multiple-streams' || suite.version !== '0.1.16')
        expect(
          checks.some((c) => c.status === 'SUCCESS'),
          `${scenario}: no check passed`,
        ).toBe(true);
    }
  }, 600_000);
});
