// Stage 5: descriptions written for an LLM choosing among ~300 tools. Each says what the tool does in
// one sentence, then only what changes how to call it: paging, polling, the admin key, deprecation.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Method, Pagination } from '../runtime/types.js';
import type { OpenApiDoc } from './load.js';
import type { OperationModel } from './model.js';
import { responseProperties } from './classify.js';
import { underPrefix, type AsyncHint, type Overrides } from './overrides.js';
import { repoRoot } from './pin.js';
import { oneLine } from './schema.js';

export const MAX_DESCRIPTION = 600;

const template = Handlebars.compile(readFileSync(path.join(repoRoot, 'templates', 'description.hbs'), 'utf8'), {
  noEscape: true,
  strict: false,
});

export interface DescribeInput {
  op: OperationModel;
  name: string;
  method: Method;
  /** Resource as named in the tool (plural for collections). */
  resourceWords: string;
  resourceSingular: string;
  /** The list tool of the same collection, for "find ids with …". */
  listTool?: string;
  pagination?: Pagination;
  usage: boolean;
  fileFields: string[];
  binary: boolean;
  /** Name of the tool to poll for this resource, when it is asynchronous. */
  pollTool?: string | null;
  /** The generated tool that waits for this resource to reach a terminal state, when there is one. */
  waitTool?: string;
  asyncHint?: AsyncHint;
  statuses?: string[];
}

const human = (words: string) => words.replace(/_/g, ' ').replace(/\bfine tuning\b/g, 'fine-tuning');

const words = (s: string) => new Set(s.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').split(' ').filter((w) => w.length > 2));

/**
 * Our own sentence says what the call does in the tool catalog's vocabulary; the spec's summary is added
 * only when it says more than ours (it often just restates the method and resource).
 */
function lead(i: DescribeInput): string {
  const one = human(i.resourceSingular);
  const many = human(i.resourceWords);
  // Singletons (`/organization/data_retention`) are "the" thing; items of a collection are "a"/"an" thing.
  const singleton = !i.op.path.includes('{') || (!i.op.path.endsWith('}') && ['get', 'update', 'delete'].includes(i.method));
  const a = (noun: string) => (/^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`);
  const it = singleton && i.method !== 'create' ? `the ${one}` : a(one);
  let ours: string;
  switch (i.method) {
    case 'list':
      ours = i.usage ? `Organization ${many} usage/cost report.` : `List ${many}; use it to find ids.`;
      break;
    case 'get':
      ours = i.listTool ? `Fetch one ${one} by id (find ids with ${i.listTool}).` : `Fetch ${it}.`;
      break;
    case 'create':
      ours = `Create ${a(one)}.`;
      break;
    case 'update':
      ours = `Update ${it}.`;
      break;
    case 'delete':
      ours = `Delete ${it}; this cannot be undone.`;
      break;
    default: {
      const verb = i.method.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
      // Without an id the action applies to the collection (`activate` takes a list of certificate ids).
      const target = i.op.path.includes('{') ? a(one) : many;
      ours = i.method.includes('_') ? `${verb} for ${target}.` : `${verb} ${target}.`;
    }
  }
  // "**NOTE:** This endpoint requires an admin API key." leads some summaries; our own admin sentence says it.
  const specText = (i.op.summary || i.op.description)
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s*\*\*NOTE:\*\*[^.]*admin API[^.]*\.\s*/i, '');
  const spec = oneLine(specText, 180);
  if (!spec) return ours;
  const mine = words(ours);
  const extra = [...words(spec)].filter((w) => !mine.has(w) && !mine.has(w.replace(/s$/, '')));
  return extra.length >= 3 ? `${ours} ${spec}` : ours;
}

function paging(p: Pagination | undefined): string | undefined {
  if (!p) return undefined;
  const size = p.limitArg ? ` (${p.limitArg} sets page size)` : '';
  return `Paged: while has_more, call again with ${p.cursorArg}=next_cursor${size}.`;
}

function asyncSentence(i: DescribeInput): string | undefined {
  const h = i.asyncHint;
  if (!h) return undefined;
  const flow = i.statuses?.length ? i.statuses.filter((s) => !h.terminal.includes(s)).join(', ') : undefined;
  const terminal = h.terminal.join('|');
  let poll = i.pollTool === null ? '' : i.pollTool ? ` Poll ${i.pollTool === i.name ? 'this tool' : i.pollTool} until then.` : '';
  // A model left to poll by hand burns its context; the wait tool does it in one call.
  if (i.waitTool && i.pollTool !== i.name) poll = ` Wait with ${i.waitTool}.`;
  return `Async ${h.noun}: status ${flow ? `moves through ${flow}, ` : ''}ends in ${terminal}.${poll}`;
}

function deprecation(op: OperationModel, ov: Overrides): string | undefined {
  if (!op.deprecated) return undefined;
  return ov.deprecations.find((d) => d.prefixes.some((p) => underPrefix(op.path, p)))?.note ?? 'This operation is deprecated upstream.';
}

/** Status values of the resource, read from the `status` enum of the get response. */
export function statusesOf(doc: OpenApiDoc, op: OperationModel | undefined): string[] | undefined {
  if (!op) return undefined;
  const status = responseProperties(doc, op.success.schema).status;
  let s: any = status;
  for (let i = 0; s && s.$ref && i < 10; i++) s = doc.components?.schemas?.[s.$ref.split('/').pop()];
  const values = s?.enum ?? s?.anyOf?.flatMap((v: any) => v.enum ?? []);
  return Array.isArray(values) && values.length ? values.filter((v: unknown) => typeof v === 'string') : undefined;
}

export function describe(i: DescribeInput, ov: Overrides): string {
  const override = ov.operations[i.op.operationId] ?? {};
  const text = template({
    lead: lead(i),
    paging: paging(i.pagination),
    usage: i.usage,
    files: i.fileFields.join(', '),
    binary: i.binary,
    async: asyncSentence(i),
    admin: i.op.admin,
    deprecated: deprecation(i.op, ov),
    hint: override.hint,
  })
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= MAX_DESCRIPTION) return text;
  return `${text.slice(0, MAX_DESCRIPTION - 1).replace(/\s+\S*$/, '')}…`;
}
