// Cursor pages as OpenAI's organization lists return them: `after` is the last id seen, `limit` 1..100.

import { queryInt } from './query.js';
import { FakeHttpError } from './router.js';

export interface CursorPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export function cursorPage<T extends { id: string }>(
  items: readonly T[],
  q: URLSearchParams,
  defaultLimit = 20,
): CursorPage<T> {
  const limit = queryInt(q, 'limit', { min: 1, max: 100 }) ?? defaultLimit;
  const after = q.get('after');
  let start = 0;
  if (after !== null) {
    const i = items.findIndex((it) => it.id === after);
    if (i < 0)
      throw new FakeHttpError(
        400,
        `Invalid 'after': no object with id '${after}' in this list.`,
        'invalid_request_error',
        'after',
        'invalid_value',
      );
    start = i + 1;
  }
  const data = items.slice(start, start + limit);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: start + limit < items.length,
  };
}
