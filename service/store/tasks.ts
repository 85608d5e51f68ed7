// Task records of managed servers, in the service's database: a task created through one request (or replica) is
// found by a `tasks/get` on any other. The outcome (the call's result, or its error) is customer data, so it is
// sealed with the data key, bound to the task and its server; ids, status and timing stay readable for the sweep.

import type { Kysely, Selectable } from 'kysely';
import type { TaskPatch, TaskRecord, TaskStatus, TaskStore } from '../../runtime/tasks.js';
import type { SecretBox } from '../secrets.js';
import type { Database } from './store.js';

export interface TasksTable {
  id: string;
  server_id: string;
  tool: string;
  status: string;
  status_message: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
  ttl_ms: number;
  poll_interval_ms: number;
  /** A sealed `{result}` or `{error}` once the task has one. */
  outcome: string | null;
}

type TaskRow = Selectable<TasksTable>;

const sealContext = (id: string, serverId: string) => `task:${id}:${serverId}`;

export class KyselyTaskStore implements TaskStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  private toRecord(row: TaskRow): TaskRecord {
    const outcome = row.outcome
      ? (JSON.parse(this.box.open(row.outcome, sealContext(row.id, row.server_id))) as Pick<
          TaskRecord,
          'result' | 'error'
        >)
      : undefined;
    return {
      id: row.id,
      scope: row.server_id,
      tool: row.tool,
      status: row.status as TaskStatus,
      statusMessage: row.status_message,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      ttlMs: Number(row.ttl_ms),
      pollIntervalMs: Number(row.poll_interval_ms),
      result: outcome?.result ?? null,
      error: outcome?.error ?? null,
    };
  }

  async insert(task: TaskRecord) {
    await this.db
      .insertInto('tasks')
      .values({
        id: task.id,
        server_id: task.scope,
        tool: task.tool,
        status: task.status,
        status_message: task.statusMessage,
        created_at: task.createdAt,
        updated_at: task.updatedAt,
        expires_at: task.createdAt + task.ttlMs,
        ttl_ms: task.ttlMs,
        poll_interval_ms: task.pollIntervalMs,
        outcome: null,
      })
      .execute();
  }

  async get(scope: string, id: string, now: number) {
    const row = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', id)
      .where('server_id', '=', scope)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  async updateWorking(scope: string, id: string, patch: TaskPatch) {
    const set: Partial<TasksTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.statusMessage !== undefined) set.status_message = patch.statusMessage;
    if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
    if (patch.result !== undefined || patch.error !== undefined) {
      set.outcome = this.box.seal(
        JSON.stringify({ result: patch.result ?? null, error: patch.error ?? null }),
        sealContext(id, scope),
      );
    }
    const r = await this.db
      .updateTable('tasks')
      .set(set)
      .where('id', '=', id)
      .where('server_id', '=', scope)
      .where('status', '=', 'working')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async countWorking(scope: string, now: number) {
    const r = await this.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('server_id', '=', scope)
      .where('status', '=', 'working')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async deleteExpired(now: number) {
    const r = await this.db.deleteFrom('tasks').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** A deleted server's tasks go with it. */
  async deleteForServers(serverIds: readonly string[]) {
    if (!serverIds.length) return 0;
    const r = await this.db.deleteFrom('tasks').where('server_id', 'in', serverIds).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
