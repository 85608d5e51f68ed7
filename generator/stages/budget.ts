// budget stage: the catalog's token budget. One level of nested property names helps the model a lot
// (fine-tuning `hyperparameters`, `method.type`), so it is kept while the whole catalog stays under the
// target; past it the generator falls back to top-level-only schemas (~2,300 tokens less on the pinned spec),
// keeping room under the hard 60,000 as OpenAI adds endpoints.
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { ToolDef } from '../../runtime/types.js';

/**
 * Token target (o200k) for the richer catalog. Raised from 57,500 when the portable pass arrived: hosts reject the
 * shorter non-portable forms (`type` arrays, arrays without `items`), which cost ~600 tokens to spell out. Raised
 * from 58,500 when the strict pass arrived (generator/strict.ts): each open object listed as JSON text says so
 * (`"description": "(JSON object)"`, ~7 tokens for each of ~190), ~1,200 tokens in all on the pinned spec; without
 * it the catalog would drop nested property names for every tool to pay for it. Raised from 59,500 when the eleven
 * usage and cost reports began stating their page sizes by bucket width (specs/overrides.yaml `reports`; a model
 * asking for 30 days of daily usage otherwise gets 7 and pages), ~260 tokens after trimming their other sentences.
 */
export const TOKEN_TARGET = 59_750;

/** Nesting depths tried, richest first; the last one is taken whatever it costs. */
export const NESTED_DEPTHS = [1, 0] as const;

/** o200k tokens of the catalog as `tools/list` shows it. */
export function catalogTokens(tools: ToolDef[]): number {
  const listed = tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema,
    annotations: t.annotations,
  }));
  return encode(JSON.stringify({ tools: listed }), { allowedSpecial: 'all' }).length;
}

export const withinBudget = (tools: ToolDef[], target = TOKEN_TARGET): boolean => catalogTokens(tools) <= target;
