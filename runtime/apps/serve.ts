// Serving the views: resources/list and resources/read on the servers this package builds (the v2 low-level
// `Server` of the stdio and HTTP services) and on the servers of `registerOpenAiTools` users (either SDK line's
// `McpServer`, through ext-apps' `registerAppResource`, or low-level `Server`).

import { ListResourcesRequestSchema, ReadResourceRequestSchema } from '@modelcontextprotocol/core';
import { registerAppResource } from '@modelcontextprotocol/ext-apps/server';
import { ResourceNotFoundError, type Server } from '@modelcontextprotocol/server';
import type { ExposedTools } from '../exposure/types.js';
import { type AppResources, appResourcesOf } from './index.js';

async function readOrThrow(apps: AppResources, uri: string) {
  const found = await apps.read(uri);
  if (!found) throw new ResourceNotFoundError(uri.slice(0, 200));
  return found;
}

/** Adds the views of `tools` (if Apps are on for it) to a v2 low-level `Server`, before it connects. */
export function serveAppResources(server: Server, tools: ExposedTools): void {
  const apps = appResourcesOf(tools);
  if (!apps) return;
  server.registerCapabilities({ resources: {} });
  server.setRequestHandler('resources/list', () => ({ resources: apps.list() }));
  server.setRequestHandler('resources/read', (request) => readOrThrow(apps, request.params.uri));
}

type Handler = (request: { params: { uri: string } }, extra: unknown) => unknown;

/**
 * The same for a server of someone else's: an `McpServer` (either SDK line) gets one `registerAppResource` per view;
 * a low-level `Server` gets list and read handlers, by method name (v2) or by the request schemas (1.x).
 */
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
