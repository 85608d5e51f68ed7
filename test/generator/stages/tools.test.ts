// classify → name → link → bind → describe on the fixture specs: each stage's decisions as a table.
import { pagingSentence } from '../../../runtime/contract/pages.js';
import { describe, expect, it } from 'vitest';
import { annotationsFor, classifyOperation } from '../../../generator/stages/classify.js';
import { routeAuth } from '../../../generator/stages/auth.js';
import { toolTitle } from '../../../generator/stages/description.js';
import { loadOverrides, reportOf } from '../../../generator/load/overrides.js';
import { linkTools } from '../../../generator/stages/links.js';
import { nameAll, type NamingInput } from '../../../generator/stages/name.js';
import { fitName, hashedName, NAME_BUDGET } from '../../../generator/util.js';
import { SpecError } from '../../../generator/errors.js';
import { buildFixture, fixtureOverrides, loadFixture, overridesOf, type FixtureName } from '../../helpers/fixtures.js';

async function classified(name: FixtureName) {
  const fx = await loadFixture(name);
  const ov = fixtureOverrides();
  const { ops } = routeAuth(fx.ops, ov);
  return { fx, ov, ops, cls: ops.map((op) => classifyOperation(fx.spec, op, fx.ops, ov)) };
}

describe('classify', () => {
  it.each([
    ['nullable-30', 'createJob', 'create', 'write', ['jobs']],
    ['nullable-30', 'getJob', 'get', 'read', ['jobs']],
    ['nullable-30', 'cancelJob', 'cancel', 'write', ['jobs']],
    ['beta-twins', 'listMessages', 'list', 'read', ['messages']],
    ['beta-twins', 'beta_createMessage', 'create', 'write', ['messages', 'beta']],
    ['name-clash', 'listOrgProjects', 'list', 'read', ['projects', 'admin']],
    ['name-clash', 'getAudit', 'get', 'read', ['audit', 'admin']],
    ['multipart', 'downloadFile', 'get', 'read', ['files']],
  ] as const)('%s %s: %s, %s, tags %j', async (fixture, id, method, access, tags) => {
    const { ops, cls } = await classified(fixture);
    const c = cls[ops.findIndex((o) => o.operationId === id)];
    expect(c).toMatchObject({ method, access, tags });
  });

  it.each([
    ['list', 'read', { readOnlyHint: true, destructiveHint: false, idempotentHint: true }],
    ['create', 'write', { readOnlyHint: false, destructiveHint: false, idempotentHint: false }],
    ['update', 'write', { readOnlyHint: false, destructiveHint: true, idempotentHint: true }],
    ['delete', 'write', { readOnlyHint: false, destructiveHint: true, idempotentHint: true }],
    ['cancel', 'write', { readOnlyHint: false, destructiveHint: true, idempotentHint: true }],
    ['archive', 'write', { readOnlyHint: false, destructiveHint: true, idempotentHint: false }],
  ] as const)('annotations of %s (%s)', (method, access, hints) => {
    expect(annotationsFor(method, access, fixtureOverrides())).toEqual({ ...hints, openWorldHint: true });
  });
});

describe('name', () => {
  it.each([
    [
      'beta-twins',
      [
        'list_all_open_ai_messages',
        'create_a_open_ai_message',
        'create_a_open_ai_message_beta',
        'get_single_open_ai_message_by_id',
      ],
    ],
    ['nullable-30', ['create_a_open_ai_job', 'get_single_open_ai_job_by_id', 'open_ai_jobs_cancel']],
    [
      'name-clash',
      [
        'list_all_open_ai_projects',
        'list_all_open_ai_organization_projects',
        'get_single_open_ai_audit',
        'get_single_open_ai_key',
        'get_single_open_ai_admin_only',
      ],
    ],
  ] as const)('%s', async (fixture, expected) => {
    const { ops, cls, ov } = await classified(fixture);
    const { names } = nameAll(
      ops.map((op, i) => ({ op, ...cls[i]! })),
      ov.namespaces,
    );
    expect(names).toEqual(expected);
  });

  it('records how a clash was settled', async () => {
    const { ops, cls, ov } = await classified('name-clash');
    const { clashes } = nameAll(
      ops.map((op, i) => ({ op, ...cls[i]! })),
      ov.namespaces,
    );
    expect(clashes).toEqual([
      {
        name: 'list_all_open_ai_projects',
        operations: ['listProjects', 'listOrgProjects'],
        resolution: 'kept namespace segments: listOrgProjects -> list_all_open_ai_organization_projects',
      },
    ]);
  });
});

