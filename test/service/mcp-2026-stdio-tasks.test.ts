// Tasks over real stdio: the built bin (`serve`) spawned against the stateful fake of OpenAI, driven by the v2 SDK
// Client declaring the Tasks extension (2026-07-28) and by a 2025-11-25 client asking for tasks (`params.task`).
//
// What "reconnect" means on stdio: a stdio server has one pair of pipes for its whole life, and closing the
// client's stdin ends the process (and its in-memory tasks). A 2026-07-28 connection holds no session, so a client
// reconnects by dropping its Client (request ids, negotiated era, caches, pending requests) and opening a new one
// over the same process's pipes, without a handshake. That is what these tests do with a transport that detaches
// from the pipes on close instead of closing them; a task started by the first Client is found by the second.
// A new process is another server: it knows none of the first one's tasks.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client, type JSONRPCMessage, parseJSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import {
  createTaskSessionFromClient,
  type JsonRpcResponse,
  type SerializedTaskReference,
} from '@modelcontextprotocol/ext-tasks/client';
import { taskId as asTaskId } from '@modelcontextprotocol/ext-tasks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FakeHold, type FakeOpenAi, startFakeOpenAi } from '../../testing/fake-openai/index.js';
import type { FineTuningJobRecord } from '../../testing/fake-openai/state.js';
import { BIN, cleanEnv } from './helpers.js';

const TASKS = 'io.modelcontextprotocol/tasks';
const WAIT = 'wait_for_open_ai_fine_tuning_job_by_id';
const Loose = z.looseObject({});
type Loose = Record<string, any>;

/**
 * A client transport over a running process's pipes that leaves them open on close: one Client after another. It
 * also carries ext-tasks' raw dispatch (the v2 Client's codec refuses a `resultType: "task"` answer, so the Tasks
 * requester sends tools/call and tasks/* itself, on ids of its own).
 */
class PipeTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private buffer = '';
  private rawId = 0;
  private readonly raw = new Map<string, (response: JsonRpcResponse) => void>();
  private readonly onData = (chunk: Buffer) => {
    this.buffer += chunk.toString('utf8');
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      try {
        const message = JSON.parse(line) as Loose;
        const waiting = typeof message.id === 'string' ? this.raw.get(message.id) : undefined;
        if (waiting) {
          this.raw.delete(message.id);
          waiting(message.error ? { kind: 'error', error: message.error } : { kind: 'result', result: message.result });
        } else this.onmessage?.(parseJSONRPCMessage(message));
      } catch (err) {
        this.onerror?.(err as Error);
      }
    }
  };
  readonly rawDispatch = (request: unknown, options?: { signal?: AbortSignal }) =>
    new Promise<JsonRpcResponse>((resolve, reject) => {
      const id = `raw-${++this.rawId}`;
      this.raw.set(id, resolve);
      options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
      this.child.stdin.write(`${JSON.stringify({ ...(request as Loose), jsonrpc: '2.0', id })}\n`);
    });
  constructor(private readonly child: ChildProcessWithoutNullStreams) {}
  async start() {
    this.child.stdout.on('data', this.onData);
  }
  async send(message: JSONRPCMessage) {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }
  async close() {
    this.child.stdout.off('data', this.onData);
    this.onclose?.();
  }
}

let fake: FakeOpenAi;
const children: ChildProcessWithoutNullStreams[] = [];
const stderr = new Map<ChildProcessWithoutNullStreams, string>();

function spawnServe(): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, 'serve', '--tags', 'fine-tuning', '--base-url', fake.baseUrl], {
    env: cleanEnv({ OPENAI_API_KEY: fake.projectKey }),
  });
  stderr.set(child, '');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => stderr.set(child, stderr.get(child) + c));
  children.push(child);
  return child;
}

async function modernClient(child: ChildProcessWithoutNullStreams, withTasks: boolean) {
  const client = new Client(
    { name: withTasks ? 'tasks-client' : 'plain-client', version: '0' },
    {
      capabilities: withTasks ? { extensions: { [TASKS]: {} } } : {},
      versionNegotiation: { mode: { pin: '2026-07-28' } },
    },
  );
  await client.connect(new PipeTransport(child));
  return client;
}

