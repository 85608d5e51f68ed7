// The MCP Apps views this server offers (the ext-apps extension, `io.modelcontextprotocol/ui`): each a `ui://`
// resource, and which tools declare it. A new view is an entry here, a folder under ui/apps/ and a rebuild
// (`npm run build:apps`); everything else (listing metadata, resources/list and /read, the audit) reads this list.

import type { ToolDef } from '../contract/catalog.js';

export interface AppView {
  /** Folder under ui/apps/ and key of the built HTML. */
  name: 'costs' | 'jobs' | 'audit';
  uri: `ui://openai-mcp/${string}`;
  title: string;
  description: string;
  /** Whether a catalog tool's results are drawn by this view (the tool then names it in `_meta.ui.resourceUri`). */
  feeds(tool: ToolDef): boolean;
}

/** Long-running jobs whose listings and waits the timeline draws (fine-tuning jobs, batches, file batches). */
const JOB_PATHS = ['/fine_tuning/jobs', '/batches', '/vector_stores/{vector_store_id}/file_batches'];

function isJobTool(tool: ToolDef): boolean {
  const path = tool.http.path.replace(/\{[^}]+\}/g, '{}');
  const jobs = JOB_PATHS.map((p) => p.replace(/\{[^}]+\}/g, '{}'));
  if (tool.wait) return jobs.some((p) => path === `${p}/{}`);
  // The job lists and a fine-tuning job's events; a single get is left to text (each entry costs listing tokens).
  if (tool.method !== 'list') return false;
  return jobs.includes(path) || path === '/fine_tuning/jobs/{}/events';
}

export const APP_VIEWS: readonly AppView[] = [
  {
    name: 'costs',
    uri: 'ui://openai-mcp/costs',
    title: 'Costs and usage',
    description: 'Stacked bars of a usage or cost report by project or line item, with totals and a table.',
    feeds: (tool) => tool.usageBuckets === true,
  },
  {
    name: 'jobs',
    uri: 'ui://openai-mcp/jobs',
    title: 'Job timeline',
    description: 'Fine-tuning jobs, batches and vector-store file batches: status, progress, events, failures first.',
    feeds: isJobTool,
  },
  {
    name: 'audit',
    uri: 'ui://openai-mcp/audit',
    title: 'Audit log',
    description: "A managed server's tool calls: calls and errors over time, status mix, errors first, filters.",
    // Fed by the admin server's read-only audit tool (service/admin-mcp.ts), never by an OpenAI operation.
    feeds: () => false,
  },
];

/** The view of a name, for tools outside the catalog that declare one (the admin server's). */
export function appView(name: AppView['name']): AppView {
  const view = APP_VIEWS.find((v) => v.name === name);
  if (!view) throw new Error(`no MCP Apps view ${name}`);
  return view;
}
