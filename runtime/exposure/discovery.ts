// Discovery mode: three meta-tools in front of the whole selection, for hosts that cap the number of tools
// (Cursor sends its first 40–80, OpenAI accepts 128). The model searches, reads one schema, then calls by name;
// every call still goes through the scoped toolkit, so a tool outside the scope stays an unknown tool.

import type { CallToolResult, Tool } from '../protocol.js';
import { invalidArgumentsResult, unknownToolResult } from '../errors.js';
import type { CallContext, OpenAiToolkit } from '../toolkit.js';
import { createClosestNames, createToolSearch, cutNote } from './tool-search.js';
import { undefined as undefinedSchema } from 'zod';
import { defineExposure, type ExposedTools } from './types.js';
import { firstSentence } from '../text.js';

export const DISCOVERY_TOOLS = ['search_tools', 'get_tool_schema', 'call_tool'] as const;
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

const LISTING: Tool[] = [
  {
    name: 'search_tools',
    title: 'Search OpenAI API tools',
    description:
      'Find OpenAI API tools by keywords (e.g. "fine-tuning jobs list", "usage costs", "vector store files"). Returns ranked names with access (read/write), tags and a one-line summary. Next: get_tool_schema, then call_tool.',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Keywords: resource, action, or tag.' },
        limit: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_LIMIT,
          description: `Max results (default ${DEFAULT_LIMIT}).`,
        },
      },
      required: ['query'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  {
    name: 'get_tool_schema',
    title: 'Get an OpenAI API tool schema',
    description: "Return one tool's description and JSON Schema for its arguments. Use before call_tool.",
    inputSchema: {
      type: 'object',
      properties: { name: { type: 'string', description: 'Tool name from search_tools.' } },
      required: ['name'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  {
    name: 'call_tool',
    title: 'Call an OpenAI API tool',
    description:
      "Call a tool by name with arguments matching its schema. The result is the tool's own result (errors included). On HTTP 429 wait retry-after seconds; nothing is retried.",
    inputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'Tool name.' },
        arguments: { type: 'object', description: 'Arguments for that tool.' },
      },
      required: ['name'],
      additionalProperties: false,
    },
    // The called tool may write or delete; a host must not treat call_tool as read-only (unless the scope only reads:
    // see listingFor).
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
];

/**
 * The hints follow the scope: on a server whose every tool only reads, call_tool cannot change anything either, and
 * a host that runs only read-only tools unattended (Codex under approval policy "never") may call it.
 */
function listingFor(kit: OpenAiToolkit): Tool[] {
  if (!kit.tools.every((t) => t.access === 'read')) return LISTING;
  return LISTING.map((t) =>
    t.name === 'call_tool'
      ? { ...t, annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } }
      : t,
  );
}

function argumentIssue(tool: string, path: string, message: string): CallToolResult {
  return invalidArgumentsResult(tool, [{ path, message }]);
}

function textResult(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/** Wraps a (scoped) toolkit in the three discovery tools. */
export function createDiscoveryExposure(kit: OpenAiToolkit): ExposedTools {
  const listed = new Map(kit.listTools().map((t) => [t.name, t]));
  const search = createToolSearch(kit.tools, { fuzzy: 0.15 });
  const listing = listingFor(kit);
  const closest = createClosestNames(kit.tools);

  return {
    listTools: () => listing,
    async callTool(name, args, ctx?: CallContext) {
      const a = (args ?? {}) as Record<string, unknown>;
      if (name === 'search_tools') {
        if (typeof a.query !== 'string' || !a.query.trim())
          return argumentIssue(name, 'query', 'must be a non-empty string');
        const limit = a.limit === undefined ? DEFAULT_LIMIT : a.limit;
        if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
          return argumentIssue(name, 'limit', `must be an integer from 1 to ${MAX_LIMIT}`);
        }
        const found = search(a.query);
        const results = found.hits.slice(0, limit).map(({ tool: t }) => {
          return {
            name: t.name,
            title: t.title,
            method: t.method,
            access: t.access,
            tags: t.tags,
            summary: firstSentence(t.description.split('\n')[0] ?? '', 200),
          };
        });
        return textResult({
          results,
          total_tools: kit.tools.length,
          ...(found.cut ? { query: found.query, note: cutNote(found.query) } : {}),
        });
      }
      if (name === 'get_tool_schema') {
        if (typeof a.name !== 'string') return argumentIssue(name, 'name', 'must be a string');
        const tool = listed.get(a.name);
        if (!tool) return unknownToolResult(a.name.slice(0, 200));
        return textResult({
          name: tool.name,
          title: tool.title,
          description: tool.description,
          inputSchema: tool.inputSchema,
          annotations: tool.annotations,
        });
      }
      if (name === 'call_tool') {
        if (typeof a.name !== 'string') return argumentIssue(name, 'name', 'must be a string');
        const inner = a.arguments;
        if (inner !== undefined && (inner === null || typeof inner !== 'object' || Array.isArray(inner))) {
          return argumentIssue(name, 'arguments', 'must be an object');
        }
        if (!listed.has(a.name))
          return unknownToolResult(
            a.name.slice(0, 200),
            undefined,
            closest(a.name),
            'search_tools finds tools by keywords.',
          );
        return kit.callTool(a.name, inner as Record<string, unknown> | undefined, ctx);
      }
      return unknownToolResult(name);
    },
    // call_tool runs the named tool as it is: a wait or a large upload through it can be a task too.
    taskEligible(name, args) {
      const a = (args ?? {}) as Record<string, unknown>;
      if (name !== 'call_tool' || typeof a.name !== 'string') return false;
      const inner = a.arguments;
      return !!kit.taskEligible?.(a.name, inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : {});
    },
  };
}

export const discoveryExposure = defineExposure({
  name: 'discovery',
  summary: 'discovery meta-tools',
  optionsSchema: undefinedSchema(),
  create: (kit) => createDiscoveryExposure(kit),
  delegates: ['call_tool'],
  direct: false,
});