/** The v2 Client (2026-07-28, Tasks declared) with the official Tasks requester session over it. */
async function tasksSession(child: ChildProcessWithoutNullStreams) {
  const transport = new PipeTransport(child);
  const info = { name: 'tasks-client', version: '0' };
  const client = new Client(info, {
    capabilities: { extensions: { [TASKS]: {} } },
    versionNegotiation: { mode: { pin: '2026-07-28' } },
  });
  await client.connect(transport);
  const session = createTaskSessionFromClient(client, {
    endpointId: 'openai-mcp-stdio',
    rawDispatch: transport.rawDispatch,
    v2RequestFraming: { protocolVersion: '2026-07-28', clientInfo: info, clientCapabilities: {} },
  });
  return { client, session };
}

/** A running job of the fake (the first succeeded one, set running: tests reuse it, so count polls with a hold). */
function runningJob(): FineTuningJobRecord {
  const job = fake.state.fineTuningJobs.find((j) => j.status === 'succeeded' && !j.id.startsWith('ftjob-new'))!;
  job.status = 'running';
  job.trained_tokens = 100;
  return job;
}

/**
 * Runs `body` on a running job whose polls the fake holds, in a session of its own; afterwards (pass or fail) the
 * polls are released, the job is finished for the next test, and the session is closed.
 */
async function withHeldJob(
  server: ChildProcessWithoutNullStreams,
  body: (
    job: FineTuningJobRecord,
    hold: FakeHold,
    session: Awaited<ReturnType<typeof tasksSession>>['session'],
  ) => Promise<void>,
): Promise<void> {
  const { client, session } = await tasksSession(server);
  const running = runningJob();
  const hold = fake.hold({ method: 'GET', path: `/fine_tuning/jobs/${running.id}` });
  try {
    await body(running, hold, session);
  } finally {
    hold.release();
    running.status = 'succeeded';
    await session.close().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether `promise` settles within `ms`. */
const settles = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);

const callTool = (client: Client, name: string, args: Record<string, unknown>, extra: Loose = {}) =>
  client.request({ method: 'tools/call', params: { name, arguments: args, ...extra } }, Loose) as Promise<Loose>;
const tasksGet = (client: Client, taskId: string) =>
  client.request({ method: 'tasks/get', params: { taskId } }, Loose) as Promise<Loose>;
const tasksCancel = (client: Client, taskId: string) =>
  client.request({ method: 'tasks/cancel', params: { taskId } }, Loose) as Promise<Loose>;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await fake?.close();
});

