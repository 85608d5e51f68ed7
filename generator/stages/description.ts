// describe stage: titles and descriptions written for an LLM choosing among ~300 tools. Each description says what
// the tool does in one sentence, then only what changes how to call it: paging, polling, the admin key,
// deprecation.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { pagingSentence } from '../../runtime/contract/pages.js';
import type { Method, Pagination } from '../../runtime/types.js';
import type { RoutedOperation } from './auth.js';
import type { ToolLinks } from './links.js';
import {
  overrideOf,
  underPrefix,
  type Overrides,
  type Report,
  type ReportEndpoint,
  type ReportMatch,
} from '../load/overrides.js';
import { repoRoot } from '../pin.js';
import { article, oneLine } from '../util.js';

export const MAX_DESCRIPTION = 600;

const template = Handlebars.compile(readFileSync(path.join(repoRoot, 'templates', 'description.hbs'), 'utf8'), {
  noEscape: true,
  strict: true,
});

export interface DescribeInput {
  op: RoutedOperation;
  name: string;
  method: Method;
  /** Resource as named in the tool (plural for collections). */
  resourceWords: string;
  resourceSingular: string;
  links: ToolLinks;
  pagination?: Pagination;
  /** The report kind this tool is (specs/overrides.yaml `reports`), if any. */
  report?: ReportMatch;
  fileFields: string[];
  binary: boolean;
}

const human = (words: string) => words.replace(/_/g, ' ').replace(/\bfine tuning\b/g, 'fine-tuning');

const words = (s: string) =>
  new Set(
    s
      .toLowerCase()
      .replace(/[^a-z0-9 ]+/g, ' ')
      .split(' ')
      .filter((w) => w.length > 2),
  );

const VERB_TITLES = new Map([
  ['list', 'List'],
  ['get', 'Get'],
  ['create', 'Create'],
  ['update', 'Update'],
  ['delete', 'Delete'],
]);

/** A sentence of specs/overrides.yaml (Handlebars), compiled once. */
const compiled = new Map<string, HandlebarsTemplateDelegate>();
function fill(text: string, vars: Record<string, string>): string {
  let t = compiled.get(text);
  if (!t) {
    t = Handlebars.compile(text, { noEscape: true, strict: true });
    compiled.set(text, t);
  }
  return t(vars);
}

/**
 * `List completions` would send a model looking for its chat completions to the organization's usage report,
 * so reports say what they are in the title too (the report's `title`).
 */
export function toolTitle(method: Method, one: string, many: string, report?: Report): string {
  const h = (s: string) => s.replace(/_/g, ' ');
  if (report && method === 'list') return fill(report.title, { resource: h(many) });
  const v = VERB_TITLES.get(method) ?? method.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return `${v} ${method === 'list' ? h(many) : h(one)}`;
}

/**
 * How many buckets a page of a report holds by bucket width, from the report's data (OpenAI documents it on `limit`):
 * `limit = buckets per page (default/max: 1d 7/31, 1h 24/168, 1m 60/1440).` Terse: it is in eleven listed descriptions.
 */
export function reportPageSentence(limitArg: string, endpoint: ReportEndpoint): string {
  const sizes = [...endpoint.buckets].map(([width, page]) => `${width} ${page.default}/${page.max}`).join(', ');
  return `${limitArg} = buckets per page (default/max: ${sizes}).`;
}

/**
 * Our own sentence says what the call does in the tool catalog's vocabulary; the spec's summary is added
 * only when it says more than ours (it often just restates the method and resource).
 */
function lead(i: DescribeInput): string {
  const one = human(i.resourceSingular);
  const many = human(i.resourceWords);
  // Singletons (`/organization/data_retention`) are "the" thing; items of a collection are "a"/"an" thing.
  const singleton =
    !i.op.path.includes('{') || (!i.op.path.endsWith('}') && ['get', 'update', 'delete'].includes(i.method));
  const it = singleton && i.method !== 'create' ? `the ${one}` : article(one);
  let ours: string;
  switch (i.method) {
    case 'list':
      ours = i.report ? fill(i.report.endpoint.lead, { resource: many }) : `List ${many}; use it to find ids.`;
      break;
    case 'get':
      ours = i.links.listTool ? `Fetch one ${one} by id (find ids with ${i.links.listTool}).` : `Fetch ${it}.`;
      break;
    case 'create':
      ours = `Create ${article(one)}.`;
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
      const target = i.op.path.includes('{') ? article(one) : many;
      ours = i.method.includes('_') ? `${verb} for ${target}.` : `${verb} ${target}.`;
    }
  }
  // "**NOTE:** This endpoint requires an admin API key." leads some summaries; our own admin sentence says it.
  const specText = (i.op.summary || i.op.description)
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s*\*\*NOTE:\*\*[^.]*admin API[^.]*\.\s*/i, '');
  const oneSentence = oneLine(specText, 180);
  if (!oneSentence) return ours;
  // Summaries often lack the final period; without one, the next sentence of ours would read as part of it.
  const spec = /[.!?…]$/.test(oneSentence) ? oneSentence : `${oneSentence}.`;
  const mine = words(ours);
  const extra = [...words(spec)].filter((w) => !mine.has(w) && !mine.has(w.replace(/s$/, '')));
  return extra.length >= 3 ? `${ours} ${spec}` : ours;
}

function paging(p: Pagination | undefined, report: ReportMatch | undefined): string | undefined {
  if (!p) return undefined;
  // A report's page size is in buckets, which its own sentence says instead of "(limit sets page size)".
  if (report && p.limitArg) return `${pagingSentence(p.cursorArg)} ${reportPageSentence(p.limitArg, report.endpoint)}`;
  return pagingSentence(p.cursorArg, p.limitArg);
}

function asyncSentence(i: DescribeInput): string | undefined {
  const { asyncHint: h, statuses, pollTool } = i.links;
  if (!h) return undefined;
  const flow = statuses?.length ? statuses.filter((s) => !h.terminal.includes(s)).join(', ') : undefined;
  // Only the states this spec version has: an older one may lack some the overrides list.
  const terminal = (statuses?.length ? h.terminal.filter((s) => statuses.includes(s)) : h.terminal).join('|');
  let poll =
    pollTool === null ? '' : pollTool ? ` Poll ${pollTool === i.name ? 'this tool' : pollTool} until then.` : '';
  // A model left to poll by hand burns its context; the wait tool does it in one call.
  if (i.links.wait && pollTool !== i.name) poll = ` Wait with ${i.links.wait.tool}.`;
  return `Async ${h.noun}: status ${flow ? `moves through ${flow}, ` : ''}ends in ${terminal}.${poll}`;
}

function deprecation(op: RoutedOperation, ov: Overrides): string | undefined {
  if (!op.deprecated) return undefined;
  return (
    ov.deprecations.find((d) => d.prefixes.some((p) => underPrefix(op.path, p)))?.note ??
    'This operation is deprecated upstream.'
  );
}

export function describeTool(i: DescribeInput, ov: Overrides): string {
  // Every variable the template names is passed (strict mode), `undefined` meaning "leave the sentence out".
  const text = template({
    lead: lead(i),
    paging: paging(i.pagination, i.report),
    report: i.report?.report.rows,
    files: i.fileFields.join(', '),
    binary: i.binary,
    async: asyncSentence(i),
    admin: i.op.auth === 'admin',
    deprecated: deprecation(i.op, ov),
    hint: overrideOf(ov, i.op.operationId).hint,
  })
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= MAX_DESCRIPTION) return text;
  return `${text.slice(0, MAX_DESCRIPTION - 1).replace(/\s+\S*$/, '')}…`;
}
