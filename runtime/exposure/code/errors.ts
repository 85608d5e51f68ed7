// Why an execution failed, as a code the caller can branch on; the message says what to change.

export type CodeErrorCode =
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

/** Where in the submitted code, 1-based, as the model wrote it (before types were stripped). */
export interface CodePosition {
  line: number;
  column: number;
}

/** A failed `openai.*` call as the program saw it. */
export interface FailedCall {
  tool: string;
  /** The arguments, when their JSON is short; a long one is kept only as `args_preview`. */
  args?: unknown;
  /** The start of long arguments' JSON: the run does not keep megabytes of a failed call for its report. */
  args_preview?: string;
  /** The tool's error text (OpenAI's status and message, or the validation issues). */
  message: string;
  /** Structured detail from the tool result: `{status, type, code, message}` or `{type: 'invalid_arguments', issues}`. */
  error?: unknown;
}

export interface CodeError {
  code: CodeErrorCode;
  /** e.g. `TypeError`, `SyntaxError`, `OpenAiToolError`. */
  name: string;
  message: string;
  position?: CodePosition;
  call?: FailedCall;
}
