// A stateful fake of the OpenAI API on 127.0.0.1, written from the spec's schemas, for tests and benchmarks
// that need real HTTP and data that changes. Every request is logged so a test can assert exactly which
// upstream calls were made. Resources live one per file in resources/; this file only wires them.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerApiKeys } from './resources/api-keys.js';
import { registerBatches } from './resources/batches.js';
import { registerCosts } from './resources/costs.js';
import { registerFiles, type MultipartBody } from './resources/files.js';
import { registerFineTuning } from './resources/fine-tuning.js';
import { registerFineTuningEvents } from './resources/fine-tuning-events.js';
import { registerVectorStores } from './resources/vector-stores.js';
import { registerProjects } from './resources/projects.js';
import { registerUsage } from './resources/usage.js';
import { FakeHttpError, Reply, Router, type AuthUsed } from './router.js';
import { seedState, type SeedOptions } from './seed.js';
import type { FakeState } from './state.js';

export { FakeHttpError, Reply, Router } from './router.js';
export type { FakeState } from './state.js';

/** Resource registrations, in order; add a resource by adding its register function here. */
const RESOURCES: Array<(router: Router, state: FakeState) => void> = [
  registerProjects,
  registerApiKeys,
  registerUsage,
  registerCosts,
  registerFiles,
  registerFineTuning,
  registerFineTuningEvents,
  registerVectorStores,
  registerBatches,
];

export const FAKE_ADMIN_KEY = 'sk-admin-fake-0123456789abcdefABCDEF';
export const FAKE_PROJECT_KEY = 'sk-proj-fake-0123456789abcdefABCDEF';

export interface LoggedRequest {
  method: string;
  /** Path after `/v1`, e.g. `/organization/projects/proj_001/api_keys`. */
  path: string;
  /** Matched route template, e.g. `GET /organization/projects/{project_id}/api_keys`; undefined when none matched. */
  route?: string;
  /** Query pairs in wire order. */
  query: Array<[string, string]>;
  /** Parsed JSON body (or the raw text when it is not JSON). */
  body?: unknown;
  auth: AuthUsed;
  /** The answer's status; 0 until answered (a held request, or one whose client went away first). */
  status: number;
  /** The client closed the connection before the answer was sent (it cancelled the request in flight). */
  aborted?: boolean;
}

/** A request whose answer a {@link FakeHold} keeps back. */
export interface HeldRequest {
  entry: LoggedRequest;
  /** Sends the answer the fake would have sent (nothing when the client has gone). */
  answer(): void;
  /** Resolves when the connection closes before an answer: the client aborted the request. */
  aborted: Promise<void>;
}

/**
 * Keeps back the answers to matching requests, so a test can act while one is in flight (a cancel, say) and know
 * exactly which requests had been sent: every request is logged when its headers arrive, held or not.
 */
export interface FakeHold {
  /** The next matching request (in arrival order) once it has arrived; its answer waits for `answer()`. */
  next(): Promise<HeldRequest>;
  /** Matching requests that arrived since the hold began. */
  readonly arrived: HeldRequest[];
  /** Answers every held request and lets later ones through. */
  release(): void;
}

/** A one-shot error for the next request that matches, to test upstream-error handling. */
export interface InjectedError {
  method?: string;
  /** Exact path after `/v1`, or a route template. */
  path?: string;
  status: number;
  message: string;
  type?: string;
  code?: string | null;
  headers?: Record<string, string>;
}

export interface FakeOpenAiOptions extends SeedOptions {
  adminKey?: string;
  projectKey?: string;
}

export interface FakeOpenAi {
  /** Base URL including `/v1`, for `baseUrl`/`OPENAI_BASE_URL`. */
  baseUrl: string;
  adminKey: string;
  projectKey: string;
  /** The live state; tests may read it to compute expected answers (and change it). */
  state: FakeState;
  /** Every request since start (or the last `clearLog`). */
  requests: LoggedRequest[];
  clearLog(): void;
  injectError(error: InjectedError): void;
  /** Holds the answers to requests with this method and path (after `/v1`) until released. */
  hold(match: { method?: string; path: string }): FakeHold;
  close(): Promise<void>;
}

interface ActiveHold {
  method?: string;
  path: string;
  active: boolean;
  /** Held requests no `next()` has taken yet, and `next()` calls waiting for one. */
  queue: HeldRequest[];
  waiters: Array<(held: HeldRequest) => void>;
  arrived: HeldRequest[];
}

function authOf(req: IncomingMessage, adminKey: string, projectKey: string): AuthUsed {
  const h = req.headers.authorization;
  if (!h) return 'none';
  const token = h.replace(/^Bearer\s+/i, '');
  return token === adminKey ? 'admin' : token === projectKey ? 'project' : 'unknown';
}

