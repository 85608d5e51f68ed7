// The error a failed tool call returns, as `structuredContent.error`: our kind at `error.type` (one of
// TOOL_ERROR_TYPES, never OpenAI's), OpenAI's own fields under `error.upstream`. Code-mode programs receive
// this object as `OpenAiToolError.error` and branch on `type`. Every failure result is built by
// `toolErrorResult`, so none goes out without it. Dependency-free.

/** OpenAI's side of an HTTP error: its status, its error object's fields and the headers its support asks for. */
export interface UpstreamErrorFields {
  status: number;
  /** OpenAI's `error.type`, e.g. `invalid_request_error`. */
  type: string | null;
  code: string | null;
  param: string | null;
  /** `x-request-id`, as openai-node's `APIError.request_id`. */
  request_id?: string;
  /** Seconds to wait (429 only; null when OpenAI sent none). */
  retry_after?: number | null;
}

/** One argument problem (path as the caller wrote it). */
export interface ArgumentIssueField {
  path: string;
  message: string;
}

/** A line-level problem in an uploaded fine-tune or batch file. */
export interface FileIssueField {
  line: number;
  message: string;
}

/** Why `execute_code` failed. */
export type CodeErrorType =
  | 'invalid_code' // not a string, empty or too long
  | 'syntax' // the code does not parse (TypeScript or JavaScript)
  | 'runtime' // the program threw
  | 'tool_call' // the program threw because an openai.* call failed (the call is reported)
  | 'timeout' // wall time exceeded, in JavaScript or while waiting on OpenAI
  | 'memory' // the QuickJS heap limit was hit
  | 'call_limit' // a run-wide budget spent: openai.* calls (a wait's polls count), or bytes of arguments
  | 'result_too_large' // the return value plus log exceed the result cap
  | 'not_serializable' // the return value is not JSON (cycles, BigInt)
  | 'internal'; // the sandbox itself failed; the server keeps serving

export type ToolError =
  | { type: 'upstream'; message: string; upstream: UpstreamErrorFields }
  | { type: 'invalid_arguments'; issues: ArgumentIssueField[] }
  | { type: 'unknown_tool'; message: string; closest?: string[] }
  | { type: 'missing_credentials'; message: string; env_var: string }
  | { type: 'invalid_file'; purpose: string; problems: number; issues: FileIssueField[] }
  | { type: 'redirect'; status: number; location: string | null }
  | { type: 'timeout' | 'network' | 'cancelled' | 'internal'; message: string }
  | { type: 'call_limit'; message: string }
  | { type: 'result_too_large'; limit_bytes: number; bytes?: number }
  | { type: 'result_too_deep'; message: string; max_depth: number }
  | { type: 'binary_too_large'; bytes: number; limit_bytes: number; media_type: string }
  | { type: 'no_status'; message: string; status_field: string }
  | { type: 'too_many_tasks'; message: string }
  /** Refused by a managed server before it ran: no audit log, too many calls in flight, or revoked while running. */
  | { type: 'audit_unavailable' | 'too_many_calls' | 'revoked'; message: string }
  | {
      type: CodeErrorType;
      /** Same as `type`; kept for clients written before `type`. */
      code: CodeErrorType;
      name: string;
      message: string;
      position?: { line: number; column: number };
      call?: unknown;
    };

export type ToolErrorType = ToolError['type'];

const TYPES: Record<ToolErrorType, true> = {
  upstream: true,
  invalid_arguments: true,
  unknown_tool: true,
  missing_credentials: true,
  invalid_file: true,
  redirect: true,
  timeout: true,
  network: true,
  cancelled: true,
  internal: true,
  call_limit: true,
  result_too_large: true,
  result_too_deep: true,
  binary_too_large: true,
  no_status: true,
  too_many_tasks: true,
  audit_unavailable: true,
  too_many_calls: true,
  revoked: true,
  invalid_code: true,
  syntax: true,
  runtime: true,
  tool_call: true,
  memory: true,
  not_serializable: true,
};
/** Every kind `error.type` can hold (checked against the union by the compiler). */
export const TOOL_ERROR_TYPES = Object.keys(TYPES) as ToolErrorType[];

/** A failed tool result: the text a model reads, and the error a program branches on. */
// A type alias, not an interface: it then fits the SDKs' result types, whose index signatures an interface would lack.
export type ToolErrorResult = {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent: { error: ToolError; [key: string]: unknown };
  isError: true;
};

/** The one builder of failure results. `extra` adds result-level fields beside `error` (code mode's `calls`, `logs`). */
export function toolErrorResult(text: string, error: ToolError, extra?: Record<string, unknown>): ToolErrorResult {
  return { content: [{ type: 'text', text }], structuredContent: { error, ...extra }, isError: true };
}
