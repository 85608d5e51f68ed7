// The generator over the real pinned spec: names, classification, schemas the LLM providers accept,
// and the token budget of the whole catalog.
import { LIST_PAGE } from '../../runtime/contract/pages.js';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { beforeAll, expect, it } from 'vitest';
import type { BuildResult } from '../../generator/pipeline.js';
import { NAME_RE } from '../../generator/stages/name.js';
import { NAME_BUDGET } from '../../generator/util.js';
import { ARG_NAME_RE } from '../../generator/stages/schema.js';
import { buildFrom, describeWithSpecs, SPECS } from '../helpers/specs.js';

const specDescribe = describeWithSpecs('current');

let built: BuildResult;
beforeAll(async () => {
  built = await buildFrom(SPECS.current);
});

const tool = (name: string) => {
  const t = built.catalog.tools.find((x) => x.name === name);
  if (!t) throw new Error(`no tool ${name}`);
  return t;
};

specDescribe('names from the issue', () => {
  it.each([
    ['GET', '/fine_tuning/jobs', 'list_all_open_ai_fine_tuning_jobs', 'list', 'read', ['fine-tuning']],
    [
      'GET',
      '/fine_tuning/jobs/{fine_tuning_job_id}',
      'get_single_open_ai_fine_tuning_job_by_id',
      'get',
      'read',
      ['fine-tuning'],
    ],
    [
      'GET',
      '/organization/usage/completions',
      'list_all_open_ai_completions',
      'list',
      'read',
      ['usage', 'billing', 'admin'],
    ],
    ['GET', '/organization/projects', 'list_all_open_ai_projects', 'list', 'read', ['projects', 'admin']],
    [
      'GET',
      '/organization/projects/{project_id}/api_keys',
      'list_all_open_ai_project_api_keys',
      'list',
      'read',
      ['projects', 'admin'],
    ],
    ['POST', '/vector_stores', 'create_a_open_ai_vector_store', 'create', 'write', ['vector-stores']],
  ] as const)('%s %s -> %s', (verb, path, name, method, access, tags) => {
    const t = built.catalog.tools.find(
      (x) => x.http.verb === verb && x.http.path === path && !Object.keys(x.http.fixedQuery).length,
    );
    expect(t?.name).toBe(name);
    expect(t?.method).toBe(method);
    expect(t?.access).toBe(access);
    expect(t?.tags).toEqual(expect.arrayContaining([...tags]));
  });

  it('names custom methods open_ai_<resource>_<method>', () => {
    expect(tool('open_ai_fine_tuning_jobs_cancel').http.path).toBe('/fine_tuning/jobs/{fine_tuning_job_id}/cancel');
    expect(tool('open_ai_projects_archive').method).toBe('archive');
    expect(tool('open_ai_fine_tuning_jobs_pause').access).toBe('write');
    // A custom method that changes nothing is read.
    expect(tool('open_ai_vector_stores_search').access).toBe('read');
  });
});

