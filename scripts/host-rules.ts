// The published tool-schema rules of the hosts that reject tools outright, checked against `tools/list` entries.
// OpenAI function calling (Chat Completions / Responses `tools[].function`):
//   name `^[a-zA-Z0-9_-]{1,64}$`; `parameters` a JSON Schema object with root `type: "object"` and no root
//   `anyOf`/`oneOf`/`allOf`/`enum`/`not`; every array schema has `items` (else 400 "array schema missing items");
//   description at most 1024 characters.
// Anthropic Messages API (`tools[]`):
//   name `^[a-zA-Z0-9_-]{1,64}$`; `input_schema` with root `type: "object"`, no root `oneOf`/`allOf`/`anyOf`.
// Portable across hosts (Gemini function declarations, VS Code, the MCP Inspector's --strict lint, tokenizers):
//   one string `type` per schema, no schema without any type information, no `<|…|>` special tokens, and no open
//   `additionalProperties` (Gemini's OpenAPI-subset `parameters` has no such field and refuses the declaration);
//   `additionalProperties: false` is allowed, as strict converters need it on an object without properties; no union
//   of an object and a string (LangChain's MCP adapter keeps one type of a union and turns it into an object, so
//   the string could not be sent).

export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export interface RuleFinding {
  tool: string;
  host: 'openai' | 'anthropic' | 'portable';
  rule: string;
  path: string;
  message: string;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const SPECIAL_TOKEN = /<\|[^<>|]*\|>/;
const ROOT_COMBINATORS_OPENAI = ['anyOf', 'oneOf', 'allOf', 'enum', 'not'];
const ROOT_COMBINATORS_ANTHROPIC = ['anyOf', 'oneOf', 'allOf'];
/** Keywords that tell a client what a value is; a schema with none of them accepts anything. */
const TYPING = ['type', 'anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const'];

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => !!v && typeof v === 'object' && !Array.isArray(v);

function* subschemas(node: Node, path: string): Generator<[Node, string]> {
  for (const key of ['properties', 'patternProperties', '$defs', 'definitions']) {
    if (isNode(node[key]))
      for (const [k, v] of Object.entries(node[key])) if (isNode(v)) yield [v, `${path}.${key}.${k}`];
  }
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
    if (Array.isArray(node[key]))
      for (const [i, v] of (node[key] as unknown[]).entries()) if (isNode(v)) yield [v, `${path}.${key}[${i}]`];
  }
  for (const key of ['items', 'additionalProperties', 'not', 'contains', 'if', 'then', 'else']) {
    if (isNode(node[key])) yield [node[key] as Node, `${path}.${key}`];
  }
}

/** Every finding for one listed tool; an empty array means OpenAI, Anthropic and the portable subset accept it. */
export function checkTool(tool: ListedTool): RuleFinding[] {
  const out: RuleFinding[] = [];
  const add = (host: RuleFinding['host'], rule: string, path: string, message: string) =>
    out.push({ tool: tool.name, host, rule, path, message });

  if (!NAME.test(tool.name)) {
    add('openai', 'name-pattern', 'name', 'name must match ^[a-zA-Z0-9_-]{1,64}$');
    add('anthropic', 'name-pattern', 'name', 'name must match ^[a-zA-Z0-9_-]{1,64}$');
  }
  if ((tool.description ?? '').length > 1024)
    add('openai', 'description-length', 'description', 'description is longer than 1024 characters');
  for (const field of ['title', 'description'] as const) {
    if (SPECIAL_TOKEN.test(tool[field] ?? ''))
      add('portable', 'special-token', field, `${field} contains a tokenizer special token`);
  }

  const root = tool.inputSchema;
  if (!isNode(root) || root.type !== 'object') {
    add('openai', 'root-object', 'inputSchema', 'root must be type "object"');
    add('anthropic', 'root-object', 'inputSchema', 'root must be type "object"');
  }
  for (const k of ROOT_COMBINATORS_OPENAI)
    if (isNode(root) && k in root) add('openai', 'root-combinator', `inputSchema.${k}`, `no ${k} at the root`);
  for (const k of ROOT_COMBINATORS_ANTHROPIC)
    if (isNode(root) && k in root) add('anthropic', 'root-combinator', `inputSchema.${k}`, `no ${k} at the root`);

  const walk = (node: Node, path: string, depth: number) => {
    if (depth > 64) return;
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('array') && !isNode(node.items))
      add('openai', 'array-items', path, 'array schema missing items');
    if (Array.isArray(node.type))
      add('portable', 'type-array', path, `type is an array (${JSON.stringify(node.type)})`);
    // `false` is allowed: strict converters need it on an object without properties (a tool with no arguments).
    if ('additionalProperties' in node && node.additionalProperties !== false)
      add('portable', 'additional-properties', path, 'additionalProperties (Gemini function declarations refuse it)');
    if (!TYPING.some((k) => k in node)) add('portable', 'untyped', path, "schema says nothing about the value's type");
    for (const k of ['anyOf', 'oneOf']) {
      const kinds = Array.isArray(node[k]) ? (node[k] as unknown[]).filter(isNode).map((b) => b.type) : [];
      if (kinds.includes('object') && kinds.includes('string'))
        add(
          'portable',
          'object-string-union',
          `${path}.${k}`,
          "object|string union (LangChain's adapter makes it an object)",
        );
    }
    if (typeof node.description === 'string' && SPECIAL_TOKEN.test(node.description))
      add('portable', 'special-token', `${path}.description`, 'special token in a description');
    if (typeof node.default === 'string' && SPECIAL_TOKEN.test(node.default))
      add('portable', 'special-token', `${path}.default`, 'special token in a default');
    if (Array.isArray(node.enum) && node.enum.some((v) => typeof v === 'string' && SPECIAL_TOKEN.test(v)))
      add('portable', 'special-token', `${path}.enum`, 'special token in an enum');
    for (const [child, p] of subschemas(node, path)) walk(child, p, depth + 1);
  };
  if (isNode(root)) walk(root, 'inputSchema', 0);
  return out;
}

/** Findings for a whole listing. */
export function checkTools(tools: ListedTool[]): RuleFinding[] {
  return tools.flatMap(checkTool);
}