describe('Tasks over stdio (2026-07-28, v2 Client declaring the extension)', () => {
  let server: ChildProcessWithoutNullStreams;
  let reference: SerializedTaskReference;
  let taskId = asTaskId('none');
  let job: FineTuningJobRecord;

  beforeAll(() => {
    server = spawnServe();
  });

  it('a wait tool returns a task at once; tasks/get shows its progress', async () => {
    const { client, session } = await tasksSession(server);
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getServerCapabilities()?.extensions).toHaveProperty([TASKS]);
    job = runningJob();
    const execution = await session.callTool(WAIT, { fine_tuning_job_id: job.id, poll_interval_seconds: 1 });
    // The job is still running, so an answer now is a handle, not the blocking wait's result.
    expect(execution.kind).toBe('task');
    expect(job.status).toBe('running');
    if (execution.kind !== 'task') return;
    taskId = execution.handle.taskId;
    const task = session.task(taskId);
    const first = await until(
      () => task.snapshot(),
      (t) => String(t.statusMessage).includes('trained_tokens=100'),
      'the first poll in statusMessage',
    );
    expect(first).toMatchObject({ taskId, status: 'working', suggestedPollIntervalMs: expect.any(Number) });
    expect(first.statusMessage).toBe(`${WAIT}: status: running (trained_tokens=100)`);
    // Progress: each poll's figures replace the message.
    job.trained_tokens = 4321;
    await until(
      () => task.snapshot(),
      (t) => String(t.statusMessage).includes('trained_tokens=4321'),
      'the next poll in statusMessage',
    );
    // Hand the task off (a reference a host can persist) and drop this client entirely, as a host that loses its
    // connection does. Not session.close(): ext-tasks 0.2.2 cancels a handed-off execution there (close() after
    // detach() still sends tasks/cancel), which would end the task this test means to resume.
    await execution.handoff((r) => {
      reference = r;
    });
    await client.close();
  }, 40_000);

  it('the task survives the client reconnecting: a new Client on the same process completes it', async () => {
    const { client, session } = await tasksSession(server);
    const execution = await session.resumeTask(reference);
    expect((await session.task(taskId).snapshot()).status).toBe('working');
    job.status = 'succeeded';
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('completed');
    expect(outcome.status === 'completed' && outcome.result).toMatchObject({
      resultType: 'complete',
      structuredContent: { done: true, status: 'succeeded', result: { id: job.id } },
    });
    // A finished task keeps its outcome: a cancel now is acknowledged and changes nothing.
    await session.task(taskId).cancel();
    expect((await session.task(taskId).snapshot()).status).toBe('completed');
    await session.close();
    await client.close();
  }, 40_000);

  // Cancel races the poll loop: counted naively (a count of the job's requests read when the cancel is acknowledged),
  // a poll already on its way then lands later and looks like one sent after the cancel. Each test holds the job's
  // answers instead (the fake logs a request when its headers arrive), so it knows which polls were sent, and
  // whether the cancel found one in flight: that one must be aborted, and none may follow.
  it('a cancel while a poll is in flight aborts that request, and no further one is sent', async () => {
    await withHeldJob(server, async (running, hold, session) => {
      const execution = await session.callTool(WAIT, { fine_tuning_job_id: running.id, poll_interval_seconds: 1 });
      if (execution.kind !== 'task') throw new Error('expected a task');
      (await hold.next()).answer();
      // The second poll has arrived and waits for its answer: the loop is blocked on it, nothing else is on its way.
      const second = await hold.next();
      await session.task(execution.handle.taskId).cancel();
      expect(await settles(second.aborted, 10_000)).toBe(true);
      expect(second.entry.status).toBe(0);
      // Twice the next poll interval (1.5 s after the second poll) with no request.
      await new Promise((r) => setTimeout(r, 3000));
      expect(hold.arrived).toHaveLength(2);
      expect(await session.task(execution.handle.taskId).snapshot()).toMatchObject({
        status: 'cancelled',
        statusMessage: expect.stringContaining('no further requests'),
      });
      const { outcome } = await execution.settle();
      expect(outcome.status).toBe('cancelled');
    });
  }, 40_000);

  it('a cancel between polls stops the wait before its next poll', async () => {
    await withHeldJob(server, async (running, hold, session) => {
      running.trained_tokens = 777;
      const execution = await session.callTool(WAIT, { fine_tuning_job_id: running.id, poll_interval_seconds: 2 });
      if (execution.kind !== 'task') throw new Error('expected a task');
      const task = session.task(execution.handle.taskId);
      (await hold.next()).answer();
      // The loop reports a poll's figures before it sleeps: from here it waits 2 s before the next poll.
      await until(
        () => task.snapshot(),
        (t) => String(t.statusMessage).includes('trained_tokens=777'),
        'the first poll in statusMessage',
      );
      await task.cancel();
      await new Promise((r) => setTimeout(r, 3000));
      // Nothing after the first poll, whatever the timing: a poll the cancel could have found on its way (this test
      // running more than 2 s late) was aborted, never answered; one sent after the cancel would sit here unanswered.
      expect(hold.arrived.length).toBeLessThanOrEqual(2);
      for (const later of hold.arrived.slice(1)) expect(later.entry.aborted).toBe(true);
      expect((await task.snapshot()).status).toBe('cancelled');
    });
  }, 40_000);

  it("an unknown id, or another server's task id, is not found and reveals nothing", async () => {
    const { client, session } = await tasksSession(server);
    const before = fake.requests.length;
    for (const op of ['snapshot', 'cancel'] as const) {
      const err = await session
        .task(asTaskId(`${taskId}x`))
        [op]()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown or expired task id') });
    }
    await session.close();
    await client.close();
    // Another stdio server (another process) never saw this task: the same answer as for a made-up id.
    const other = await tasksSession(spawnServe());
    const err = (await other.session
      .task(taskId)
      .snapshot()
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as { code: number; message: string; data?: unknown };
    expect(err).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown or expired task id') });
    const said = JSON.stringify({ message: err.message, data: err.data });
    for (const secret of [taskId, job.id, WAIT, fake.projectKey]) expect(said).not.toContain(secret);
    expect(fake.requests.length).toBe(before);
    await other.session.close();
    await other.client.close();
  }, 40_000);

  it('a client without the extension keeps the bounded blocking wait, with progress notifications', async () => {
    const client = await modernClient(server, false);
    const running = runningJob();
    const progress: string[] = [];
    const r = await client.callTool(
      { name: WAIT, arguments: { fine_tuning_job_id: running.id, timeout_seconds: 2, poll_interval_seconds: 1 } },
      { onprogress: (p) => progress.push(String(p.message)) },
    );
    expect(r).not.toHaveProperty('taskId');
    expect(r.structuredContent).toMatchObject({ done: false, status: 'running', hint: expect.stringContaining(WAIT) });
    expect(progress[0]).toBe('status: running (trained_tokens=100)');
    running.status = 'succeeded';
    await client.close();
  }, 40_000);
});

