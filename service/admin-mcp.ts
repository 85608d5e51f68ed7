// The operator's own MCP tools: a read-only admin server at /v1/mcp, behind a management token like the rest of
// /v1, whose tools read the service's audit log through `Operations` (so the token's actions and account scope
// apply, and a refused read is audited as the REST API's is). Its audit tool's results are drawn by the MCP Apps
// audit view (ui://openai-mcp/audit). Rows are what the audit log keeps: time, tool, upstream status, duration,
// error flag; never arguments, results or keys, which the log never stored in the first place.

import * as z from 'zod';
import { appView, withViews } from '../runtime/apps/index.js';
import type { ExposedTools } from '../runtime/exposure/types.js';
import type { CallToolResult, Tool } from '../runtime/protocol.js';
import type { Operator } from './auth/principals.js';
import { ServiceError } from './errors.js';
import type { Operations } from './operations.js';

export const AUDIT_TOOL = 'list_managed_server_calls';
export const SERVERS_TOOL = 'list_managed_servers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Rows per page at most: the view pages further through the host. */
const MAX_ROWS = 500;

// An ISO 8601 time; checked by Date.parse rather than a pattern the listing would carry (the listing stays short).
const iso = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time');

const callsArgs = z.strictObject({
  server_id: z.string().min(1).max(100),
  tool: z.string().min(1).max(200).optional(),
  status: z.enum(['ok', 'error']).optional(),
  since: iso.optional(),
  until: iso.optional(),
  limit: z.int().min(1).max(MAX_ROWS).optional(),
  /** The `next_cursor` of the previous page (a row id). */
  before: z.int().min(1).optional(),
});

const serversArgs = z.strictObject({
  account_id: z.string().min(1).max(100).optional(),
  limit: z.int().min(1).max(100).optional(),
  after: z.string().min(1).max(100).optional(),
});

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

function listing(name: string, title: string, description: string, schema: z.ZodType): Tool {
  const { $schema: _, ...inputSchema } = z.toJSONSchema(schema) as Tool['inputSchema'] & { $schema?: string };
  return { name, title, description, inputSchema, annotations: { title, ...READ_ONLY } };
}

const TOOLS: Tool[] = [
  listing(
    SERVERS_TOOL,
    'Managed servers',
    'Lists the scoped MCP servers this management token may see (id, name, account, auth, tool count, expiry).',
    serversArgs,
  ),
  listing(
    AUDIT_TOOL,
    'Audit log of a managed server',
    "A managed server's tool calls, newest first (time, tool, upstream HTTP status, duration, error), with calls and " +
      'errors per hour or day over the window. Filter by tool and status; page with `before` = next_cursor. ' +
      'Default window: the last 7 days.',
    callsArgs,
  ),
];

const json = (value: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value,
});

const failure = (message: string): CallToolResult => ({ content: [{ type: 'text', text: message }], isError: true });

function badArguments(error: z.ZodError): CallToolResult {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || 'arguments';
  return failure(`Invalid argument ${field}: ${issue?.message ?? 'invalid'}`);
}

/** The bucket width for a window: hours up to two days, days beyond. */
const bucketOf = (windowMs: number) => (windowMs <= 2 * DAY ? HOUR : DAY);

export const ADMIN_INSTRUCTIONS =
  "Read-only tools over this openai-mcp service's own records: the managed servers a management token may see and " +
  'their audit logs (tool, upstream status, duration, errors; never arguments or keys).';

/** The admin server's tools for one operator (the management token of the request). */
export function adminTools(ops: Operations, op: Operator, now: () => number = Date.now): ExposedTools {
  const tools: ExposedTools = {
    listTools: () => TOOLS,
    async callTool(name, args) {
      try {
        if (name === SERVERS_TOOL) {
          const parsed = serversArgs.safeParse(args ?? {});
          if (!parsed.success) return badArguments(parsed.error);
          const page = await ops.listServers(op, {
            accountId: parsed.data.account_id,
            limit: parsed.data.limit,
            after: parsed.data.after,
          });
          return json({
            servers: page.data.map((s) => ({
              id: s.id,
              name: s.name,
              account_id: s.account_id,
              auth: s.auth,
              tool_count: s.tool_count,
              expires_at: s.expires_at,
            })),
            has_more: page.has_more,
            next_cursor: page.next_cursor,
          });
        }
        if (name === AUDIT_TOOL) {
          const parsed = callsArgs.safeParse(args ?? {});
          if (!parsed.success) return badArguments(parsed.error);
          const a = parsed.data;
          const until = a.until ? Date.parse(a.until) : now();
          const since = a.since ? Date.parse(a.since) : until - 7 * DAY;
          if (since >= until) return failure('Invalid argument since: must be before until');
          const limit = a.limit ?? 200;
          const filter = {
            tool: a.tool,
            isError: a.status === undefined ? undefined : a.status === 'error',
            since,
            until,
          };
          const bucketMs = bucketOf(until - since);
          const [rows, buckets] = await Promise.all([
            ops.calls(op, a.server_id, { ...filter, limit: limit + 1, before: a.before }),
            ops.callStats(op, a.server_id, { ...filter, bucketMs }),
          ]);
          const page = rows.slice(0, limit);
          const more = rows.length > limit;
          return json({
            server_id: a.server_id,
            window: { since: new Date(since).toISOString(), until: new Date(until).toISOString(), bucket_ms: bucketMs },
            filter: { tool: a.tool ?? null, status: a.status ?? null },
            buckets: buckets.map((b) => ({ at: new Date(b.at).toISOString(), calls: b.calls, errors: b.errors })),
            rows: page.map(({ server_id: _, ...r }) => r),
            has_more: more,
            next_cursor: more ? (page[page.length - 1]?.id ?? null) : null,
          });
        }
        return failure(`Unknown tool ${JSON.stringify(name.slice(0, 100))}`);
      } catch (err) {
        if (err instanceof ServiceError) return failure(`${err.code}: ${err.message}`);
        throw err;
      }
    },
  };
  return withViews(tools, new Map([[AUDIT_TOOL, appView('audit')]]));
}
