// Serving the views: resources/list and resources/read on the servers this package builds (the v2 low-level
// `Server` of the stdio and HTTP services). Servers of `registerOpenAiTools` users are register.ts's; kept apart so
// the bin's start-up loads nothing of the 1.x request schemas.

import { ResourceNotFoundError, type Server } from '@modelcontextprotocol/server';
import type { ExposedTools } from '../exposure/types.js';
import { type AppResources, appResourcesOf } from './index.js';

export async function readOrThrow(apps: AppResources, uri: string) {
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