describe('Tasks over stdio (2025-11-25 client asking with params.task)', () => {
  it('tools/call with task → tasks/get → tasks/result; tasks/cancel stops polling; without task it blocks', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--tags', 'fine-tuning', '--base-url', fake.baseUrl],
      env: cleanEnv({ OPENAI_API_KEY: fake.projectKey }) as Record<string, string>,
      stderr: 'ignore',
    });
    const client = new Client({ name: 'legacy-tasks', version: '0' }, { capabilities: { tasks: {} } });
    await client.connect(transport);
    expect(client.getProtocolEra()).toBe('legacy');
    expect(client.getServerCapabilities()?.tasks).toMatchObject({ requests: { tools: { call: {} } } });
    const listed = (await client.listTools()).tools.find((t) => t.name === WAIT);
    expect(listed?.execution).toEqual({ taskSupport: 'optional' });

    const job = runningJob();
    const created = await callTool(
      client,
      WAIT,
      { fine_tuning_job_id: job.id, poll_interval_seconds: 1 },
      { task: { ttl: 60_000 } },
    );
    expect(created.task).toMatchObject({ status: 'working', taskId: expect.any(String), ttl: expect.any(Number) });
    const id = created.task.taskId as string;
    const seen = await until(
      () => tasksGet(client, id),
      (t) => String(t.statusMessage).includes('trained_tokens=100'),
      'progress',
    );
    expect(seen).toMatchObject({ taskId: id, status: 'working', pollInterval: expect.any(Number) });
    // tasks/result blocks until the task ends, then answers what the call would have.
    const result = client.request({ method: 'tasks/result', params: { taskId: id } }, Loose) as Promise<Loose>;
    await new Promise((r) => setTimeout(r, 300));
    job.status = 'succeeded';
    expect(await result).toMatchObject({
      structuredContent: { done: true, status: 'succeeded' },
      _meta: { 'io.modelcontextprotocol/related-task': { taskId: id } },
    });
    expect((await tasksGet(client, id)).status).toBe('completed');

    const second = runningJob();
    // The first poll held in flight when the cancel comes (see the 2026-07-28 cancel tests above).
    const hold = fake.hold({ method: 'GET', path: `/fine_tuning/jobs/${second.id}` });
    const c2 = await callTool(
      client,
      WAIT,
      { fine_tuning_job_id: second.id, poll_interval_seconds: 1 },
      { task: { ttl: 60_000 } },
    );
    const inFlight = await hold.next();
    expect(await tasksCancel(client, c2.task.taskId)).toMatchObject({ status: 'cancelled' });
    expect(await settles(inFlight.aborted, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 2500));
    expect(hold.arrived).toHaveLength(1);
    hold.release();
    const late = await client
      .request({ method: 'tasks/result', params: { taskId: c2.task.taskId } }, Loose)
      .catch((e: unknown) => e as Error);
    expect(String((late as Error).message)).toContain('cancelled');
    second.status = 'succeeded';

    // No `task` on the call: today's bounded blocking wait.
    const third = runningJob();
    const blocking = await client.callTool({
      name: WAIT,
      arguments: { fine_tuning_job_id: third.id, timeout_seconds: 1, poll_interval_seconds: 1 },
    });
    expect(blocking.structuredContent).toMatchObject({ done: false, status: 'running' });
    third.status = 'succeeded';
    await client.close();
  }, 60_000);
});
