// The depth guard: JSON nested deeper than anything OpenAI sends is refused before anything walks it recursively.

import type { CallToolResult } from '../protocol.js';
import type { RawResponse } from '../execute.js';
import { toolErrorResult } from '../contract/errors.js';

/** Deepest JSON passed on. OpenAI's answers nest a few levels; a hostile 200k-level body would overflow the stack. */
export const MAX_JSON_DEPTH = 1000;

/** True when `value` nests deeper than `max` arrays/objects (checked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const inner of Object.values(v)) if (inner && typeof inner === 'object') stack.push([inner, depth + 1]);
  }
  return false;
}

export function tooDeepResult(raw: RawResponse): CallToolResult {
  const message = `OpenAI answered HTTP ${raw.status}, but the JSON nests deeper than ${MAX_JSON_DEPTH} levels and was not returned`;
  return toolErrorResult(`${message}.`, { type: 'result_too_deep', message, max_depth: MAX_JSON_DEPTH });
}
