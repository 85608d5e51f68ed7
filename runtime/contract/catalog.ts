// The catalog: the contract between the generator (build time) and the runtime (run time).
// The generator writes `generated/catalog.json` as a `Catalog`; the runtime reads it.
// Keep this file dependency-free: both sides import it.

export type JsonSchema = { [key: string]: unknown };

/**
 * Longest tool name the generator makes. Hosts put a prefix in front (Claude Code: `mcp__<server>__<tool>`), and
 * Anthropic's and OpenAI's APIs take 64 characters at most (Gemini CLI cuts past 64), so 48 leaves room for a
 * server name of MAX_CLIENT_SERVER_NAME characters.
 */
export const TOOL_NAME_BUDGET = 48;
/** The longest server name a client should give this server: `mcp__` + name + `__` + tool ≤ 64. */
export const MAX_CLIENT_SERVER_NAME = 64 - 'mcp__'.length - '__'.length - TOOL_NAME_BUDGET;

/** CRUD methods have fixed names; anything else is a custom verb such as `cancel` or `archive`. */
export type CrudMethod = 'list' | 'get' | 'create' | 'update' | 'delete';
export type Method = CrudMethod | (string & {});
export type Access = 'read' | 'write';
export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type AuthKind = 'project' | 'admin';

/** Where one tool argument goes on the wire. */
export interface ParamBinding {
  /** Argument name as the LLM sees it (a property of `inputSchema`). */
  arg: string;
  in: 'path' | 'query' | 'header';
  /** Name on the wire, e.g. `include[]` or `openai-beta`. */
  wire: string;
  required: boolean;
  /** OpenAPI serialization style; absent means the location's default (`simple` for path, `form` for query). */
  style?: 'form' | 'deepObject' | 'simple' | 'spaceDelimited' | 'pipeDelimited';
  /** OpenAPI `explode`; absent means the style's default (true for form). */
  explode?: boolean;
}

export interface BodyBinding {
  contentType: 'application/json' | 'multipart/form-data';
  /**
   * `fields`: the body is an object whose top-level fields are tool arguments (see `fields`).
   * `wrapped`: the body (an array, string or union that cannot be flattened) is the `body` argument.
   */
  mode: 'fields' | 'wrapped';
  /** Argument name → wire field name, for `fields` mode. Renamed only when a field collides with a path/query param. */
  fields: Record<string, string>;
  /** Multipart fields that carry files: each argument is `{content, encoding, filename, mime_type?}` (or an array of them). */
  fileFields: string[];
  /**
   * The operation also takes JSON, and some file fields accept a reference to an existing object instead of bytes
   * (`{id}` of a video, `{file_id}`): a call with no file content then goes as JSON.
   */
  jsonWithoutFiles?: boolean;
  required: boolean;
}

export interface Pagination {
  /** `cursor`: pass the last id as `after`. `page`: pass `next_page` back as `page`. */
  style: 'cursor' | 'page';
  /** The argument that takes `next_cursor`. */
  cursorArg: string;
  limitArg?: string;
}

export interface HttpBinding {
  verb: HttpVerb;
  /** Path template relative to the base URL, e.g. `/fine_tuning/jobs/{fine_tuning_job_id}`; `{x}` names the *argument*. */
  path: string;
  /** Query pairs fixed by the operation itself (the spec's `?beta=true` path keys). */
  fixedQuery: Record<string, string>;
  /** Headers the operation always needs, e.g. `OpenAI-Beta: assistants=v2` for the Assistants API. */
  fixedHeaders?: Record<string, string>;
  params: ParamBinding[];
  body?: BodyBinding;
  auth: AuthKind;
  /** Body field that switches on SSE streaming: never advertised, never added to a request, refused in a wrapped body. */
  streamField?: string;
  /** What a success response carries: JSON, bytes (audio, images, zip, video), text (JSONL) or nothing. */
  response: 'json' | 'binary' | 'text' | 'empty';
  /** Media types the success response may have, as declared in the spec. */
  responseMediaTypes: string[];
}

export interface ToolAnnotations {
  /** Left out by the generator: the tool's top-level `title` is the one MCP clients show, and repeating it costs tokens. */
  title?: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  operationId: string;
  method: Method;
  access: Access;
  tags: string[];
  deprecated: boolean;
  /** The compact JSON Schema shown to clients in `tools/list` (root `type: object`, no `$ref`, no root union). */
  inputSchema: JsonSchema;
  annotations: ToolAnnotations;
  http: HttpBinding;
  pagination?: Pagination;
  /** `/organization/usage/*` and `/organization/costs`: bucketed results the runtime flattens and totals. */
  usageBuckets?: boolean;
  /** sha256 (first 16 hex) of the canonical full input schema and binding: changes when the tool's contract changes. */
  schemaHash: string;
  /** Wait tools only: `http` is the get endpoint polled until `statusField` reaches a terminal state. */
  wait?: WaitBinding;
  /**
   * Time-window arguments (dotted for nested ones, e.g. `effective_at.gte`) that the spec types as unix seconds;
   * the runtime also takes ISO dates and relative forms for them and converts before validation.
   */
  timeArgs?: string[];
  /** Upload tools whose file is checked line by line for some purposes before anything is sent. */
  precheck?: PrecheckBinding;
  /** Listed forms the runtime turns back into what the spec takes, before validation (`generator/stages/strict.ts`). */
  argForms?: ArgForms;
}

/**
 * Positions in a tool's arguments, as paths: property names joined with `.`, `[]` for every item of an array
 * (`tools[]`, `tool_resources.file_search`, `image[].encoding`). A path looks through `anyOf` branches.
 */
export interface ArgForms {
  /** A string here is the JSON text of an object (an open map or free object, which strict mode cannot list). */
  json?: string[];
  /** A `null` here means the property was not given (an optional property of an `anyOf` branch; the spec refuses `null` there). */
  nullIsAbsent?: string[];
}

export interface WaitBinding {
  /** The get tool whose endpoint is polled (its `http` binding is copied into the wait tool). */
  pollTool: string;
  statusField: string;
  /** States after which polling stops. */
  terminal: string[];
  /** Fields of the polled object reported in progress notifications (`trained_tokens`, `file_counts`…). */
  progressFields: string[];
}

export interface PrecheckBinding {
  /** The file argument (`{content, encoding, filename}`) to check. */
  fileArg: string;
  /** The argument naming the file's purpose; only `fine-tune` and `batch` files are checked. */
  purposeArg: string;
}

export interface ExcludedOperation {
  operationId: string;
  verb: HttpVerb;
  path: string;
  reason: string;
}

export interface Catalog {
  spec: { title: string; version: string; openapi: string; sha256: string };
  tools: ToolDef[];
  excluded: ExcludedOperation[];
}

/**
 * Full validation schemas (`generated/validation.json`): one JSON Schema (draft 2020-12) per tool,
 * with the spec's component schemas under `$defs` shared by all of them and referenced as `openai-defs#/$defs/Name` (the bundle is added to the validator under `$id: "openai-defs"`).
 */
export interface ValidationBundle {
  $defs: Record<string, JsonSchema>;
  tools: Record<string, JsonSchema>;
}
