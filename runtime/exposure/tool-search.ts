// Keyword ranking over a selection of tools, shared by discovery's search_tools and code mode's search_docs.
// The index is built on the first search: a server that is only listed, or only called, never pays for it.

import MiniSearch from 'minisearch';
import type { ToolDef } from '../contract/catalog.js';

export interface ToolSearchOptions {
  /** MiniSearch's fuzziness (edit distance as a fraction of the term length). */
  fuzzy: number;
  /** Extra text per tool (e.g. its parameters), indexed with a low weight. */
  params?: (tool: ToolDef) => string;
}

interface Doc {
  id: string;
  name: string;
  tags: string;
  title: string;
  description: string;
  params: string;
}

export interface ToolHit {
  tool: ToolDef;
  score: number;
}

/**
 * What one query may cost, for every keyword search (discovery's search_tools, code mode's search_docs). MiniSearch's
 * fuzzy match builds an edit-distance table per term and indexed word, so its cost grows with the square of the
 * term's length: 50,000 characters of one word held the event loop for 11 s.
 */
export const QUERY_LIMITS = {
  /** Characters of a query searched; the rest is cut, and the answer says so. */
  maxChars: 500,
  /** Words searched; later ones are left out. */
  maxTerms: 24,
  /** Longer words match exactly or as a prefix, never within an edit distance. */
  maxFuzzyTermChars: 24,
} as const;

const tokenize = MiniSearch.getDefault('tokenize') as (text: string) => string[];

/** The query as searched: at most `maxChars` characters and `maxTerms` words, and whether anything was cut. */
export function limitQuery(query: string): { query: string; cut: boolean } {
  const short = query.slice(0, QUERY_LIMITS.maxChars);
  const terms = tokenize(short).filter(Boolean);
  if (terms.length <= QUERY_LIMITS.maxTerms) return { query: short, cut: short.length < query.length };
  return { query: terms.slice(0, QUERY_LIMITS.maxTerms).join(' '), cut: true };
}

/** What an answer says about a cut query (quoting it, unless the answer already does). */
export const cutNote = (query?: string) =>
  `The query was cut to ${QUERY_LIMITS.maxChars} characters and ${QUERY_LIMITS.maxTerms} words${query === undefined ? '' : `: ${JSON.stringify(query)}`}.`;

export interface ToolSearchResult {
  hits: ToolHit[];
  /** The query as searched (see `limitQuery`). */
  query: string;
  cut: boolean;
}

/** Returns a search over `tools`: the matching tools for a query (limited by QUERY_LIMITS), best first. */
export function createToolSearch(
  tools: readonly ToolDef[],
  options: ToolSearchOptions,
): (query: string) => ToolSearchResult {
  const byName = new Map(tools.map((t) => [t.name, t]));
  let index: MiniSearch<Doc> | undefined;
  const build = () => {
    const built = new MiniSearch<Doc>({
      fields: ['name', 'tags', 'title', 'description', ...(options.params ? ['params'] : [])],
      searchOptions: {
        boost: { name: 3, title: 2, tags: 2, params: 0.5 },
        prefix: true,
        fuzzy: (term: string) => (term.length <= QUERY_LIMITS.maxFuzzyTermChars ? options.fuzzy : false),
        combineWith: 'OR',
      },
    });
    built.addAll(
      tools.map((t) => ({
        id: t.name,
        // Names are snake_case; as words they match "fine tuning jobs".
        name: t.name.replace(/_/g, ' '),
        tags: t.tags.join(' '),
        title: t.title,
        description: t.description,
        params: options.params?.(t) ?? '',
      })),
    );
    return built;
  };
  return (given) => {
    index ??= build();
    const { query, cut } = limitQuery(given);
    const hits = index.search(query).map((hit) => ({ tool: byName.get(String(hit.id))!, score: hit.score }));
    return { hits, query, cut };
  };
}

/** A name's words: snake_case, camelCase and kebab-case split (`listFineTuningJobs` → list fine tuning jobs). */
const nameWords = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .toLowerCase()
    .trim();

/**
 * The tool names in `tools` closest to a name that is not one of them, best first: by their words (fuzzy, prefix),
 * so a typo, a missing plural or a camelCase spelling finds the tool. Only the given (in-scope) tools are named.
 */
export function createClosestNames(tools: readonly ToolDef[]): (name: string, n?: number) => string[] {
  let index: MiniSearch<{ id: string; words: string }> | undefined;
  return (name, n = 3) => {
    index ??= (() => {
      const built = new MiniSearch<{ id: string; words: string }>({
        fields: ['words'],
        searchOptions: {
          prefix: true,
          fuzzy: (t: string) => (t.length <= QUERY_LIMITS.maxFuzzyTermChars ? 0.25 : false),
          combineWith: 'OR',
        },
      });
      built.addAll(tools.map((t) => ({ id: t.name, words: nameWords(t.name) })));
      return built;
    })();
    const { query } = limitQuery(nameWords(name));
    // Of the best matches by words, the nearest in length first: `project` is `projects`, not `project_api_keys`.
    const length = nameWords(name).length;
    return index
      .search(query)
      .slice(0, 10)
      .map((hit, rank) => ({ id: String(hit.id), rank, off: Math.abs(nameWords(String(hit.id)).length - length) }))
      .sort((a, b) => a.off - b.off || a.rank - b.rank)
      .slice(0, n)
      .map((c) => c.id);
  };
}
