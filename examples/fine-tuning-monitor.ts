// Fine-tuning monitor: a small MCP client that starts the OpenAI tools server with a fine-tuning-only, read-only
// filter and prints the state of recent fine-tuning jobs, with the latest event of each job still running.
// In any folder with `npm i openai-mcp-kit @modelcontextprotocol/client tsx`:
//   OPENAI_API_KEY=sk-... npx tsx fine-tuning-monitor.ts            # once
//   OPENAI_API_KEY=sk-... npx tsx fine-tuning-monitor.ts --watch 60 # every 60 s until every job has finished
import { type CallToolResult, Client } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
// The page shape ({result, next_cursor, has_more}) read through the package's contract, not by field name.
import { readPage } from 'openai-mcp-kit';

const SERVER = {
  command: 'npx',
  args: ['-y', 'openai-mcp-kit', 'serve', '--methods', 'read', '--tags', 'fine-tuning'],
};
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

interface Job {
  id: string;
  model: string;
  status: string;
  fine_tuned_model?: string | null;
  trained_tokens?: number | null;
}

const watchIndex = process.argv.indexOf('--watch');
const everySeconds = watchIndex > 0 ? Number(process.argv[watchIndex + 1]) : 0;

// The stdio client passes a minimal environment; hand over the key (and a base URL, e.g. for a proxy).
const env: Record<string, string> = { ...getDefaultEnvironment() };
for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID']) {
  if (process.env[name]) env[name] = process.env[name]!;
}
const client = new Client({ name: 'fine-tuning-monitor', version: '1.0.0' });

async function call(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) {
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ');
    throw new Error(`${name}: ${text}`);
  }
  return result.structuredContent as Record<string, unknown>;
}

async function report(): Promise<boolean> {
  const page = readPage(await call('list_all_open_ai_fine_tuning_jobs', { limit: 10 }));
  const jobs = page.items as Job[];
  console.log(
    `${new Date().toISOString()}  ${jobs.length} recent fine-tuning job(s)${page.more ? ' (more exist)' : ''}`,
  );
  let running = 0;
  for (const job of jobs) {
    const done = FINISHED.has(job.status);
    if (!done) running++;
    console.log(
      `  ${job.id}  ${job.status.padEnd(16)} ${job.model}${job.fine_tuned_model ? ` -> ${job.fine_tuned_model}` : ''}`,
    );
    if (!done) {
      const events = await call('list_all_open_ai_fine_tuning_job_events', { fine_tuning_job_id: job.id, limit: 1 });
      const last = (readPage(events).items as { message?: string; created_at?: number }[])[0];
      if (last?.message) console.log(`      latest: ${last.message}`);
    }
  }
  return running > 0;
}

// No top-level await: this file also runs in a CommonJS project (npm init's default).
async function main(): Promise<void> {
  await client.connect(new StdioClientTransport({ ...SERVER, env }));
  try {
    while ((await report()) && everySeconds > 0) await new Promise((r) => setTimeout(r, everySeconds * 1000));
  } finally {
    await client.close();
  }
}

main().catch((err: Error) => {
  console.error(`fine-tuning-monitor: ${err.message}`);
  process.exitCode = 1;
});
