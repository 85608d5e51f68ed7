// /organization/usage/completions: daily buckets over [start_time, end_time), grouped by any of the spec's
// group_by fields, filtered by ids/models/batch, paged with an opaque `page` token and `has_more`.

import { queryArray, queryBool, queryEnum, queryInt } from '../query.js';
import { FakeHttpError, type Router } from '../router.js';
import { DAY, startOfDay, type CompletionsUsageRecord, type FakeState } from '../state.js';

const GROUP_FIELDS = ['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier'] as const;
type GroupField = (typeof GROUP_FIELDS)[number];
const SUMMED = ['input_tokens', 'input_cached_tokens', 'output_tokens', 'num_model_requests'] as const;

function encodePage(start: number): string {
  return `page_${Buffer.from(String(start)).toString('base64url')}`;
}

function decodePage(token: string): number {
  const n = token.startsWith('page_') ? Number(Buffer.from(token.slice(5), 'base64url').toString()) : NaN;
  if (!Number.isSafeInteger(n))
    throw new FakeHttpError(
      400,
      `Invalid 'page': '${token}' is not a page cursor from this endpoint.`,
      'invalid_request_error',
      'page',
      'invalid_value',
    );
  return n;
}

function groupResults(records: CompletionsUsageRecord[], groupBy: GroupField[]) {
  const groups = new Map<string, Record<string, unknown>>();
  for (const r of records) {
    const key = JSON.stringify(groupBy.map((f) => r[f]));
    let g = groups.get(key);
    if (!g) {
      g = { object: 'organization.usage.completions.result' };
      for (const f of SUMMED) g[f] = 0;
      for (const f of GROUP_FIELDS) g[f] = groupBy.includes(f) ? r[f] : null;
      groups.set(key, g);
    }
    for (const f of SUMMED) (g[f] as number) += r[f];
  }
  return [...groups.values()];
}

export function registerUsage(router: Router, state: FakeState): void {
  router.get('/organization/usage/completions', 'admin', ({ query }) => {
    const startTime = queryInt(query, 'start_time', { min: 0 });
    if (startTime === undefined) {
      throw new FakeHttpError(
        400,
        "Missing required parameter: 'start_time'.",
        'invalid_request_error',
        'start_time',
        'missing_required_parameter',
      );
    }
    const endTime = queryInt(query, 'end_time', { min: 0 }) ?? state.now;
    const width = queryEnum(query, 'bucket_width', ['1m', '1h', '1d'] as const) ?? '1d';
    if (width !== '1d')
      throw new FakeHttpError(
        400,
        `The fake serves bucket_width=1d only (got '${width}').`,
        'invalid_request_error',
        'bucket_width',
      );
    const limit = queryInt(query, 'limit', { min: 1, max: 31 }) ?? 7;
    const groupBy = (queryArray(query, 'group_by') ?? []).map((f) => {
      if (!(GROUP_FIELDS as readonly string[]).includes(f)) {
        throw new FakeHttpError(
          400,
          `Invalid value for 'group_by': '${f}'. Supported: ${GROUP_FIELDS.join(', ')}.`,
          'invalid_request_error',
          'group_by',
          'invalid_value',
        );
      }
      return f as GroupField;
    });
    const projectIds = queryArray(query, 'project_ids');
    const userIds = queryArray(query, 'user_ids');
    const keyIds = queryArray(query, 'api_key_ids');
    const models = queryArray(query, 'models');
    const batch = queryBool(query, 'batch');

    const page = query.get('page');
    const first = page !== null ? decodePage(page) : startOfDay(startTime);
    const data = [];
    let bucketStart = first;
    while (bucketStart < endTime && data.length < limit) {
      const day = bucketStart;
      const records = state.completionsUsage.filter(
        (r) =>
          r.day === day &&
          (!projectIds || projectIds.includes(r.project_id)) &&
          (!userIds || userIds.includes(r.user_id)) &&
          (!keyIds || keyIds.includes(r.api_key_id)) &&
          (!models || models.includes(r.model)) &&
          (batch === undefined || r.batch === batch),
      );
      data.push({
        object: 'bucket',
        start_time: Math.max(day, startTime),
        end_time: Math.min(day + DAY, endTime),
        results: groupResults(records, groupBy),
      });
      bucketStart = day + DAY;
    }
    const hasMore = bucketStart < endTime;
    return { object: 'page', data, has_more: hasMore, next_page: hasMore ? encodePage(bucketStart) : null };
  });
}