specDescribe('coverage and classification', () => {
  it('turns every operation into a tool or an excluded entry with a reason', () => {
    const { counts } = built.manifest;
    expect(counts.operations).toBe(288);
    // Wait tools are extra: they poll an operation that has its own tool.
    const waits = built.catalog.tools.filter((t) => t.wait).length;
    expect(counts.tools - waits + counts.excluded).toBe(288);
    for (const e of built.catalog.excluded) expect(e.reason.length).toBeGreaterThan(10);
    expect(built.catalog.excluded.map((e) => e.operationId)).toEqual(['create-realtime-call']);
  });

  it('marks exactly the AdminApiKeyAuth operations admin, and sends them with the admin key', () => {
    const admin = built.catalog.tools.filter((t) => t.tags.includes('admin'));
    expect(admin.length).toBeGreaterThan(100);
    for (const t of built.catalog.tools) expect(t.http.auth === 'admin').toBe(t.tags.includes('admin'));
  });

  it('tags billing, fine-tuning, vector stores, deprecated, and areas for untagged operations', () => {
    expect(tool('list_all_open_ai_costs').tags).toEqual(expect.arrayContaining(['billing', 'usage', 'admin']));
    expect(tool('get_single_open_ai_spend_limit').tags).toContain('billing');
    expect(tool('create_a_open_ai_spend_alert').tags).toContain('billing');
    expect(tool('list_all_open_ai_vector_store_files').tags).toContain('vector-stores');
    expect(tool('list_all_open_ai_assistants').tags).toContain('deprecated');
    // Untagged in the spec: area from the path.
    expect(tool('list_all_open_ai_containers').tags[0]).toBe('containers');
    for (const t of built.catalog.tools) expect(t.tags.length).toBeGreaterThan(0);
  });

  it('keeps read and write consistent with the method and the MCP annotations', () => {
    for (const t of built.catalog.tools) {
      if (t.method === 'list' || t.method === 'get') expect(t.access).toBe('read');
      if (['create', 'update', 'delete'].includes(t.method)) expect(t.access).toBe('write');
      if (t.http.verb === 'GET') expect(t.access).toBe('read');
      expect(t.annotations.readOnlyHint).toBe(t.access === 'read');
      if (t.method === 'delete') expect(t.annotations.destructiveHint).toBe(true);
      if (t.method === 'create') expect(t.annotations.destructiveHint).toBe(false);
      expect(t.annotations.openWorldHint).toBe(true);
    }
  });

  it('resolves ?beta=true and namespace clashes visibly and deterministically', () => {
    expect(tool('create_a_open_ai_response_beta').http.fixedQuery).toEqual({ beta: 'true' });
    expect(tool('create_a_open_ai_response').http.fixedQuery).toEqual({});
    expect(tool('list_all_open_ai_usage_vector_stores').http.path).toBe('/organization/usage/vector_stores');
    expect(tool('list_all_open_ai_vector_stores').http.path).toBe('/vector_stores');
    expect(built.manifest.clashes.map((c) => c.name)).toContain('list_all_open_ai_vector_stores');
  });
});

specDescribe('names', () => {
  it('are unique, match ^[a-z0-9_]{1,64}$ and fit the budget of 48 (mcp__<9-character server>__<tool> is 64)', () => {
    const names = built.catalog.tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(NAME_RE);
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(NAME_BUDGET);
    expect(NAME_BUDGET).toBe(48);
  });

  it('send OpenAI-Beta: assistants=v2 on every vector-store call, as the official openai package does', () => {
    const vs = built.catalog.tools.filter((t) => t.http.path.startsWith('/vector_stores'));
    expect(vs.length).toBeGreaterThanOrEqual(18);
    for (const t of vs) expect(t.http.fixedHeaders, t.name).toMatchObject({ 'OpenAI-Beta': 'assistants=v2' });
  });

  it('argument names match ^[A-Za-z0-9_]{1,64}$ and keep the real name on the wire', () => {
    for (const t of built.catalog.tools) {
      for (const arg of Object.keys(t.inputSchema.properties as object)) expect(arg).toMatch(ARG_NAME_RE);
    }
    const beta = tool('create_a_open_ai_response_beta').http.params.find((p) => p.in === 'header');
    expect(beta).toMatchObject({ arg: 'openai_beta', wire: 'openai-beta' });
  });
});

