// Serving an MCP server over stdin/stdout, one JSON-RPC message per line, so that no single message ends the
// session. The SDK's StdioServerTransport closes the whole transport when one line passes its 10 MiB buffer, and
// its client drops replies past 10 MiB; here an oversized request is answered with an error for that request
// only, an oversized reply is replaced by an error, and calls in flight when stdin closes get time to finish.
// The v2 SDK's `serveStdio` runs on top of this transport and decides each connection's protocol era from its
// first message: MCP 2026-07-28 with no handshake, or a 2025 revision after `initialize`.
// The SDK is imported when first needed, not with this module: with `serveStdioLazily`, a session's opening
// messages are answered by lean.ts before the SDK is evaluated (most of a cold start), and the SDK, once loaded, is
// replayed those messages (their answers discarded) so that it holds the same session state as if it had seen
// them first.

import type { Readable, Writable } from 'node:stream';
import type { McpServer, McpServerFactory, Server, Transport } from '@modelcontextprotocol/server';
import { keepYoungGenerationSmall } from './heap.js';
import type { LeanAnswers } from './lean.js';
import {
  type JSONRPCMessage,
  missingEnvelopeError,
  missingEnvelopeKeys,
  type RequestId,
  unservedVersionOf,
  unsupportedVersionError,
} from './protocol.js';

/** After a lean answer with nothing else to do for this long, the SDK is loaded anyway (ready for a tools/call). */
const IDLE_LOAD_MS = 50;

// JSON-RPC's codes (the SDK's ProtocolErrorCode), spelled here so that this module loads without the SDK.
const ErrorCode = { InvalidRequest: -32600, InternalError: -32603 } as const;

/** What the transport needs of the SDK to take a line apart; loaded with it. */
interface Codec {
  parseJSONRPCMessage(value: unknown): JSONRPCMessage;
  isJSONRPCRequest(value: unknown): boolean;
}

/** An opening message answered by lean.ts, kept to be replayed to the SDK. */
interface Answered {
  message: unknown;
  /** The line sent for it (requests), to compare with the SDK's answer. */
  reply?: string;
}

/** Largest incoming line. A file argument travels as base64, so this allows uploads up to ~24 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Largest outgoing line: the SDK's stdio client gives up on lines past 10 MiB, so stay well below. */
export const DEFAULT_MAX_REPLY_BYTES = 8 * 1024 * 1024;
/** How long calls in flight when stdin closes may take to answer before the server exits anyway. */
export const DEFAULT_EOF_GRACE_MS = 10_000;

/** Largest file that fits in one stdio message of `maxMessageBytes` as base64 (minus room for the envelope). */
export function largestUploadBytes(maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): number {
  return Math.floor((maxMessageBytes - 64 * 1024) / 4) * 3;
}

export interface StdioOptions {
  /** One human-readable line (already prefixed by the caller if it wants); never stdout. */
  log: (message: string) => void;
  /** Default 32 MiB: longer requests are answered with a JSON-RPC error and dropped. */
  maxMessageBytes?: number;
  /** Default 8 MiB: longer replies are replaced by a JSON-RPC error. */
  maxReplyBytes?: number;
  /** Default 10 000 ms. */
  eofGraceMs?: number;
  /**
   * Default true: keep V8's young generation at its initial size (see heap.ts), which saves ~10–25 MB over a long
   * session. Process-wide; pass false when the process does more than serve this server.
   */
  smallHeap?: boolean;
  /** Default `process.stdin` / `process.stdout` (tests pass streams). */
  stdin?: Readable;
  stdout?: Writable;
}

// Enough of a line's start and end to find its id without keeping the line.
const EDGE_BYTES = 4096;
const ID = String.raw`(-?\d+|"(?:[^"\\]|\\.){0,256}")`;
const SIMPLE_MEMBER = String.raw`"(?:jsonrpc|method)"\s*:\s*"[^"]{0,256}"`;
// `{"jsonrpc":"2.0","id":7,"method":...` (id among the leading simple members)...
const HEAD_ID = new RegExp(String.raw`^\s*\{\s*(?:${SIMPLE_MEMBER}\s*,\s*)*"id"\s*:\s*${ID}`);
// ...or `...,"jsonrpc":"2.0","id":7}` (the SDK client's order: id last, after params).
const TAIL_ID = new RegExp(String.raw`"id"\s*:\s*${ID}\s*(?:,\s*${SIMPLE_MEMBER}\s*)*\}\s*$`);

/** The top-level `id` of a JSON-RPC line seen only by its first and last bytes, if it can be told. */
export function idFromEdges(head: string, tail: string): RequestId | undefined {
  const m = HEAD_ID.exec(head) ?? TAIL_ID.exec(tail);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1] ?? '') as RequestId;
  } catch {
    return undefined;
  }
}

