// The shapes a tool call resolves to, as MCP `structuredContent` and as code mode's `openai.*` results: list
// pages, usage pages, wait answers. The field names are constants here and nowhere else: the runtime's shaping
// (results.ts, wait.ts), the sandbox prelude's page handling, the SDK declarations (`RESULT_TYPES`, printed into
// generated/sdk.d.ts) and the prose that tells a model how to page all read them, so a rename is made here once.
// Dependency-free (test/runtime/contract.test.ts compiles it alone): the generator and the runtime both import it.

/** Field names of a list page: `{result, next_cursor, has_more}`. */
export const LIST_PAGE = { items: 'result', cursor: 'next_cursor', more: 'has_more' } as const;

/** Field names a usage page adds to the cursor fields: `{rows, totals, bucket_count, next_cursor, has_more}`. */
export const USAGE_PAGE = { rows: 'rows', totals: 'totals', buckets: 'bucket_count' } as const;

/** A page of a list tool; pass `next_cursor` back as the cursor argument while `has_more`. */
export interface ListPage<T> {
  [LIST_PAGE.items]: T[];
  [LIST_PAGE.cursor]: string | null;
  [LIST_PAGE.more]: boolean;
}

/** One flattened usage result: the bucket's times in ISO form instead of the result's `object` tag. */
export type UsageRow<T> = T extends unknown
  ? Omit<T, 'object'> & { start_time_iso: string | null; end_time_iso: string | null }
  : never;

/** A page of usage or cost buckets, flattened to one row per result, with totals of every numeric field. */
export interface UsagePage<T> {
  [USAGE_PAGE.rows]: Array<UsageRow<T>>;
  [USAGE_PAGE.totals]: Record<string, number>;
  [USAGE_PAGE.buckets]: number;
  [LIST_PAGE.cursor]: string | null;
  [LIST_PAGE.more]: boolean;
}

/** A wait tool's answer: the polled object once `done`, or its latest state when the wait's own budget ran out. */
export interface WaitResult<T> {
  done: boolean;
  status: string | null;
  polls: number;
  waited_seconds: number;
  /** Null when the object is over the size cap (see `note`). */
  result: T | null;
  note?: string;
  hint?: string;
}

/** Text or binary responses: text is passed in, binary content only described. */
export interface ContentResult {
  content: Array<{ type: string; text?: string; mime_type?: string; note?: string }>;
}

/** A response without a body. */
export interface EmptyResult {
  ok: true;
  status: number;
}

/** Which of the shapes above a tool's call resolves to (`object`: the response body as it is, arrays wrapped). */
export type ResultKind = 'content' | 'empty' | 'wait' | 'usage' | 'list' | 'object';

/**
 * The one decision of a tool's result shape, in the order the runtime applies it: the runtime's shaping, the
 * SDK's declarations (generator/stages/sdk.ts) and code mode's fallback signatures all ask here.
 */
export function resultKind(tool: {
  http: { response: string };
  wait?: unknown;
  usageBuckets?: boolean;
  pagination?: unknown;
  method?: string;
}): ResultKind {
  if (tool.http.response === 'binary' || tool.http.response === 'text') return 'content';
  if (tool.http.response === 'empty') return 'empty';
  if (tool.wait) return 'wait';
  if (tool.usageBuckets) return 'usage';
  if (tool.pagination || tool.method === 'list') return 'list';
  return 'object';
}

/** A list page from its parts: the one place the page is built (the runtime's shaping and tests both use it). */
export function listPage<T>(result: T[], nextCursor: string | null, hasMore: boolean): ListPage<T> {
  return { [LIST_PAGE.items]: result, [LIST_PAGE.cursor]: nextCursor, [LIST_PAGE.more]: hasMore } as ListPage<T>;
}

/**
 * A page's parts read back from a tool result's `structuredContent` (a client's view: a list or a usage page, or
 * anything else, which reads as no items and no more pages).
 */
export function readPage(page: unknown): {
  items: unknown[];
  rows: Array<Record<string, unknown>>;
  totals: Record<string, number>;
  buckets: number;
  cursor: string | null;
  more: boolean;
} {
  const p = (page && typeof page === 'object' ? page : {}) as Record<string, unknown>;
  const list = p[LIST_PAGE.items];
  const usage = p[USAGE_PAGE.rows];
  const sums = p[USAGE_PAGE.totals];
  const count = p[USAGE_PAGE.buckets];
  const next = p[LIST_PAGE.cursor];
  return {
    items: Array.isArray(list) ? list : [],
    rows: Array.isArray(usage) ? usage : [],
    totals: sums && typeof sums === 'object' ? (sums as Record<string, number>) : {},
    buckets: typeof count === 'number' ? count : 0,
    cursor: typeof next === 'string' ? next : null,
    more: p[LIST_PAGE.more] === true,
  };
}

const { items, cursor, more } = LIST_PAGE;
const { rows, totals, buckets } = USAGE_PAGE;

/** `{result, next_cursor, has_more}`: how prose names a list page. */
export const LIST_PAGE_SHAPE = `{${items}, ${cursor}, ${more}}`;
/** `{rows, totals, next_cursor, has_more}`: how prose names a usage page. */
export const USAGE_PAGE_SHAPE = `{${rows}, ${totals}, ${cursor}, ${more}}`;

/** The paging sentence of a paged tool's description. */
export function pagingSentence(cursorArg: string, limitArg?: string): string {
  const size = limitArg ? ` (${limitArg} sets page size)` : '';
  return `Paged: while ${more}, call again with ${cursorArg}=${cursor}${size}.`;
}

/** Names the SDK declares for these shapes; a component schema with one of them is renamed. */
export const RESULT_TYPE_NAMES = ['ListPage', 'UsagePage', 'UsageRow', 'WaitResult', 'ContentResult', 'EmptyResult'];

/**
 * The declarations above as the SDK prints them (generated/sdk.d.ts), built from the same constants; a test
 * compiles both and checks each pair of types is identical, so a change made above and not here fails.
 */
export const RESULT_TYPES = `/** A page of a list tool; pass \`${cursor}\` back as the cursor argument while \`${more}\`. */
export interface ListPage<T> {
  ${items}: T[];
  ${cursor}: string | null;
  ${more}: boolean;
}

/** A page of usage or cost buckets, flattened to one row per result, with totals of every numeric field. */
export interface UsagePage<T> {
  ${rows}: Array<UsageRow<T>>;
  ${totals}: Record<string, number>;
  ${buckets}: number;
  ${cursor}: string | null;
  ${more}: boolean;
}

/** One flattened usage result: the bucket's times in ISO form instead of the result's \`object\` tag. */
export type UsageRow<T> = T extends unknown ? Omit<T, 'object'> & { start_time_iso: string | null; end_time_iso: string | null } : never;

/** A wait tool's answer: the polled object once \`done\`, or its latest state when the wait's own budget ran out. */
export interface WaitResult<T> {
  done: boolean;
  status: string | null;
  polls: number;
  waited_seconds: number;
  /** Null when the object is over the size cap (see \`note\`). */
  result: T | null;
  note?: string;
  hint?: string;
}

/** Text or binary responses: text is passed in, binary content only described. */
export interface ContentResult {
  content: Array<{ type: string; text?: string; mime_type?: string; note?: string }>;
}

/** A response without a body. */
export interface EmptyResult {
  ok: true;
  status: number;
}
`;