describe('name budget', () => {
  const input = (path: string, method: string, extra: Partial<NamingInput> = {}): NamingInput =>
    ({
      op: { path, fixedQuery: {}, operationId: `${method} ${path}`, pointer: `#/paths/${path}` },
      method,
      ...extra,
    }) as NamingInput;

  it.each([
    // Within the budget: untouched, whatever steps would apply.
    ['get_single_open_ai_fine_tuning_job_by_id', 'get_single_open_ai_fine_tuning_job_by_id'],
    // Step 1 is enough.
    ['get_single_open_ai_project_hosted_tool_permission_by_id', 'get_open_ai_project_hosted_tool_permission_by_id'],
    ['list_all_open_ai_fine_tuning_checkpoint_permissions', 'list_open_ai_fine_tuning_checkpoint_permissions'],
    // Steps 1 and 2.
    ['delete_a_open_ai_fine_tuning_checkpoint_permission_by_id', 'delete_open_ai_fine_tuning_checkpoint_permission'],
    ['update_a_open_ai_project_hosted_tool_permission_by_id', 'update_open_ai_project_hosted_tool_permission'],
    // Steps 1 to 3.
    ['create_a_open_ai_realtime_translation_client_secret', 'create_realtime_translation_client_secret'],
    ['update_a_open_ai_project_hosted_tool_permission_by_id_beta', 'update_project_hosted_tool_permission_beta'],
  ])('%s → %s', (long, short) => {
    expect(fitName(long)).toBe(short);
    expect(short.length).toBeLessThanOrEqual(NAME_BUDGET);
  });

  it('falls back to a word-boundary cut plus a hash of the long name, always within the budget', () => {
    const long = 'open_ai_organization_projects_service_accounts_keys_rotations_history_cancel';
    const short = fitName(long);
    expect(short).toMatch(/^organization_projects_service_accounts_[0-9a-f]{8}$/);
    expect(short.length).toBeLessThanOrEqual(NAME_BUDGET);
    // Same head, different long names: different names.
    expect(fitName(`${long}_beta`)).not.toBe(short);
    expect(hashedName(long, 'x'.repeat(100)).length).toBe(NAME_BUDGET);
  });

  it('is a function of the long name alone: the order and company of other operations change nothing', () => {
    const ops = [
      input('/fine_tuning/checkpoints/{c}/permissions/{p}', 'delete'),
      input('/fine_tuning/checkpoints/{c}/permissions', 'create'),
      input('/models', 'list'),
    ];
    const a = nameAll(ops, []).names;
    const b = nameAll([...ops].reverse(), []).names.reverse();
    expect(a).toEqual(b);
    expect(a).toEqual([
      'delete_open_ai_fine_tuning_checkpoint_permission',
      'create_open_ai_fine_tuning_checkpoint_permission',
      'list_all_open_ai_models',
    ]);
    expect(nameAll(ops.slice(0, 1), []).names).toEqual([a[0]]);
  });

  it('a shortened name that lands on an existing one takes the hashed form; the existing name stays', () => {
    const taken = 'get_open_ai_project_hosted_tool_permission_by_id';
    const { names } = nameAll(
      [
        input('/organization/projects/{p}/hosted_tool_permissions/{id}', 'get'),
        input('/elsewhere', 'get', { override: taken }),
      ],
      ['organization'],
    );
    expect(names[1]).toBe(taken);
    expect(names[0]).toMatch(/^get_open_ai_project_hosted_tool_[0-9a-f]{8}$/);
  });

  it('refuses a name override past the budget, naming where to fix it', () => {
    const override = `create_a_${'very_'.repeat(10)}long`;
    let err: unknown;
    try {
      nameAll([input('/things', 'create', { override })], []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).code).toBe('SPEC_NAME');
    expect((err as SpecError).message).toContain(`over the budget of ${NAME_BUDGET}`);
    expect((err as SpecError).message).toContain('operations.create /things.name in specs/overrides.yaml');
  });
});