specDescribe('input schemas', () => {
  const walk = (node: unknown, visit: (key: string, value: unknown) => void) => {
    if (Array.isArray(node)) {
      for (const v of node) walk(v, visit);
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        visit(k, v);
        walk(v, visit);
      }
    }
  };

  it('have one root object, no root union, no $ref or $defs anywhere', () => {
    for (const t of built.catalog.tools) {
      expect(t.inputSchema.type, t.name).toBe('object');
      for (const k of ['anyOf', 'oneOf', 'allOf', '$ref', '$defs'])
        expect(t.inputSchema, `${t.name}.${k}`).not.toHaveProperty(k);
      walk(t.inputSchema, (k) => expect(['$ref', '$defs', 'definitions'], t.name).not.toContain(k));
    }
  });

  it('list every path and query parameter and every top-level body field', () => {
    for (const t of built.catalog.tools) {
      const props = Object.keys((t.inputSchema.properties ?? {}) as object);
      for (const p of t.http.params) expect(props, t.name).toContain(p.arg);
      for (const arg of Object.keys(t.http.body?.fields ?? {})) expect(props, t.name).toContain(arg);
      const required = (t.inputSchema.required ?? []) as string[];
      for (const p of t.http.params.filter((x) => x.in === 'path')) expect(required, t.name).toContain(p.arg);
    }
  });

  it('keep path parameter names as the spec writes them', () => {
    expect(tool('get_single_open_ai_fine_tuning_job_by_id').inputSchema.required).toEqual(['fine_tuning_job_id']);
    expect(Object.keys(tool('list_all_open_ai_project_api_keys').inputSchema.properties as object)).toContain(
      'project_id',
    );
  });

  it('never offer streaming switches', () => {
    const chat = tool('create_a_open_ai_chat_completion');
    expect(chat.inputSchema.properties).not.toHaveProperty('stream');
    expect(chat.inputSchema.properties).not.toHaveProperty('stream_options');
    expect(chat.http.streamField).toBe('stream');
    // GET /responses/{id} streams with `stream=true` and resumes a stream with `starting_after`.
    for (const name of ['get_single_open_ai_response_by_id', 'get_single_open_ai_response_by_id_beta']) {
      const get = tool(name);
      expect(
        get.http.params.filter((p) => p.in === 'query').map((p) => p.wire),
        name,
      ).toEqual(['include']);
      for (const hidden of ['stream', 'starting_after', 'include_obfuscation'])
        expect(get.inputSchema.properties, name).not.toHaveProperty(hidden);
    }
  });

  it('map deepObject and include[] query parameters to their wire names', () => {
    const meta = tool('list_all_open_ai_fine_tuning_jobs').http.params.find((p) => p.arg === 'metadata');
    expect(meta).toMatchObject({ in: 'query', style: 'deepObject', explode: true });
    const include = built.catalog.tools.flatMap((t) => t.http.params).find((p) => p.wire === 'include[]');
    expect(include?.arg).toBe('include');
  });

  it('turn multipart files into {content, encoding, filename} arguments', () => {
    const multipart = built.catalog.tools.filter((t) => t.http.body?.contentType === 'multipart/form-data');
    expect(multipart.length).toBe(17); // 18 in the spec, minus the excluded WebRTC handshake
    const file = tool('create_a_open_ai_file');
    expect(file.http.body?.fileFields).toEqual(['file']);
    expect((file.inputSchema.properties as any).file.required).toEqual(['content', 'filename']);
  });

  it('fit the token budget: the whole catalog ≤ 60,000 o200k tokens, no tool over 3,000', () => {
    const listed = built.catalog.tools.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema,
      annotations: t.annotations,
    }));
    const count = (v: unknown) => encode(JSON.stringify(v), { allowedSpecial: 'all' }).length;
    const total = count({ tools: listed });
    expect(total).toBeLessThanOrEqual(60_000);
    for (const t of listed) expect(count(t), t.name).toBeLessThanOrEqual(3_000);
  });
});

specDescribe('descriptions', () => {
  it('are at most 600 characters and say how to page, poll, and when the admin key is needed', () => {
    for (const t of built.catalog.tools) {
      expect(t.description.length, t.name).toBeLessThanOrEqual(600);
      if (t.pagination) expect(t.description, t.name).toContain(`${t.pagination.cursorArg}=${LIST_PAGE.cursor}`);
      if (t.http.auth === 'admin') expect(t.description, t.name).toContain('admin key');
      if (t.deprecated) expect(t.description, t.name).toContain('DEPRECATED');
    }
    expect(tool('create_a_open_ai_fine_tuning_job').description).toMatch(
      /Wait with wait_for_open_ai_fine_tuning_job_by_id\./,
    );
    expect(tool('create_a_open_ai_fine_tuning_job').description).toMatch(/succeeded\|failed\|cancelled/);
    expect(tool('create_a_open_ai_batch').description).toMatch(/Wait with wait_for_open_ai_batch_by_id\./);
    expect(tool('create_a_open_ai_vector_store_file_batch').description).toMatch(
      /Wait with wait_for_open_ai_vector_store_file_batch_by_id\./,
    );
    expect(tool('create_a_open_ai_thread_run').description).toMatch(/Wait with wait_for_open_ai_thread_run_by_id\./);
    expect(tool('create_a_open_ai_eval_run').description).toMatch(/Wait with wait_for_open_ai_eval_run_by_id\./);
    expect(tool('create_a_open_ai_response').description).toMatch(
      /background.*Wait with wait_for_open_ai_response_by_id\./,
    );
  });
});

