// The `search_docs` tool: ranked full-text search (minisearch: BM25 with prefix and fuzzy matching) over the
// selected tools' names, tags, titles, descriptions and parameters. By default each hit is compact: the doc's first
// sentence and the signature on one line, arguments inline and result types by name with their top-level fields
// (the transitive closure of a result's types is most of a full answer and rarely needed to write the call).
// `detail: true` quotes generated/sdk.d.ts exactly (doc comment, declarations); `types` quotes named declarations.

import type { CallToolResult, Tool } from '../../protocol.js';
import { invalidArgumentsResult, MAX_NAME_CHARS } from '../../errors.js';
import { cutText } from '../../redact.js';
import type { OpenAiToolkit } from '../../toolkit.js';
import type { ToolDef } from '../../contract/catalog.js';
import { createToolSearch, cutNote } from '../tool-search.js';
import { loadSdkDocs, type SdkDocs } from './sdk-docs.js';
import { fallbackSignature } from './ts-types.js';

export const SEARCH_DOCS = 'search_docs';
const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 20;
const MAX_TYPES = 10;
const MAX_PATH_CHARS = 300;

export function searchDocsTool(): Tool {
  return {
    name: SEARCH_DOCS,
    title: 'Search the typed OpenAI client',
    description: [
      'Finds the `openai.<tool_name>` functions available to execute_code, ranked by relevance to `query` (words such as "project api keys" or "usage completions").',
      'Each match is its TypeScript signature on one line (arguments inline) with a one-sentence summary, and its result types with their top-level fields.',
      '`detail: true` quotes full declarations with every field documented; `types: ["Name"]` quotes named types.',
      'Use the exact tool and argument names it shows.',
    ].join(' '),
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What the program needs to do or read.' },
        limit: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_LIMIT,
          default: DEFAULT_LIMIT,
          description: 'Matches to return.',
        },
        detail: { type: 'boolean', default: false, description: 'Full declarations instead of the compact form.' },
        types: {
          type: 'array',
          items: { type: 'string' },
          maxItems: MAX_TYPES,
          description: 'Type names to quote in full (query is then optional).',
        },
      },
    },
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  };
}

const words = (s: string) => s.replace(/_/g, ' ');