describe('link', () => {
  it('points a get tool at its list, and async tools at the tool to poll with the statuses in between', async () => {
    const twins = await classified('beta-twins');
    const twinLinks = linkTools(
      twins.fx.spec,
      twins.ops.map((op, i) => ({ op, method: twins.cls[i]!.method, name: op.operationId })),
      twins.ov,
    );
    expect(twinLinks.map((l) => l.listTool)).toEqual([undefined, undefined, undefined, 'listMessages']);

    const jobs = await classified('nullable-30');
    const names = ['create_a_open_ai_job', 'get_single_open_ai_job_by_id', 'open_ai_jobs_cancel'];
    const links = linkTools(
      jobs.fx.spec,
      jobs.ops.map((op, i) => ({ op, method: jobs.cls[i]!.method, name: names[i]! })),
      jobs.ov,
    );
    for (const l of links) {
      expect(l.pollTool).toBe('get_single_open_ai_job_by_id');
      expect(l.statuses).toEqual(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
      expect(l.asyncHint?.noun).toBe('job');
    }
  });
});

describe('bind and describe, through the whole build', () => {
  it.each([
    [
      'list_all_open_ai_messages',
      'List messages',
      `List messages; use it to find ids. ${pagingSentence('after', 'limit')}`,
    ],
    [
      'get_single_open_ai_message_by_id',
      'Get message',
      'Fetch one message by id (find ids with list_all_open_ai_messages).',
    ],
  ])('%s', async (name, title, description) => {
    const t = (await buildFixture('beta-twins')).catalog.tools.find((x) => x.name === name);
    expect([t?.title, t?.description]).toEqual([title, description]);
  });

  it('the async, header, admin and binary sentences and bindings', async () => {
    const jobs = (await buildFixture('nullable-30')).catalog.tools;
    const create = jobs.find((t) => t.name === 'create_a_open_ai_job');
    expect(create?.description).toBe(
      'Create a job. Async job: status moves through queued, running, ends in succeeded|failed|cancelled. Wait with wait_for_open_ai_job_by_id.',
    );
    expect(create?.http.fixedHeaders).toEqual({ 'OpenAI-Beta': 'jobs=v1' });
    // A header only the curl example shows is sent when its name is on `exampleHeaders`; others are not.
    const twins = (await buildFixture('beta-twins')).catalog.tools;
    expect(twins.find((t) => t.name === 'list_all_open_ai_messages')?.http.fixedHeaders).toEqual({
      'OpenAI-Beta': 'messages=v9',
    });
    expect(twins.find((t) => t.name === 'create_a_open_ai_message')?.http.fixedHeaders).toBeUndefined();
    const clash = (await buildFixture('name-clash')).catalog.tools;
    expect(clash.find((t) => t.name === 'get_single_open_ai_audit')?.description).toBe(
      'Fetch the audit. Needs the admin key (OPENAI_ADMIN_KEY).',
    );
    const files = (await buildFixture('multipart')).catalog.tools;
    const download = files.find((t) => t.name === 'get_single_open_ai_file_content_by_id');
    expect([download?.http.response, download?.http.path]).toEqual(['binary', '/files/{file_id}/content']);
    expect(download?.description).toContain('Returns the raw bytes');
  });

  it.each([
    ['list', 'completion', 'completions', true, 'Usage report: completions'],
    ['list', 'completion', 'completions', false, 'List completions'],
    ['get', 'api_key', 'api_keys', false, 'Get api key'],
    ['submit_tool_outputs', 'run', 'runs', false, 'Submit tool outputs run'],
  ] as const)('title of %s %s (usage %s)', (method, one, many, usage, title) => {
    const report = usage ? reportOf(loadOverrides(), '/organization/usage/completions')?.report : undefined;
    expect(report === undefined).toBe(!usage);
    expect(toolTitle(method, one, many, report)).toBe(title);
  });

  it('a report kind is data: one reports entry gives a tool its tag, title, lead, rows, page sizes and flattening', async () => {
    const { reports } = overridesOf(`
reports:
  spend:
    tag: spend
    title: 'Spend report: {{resource}}'
    rows: Rows are one per day.
    endpoints:
      - prefix: /messages
        lead: 'Spend on {{resource}}.'
        resultObject: 'x.{{kind}}'
        resultSchema: '{{Kind}}Row'
        buckets:
          1d: { default: 3, max: 9 }
          1h: { default: 5, max: 50 }
`);
    const built = await buildFixture('beta-twins', { ...fixtureOverrides(), reports });
    const list = built.catalog.tools.find((t) => t.name === 'list_all_open_ai_messages');
    expect(list?.usageBuckets).toBe(true);
    expect(list?.tags).toContain('spend');
    expect(list?.title).toBe('Spend report: messages');
    expect(list?.description).toMatch(/^Spend on messages\. /);
    expect(list?.description).toContain(
      'limit = buckets per page (default/max: 1d 3/9, 1h 5/50). Rows are one per day.',
    );
    // The same tools without the entry are plain lists.
    const plain = (await buildFixture('beta-twins')).catalog.tools.find((t) => t.name === 'list_all_open_ai_messages');
    expect(plain?.usageBuckets).toBeUndefined();
    expect(plain?.title).toBe('List messages');
  });
});
