// Hosts cap how many tools they pass to the model: OpenAI accepts at most 128 per request (400 above that) and
// Cursor forwards only its first 40–80. A server that lists more still starts; the operator gets one stderr line
// saying how to get under the cap, because the host's own error rarely names the server.

/** OpenAI's per-request tool limit, the strictest hard cap among common hosts. */
export const HOST_TOOL_LIMIT = 128;

/**
 * The one-line warning for a selection of `count` listed tools, or `undefined` when it fits under `limit`.
 * `count` is what `tools/list` returns (for the `discovery` exposure that is its few meta-tools, not the toolkit).
 */
export function toolCapWarning(count: number, limit = HOST_TOOL_LIMIT): string | undefined {
  if (count <= limit) return undefined;
  return (
    `warning: ${count} tools selected; OpenAI-based hosts accept at most ${limit} per request and Cursor uses only its first 40-80 (Claude has no such cap). ` +
    'Narrow with --tags (e.g. --tags fine-tuning), --methods (e.g. --methods list,get) or serve a few meta-tools with --exposure discovery.'
  );
}

/** Writes {@link toolCapWarning} to `write` (stderr by default) when the selection is over the cap. */
export function warnIfOverToolCap(
  count: number,
  write: (line: string) => void = (line) => process.stderr.write(`openai-mcp: ${line}\n`),
  limit = HOST_TOOL_LIMIT,
): boolean {
  const warning = toolCapWarning(count, limit);
  if (warning) write(warning);
  return warning !== undefined;
}
