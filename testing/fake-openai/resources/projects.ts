// /organization/projects: list (cursor pages, archived hidden unless asked), create, retrieve, modify, archive.

import { cursorPage } from '../pagination.js';
import { queryBool } from '../query.js';
import { FakeHttpError, notFound, type Router } from '../router.js';
import { nextId, type FakeState, type ProjectRecord } from '../state.js';

export function findProject(state: FakeState, id: string): ProjectRecord {
  const p = state.projects.find((x) => x.id === id);
  if (!p) throw notFound('project', id);
  return p;
}

function requireName(body: unknown): string {
  const name = (body as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !name.trim()) {
    throw new FakeHttpError(
      400,
      "Missing required parameter: 'name'.",
      'invalid_request_error',
      'name',
      'missing_required_parameter',
    );
  }
  return name;
}

export function registerProjects(router: Router, state: FakeState): void {
  router.get('/organization/projects', 'admin', ({ query }) => {
    const all = queryBool(query, 'include_archived') ?? false;
    return cursorPage(
      state.projects.filter((p) => all || p.status !== 'archived'),
      query,
    );
  });

  router.post('/organization/projects', 'admin', ({ body }) => {
    const project: ProjectRecord = {
      id: nextId(state, 'proj'),
      object: 'organization.project',
      name: requireName(body),
      created_at: state.now,
      archived_at: null,
      status: 'active',
      external_key_id: null,
    };
    state.projects.push(project);
    return project;
  });

  router.get('/organization/projects/{project_id}', 'admin', ({ params }) => findProject(state, params.project_id));

  router.post('/organization/projects/{project_id}', 'admin', ({ params, body }) => {
    const project = findProject(state, params.project_id);
    if (project.status === 'archived')
      throw new FakeHttpError(400, `Project '${project.id}' is archived and cannot be modified.`);
    project.name = requireName(body);
    return project;
  });

  router.post('/organization/projects/{project_id}/archive', 'admin', ({ params }) => {
    const project = findProject(state, params.project_id);
    project.status = 'archived';
    project.archived_at ??= state.now;
    return project;
  });
}
