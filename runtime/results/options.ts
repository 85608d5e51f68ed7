// What shaping a success is told by its caller (caps, the request URL, redaction), and the JSON object type the
// result files share.

export interface ShapeOptions {
  /** Cap on the JSON/text copy shown to the model, in characters. */
  maxTextChars: number;
  maxResponseBytes: number;
  /** The request URL, used as the URI of binary resources. */
  url: string;
  /** Largest binary result, counted as the base64 text that goes on the wire. */
  maxBinaryChars: number;
  /** Applied to all text before it is shortened (redact first, then cut). */
  redact: (text: string) => string;
  /**
   * For callers that take whole results (code mode's programs): nothing is cut to `maxTextChars`; a result whose JSON
   * or text is over this many UTF-8 bytes is an error instead, so no reader gets part of a page believing it whole.
   */
  wholeBytes?: number;
}

export type Json = Record<string, unknown>;
