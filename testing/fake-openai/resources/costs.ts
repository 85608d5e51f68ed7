// /organization/costs: daily cost buckets over [start_time, end_time), derived from the completions usage records
// at fixed per-model prices, grouped by project_id and/or line_item (`<model>, input` / `<model>, output`), paged
// like the usage endpoints.

import { queryArray, queryInt } from '../query.js';
import { FakeHttpError, type Router } from '../router.js';
import { DAY, startOfDay, type FakeState } from '../state.js';

/** USD per million tokens (input, output). */
const PRICES: Record<string, [number, number]> = { 'gpt-4.1-mini': [0.4, 1.6], 'gpt-4.1': [2, 8] };

const GROUPS = ['project_id', 'line_item', 'api_key_id'] as const;

function page(start: number): string {
  return `page_${Buffer.from(String(start)).toString('base64url')}`;
}

export function registerCosts(router: Router, state: FakeState): void {
  router.get('/organization/costs', 'admin', ({ query }) => {
    const startTime = queryInt(query, 'start_time', { min: 0 });
    if (startTime === undefined) {
      throw new FakeHttpError(400, "Missing required parameter: 'start_time'.", 'invalid_request_error', 'start_time');
    }
    const endTime = queryInt(query, 'end_time', { min: 0 }) ?? state.now;
    const limit = queryInt(query, 'limit', { min: 1, max: 180 }) ?? 7;
    const groupBy = queryArray(query, 'group_by') ?? [];
    for (const g of groupBy) {
      if (!(GROUPS as readonly string[]).includes(g)) {
        throw new FakeHttpError(400, `Invalid value for 'group_by': '${g}'.`, 'invalid_request_error', 'group_by');
      }
    }
    const projectIds = queryArray(query, 'project_ids');
    const token = query.get('page');
    const first = token ? Number(Buffer.from(token.slice(5), 'base64url').toString()) : startOfDay(startTime);
    if (!Number.isSafeInteger(first))
      throw new FakeHttpError(400, `Invalid 'page': '${token}'.`, 'invalid_request_error', 'page');
    const data = [];
    let day = first;
    while (day < endTime && data.length < limit) {
      const groups = new Map<string, Record<string, unknown>>();
      for (const r of state.completionsUsage) {
        if (r.day !== day || (projectIds && !projectIds.includes(r.project_id))) continue;
        const [inPrice, outPrice] = PRICES[r.model] ?? [1, 1];
        for (const [kind, tokens, price] of [
          ['input', r.input_tokens, inPrice],
          ['output', r.output_tokens, outPrice],
        ] as const) {
          const fields = {
            project_id: groupBy.includes('project_id') ? r.project_id : null,
            line_item: groupBy.includes('line_item') ? `${r.model}, ${kind}` : null,
            api_key_id: groupBy.includes('api_key_id') ? r.api_key_id : null,
          };
          const key = JSON.stringify(fields);
          let g = groups.get(key);
          if (!g) {
            g = {
              object: 'organization.costs.result',
              amount: { value: 0, currency: 'usd' },
              ...fields,
              organization_id: 'org-fake',
            };
            groups.set(key, g);
          }
          const amount = g.amount as { value: number };
          amount.value = Math.round((amount.value + (tokens / 1e6) * price) * 1e6) / 1e6;
        }
      }
      data.push({
        object: 'bucket',
        start_time: Math.max(day, startTime),
        end_time: Math.min(day + DAY, endTime),
        results: [...groups.values()],
      });
      day += DAY;
    }
    const more = day < endTime;
    return { object: 'page', data, has_more: more, next_page: more ? page(day) : null };
  });
}