specDescribe('usage reports', () => {
  /** Page sizes by bucket width as the spec's own `limit` description states them (read here, not in generator/). */
  async function specPageSizes(path: string): Promise<string> {
    const { loadSpec } = await import('../../generator/load/load.js');
    const { SpecDocument } = await import('../../generator/load/document.js');
    const spec = new SpecDocument((await loadSpec({ spec: SPECS.current, skipValidation: true })).doc);
    const op = (spec.doc.paths as Record<string, { get: { parameters: { name: string }[] } }>)[path]!.get;
    const limit = op.parameters
      .map((p) => spec.deref<{ name: string; description?: string }>(p, path))
      .find((p) => p.name === 'limit');
    const text = limit?.description ?? '';
    const widths = [...text.matchAll(/bucket_width=(\w+)`?: default: (\d+), max: (\d+)/g)].map(
      ([, w, d, m]) => `${w} ${d}/${m}`,
    );
    const range = /between 1 and (\d+), and the default is (\d+)/.exec(text);
    return widths.length ? widths.join(', ') : range ? `1d ${range[2]}/${range[1]}` : '(none)';
  }

  it('state their page sizes by bucket width in the description and the SDK docs, as the spec documents limit', async () => {
    const reports = built.catalog.tools.filter((t) => t.usageBuckets);
    expect(reports.map((t) => t.name)).toContain('list_all_open_ai_costs');
    expect(reports.length).toBe(11);
    for (const t of reports) {
      const sizes = await specPageSizes(t.http.path);
      expect(sizes, t.name).not.toBe('(none)');
      const sentence = `limit = buckets per page (default/max: ${sizes}).`;
      expect(t.description, t.name).toContain(sentence);
      expect(built.sdk.docs.tools[t.name]?.doc, t.name).toContain(sentence);
      expect(t.title, t.name).toMatch(/^Usage report: /);
      expect(t.tags, t.name).toContain('usage');
    }
    expect(tool('list_all_open_ai_completions').description).toContain('(default/max: 1d 7/31, 1h 24/168, 1m 60/1440)');
    expect(tool('list_all_open_ai_costs').description).toContain('(default/max: 1d 7/180)');
  });
});

specDescribe('snapshot', () => {
  it('matches the reviewed list of names, methods, access and tags', async () => {
    const lines = built.manifest.tools.map(
      (t) => `${t.name}  ${t.verb} ${t.path}  ${t.method}/${t.access}  [${t.tags.join(', ')}]`,
    );
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('__snapshots__/tools.txt');
  });
});

specDescribe('admin endpoints the spec marks only in prose', () => {
  it('sends the admin key wherever the spec text says an admin API key is required', () => {
    const prose = built.catalog.tools.filter((t) =>
      t.http.path.startsWith('/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions'),
    );
    expect(prose).toHaveLength(3);
    for (const t of prose) expect(t.http.auth, t.name).toBe('admin');
    expect(built.manifest.warnings).toEqual([]);
  });
});

specDescribe('name stability', () => {
  it('names do not depend on the order of paths or methods in the document', async () => {
    const { loadSpec } = await import('../../generator/load/load.js');
    const { buildCatalog } = await import('../../generator/pipeline.js');
    const spec = await loadSpec({ spec: SPECS.current, skipValidation: true });
    const reversePaths = Object.fromEntries(
      Object.entries(spec.doc.paths as Record<string, Record<string, unknown>>)
        .reverse()
        .map(([p, item]) => [p, Object.fromEntries(Object.entries(item).reverse())]),
    );
    const shuffled = await buildCatalog({ ...spec.doc, paths: reversePaths }, { sha256: spec.sha256 });
    const byOp = (r: BuildResult) => Object.fromEntries(r.manifest.tools.map((t) => [t.operationId, t.name]));
    expect(byOp(shuffled)).toEqual(byOp(built));
  });
});

specDescribe('token budget fallback', () => {
  it('keeps one level of nested names within the target, and drops it when the catalog would pass the target', async () => {
    const { loadSpec } = await import('../../generator/load/load.js');
    const { buildCatalog, catalogTokens } = await import('../../generator/pipeline.js');
    const hyper = (r: BuildResult) =>
      (r.catalog.tools.find((t) => t.name === 'create_a_open_ai_fine_tuning_job')!.inputSchema.properties as any)
        .hyperparameters;
    expect(Object.keys(hyper(built).properties)).toEqual(['batch_size', 'learning_rate_multiplier', 'n_epochs']);
    const spec = await loadSpec({ spec: SPECS.current, skipValidation: true });
    const lean = await buildCatalog(spec.doc, {
      sha256: spec.sha256,
      tokenTarget: catalogTokens(built.catalog.tools) - 1,
    });
    expect(hyper(lean).properties).toBeUndefined();
    expect(catalogTokens(lean.catalog.tools)).toBeLessThan(catalogTokens(built.catalog.tools));
  });
});
