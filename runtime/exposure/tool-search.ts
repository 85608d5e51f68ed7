// Keyword ranking over a selection of tools, shared by discovery's search_tools and code mode's search_docs.
// The index is built on the first search: a server that is only listed, or only called, never pays for it.

import MiniSearch from 'minisearch';
import type { ToolDef } from '../types.js';

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

/** Returns a search over `tools`: the matching tools for a query, best first. */
export function createToolSearch(tools: readonly ToolDef[], options: ToolSearchOptions): (query: string) => ToolHit[] {
  const byName = new Map(tools.map((t) => [t.name, t]));
  let index: MiniSearch<Doc> | undefined;
  const build = () => {
    const built = new MiniSearch<Doc>({
      fields: ['name', 'tags', 'title', 'description', ...(options.params ? ['params'] : [])],
      searchOptions: {
        boost: { name: 3, title: 2, tags: 2, params: 0.5 },
        prefix: true,
        fuzzy: options.fuzzy,
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
  return (query) => {
    index ??= build();
    return index.search(query).map((hit) => ({ tool: byName.get(String(hit.id))!, score: hit.score }));
  };
}
