// Stage 6 (on the built tools): human time inputs. Usage, cost and audit-log windows are unix seconds in the spec,
// and "the last 7 days" is arithmetic models get wrong. Arguments the spec describes as unix seconds are
// advertised as also taking ISO dates and relative forms; the runtime converts them before validation, so the
// full validation schema (and what goes on the wire) stays integer seconds.
import type { JsonSchema, ToolDef } from '../../runtime/types.js';

/** What the spec says about an argument that holds unix seconds. */
const UNIX_SECONDS = /\bunix (seconds|timestamp)/i;
const FORMS = 'unix seconds, ISO date/time, or -7d, -24h, now, today, start of month';

const isInteger = (s: JsonSchema | undefined) => s?.type === 'integer';
const widen = (s: JsonSchema): JsonSchema => (isInteger(s) ? { ...s, type: ['integer', 'string'] } : s);

/**
 * Marks the tool's unix-seconds arguments in `timeArgs` and widens their listed schema; an object of bounds
 * (`effective_at: {gte, lt…}`) is marked `effective_at.*`. The first argument's description lists the accepted
 * forms and later ones refer back to it, which keeps the catalog's token budget. Tools without any are returned as is.
 */
export function withTimeInputs(tool: ToolDef): ToolDef {
  const props = (tool.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
  const timeArgs: string[] = [];
  const next: Record<string, JsonSchema> = {};
  for (const [name, prop] of Object.entries(props)) {
    const said = String(prop.description ?? '');
    if (!UNIX_SECONDS.test(said)) continue;
    const isObject = prop.type === 'object';
    if (!isInteger(prop) && !isObject) continue;
    // "Start time (Unix seconds) of the query time range, inclusive." → "Start time, inclusive: <forms>."
    const base = said
      .replace(/\s*\(unix (seconds|timestamp)\)/i, '')
      .replace(/ of the query time range/i, '')
      .replace(/\.$/, '');
    const forms = timeArgs.length ? `same forms as ${timeArgs[0]!.replace(/\.\*$/, '')}` : FORMS;
    timeArgs.push(isObject ? `${name}.*` : name);
    const inner = prop.properties as Record<string, JsonSchema> | undefined;
    next[name] = {
      ...(isObject ? prop : widen(prop)),
      ...(inner ? { properties: Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, widen(v)])) } : {}),
      description: isObject ? `${base}; bounds take ${forms}.` : `${base}: ${forms}.`,
    };
  }
  if (!timeArgs.length) return tool;
  return { ...tool, inputSchema: { ...tool.inputSchema, properties: { ...props, ...next } }, timeArgs };
}
