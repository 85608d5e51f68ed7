// Helpers more than one generator stage uses, defined once: stages import this module and the contract
// (runtime/contract/), never each other, so a stage can be read, moved or replaced on its own.
import { createHash } from 'node:crypto';
import { DEF_REF_PREFIX } from '../runtime/contract/validation.js';
import { firstSentence, sentenceEnd } from '../runtime/text.js';
import { docText } from '../runtime/contract/ts-print.js';
import { TOOL_NAME_BUDGET, type ArgForms, type JsonSchema } from '../runtime/types.js';
import { SpecError } from './errors.js';
import type { Schema, SpecDocument } from './load/document.js';

// --- text ---------------------------------------------------------------------------------------------------------

/** Longest `oneLine` by default: a parameter's or property's one-line description. */
const ONE_LINE_MAX = 110;

/** First sentence, markdown links reduced to their text, cut at a word boundary. */
export function oneLine(text: string | undefined, max = ONE_LINE_MAX): string | undefined {
  if (!text) return undefined;
  let s = text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\*\*|__/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const end = sentenceEnd(s);
  if (end >= 12) s = s.slice(0, end);
  if (s.length > max) s = `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
  return s || undefined;
}

/** The description's first sentence, for compact search answers (the SDK docs' `summary`). */
export function sdkSummary(description: string): string {
  const one = docText(description, 600);
  return firstSentence(one, one.length);
}

/** "a user", "a usage report", "a URL", "an upload": a leading u that sounds like "you" takes "a". */
export const article = (noun: string) =>
  /^[aeiou]/i.test(noun) && !/^(?:us[aei]|uni|url)/i.test(noun) ? `an ${noun}` : `a ${noun}`;

// --- case and paths ------------------------------------------------------------------------------------------------

export const segmentsOf = (p: string) => p.split('/').filter(Boolean);

export const snake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();

export const kebab = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

/** `list_all_open_ai_batches` → `listAllOpenAiBatches` (zod export names). */
export const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Any separator-delimited words → `PascalCase` (SDK type names). */
export const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

// --- tool names ---------------------------------------------------------------------------------------------------

/** Longest tool name: `mcp__` + a server name of up to 9 characters + `__` + 48 = 64 (see runtime/types.ts). */
export const NAME_BUDGET = TOOL_NAME_BUDGET;

/**
 * The shortening rule, applied to a name over NAME_BUDGET only, one step at a time until it fits (each step keeps
 * the ones before it). Every step reads the name alone, so a name changes only when its own long form does: a
 * name within the budget is never touched, and a spec update cannot rename a tool whose operation did not change.
 *  1. the verb loses its filler word: `list_all_` → `list_`, `get_single_` → `get_`, `create_a_`, `update_a_`,
 *     `delete_a_` → `create_`, `update_`, `delete_`;
 *  2. `_by_id` goes (the id argument stays);
 *  3. the integration word `open_ai_` goes (the host's server prefix already says OpenAI);
 *  4. the name is cut at a word boundary and ends in `_` + the first 8 hex digits of the sha256 of the long name.
 */
export const SHORTENING_STEPS: ReadonlyArray<(name: string) => string> = [
  (n) => n.replace(/^(list)_all_|^(get)_single_|^(create|update|delete)_a_/, '$1$2$3_'),
  (n) => n.replace(/_by_id(?=_|$)/, ''),
  (n) => n.replace(/(^|_)open_ai_/, '$1'),
];

/**
 * Step 4: `head` (the name after steps 1-3) cut at a word boundary, plus a hash of the long name that keeps apart two
 * names with the same head; always within `budget`.
 */
export function hashedName(longName: string, head = longName, budget = NAME_BUDGET): string {
  const hash = createHash('sha256').update(longName).digest('hex').slice(0, 8);
  const room = budget - hash.length - 1;
  const cut = head.slice(0, room + 1);
  const word = cut.lastIndexOf('_');
  const kept = (word > room / 2 ? cut.slice(0, word) : cut.slice(0, room)).replace(/_+$/, '');
  return `${kept}_${hash}`;
}

/** A name within the budget, by SHORTENING_STEPS; a name already within it comes back unchanged. */
export function fitName(longName: string, budget = NAME_BUDGET): string {
  let name = longName;
  for (const step of SHORTENING_STEPS) {
    if (name.length <= budget) return name;
    name = step(name);
  }
  return name.length <= budget ? name : hashedName(longName, name, budget);
}

/** The generate-time check: every tool name (wait tools and overrides included) within NAME_BUDGET. */
export function checkBudget(name: string, where: string): void {
  if (name.length > NAME_BUDGET) {
    throw new SpecError(
      `tool name "${name}" is ${name.length} characters, over the budget of ${NAME_BUDGET} ` +
        `(mcp__<server>__<tool> must fit 64); shorten it in ${where}`,
      'SPEC_NAME',
    );
  }
}

/** `get_single_open_ai_fine_tuning_job_by_id` → `wait_for_open_ai_fine_tuning_job_by_id`, within the name budget. */
export function waitToolName(pollTool: string): string {
  const rest = pollTool.startsWith('get_single_')
    ? pollTool.slice('get_single_'.length)
    : pollTool.startsWith('get_')
      ? pollTool.slice('get_'.length)
      : pollTool;
  return fitName(`wait_for_${rest}`);
}

// --- schemas ------------------------------------------------------------------------------------------------------

export type Node = Record<string, unknown>;
export type Defs = Record<string, JsonSchema>;

export const isNode = (v: unknown): v is Node => !!v && typeof v === 'object' && !Array.isArray(v);

/** A full-schema node with its `$ref`s (into the validation bundle's `$defs`) followed. */

export function resolve(node: unknown, defs: Defs): Node | undefined {
  let n = node;
  for (let i = 0; i < 16 && isNode(n) && typeof n.$ref === 'string'; i++) {
    const name = n.$ref.startsWith(DEF_REF_PREFIX) ? n.$ref.slice(DEF_REF_PREFIX.length) : undefined;
    n = name === undefined ? undefined : defs[name];
  }
  return isNode(n) ? n : undefined;
}

/** Every alternative a full-schema node stands for: `$ref`s followed, `anyOf`/`oneOf`/`allOf` members flattened. */
export function variants(nodes: unknown[], defs: Defs, seen = new Set<Node>()): Node[] {
  const out: Node[] = [];
  for (const raw of nodes) {
    const n = resolve(raw, defs);
    if (!n || seen.has(n)) continue;
    seen.add(n);
    out.push(n);
    for (const key of ['anyOf', 'oneOf', 'allOf']) {
      if (Array.isArray(n[key])) out.push(...variants(n[key] as unknown[], defs, seen));
    }
  }
  return out;
}

/** The full-schema nodes one step down: a property of the objects, or the items of the arrays. */
export function step(nodes: unknown[], defs: Defs, key: { property: string } | 'items'): unknown[] {
  const out: unknown[] = [];
  for (const v of variants(nodes, defs)) {
    if (key === 'items') {
      if (isNode(v.items)) out.push(v.items);
      if (Array.isArray(v.prefixItems)) out.push(...v.prefixItems);
    } else if (isNode(v.properties) && key.property in v.properties) {
      out.push(v.properties[key.property]);
    }
  }
  return out;
}

/** Top-level properties of a response schema, looking through `allOf`. */
export function responseProperties(spec: SpecDocument, schema: Schema | undefined, depth = 0): Map<string, Schema> {
  const props = new Map<string, Schema>();
  if (!schema) return props;
  const s = spec.schema(schema).node;
  for (const [k, v] of Object.entries(s.properties ?? {})) props.set(k, v);
  if (depth < 16)
    for (const part of s.allOf ?? []) for (const [k, v] of responseProperties(spec, part, depth + 1)) props.set(k, v);
  return props;
}

/** What the listed description of a JSON-string argument says (short: the catalog has ~160 of them). */
export const JSON_STRING_NOTE = '(JSON object)';
/** How a string|JSON-object union listed as one string ends its description. */
export const OR_JSON = 'or a JSON object.';
/** How a name-or-`{id}` union listed as one string ends its description (before OR_JSON). */
export const ID_REFERENCE = 'A name or id; {"id": "…"} as text, ';
export const ID_REFERENCE_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { id: { type: 'string' } },
  required: ['id'],
};

/**
 * The schema as the spec means it, for typed consumers that pass values as they are (the code-mode SDK types, the
 * zod exports): JSON-text positions typed as objects again (beside the strings they also take), and nullable
 * stand-ins for "not given" optional again. The inverse of `strictInputSchema` on its own output.
 */
export function typedInputSchema(listed: JsonSchema, forms: ArgForms | undefined): JsonSchema {
  if (!forms) return listed;
  const json = new Set(forms.json ?? []);
  const nulls = new Set(forms.nullIsAbsent ?? []);
  const untangle = (node: Node, path: string): Node => {
    const said = String(node.description ?? '');
    if (json.has(path) && node.type === 'string' && (said.endsWith(JSON_STRING_NOTE) || said.endsWith(OR_JSON))) {
      const pure = said.endsWith(JSON_STRING_NOTE);
      const reference = said.endsWith(`${ID_REFERENCE}${OR_JSON}`);
      const rest = pure
        ? said.slice(0, -JSON_STRING_NOTE.length).trim()
        : reference
          ? said.slice(0, -`${ID_REFERENCE}${OR_JSON}`.length).trim()
          : said;
      const described = rest ? { description: rest } : {};
      if (pure) return { type: 'object', ...described };
      return { ...described, anyOf: [{ type: 'string' }, reference ? ID_REFERENCE_SCHEMA : { type: 'object' }] };
    }
    const out: Node = { ...node };
    if (isNode(node.properties)) {
      const dropped: string[] = [];
      out.properties = Object.fromEntries(
        Object.entries(node.properties).map(([name, sub]) => {
          const subPath = path ? `${path}.${name}` : name;
          if (!isNode(sub)) return [name, sub];
          let inner: Node = sub;
          if (nulls.has(subPath) && Array.isArray(sub.anyOf) && sub.anyOf.length === 2 && isNode(sub.anyOf[0])) {
            dropped.push(name);
            inner = {
              ...(sub.anyOf[0] as Node),
              ...(sub.description !== undefined ? { description: sub.description } : {}),
            };
          }
          return [name, untangle(inner, subPath)];
        }),
      );
      if (Array.isArray(node.required) && dropped.length) {
        const required = (node.required as string[]).filter((r) => !dropped.includes(r));
        if (required.length) out.required = required;
        else delete out.required;
      }
    }
    if (isNode(node.items)) out.items = untangle(node.items, `${path}[]`);
    if (Array.isArray(node.anyOf)) out.anyOf = node.anyOf.map((b) => (isNode(b) ? untangle(b, path) : b));
    return out;
  };
  return untangle(listed, '') as JsonSchema;
}
