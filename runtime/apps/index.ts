// MCP Apps (the ext-apps extension, `io.modelcontextprotocol/ui`) for the tools' own results: a tool whose results a
// view draws names the view's `ui://` resource in its listing (`_meta.ui.resourceUri`), and the server answers
// resources/list and resources/read for the views. Hosts without Apps see one more `_meta` key on those tools and
// nothing else: results (text and `structuredContent`) are exactly what they were. A view gets the tool result the
// host hands it and reaches the server only through the host (`app.callServerTool`), so scope, validation and the
// audit log apply to whatever it asks for; it holds no key and no token.

import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { ToolDef } from '../contract/catalog.js';
import type { ExposedTools } from '../exposure/types.js';
import type { Tool } from '../protocol.js';
import { APP_VIEWS, type AppView } from './views.js';

export { APP_VIEWS, type AppView, appView } from './views.js';

/** A `resources/list` entry. */
export interface AppResource {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

/** A `resources/read` answer for one view: its HTML, with the CSP and border preference hosts read. */
export interface AppResourceContents {
  [key: string]: unknown;
  contents: Array<{
    uri: string;
    mimeType: string;
    text: string;
    _meta: { ui: { csp: { connectDomains: string[]; resourceDomains: string[] }; prefersBorder: boolean } };
  }>;
}

/** What a server needs to offer the views of an exposure. */
export interface AppResources {
  list(): AppResource[];
  /** Undefined for a URI that is not one of the listed views. */
  read(uri: string): Promise<AppResourceContents | undefined>;
}

/**
 * Keyed by the exposure and by its listing array: the service wraps an exposure (bounds, revocation) in objects that
 * pass `listTools()` through, and the listing that names the views is what tells which views a wrapper serves.
 */
const appsOfTools = new WeakMap<object, AppResources>();

/** The views an exposure (or a wrapper passing its listing through) offers, when Apps are on for it. */
export function appResourcesOf(tools: ExposedTools): AppResources | undefined {
  return appsOfTools.get(tools) ?? appsOfTools.get(tools.listTools());
}

function resourceOf(view: AppView): AppResource {
  return {
    uri: view.uri,
    name: `openai-mcp-${view.name}`,
    title: view.title,
    description: view.description,
    mimeType: RESOURCE_MIME_TYPE,
  };
}

/**
 * The exposure with its tools' listing entries naming the view that draws their results, and the views as
 * resources. Only views some listed tool feeds are offered; with none, `tools` comes back as it was.
 */
export function withApps(tools: ExposedTools, defs: readonly ToolDef[]): ExposedTools {
  const viewOf = new Map<string, AppView>();
  for (const def of defs) {
    const view = APP_VIEWS.find((v) => v.feeds(def));
    if (view) viewOf.set(def.name, view);
  }
  return withViews(tools, viewOf);
}

/**
 * The exposure with the listed tools in `viewOf` naming their view, and those views as resources: what `withApps`
 * does for catalog tools, for tool sets of other kinds (the admin server's audit tool).
 */
export function withViews(tools: ExposedTools, viewOf: ReadonlyMap<string, AppView>): ExposedTools {
  const listed = tools.listTools();
  const views = APP_VIEWS.filter((v) => listed.some((t) => viewOf.get(t.name) === v));
  if (!views.length) return tools;
  // Listing entries are built once: a server is built per HTTP request and lists on every tools/list.
  const entries: Tool[] = listed.map((t) => {
    const view = viewOf.get(t.name);
    return view ? { ...t, _meta: { ...t._meta, ui: { resourceUri: view.uri } } } : t;
  });
  const wrapped: ExposedTools = {
    listTools: () => entries,
    callTool: (name, args, context) => tools.callTool(name, args, context),
    ...(tools.taskEligible ? { taskEligible: (name, args) => tools.taskEligible!(name, args) } : {}),
  };
  const byUri = new Map<string, AppView>(views.map((v) => [v.uri, v]));
  const apps: AppResources = {
    list: () => views.map(resourceOf),
    read: async (uri) => {
      const view = byUri.get(uri);
      if (!view) return undefined;
      // Loaded on first read: the HTML is 0.2 MB a server without Apps hosts never needs in memory.
      const { VIEW_HTML } = await import('./views.gen.js');
      return {
        contents: [
          {
            uri: view.uri,
            mimeType: RESOURCE_MIME_TYPE,
            text: VIEW_HTML[view.name],
            // Everything is inlined: the view asks for no network and no outside resource at all.
            _meta: { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } },
          },
        ],
      };
    },
  };
  appsOfTools.set(wrapped, apps);
  appsOfTools.set(entries, apps);
  return wrapped;
}
