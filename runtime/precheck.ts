// Upload pre-checks. OpenAI accepts any JSONL upload and rejects a malformed fine-tune or batch file only later,
// in a validation job; checking every line here first saves the round trip and says which lines are wrong.
// Formats follow OpenAI's fine-tuning (chat, preference) and Batch API guides.

import type { CallToolResult } from './protocol.js';
import * as z from 'zod';
import type { ToolDef } from './contract/catalog.js';
import { toolErrorResult } from './contract/errors.js';

/** At most this many problems are listed; the rest are counted. */
export const MAX_LISTED = 20;
/** Batch API limits per input file. */
export const BATCH_MAX_LINES = 50_000;
export const BATCH_MAX_BYTES = 200 * 1024 * 1024;

export interface LineIssue {
  line: number;
  message: string;
}

const text = z.string();
const parts = z.array(z.looseObject({ type: z.string() })).min(1);
const content = z.union([text, parts]);
const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});
const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content }),
  z.looseObject({ role: z.literal('developer'), content }),
  z.looseObject({ role: z.literal('user'), content }),
  z.looseObject({
    role: z.literal('assistant'),
    content: content.nullable().optional(),
    tool_calls: z.array(toolCall).min(1).optional(),
    // Only assistant messages carry a weight, and only 0 (skip in training) or 1.
    weight: z.union([z.literal(0), z.literal(1)]).optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content, tool_call_id: z.string().min(1) }),
  // The legacy function-calling format (`functions` beside `messages`), which fine-tuning still accepts.
  z.looseObject({ role: z.literal('function'), name: z.string().min(1), content: text.nullable() }),
]);
const toolDef = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});
const conversation = {
  messages: z.array(message).min(1),
  tools: z.array(toolDef).optional(),
  parallel_tool_calls: z.boolean().optional(),
};
const chatLine = z.looseObject(conversation);
const assistantOnly = z
  .array(z.looseObject({ role: z.literal('assistant'), content: content.nullable().optional() }))
  .min(1);
/** `babbage-002` and `davinci-002` train on prompt/completion pairs, not conversations. */
const completionLine = z.looseObject({ prompt: z.string(), completion: z.string() });
const preferenceLine = z.looseObject({
  input: z.looseObject(conversation),
  preferred_output: assistantOnly,
  non_preferred_output: assistantOnly,
});
const batchLine = z.looseObject({
  custom_id: z.string().min(1),
  method: z.literal('POST'),
  url: z.string().regex(/^\/v1\//, 'must be an API path such as /v1/chat/completions'),
  body: z.record(z.string(), z.unknown()),
});

type Message = z.infer<typeof message>;

function zodIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 3).map((i) => {
    const at = i.path.length
      ? `${i.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')}: `
      : '';
    return `${at}${i.message}`;
  });
}

/** Rules the shapes cannot say: every assistant tool call is answered by a tool message, and no tool message answers nothing. */
function toolCallProblems(messages: Message[]): string[] {
  const open = new Set<string>();
  const out: string[] = [];
  messages.forEach((m, i) => {
    if (m.role === 'assistant') for (const c of (m.tool_calls as { id: string }[] | undefined) ?? []) open.add(c.id);
    if (m.role === 'tool') {
      const id = m.tool_call_id as string;
      if (!open.has(id)) out.push(`messages[${i}].tool_call_id: "${id}" answers no earlier assistant tool call`);
      open.delete(id);
    }
  });
  return out;
}

interface Line {
  line: number;
  value?: unknown;
  error?: string;
}

function splitLines(content: string): Line[] {
  const lines: Line[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      lines.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (err) {
      lines.push({ line: i + 1, error: `not valid JSON (${(err as Error).message})` });
    }
  });
  return lines;
}

const isPreference = (v: unknown) => !!v && typeof v === 'object' && 'preferred_output' in v;
const isCompletion = (v: unknown) => !!v && typeof v === 'object' && 'prompt' in v && !('messages' in v);

