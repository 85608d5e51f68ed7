// The views on someone else's server, for `registerOpenAiTools` / `registerTools` users: an `McpServer` (either SDK
// line) gets one ext-apps `registerAppResource` per view; a low-level `Server` gets list and read handlers, by
// method name (v2) or by the request schemas (1.x).

import { ListResourcesRequestSchema, ReadResourceRequestSchema } from '@modelcontextprotocol/core';
import { registerAppResource } from '@modelcontextprotocol/ext-apps/server';
import type { ExposedTools } from '../exposure/types.js';
import { appResourcesOf } from './index.js';
import { readOrThrow } from './serve.js';

type Handler = (request: { params: { uri: string } }, extra: unknown) => unknown;

/** Adds the views of `tools` (if Apps are on for it) to an `McpServer` or low-level `Server` of either SDK line. */
export function registerAppResources(server: unknown, tools: ExposedTools): void {
  const apps = appResourcesOf(tools);
  if (!apps) return;
  const s = server as {
    registerResource?: (...args: never[]) => unknown;
    registerCapabilities?: (c: Record<string, unknown>) => void;
    setRequestHandler?: (method: unknown, handler: Handler) => void;
  };
  if (typeof s.registerResource === 'function') {
    for (const r of apps.list()) {
      const { uri, name, ...meta } = r;
      registerAppResource(s as never, name, uri, meta, async () => readOrThrow(apps, uri) as never);
    }
    return;
  }
  if (!s.registerCapabilities || !s.setRequestHandler) return;
  s.registerCapabilities({ resources: {} });
  const list: Handler = () => ({ resources: apps.list() });
  const read: Handler = (request) => readOrThrow(apps, request.params.uri);
  const set = s.setRequestHandler.bind(server);
  try {
    set('resources/list', list);
    set('resources/read', read);
  } catch {
    // 1.x refuses a method name and keys handlers by the request's zod schema (see register.ts).
    set(ListResourcesRequestSchema, list);
    set(ReadResourceRequestSchema, read);
  }
}