/** Multipart bodies (file uploads) parsed by the platform's own FormData reader. */
async function parseMultipart(req: IncomingMessage, raw: Buffer): Promise<MultipartBody> {
  const form = await new Response(new Uint8Array(raw), {
    headers: { 'content-type': req.headers['content-type']! },
  }).formData();
  const out: MultipartBody = { fields: {}, files: {} };
  for (const [name, value] of form) {
    if (typeof value === 'string') out.fields[name] = value;
    else out.files[name] = { filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

// OpenAI shows the first and last characters of a wrong key, never the whole key.
const masked = (token: string) => (token.length > 10 ? `${token.slice(0, 3)}*****${token.slice(-4)}` : '*****');

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const adminKey = options.adminKey ?? FAKE_ADMIN_KEY;
  const projectKey = options.projectKey ?? FAKE_PROJECT_KEY;
  const state = seedState(options);
  const router = new Router();
  for (const register of RESOURCES) register(router, state);
  const requests: LoggedRequest[] = [];
  let injected: InjectedError[] = [];

  const holds: ActiveHold[] = [];

  const handle = (
    entry: LoggedRequest,
    req: IncomingMessage,
    raw: Buffer,
    res: ServerResponse,
    multipart?: MultipartBody,
  ) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { method, path, auth } = entry;
    const text = raw.toString('utf8');
    let body: unknown = multipart;
    if (text && !multipart) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    entry.body = body;
    const reply = (status: number, payload: unknown, headers?: Record<string, string>) => {
      entry.status = status;
      send(res, status, payload, headers);
    };
    const fail = (e: FakeHttpError) => reply(e.status, e.toBody());

    const matched = url.pathname.startsWith('/v1/') ? router.match(method, path) : undefined;
    if (matched) entry.route = `${method} ${matched.route.template}`;

    const inj = injected.findIndex(
      (i) => (!i.method || i.method === method) && (!i.path || i.path === path || i.path === matched?.route.template),
    );
    const i = injected[inj];
    if (i) {
      injected.splice(inj, 1);
      return reply(
        i.status,
        { error: { message: i.message, type: i.type ?? 'invalid_request_error', param: null, code: i.code ?? null } },
        i.headers,
      );
    }
    if (auth === 'none') {
      return fail(
        new FakeHttpError(
          401,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          'invalid_request_error',
          null,
          null,
        ),
      );
    }
    if (auth === 'unknown') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      return fail(
        new FakeHttpError(
          401,
          `Incorrect API key provided: ${masked(token)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          null,
          'invalid_api_key',
        ),
      );
    }
    if (!matched)
      return fail(new FakeHttpError(404, `Invalid URL (${method} ${url.pathname})`, 'invalid_request_error'));
    if (matched.route.auth === 'admin' && auth !== 'admin') {
      return fail(
        new FakeHttpError(
          401,
          'You have insufficient permissions for this operation. Missing scopes: api.management.read. This endpoint requires an admin API key.',
          'invalid_request_error',
          null,
          null,
        ),
      );
    }
    try {
      const out = matched.route.handler({
        method,
        path,
        params: matched.params,
        query: url.searchParams,
        headers: req.headers,
        body,
        auth,
      });
      if (out instanceof Reply) reply(out.status, out.body, out.headers);
      else reply(200, out);
    } catch (err) {
      if (err instanceof FakeHttpError) return fail(err);
      reply(500, {
        error: {
          message: `fake-openai bug: ${(err as Error)?.message}`,
          type: 'server_error',
          param: null,
          code: null,
        },
      });
    }
  };

  const server = createServer((req, res) => {
    // Logged when the headers arrive: a request the client aborts before its answer (or its body) still counts.
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/v1(?=\/)/, '');
    const entry: LoggedRequest = {
      method,
      path,
      query: [...url.searchParams],
      auth: authOf(req, adminKey, projectKey),
      status: 0,
    };
    requests.push(entry);
    let closedEarly = () => {};
    const aborted = new Promise<void>((resolve) => {
      closedEarly = resolve;
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      entry.aborted = true;
      closedEarly();
    });
    const hold = holds.find((h) => h.active && h.path === path && (!h.method || h.method === method));
    let gate: Promise<void> = Promise.resolve();
    if (hold) {
      let open = () => {};
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const held: HeldRequest = { entry, answer: open, aborted };
      hold.arrived.push(held);
      const waiter = hold.waiters.shift();
      if (waiter) waiter(held);
      else hold.queue.push(held);
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      await gate;
      if (entry.aborted) return;
      if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return handle(entry, req, raw, res);
      parseMultipart(req, raw).then(
        (parts) => handle(entry, req, raw, res, parts),
        (err: Error) =>
          send(res, 400, {
            error: {
              message: `Malformed multipart body: ${err.message}`,
              type: 'invalid_request_error',
              param: null,
              code: null,
            },
          }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    adminKey,
    projectKey,
    state,
    requests,
    clearLog() {
      requests.length = 0;
    },
    injectError(error) {
      injected.push(error);
    },
    hold(match) {
      const h: ActiveHold = { ...match, active: true, queue: [], waiters: [], arrived: [] };
      holds.push(h);
      return {
        next: () => {
          const queued = h.queue.shift();
          return queued ? Promise.resolve(queued) : new Promise<HeldRequest>((resolve) => h.waiters.push(resolve));
        },
        arrived: h.arrived,
        release() {
          h.active = false;
          for (const held of h.arrived) held.answer();
          holds.splice(holds.indexOf(h), 1);
        },
      };
    },
    async close() {
      injected = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
