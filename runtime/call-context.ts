// The per-call context a tool call runs with: what the MCP request carries (abort signal, progress token,
// notifications) and what callers add (a wait's budget, whole results, request metering). Its own module so the
// toolkit and the executors it calls (wait.ts) both name it without importing each other.

/** What an MCP tool handler receives that matters here (a subset of the SDK's `RequestHandlerExtra`). */
export interface CallContext {
  signal?: AbortSignal;
  /**
   * How long a wait tool waits when its call does not say (`timeout_seconds`). Set for a call run as a task, which
   * holds no connection open and can wait longer than a blocking call's bound.
   */
  waitSeconds?: number;
  _meta?: { progressToken?: string | number; [key: string]: unknown };
  sendNotification?: (notification: {
    method: 'notifications/progress';
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }) => Promise<void>;
  /**
   * Set by callers that read the structured result themselves (code mode's programs): a page is never cut to the
   * text cap, and a response or result over `maxBytes` fails the call (`result_too_large`) instead of being cut.
   */
  wholeResult?: { maxBytes: number };
  /**
   * For callers that meter upstream requests (code mode's call budget): asked before each request a call makes
   * after its first (a wait's later polls). A message refuses it, and the call ends with that message as a
   * `call_limit` error.
   */
  meterRequest?: () => string | undefined;
  /**
   * Called with the HTTP status of each upstream response this call gets (an audit row's status). Per call rather
   * than carried by async context: an AsyncLocalStorage turns on promise hooks, a cost on every promise the process
   * makes.
   */
  onUpstreamStatus?: (status: number) => void;
}
