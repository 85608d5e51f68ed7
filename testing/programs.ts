// Programs shared by the code-mode tests and scripts/bench-code-mode.

import { LIST_PAGE } from '../runtime/contract/pages.js';

/**
 * The seed's cost audit: top project by tokens over 7 days, its token total and its keys older than 90 days.
 * Written against generated/sdk.d.ts: test/generator/sdk.test.ts type-checks it under strict.
 */
export const COST_AUDIT = `
const now = Math.floor(Date.now() / 1000);
const start = now - 7 * 86400;
const projects: Array<{ id: string; name?: string | null }> = [];
for await (const p of openai.paginate('list_all_open_ai_projects', { limit: 100 })) projects.push(p);
const tokens: Record<string, number> = {};
for await (const row of openai.paginate('list_all_open_ai_completions', { start_time: start, group_by: ['project_id'] })) {
  const id = row.project_id ?? '(none)';
  tokens[id] = (tokens[id] ?? 0) + row.input_tokens + (row.output_tokens ?? 0);
}
const top = projects.filter((p) => p.id in tokens).sort((a, b) => tokens[b.id]! - tokens[a.id]!)[0]!;
const keys = (await openai.list_all_open_ai_project_api_keys({ project_id: top.id, limit: 100 })).${LIST_PAGE.items};
const cutoff = now - 90 * 86400;
return {
  project: { id: top.id, name: top.name },
  tokens: tokens[top.id],
  old_keys: keys.filter((k) => k.created_at < cutoff).map((k) => ({ id: k.id, name: k.name, created_at: k.created_at })),
  start,
  cutoff,
};
`;
