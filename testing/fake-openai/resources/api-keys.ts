// /organization/projects/{project_id}/api_keys: list (cursor pages, owner access filter), retrieve, delete.

import { cursorPage } from '../pagination.js';
import { queryEnum } from '../query.js';
import { notFound, type Router } from '../router.js';
import type { FakeState } from '../state.js';
import { findProject } from './projects.js';

export function registerApiKeys(router: Router, state: FakeState): void {
  router.get('/organization/projects/{project_id}/api_keys', 'admin', ({ params, query }) => {
    findProject(state, params.project_id);
    const access = queryEnum(query, 'owner_project_access', ['active', 'inactive', 'any'] as const) ?? 'any';
    const keys = state.apiKeys
      .filter((k) => k.project_id === params.project_id)
      .filter((k) => access === 'any' || k.key.owner_project_access === access)
      .map((k) => k.key);
    return cursorPage(keys, query);
  });

  const find = (projectId: string, keyId: string) => {
    findProject(state, projectId);
    const rec = state.apiKeys.find((k) => k.project_id === projectId && k.key.id === keyId);
    if (!rec) throw notFound('API key', keyId);
    return rec;
  };

  router.get(
    '/organization/projects/{project_id}/api_keys/{api_key_id}',
    'admin',
    ({ params }) => find(params.project_id, params.api_key_id).key,
  );

  router.delete('/organization/projects/{project_id}/api_keys/{api_key_id}', 'admin', ({ params }) => {
    const rec = find(params.project_id, params.api_key_id);
    state.apiKeys.splice(state.apiKeys.indexOf(rec), 1);
    return { object: 'organization.project.api_key.deleted', id: rec.key.id, deleted: true };
  });
}
