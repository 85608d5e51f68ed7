// Small edits of the real pinned spec, each built with the real generator, so the classification is tested on
// the tools the generator actually makes (names, access, auth), not on what we assume it makes.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../runtime/types.js';
import { catalogFromDoc } from '../../drift/generator-api.js';
import { renderMarkdown } from '../../drift/render-markdown.js';
import { buildReport } from '../../drift/report.js';
import type { Change, DriftReport } from '../../drift/types.js';
import { prune, realDoc } from './helpers.js';

const PATHS = [
  '/files',
  '/files/{file_id}',
  '/models',
  '/models/{model}',
  '/batches',
  '/batches/{batch_id}',
  '/batches/{batch_id}/cancel',
];
const base = () => prune(realDoc(), PATHS);
const param = (op: any, name: string) => op.parameters.find((p: any) => p.name === name);

let before: Catalog;
beforeAll(async () => {
  before = await catalogFromDoc(base(), 'a'.repeat(64));
}, 120_000);

async function drift(edit: (doc: any) => void): Promise<DriftReport> {
  const doc = base();
  edit(doc);
  return buildReport(before, await catalogFromDoc(doc, 'b'.repeat(64)));
}

const find = (r: DriftReport, kind: Change['kind'], opId: string, arg?: string) =>
  r.changes.find((c) => c.kind === kind && c.operationId === opId && (arg === undefined || c.arg === arg));

describe('edits of the real spec', () => {
  it('the unedited spec has no drift', async () => {
    const r = await drift(() => {});
    expect(r.changes).toEqual([]);
    expect(before.tools.length).toBeGreaterThanOrEqual(10);
  });

  it('an operation the generator excludes, added and then removed, is in the markdown both ways', async () => {
    const withCall = (doc: any) => {
      doc.paths['/realtime/calls'] = realDoc().paths['/realtime/calls'];
    };
    const added = await drift(withCall);
    expect(added.excluded.added.map((e) => [e.operationId, e.verb, e.path])).toEqual([
      ['create-realtime-call', 'POST', '/realtime/calls'],
    ]);
    expect(added.added).toEqual([]);
    const md = renderMarkdown(added);
    expect(md).toContain('### Excluded operations (1 added, 0 removed; not tools)');
    expect(md).toMatch(/\| `create-realtime-call` POST `\/realtime\/calls` \| added to the spec \| WebRTC SDP/);

    const doc = base();
    withCall(doc);
    const removed = buildReport(await catalogFromDoc(doc, 'c'.repeat(64)), before);
    expect(removed.excluded.removed.map((e) => e.operationId)).toEqual(['create-realtime-call']);
    expect(renderMarkdown(removed)).toMatch(
      /\| `create-realtime-call` POST `\/realtime\/calls` \| removed from the spec \|/,
    );
  });

  it('a renamed path segment renames the tools and moves their operations', async () => {
    const r = await drift((doc) => {
      doc.paths['/engines/{model}'] = doc.paths['/models/{model}'];
      delete doc.paths['/models/{model}'];
    });
    const ids = r.renamed.map((x) => [x.from.operationId, x.matchedBy, x.moved, x.to.path]);
    expect(ids).toEqual(
      expect.arrayContaining([
        ['retrieveModel', 'operationId', true, '/engines/{model}'],
        ['deleteModel', 'operationId', true, '/engines/{model}'],
      ]),
    );
    expect(find(r, 'tool-renamed', 'retrieveModel')).toMatchObject({ breaking: true });
    expect(find(r, 'operation-moved', 'retrieveModel')).toMatchObject({
      from: 'GET /models/{model}',
      to: 'GET /engines/{model}',
    });
    expect(r.summary).toMatchObject({ added: 0, removed: 0, renamed: 2 });
  });

  it('a new operationId on the same endpoint keeps the tool (name match) and is not breaking', async () => {
    const r = await drift((doc) => {
      doc.paths['/batches/{batch_id}'].get.operationId = 'getBatch';
    });
    expect(r.renamed).toEqual([]);
    expect(r.changes.map((c) => [c.kind, c.from, c.to, c.breaking])).toEqual([
      ['operation-id-changed', 'retrieveBatch', 'getBatch', false],
    ]);
  });

  it('optional → required is breaking', async () => {
    const r = await drift((doc) => {
      param(doc.paths['/files'].get, 'limit').required = true;
    });
    expect(find(r, 'param-required', 'listFiles', 'limit')).toMatchObject({ breaking: true, location: 'query' });
    expect(r.summary.breaking).toBe(1);
  });

  it('a removed enum value is breaking, an added one is not, a new default is not', async () => {
    const r = await drift((doc) => {
      const order = param(doc.paths['/files'].get, 'order').schema;
      order.enum = ['desc', 'relevance'];
      param(doc.paths['/files'].get, 'limit').schema.default = 100;
    });
    expect(find(r, 'enum-removed', 'listFiles', 'order')).toMatchObject({ breaking: true, from: ['asc'] });
    expect(find(r, 'enum-added', 'listFiles', 'order')).toMatchObject({ breaking: false, to: ['relevance'] });
    expect(find(r, 'default-changed', 'listFiles', 'limit')).toMatchObject({ breaking: false, from: 10000, to: 100 });
  });

  it('a type change is breaking unless it widens', async () => {
    const r = await drift((doc) => {
      param(doc.paths['/batches'].get, 'limit').schema.type = 'string';
      param(doc.paths['/files'].get, 'limit').schema.type = 'number';
    });
    expect(find(r, 'param-type', 'listBatches', 'limit')).toMatchObject({
      breaking: true,
      from: ['integer'],
      to: ['string'],
    });
    expect(find(r, 'param-type', 'listFiles', 'limit')).toMatchObject({ breaking: false });
  });

  it('a GET read tool turned into a POST write tool is security-relevant and breaking', async () => {
    const r = await drift((doc) => {
      const item = doc.paths['/batches/{batch_id}'];
      item.post = item.get;
      delete item.get;
    });
    const access = find(r, 'access-changed', 'retrieveBatch');
    expect(access).toMatchObject({ from: 'read', to: 'write', breaking: true, security: true });
    // Its name follows the verb, so the generator renames it too; matched by operationId, moved GET → POST.
    expect(r.renamed.find((x) => x.to.operationId === 'retrieveBatch')).toMatchObject({
      matchedBy: 'operationId',
      moved: true,
    });
    // A POST on an item is an update to the generator, so the tool is now destructive as well.
    expect(r.changes.filter((c) => c.security).map((c) => [c.operationId, c.kind])).toEqual([
      ['retrieveBatch', 'access-changed'],
      ['retrieveBatch', 'destructive-changed'],
    ]);
  });

  it('AdminApiKeyAuth on a project tool is security-relevant and breaking', async () => {
    const r = await drift((doc) => {
      doc.paths['/files/{file_id}'].get.security = [{ AdminApiKeyAuth: [] }];
    });
    expect(r.renamed).toEqual([]);
    expect(r.changes.filter((c) => c.security)).toMatchObject([
      { kind: 'auth-changed', operationId: 'retrieveFile', from: 'project', to: 'admin', breaking: true },
    ]);
  });

  it('a removed operation is a removed tool; a new one is an added tool', async () => {
    const r = await drift((doc) => {
      delete doc.paths['/files/{file_id}'].delete;
      doc.paths['/models'].post = { ...structuredClone(doc.paths['/batches'].post), operationId: 'createModel' };
    });
    expect(r.removed.map((t) => t.operationId)).toEqual(['deleteFile']);
    expect(find(r, 'tool-removed', 'deleteFile')).toMatchObject({ breaking: true });
    expect(r.added.map((t) => t.operationId)).toEqual(['createModel']);
    expect(find(r, 'tool-added', 'createModel')).toMatchObject({ breaking: false });
  });
});