function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in m && 'id' in m && m.id !== undefined;
}

function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  return !('method' in m) && 'id' in m;
}

/**
 * A Transport over a byte stream pair with per-message limits and a drain on end of input. Lines are collected as
 * chunks and joined once (the SDK's buffer re-copies itself on every chunk), and an oversized line is skipped as it
 * streams in, keeping only its edges to find the request id.
 */
export class StdioLineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly maxMessageBytes: number;
  private readonly maxReplyBytes: number;
  private readonly eofGraceMs: number;
  private parts: Buffer[] = [];
  private size = 0;
  /** Set while skipping a line that is over the limit. */
  private skipping?: { head: Buffer; tail: Buffer };
  private readonly inFlight = new Set<RequestId>();
  private ended = false;
  private closed = false;
  private graceTimer?: NodeJS.Timeout;
  private started = false;
  /** The SDK's parser, once loaded; until then lines go to `lean` or wait in `held`. */
  private codec?: Codec;
  private lean?: LeanAnswers;
  private needSdk?: () => void;
  private idle?: NodeJS.Timeout;
  private answered: Answered[] = [];
  private held: string[] = [];
  /** Replayed request ids whose SDK answers are compared with the lean ones and not sent. */
  private readonly replaying = new Map<RequestId, string | undefined>();
  private replayed?: () => void;
  private markClosed!: () => void;
  /** Resolves once the transport has closed (stdin ended and drained, the client went away, or `close()`). */
  readonly done = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });

  constructor(private readonly opts: StdioOptions) {
    this.stdin = opts.stdin ?? process.stdin;
    this.stdout = opts.stdout ?? process.stdout;
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxReplyBytes = opts.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.eofGraceMs = opts.eofGraceMs ?? DEFAULT_EOF_GRACE_MS;
  }

  /**
   * Opening messages are answered by `lean` while it can; the first one it leaves (or `needSdk`'s own schedule)
   * calls `needSdk`, which loads the SDK and calls `useSdk`. Lines arriving meanwhile wait, in order.
   */
  answerLeanly(lean: LeanAnswers, needSdk: () => void): void {
    this.lean = lean;
    this.needSdk = needSdk;
  }

  /** The SDK is loaded (and connected: `onmessage` set). Every line from here on goes through it. */
  useSdk(codec: Codec): void {
    this.codec = codec;
    this.lean = undefined;
    clearTimeout(this.idle);
  }

  /**
   * Replays the messages lean.ts answered to the SDK (its answers are not sent again; a difference is logged), waits
   * for its answers, then hands it the lines that waited.
   */
  async replay(): Promise<void> {
    const answered = this.answered;
    this.answered = [];
    const done = new Promise<void>((resolve) => {
      this.replayed = resolve;
    });
    for (const a of answered) {
      const id = (a.message as { id?: RequestId }).id;
      if (id !== undefined) this.replaying.set(id, a.reply);
    }
    if (this.replaying.size === 0) this.replayed?.();
    for (const a of answered) this.dispatch(a.message);
    // An answer that never comes must not hold the session: after a while the waiting lines go on regardless.
    const timer = setTimeout(() => this.replayed?.(), 5_000);
    await done;
    clearTimeout(timer);
    this.replaying.clear();
    const held = this.held;
    this.held = [];
    for (const line of held) this.handleLine(line);
    this.maybeFinish();
  }

  async start(): Promise<void> {
    // serveStdioLazily starts the transport before the SDK does; the SDK's own start must not listen twice.
    if (this.started) return;
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('end', this.onEnd);
    this.stdin.on('error', this.onStreamError);
    // A client that went away makes writes fail with EPIPE; that ends the session, it must not crash the process.
    this.stdout.on('error', this.onStreamError);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Calls received and not yet answered. */
  get pending(): number {
    return this.inFlight.size + this.held.length;
  }

  private readonly onStreamError = (error: Error) => {
    this.onerror?.(error);
    void this.close();
  };

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.append(chunk.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  };

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    this.size += piece.length;
    if (this.skipping) {
      this.skipping.tail = Buffer.concat([this.skipping.tail, piece]).subarray(-EDGE_BYTES);
      return;
    }
    if (this.size > this.maxMessageBytes) {
      const all = Buffer.concat([...this.parts, piece]);
      this.skipping = { head: Buffer.from(all.subarray(0, EDGE_BYTES)), tail: Buffer.from(all.subarray(-EDGE_BYTES)) };
      this.parts = [];
      return;
    }
    // Chunks are views into stream buffers; copying small ones would cost more than it saves.
    this.parts.push(piece);
  }

  private endLine(): void {
    const size = this.size;
    const skipped = this.skipping;
    const parts = this.parts;
    this.parts = [];
    this.size = 0;
    this.skipping = undefined;
    if (skipped) {
      this.rejectOversized(size, skipped.head.toString('utf8'), skipped.tail.toString('utf8'));
      return;
    }
    if (size === 0) return;
    const text = (parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, size))
      .toString('utf8')
      .replace(/\r$/, '');
    if (!text.trim()) return;
    this.handleLine(text);
  }

  private rejectOversized(size: number, head: string, tail: string): void {
    const id = idFromEdges(head, tail);
    const upload = largestUploadBytes(this.maxMessageBytes);
    const message =
      `Message of ${size} bytes is over this server's ${this.maxMessageBytes}-byte limit for one stdio message, so it was not processed. ` +
      `Over stdio a file argument can be at most about ${(upload / 1024 / 1024).toFixed(1)} MiB (as base64); ` +
      'upload bigger files over HTTP (openai-mcp serve --http) or with the OpenAI API directly.';
    this.opts.log(
      `dropped an incoming message of ${size} bytes (limit ${this.maxMessageBytes})${id === undefined ? '; its id could not be read, so no error was sent' : ''}`,
    );
    if (id !== undefined) void this.send({ jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message } });
  }

  private handleLine(text: string): void {
    if (!this.codec) {
      this.holdLine(text);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      this.onerror?.(
        new Error(`ignored a line that is not JSON (${text.length} characters): ${(err as Error).message}`),
      );
      return;
    }
    this.dispatch(raw);
  }

  /** Before the SDK: lean.ts's answer, or the line waits for the SDK (and asks for it). */
  private holdLine(text: string): void {
    if (this.lean && this.held.length === 0) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        raw = undefined;
      }
      const reply = raw === undefined ? undefined : this.lean.answer(raw);
      if (reply !== undefined) {
        const line = reply === null ? undefined : JSON.stringify(reply);
        this.answered.push({ message: raw, reply: line });
        if (reply !== null) void this.send(reply as unknown as JSONRPCMessage);
        // Load the SDK once the first list is out (evaluating it earlier would delay that list), or when the client
        // goes quiet after another answer, so that the first tools/call finds it ready.
        clearTimeout(this.idle);
        if (reply !== null && 'tools' in reply.result) setImmediate(() => this.needSdk?.());
        else this.idle = setTimeout(() => this.needSdk?.(), IDLE_LOAD_MS).unref();
        return;
      }
      this.lean = undefined;
    }
    this.held.push(text);
    this.needSdk?.();
  }

  private dispatch(raw: unknown): void {
    const { parseJSONRPCMessage, isJSONRPCRequest } = this.codec!;
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(raw);
    } catch {
      const id = (raw as { id?: unknown })?.id;
      if (
        (typeof id === 'string' || typeof id === 'number') &&
        typeof (raw as { method?: unknown }).method === 'string'
      ) {
        void this.send({
          jsonrpc: '2.0',
          id,
          error: { code: ErrorCode.InvalidRequest, message: 'Invalid JSON-RPC request' },
        });
      } else {
        this.onerror?.(new Error('ignored a line that is not a JSON-RPC message'));
      }
      return;
    }
    // A request naming a revision this server does not serve is answered here, listing the ones it does (the
    // SDK's own answer names only the 2026 revision; the 2025 ones are served too).
    const unserved = isJSONRPCRequest(message) ? unservedVersionOf(message) : undefined;
    if (unserved !== undefined && isRequest(message)) {
      void this.send({ jsonrpc: '2.0', id: message.id, error: unsupportedVersionError(unserved) });
      return;
    }
    const missing = missingEnvelopeKeys(message);
    if (missing.length && isRequest(message)) {
      void this.send({ jsonrpc: '2.0', id: message.id, error: missingEnvelopeError(missing) });
      return;
    }
    if (isRequest(message)) this.inFlight.add(message.id);
    else if ('method' in message && message.method === 'notifications/cancelled') {
      // A cancelled request gets no answer; stop waiting for one.
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined && this.inFlight.delete(requestId)) this.maybeFinish();
    }
    this.onmessage?.(message);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return;
    if (this.replaying.size && isResponse(message) && this.replaying.has(message.id)) {
      // The SDK's answer to a replayed opening message: the client has lean.ts's already.
      const lean = this.replaying.get(message.id);
      this.replaying.delete(message.id);
      this.inFlight.delete(message.id);
      if (lean !== JSON.stringify(message))
        this.opts.log(
          `the answer given before the SDK loaded differs from the SDK's (id ${JSON.stringify(message.id)})`,
        );
      if (this.replaying.size === 0) this.replayed?.();
      return;
    }
    let line = `${JSON.stringify(message)}\n`;
    const bytes = Buffer.byteLength(line);
    if (bytes > this.maxReplyBytes) {
      this.opts.log(`replaced an outgoing message of ${bytes} bytes (limit ${this.maxReplyBytes})`);
      if (!isResponse(message)) return;
      line = `${JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        error: {
          code: ErrorCode.InternalError,
          message: `The reply (${bytes} bytes) is over this server's ${this.maxReplyBytes}-byte limit for one stdio message and was not sent; ask for less (smaller pages, fewer fields) or use HTTP (openai-mcp serve --http).`,
        },
      })}\n`;
    }
    const drained = this.stdout.write(line);
    if (isResponse(message) && this.inFlight.delete(message.id)) this.maybeFinish();
    if (!drained) await new Promise<void>((resolve) => this.stdout.once('drain', resolve));
  }

  private readonly onEnd = () => {
    this.ended = true;
    if (this.pending === 0) {
      void this.close();
      return;
    }
    this.opts.log(`stdin closed; finishing ${this.inFlight.size} call(s) in flight (up to ${this.eofGraceMs} ms)`);
    this.graceTimer = setTimeout(() => {
      this.opts.log(`gave up on ${this.inFlight.size} call(s) still running ${this.eofGraceMs} ms after stdin closed`);
      void this.close();
    }, this.eofGraceMs);
  };

  private maybeFinish(): void {
    // Closing right away would cut off the write just queued; let it reach the pipe first.
    if (this.ended && this.pending === 0) setImmediate(() => void this.close());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.graceTimer);
    clearTimeout(this.idle);
    this.stdin.off('data', this.onData);
    this.stdin.off('end', this.onEnd);
    this.stdin.off('error', this.onStreamError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.parts = [];
    this.skipping = undefined;
    this.onclose?.();
    this.markClosed();
  }
}

/**
 * Serves MCP over stdin/stdout and resolves once the session is over: stdin ended and the calls in flight answered
 * (or the grace period passed), SIGINT/SIGTERM, or the client went away. The caller decides whether to exit the
 * process afterwards (open sockets to OpenAI may otherwise keep it alive).
 *
 * `server` is best a factory: the SDK may build one instance to answer a `server/discover` probe and another for a
 * client that then opens with the 2025 `initialize`. A server instance is served as it is (one era per process).
 */
export async function serveStdio(server: McpServerFactory | Server | McpServer, opts: StdioOptions): Promise<void> {
  const factory: McpServerFactory = typeof server === 'function' ? server : () => server;
  await serve(async () => factory, opts);
}

/**
 * `serveStdio` for a server whose opening answers lean.ts can give (one built by server.ts over `lean`'s tools):
 * those are answered before `load` (which imports the SDK and the server factory) is called, so the first
 * `tools/list` does not wait for the SDK to be evaluated. The SDK is loaded after the first `tools/list` answer,
 * after a quiet moment following any answer, or on the first message lean.ts leaves to it, and it then serves the
 * session exactly as `serveStdio` would have.
 */
export async function serveStdioLazily(
  load: () => Promise<McpServerFactory>,
  lean: LeanAnswers,
  opts: StdioOptions,
): Promise<void> {
  await serve(load, opts, lean);
}

async function serve(load: () => Promise<McpServerFactory>, opts: StdioOptions, lean?: LeanAnswers): Promise<void> {
  if (opts.smallHeap ?? true) keepYoungGenerationSmall();
  const transport = new StdioLineTransport(opts);
  let handle: { close(): Promise<void> } | undefined;
  let loading: Promise<void> | undefined;
  const connect = async () => {
    const [entry, codec, factory] = await Promise.all([
      import('@modelcontextprotocol/server/stdio'),
      import('@modelcontextprotocol/server'),
      load(),
    ]);
    if (transport.isClosed) return;
    handle = entry.serveStdio(factory, { transport, onerror: (err) => opts.log(`protocol error: ${err.message}`) });
    transport.useSdk(codec);
    await transport.replay();
  };
  const needSdk = () => {
    // A session that ended on lean answers alone never needs the SDK.
    if (transport.isClosed) return;
    loading ??= connect().catch((err: Error) => {
      opts.log(`could not load the MCP SDK: ${err.message}`);
      void transport.close();
    });
  };
  if (lean) {
    transport.answerLeanly(lean, needSdk);
    await transport.start();
  } else {
    needSdk();
    await loading;
  }
  const stop = () => void (handle ? handle.close() : transport.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await transport.done;
    await loading;
    await handle?.close();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