/** Problems of a fine-tuning file in the chat, preference (DPO) or reinforcement format, by line. */
export function checkFineTuneFile(content: string): LineIssue[] {
  const lines = splitLines(content);
  if (!lines.length) return [{ line: 1, message: 'the file has no examples' }];
  const issues: LineIssue[] = lines.filter((l) => l.error).map((l) => ({ line: l.line, message: l.error! }));
  const parsed = lines.filter((l) => !l.error);
  // The file's format is the one its first example uses; lines in another format are reported as such.
  const preference = isPreference(parsed[0]?.value);
  if (!preference && isCompletion(parsed[0]?.value)) {
    for (const { line, value } of parsed) {
      const r = completionLine.safeParse(value);
      if (r.success) continue;
      const hint = isCompletion(value) ? '' : " (the file's first example uses the prompt/completion format)";
      for (const m of zodIssues(r.error)) issues.push({ line, message: `${m}${hint}` });
    }
    return issues.sort((a, b) => a.line - b.line);
  }
  // Reinforcement fine-tuning examples end with the user's turn (the model's answer is graded, not given) and carry
  // the fields their grader reads (`reference_answer`…). Only a file where every example looks like that is one.
  const looksReinforcement = (v: unknown) => {
    const o = (v ?? {}) as Record<string, unknown>;
    const msgs = o.messages;
    const graderFields = Object.keys(o).filter(
      (k) => !['messages', 'tools', 'parallel_tool_calls', 'functions'].includes(k),
    );
    return (
      Array.isArray(msgs) &&
      (msgs[msgs.length - 1] as { role?: unknown } | undefined)?.role !== 'assistant' &&
      graderFields.length > 0
    );
  };
  const reinforcement = !preference && parsed.length > 0 && parsed.every((l) => looksReinforcement(l.value));
  for (const { line, value } of parsed) {
    const schema = preference ? preferenceLine : chatLine;
    const r = schema.safeParse(value);
    if (!r.success) {
      const hint =
        preference !== isPreference(value)
          ? ` (the file's first example uses the ${preference ? 'preference' : 'chat'} format)`
          : '';
      for (const m of zodIssues(r.error)) issues.push({ line, message: `${m}${hint}` });
      continue;
    }
    const messages = (
      preference
        ? (r.data as z.infer<typeof preferenceLine>).input.messages
        : (r.data as z.infer<typeof chatLine>).messages
    ) as Message[];
    for (const m of toolCallProblems(messages)) issues.push({ line, message: m });
    if (!preference && !reinforcement && messages[messages.length - 1]?.role !== 'assistant') {
      issues.push({
        line,
        message: `the last message must be the assistant's answer (got role "${messages[messages.length - 1]?.role}")`,
      });
    }
  }
  return issues.sort((a, b) => a.line - b.line);
}

/** Problems of a Batch API input file, by line (line 0: the file as a whole). */
export function checkBatchFile(content: string, bytes: number): LineIssue[] {
  const lines = splitLines(content);
  const issues: LineIssue[] = [];
  if (!lines.length) issues.push({ line: 0, message: 'the file has no requests' });
  if (lines.length > BATCH_MAX_LINES)
    issues.push({ line: 0, message: `${lines.length} requests; a batch file holds at most ${BATCH_MAX_LINES}` });
  if (bytes > BATCH_MAX_BYTES)
    issues.push({ line: 0, message: `${bytes} bytes; a batch file is at most ${BATCH_MAX_BYTES} bytes (200 MB)` });
  const seen = new Map<string, number>();
  let endpoint: { url: string; line: number } | undefined;
  for (const l of lines) {
    if (l.error) {
      issues.push({ line: l.line, message: l.error });
      continue;
    }
    const r = batchLine.safeParse(l.value);
    if (!r.success) {
      for (const m of zodIssues(r.error)) issues.push({ line: l.line, message: m });
      continue;
    }
    const first = seen.get(r.data.custom_id);
    if (first !== undefined)
      issues.push({ line: l.line, message: `custom_id "${r.data.custom_id}" is already used on line ${first}` });
    else seen.set(r.data.custom_id, l.line);
    endpoint ??= { url: r.data.url, line: l.line };
    if (r.data.url !== endpoint.url) {
      issues.push({
        line: l.line,
        message: `url ${r.data.url} differs from ${endpoint.url} (line ${endpoint.line}); one batch file calls one endpoint`,
      });
    }
  }
  return issues;
}

function fileText(file: unknown): { text: string; bytes: number } | undefined {
  const f = file as { content?: unknown; encoding?: unknown } | undefined;
  if (!f || typeof f.content !== 'string') return undefined;
  const buf =
    f.encoding === 'base64' ? Buffer.from(f.content.replace(/\s+/g, ''), 'base64') : Buffer.from(f.content, 'utf8');
  return { text: buf.toString('utf8'), bytes: buf.byteLength };
}

/**
 * The pre-check for one upload call: an `isError` result listing the problems (nothing is sent), or undefined
 * when the file is fine, is not a fine-tune/batch file, or the caller passed `skip_validation: true`.
 */
export function precheckUpload(tool: ToolDef, args: Record<string, unknown>): CallToolResult | undefined {
  const binding = tool.precheck;
  if (!binding || args.skip_validation === true) return undefined;
  const purpose = args[binding.purposeArg];
  if (purpose !== 'fine-tune' && purpose !== 'batch') return undefined;
  const file = fileText(args[binding.fileArg]);
  if (!file) return undefined;
  const issues = purpose === 'batch' ? checkBatchFile(file.text, file.bytes) : checkFineTuneFile(file.text);
  if (!issues.length) return undefined;
  const lines = new Set(issues.map((i) => i.line)).size;
  const listed = issues.slice(0, MAX_LISTED);
  const rest = issues.length - listed.length;
  const where = (i: LineIssue) => (i.line === 0 ? 'file' : `line ${i.line}`);
  const text =
    `${tool.name}: the ${purpose} file has ${issues.length} problem${issues.length === 1 ? '' : 's'} on ${lines} line${lines === 1 ? '' : 's'}; ` +
    `nothing was uploaded.\n${listed.map((i) => `- ${where(i)}: ${i.message}`).join('\n')}` +
    `${rest ? `\n… and ${rest} more.` : ''}\nFix the file, or pass skip_validation: true to upload it as it is.`;
  return toolErrorResult(text, { type: 'invalid_file', purpose, problems: issues.length, issues: listed });
}