describe('names shortened to the budget of 48', () => {
  const PERMISSIONS = '/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions';
  const LONG = [PERMISSIONS, `${PERMISSIONS}/{permission_id}`, '/models', '/files'];
  const names = (c: Catalog) => c.tools.map((t) => t.name).sort();

  it('stay put when the rest of the spec changes; when their own path changes, drift reports the rename', async () => {
    const a = await catalogFromDoc(prune(realDoc(), LONG), 'a'.repeat(64));
    expect(names(a)).toEqual(
      expect.arrayContaining([
        'create_open_ai_fine_tuning_checkpoint_permission',
        'delete_open_ai_fine_tuning_checkpoint_permission',
        'list_open_ai_fine_tuning_checkpoint_permissions',
      ]),
    );

    // Another operation added, one removed and a description edited: no tool changes its name.
    const other = prune(realDoc(), LONG);
    delete other.paths['/files'];
    other.paths['/models'].get.description = 'Lists the models.';
    other.paths['/batches'] = realDoc().paths['/batches'];
    const unchanged = buildReport(a, await catalogFromDoc(other, 'b'.repeat(64)));
    expect(unchanged.renamed).toEqual([]);

    // Their own long name changes (the segment is now `grants`): each new long name is shortened only if it must be.
    const moved = prune(realDoc(), LONG);
    for (const p of [PERMISSIONS, `${PERMISSIONS}/{permission_id}`]) {
      moved.paths[p.replace('permissions', 'grants')] = moved.paths[p];
      delete moved.paths[p];
    }
    const r = buildReport(a, await catalogFromDoc(moved, 'c'.repeat(64)));
    expect(r.renamed.map((x) => [x.from.name, x.to.name, x.matchedBy])).toEqual(
      expect.arrayContaining([
        [
          'delete_open_ai_fine_tuning_checkpoint_permission',
          'delete_open_ai_fine_tuning_checkpoint_grant',
          'operationId',
        ],
        [
          'create_open_ai_fine_tuning_checkpoint_permission',
          'create_a_open_ai_fine_tuning_checkpoint_grant',
          'operationId',
        ],
        [
          'list_open_ai_fine_tuning_checkpoint_permissions',
          'list_all_open_ai_fine_tuning_checkpoint_grants',
          'operationId',
        ],
      ]),
    );
    expect(renderMarkdown(r)).toContain('`delete_open_ai_fine_tuning_checkpoint_permission`');
  }, 120_000);
});