function paramText(t: ToolDef): string {
  const props = (t.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
  return Object.entries(props)
    .map(([k, p]) => `${words(k)} ${p?.description ?? ''}`)
    .join(' ');
}

/**
 * The quoted documentation of one tool: doc comment and signature, then the declarations of the types it names
 * that this answer has not quoted yet (`quoted` is shared across one answer).
 */
export function toolDoc(t: ToolDef, docs: SdkDocs | undefined, quoted = new Set<string>()): string {
  const entry = docs?.tools[t.name];
  if (!entry || entry.schemaHash !== t.schemaHash) return fallbackSignature(t);
  // Doc comments sit indented inside `interface OpenAi`; shown on their own, they are dedented.
  const parts = [`${entry.doc.replace(/^[ \t]+\*/gm, ' *')}\nopenai.${entry.signature}`];
  for (const name of entry.types) {
    if (quoted.has(name)) continue;
    quoted.add(name);
    parts.push(declarationOf(docs, name));
  }
  return parts.join('\n');
}

/**
 * The compact documentation of one tool: summary, one-line signature, then the top-level fields of the result
 * types this answer has not shown yet (`shown` is shared across one answer).
 */
export function compactToolDoc(t: ToolDef, docs: SdkDocs | undefined, shown = new Set<string>()): string {
  const entry = docs?.tools[t.name];
  if (!entry || entry.schemaHash !== t.schemaHash || !entry.compact) return fallbackSignature(t);
  const parts = [`// ${entry.summary}\nopenai.${entry.compact}`];
  // The inline argument type has a name only for expanding what it shows as `{ … }`.
  const args = entry.types[0];
  if (args && entry.compact.slice(0, entry.compact.indexOf('): Promise<')).includes('{ … }'))
    parts.push(`// args are ${args}: types: ["${args}.<field>"] quotes a field shown as { … }`);
  for (const name of entry.types.slice(1)) {
    if (shown.has(name)) continue;
    shown.add(name);
    const shape = docs!.shapes?.[name];
    if (shape) parts.push(`type ${name} = ${shape};`);
  }
  return parts.join('\n');
}

/** `Type['field']`, `Type["field"]`, `Type.list[number].field` → `Type.field`, `Type.list.field` (the members' keys). */
const memberPath = (name: string) =>
  name
    .trim()
    .replace(/\[\s*(?:number|\d+)\s*\]/g, '')
    .replace(/\[\s*(['"])([^'"\]]*)\1\s*\]/g, '.$2');

/**
 * What search_docs quotes for one name: a named type's declaration, the top-level fields of one too large to
 * quote, or a field holding an anonymous object (`FineTuningJob.error`). Never a pointer to a file: the model
 * reads only what this answers.
 */
export function declarationOf(docs: SdkDocs | undefined, name: string): string {
  // Own names only: `constructor` or `__proto__` must not read Object.prototype.
  const own = <T>(record: Record<string, T> | undefined, key: string) =>
    record && Object.hasOwn(record, key) ? record[key] : undefined;
  // No type name is long: a long one is not searched (the path regexes stay linear on short input).
  const path = name.length <= MAX_PATH_CHARS ? memberPath(name) : '';
  const known = own(docs?.types, path) ?? own(docs?.members, path);
  if (known) return known;
  const shape = own(docs?.shapes, path);
  const shown = cutText(name.replace(/\s+/g, ' '), MAX_NAME_CHARS);
  if (shape)
    return `// ${path} is large: its top-level fields (types: ["${path}.<field>"] quotes a field shown as { … })\ntype ${path} = ${shape};`;
  const dot = path.indexOf('.');
  const parent = dot > 0 ? path.slice(0, dot) : '';
  if (parent && (own(docs?.types, parent) ?? own(docs?.shapes, parent)))
    return `// ${shown}: ${parent} has no such field holding an object (plain fields are in its declaration: types: ["${parent}"]; a named type is quoted by its name)`;
  return `// ${shown}: no such type among the tools' argument and result types`;
}

export function createSearchDocs(kit: OpenAiToolkit) {
  const search = createToolSearch(kit.tools, { fuzzy: 0.2, params: paramText });
  let docs: Promise<SdkDocs | undefined> | undefined;

  return async function searchDocs(args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const query = args?.query;
    const types = args?.types;
    if (
      types !== undefined &&
      (!Array.isArray(types) || types.length > MAX_TYPES || types.some((n) => typeof n !== 'string' || !n))
    ) {
      return invalidArgumentsResult(SEARCH_DOCS, [
        { path: 'types', message: `must be an array of at most ${MAX_TYPES} type names` },
      ]);
    }
    if ((typeof query !== 'string' || !query.trim()) && !(types?.length && query === undefined)) {
      return invalidArgumentsResult(SEARCH_DOCS, [
        { path: 'query', message: 'must be a non-empty string (or omitted when `types` is given)' },
      ]);
    }
    const limit = args?.limit ?? DEFAULT_LIMIT;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return invalidArgumentsResult(SEARCH_DOCS, [
        { path: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` },
      ]);
    }
    const detail = args?.detail ?? false;
    if (typeof detail !== 'boolean')
      return invalidArgumentsResult(SEARCH_DOCS, [{ path: 'detail', message: 'must be a boolean' }]);
    docs ??= loadSdkDocs();
    const sdk = await docs;
    const quoted = new Set<string>();
    const declarations = ((types as string[] | undefined) ?? []).map((name) => {
      quoted.add(name);
      return declarationOf(sdk, name);
    });
    if (typeof query !== 'string') {
      return {
        content: [{ type: 'text', text: declarations.join('\n\n') }],
        structuredContent: { matches: [], types: declarations },
      };
    }
    const found = search(query);
    const hits = found.hits.slice(0, limit);
    if (!hits.length) {
      return {
        content: [
          {
            type: 'text',
            text: [
              `No tool matches ${JSON.stringify(found.query)}. Try other words (resource names such as "projects", "files", "fine tuning").`,
              ...(found.cut ? [cutNote()] : []),
            ].join(' '),
          },
        ],
        structuredContent: { matches: [], ...(found.cut ? { query: found.query } : {}) },
      };
    }
    const blocks = hits.map(({ tool }) => (detail ? toolDoc : compactToolDoc)(tool, sdk, quoted));
    const note = found.cut ? [cutNote(found.query)] : [];
    const how = detail
      ? ''
      : ' Larger nested objects show as { … }: types: ["Type.field"] quotes one, types: ["Name"] a named type.';
    const text = [
      `${hits.length} of ${kit.tools.length} tools, best first, for execute_code as openai.<name>(args).${how}`,
      ...note,
      ...declarations,
      ...blocks,
    ].join('\n\n');
    return {
      content: [{ type: 'text', text }],
      structuredContent: {
        matches: hits.map((h, i) => ({ name: h.tool.name, score: Math.round(h.score * 1000) / 1000, doc: blocks[i] })),
        ...(found.cut ? { query: found.query } : {}),
        ...(declarations.length ? { types: declarations } : {}),
      },
    };
  };
}
