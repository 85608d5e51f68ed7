// Why an execution failed, as a code the caller can branch on; the message says what to change.

import type { CodeErrorType } from '../../contract/errors.js';

/** Why an execution failed; each code is described where it is defined. */
export type CodeErrorCode = CodeErrorType;

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
  /** The tool result's `structuredContent.error` (a `ToolError`): `{type: 'upstream', upstream: {status…}}`, `{type: 'invalid_arguments', issues}`… */
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
