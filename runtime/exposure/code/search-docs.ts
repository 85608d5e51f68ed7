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
    const decl = docs!.types[name];
    parts.push(decl ?? `// ${name}: a large type, see generated/sdk.d.ts`);
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
  for (const name of entry.types.slice(1)) {
    if (shown.has(name)) continue;
    shown.add(name);
    const shape = docs!.shapes?.[name];
    if (shape) parts.push(`type ${name} = ${shape};`);
  }
  return parts.join('\n');
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
      // Own names only: `constructor` or `__proto__` must not read Object.prototype.
      const own = <T>(record: Record<string, T> | undefined) =>
        record && Object.hasOwn(record, name) ? record[name] : undefined;
      const shape = own(sdk?.shapes);
      return (
        own(sdk?.types) ??
        (shape
          ? `// ${name} is large: its top-level fields\ntype ${name} = ${shape};`
          : `// ${cutText(name.replace(/\s+/g, ' '), MAX_NAME_CHARS)}: no such type among the tools' argument and result types, or too large to quote (see generated/sdk.d.ts)`)
      );
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
    const how = detail ? '' : ' Nested objects show as { … }; types: ["Name"] quotes one.';
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
