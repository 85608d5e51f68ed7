// Browser side of the MCP Apps test host: the ext-apps SDK's host half (AppBridge over postMessage) in front of a
// sandboxed iframe holding one view. Tool calls the view makes go to `window.hostCallTool`, which the Node side
// (testing/apps-host/index.ts) binds to a real MCP client, so they run through the server like a model's call.

import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';

declare global {
  interface Window {
    hostCallTool(params: unknown): Promise<unknown>;
    /** Set by the Node side: shows the view at `src` and hands it `input` and `result` once it is initialized. */
    showView(src: string, tool: unknown, input: unknown, result: unknown): Promise<number>;
    /** Hands the shown view another result (as a host does when the same tool is called again). */
    resendResult(result: unknown): Promise<void>;
  }
}

window.showView = (src, tool, input, result) =>
  new Promise<number>((resolve, reject) => {
    const frame = document.createElement('iframe');
    // What hosts do: scripts, and nothing else (no same-origin, no forms, no popups, no top navigation).
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.width = '760';
    frame.height = '560';
    document.body.replaceChildren(frame);
    const bridge = new AppBridge(
      null,
      { name: 'openai-mcp test host', version: '0.0.0' },
      { serverTools: {}, openLinks: {} },
      { hostContext: { theme: 'light', displayMode: 'inline', toolInfo: { tool } } as never },
    );
    window.resendResult = (r) => bridge.sendToolResult(r as never);
    bridge.oncalltool = async (params) => (await window.hostCallTool(params)) as never;
    bridge.oninitialized = async () => {
      await bridge.sendToolInput({ arguments: input as Record<string, unknown> });
      const sent = performance.now();
      await bridge.sendToolResult(result as never);
      resolve(sent);
    };
    // Listening before the view loads: its `ui/initialize` is the first thing it sends. The frame's window proxy
    // stays the same object across the navigation, so the transport's source check holds.
    const win = frame.contentWindow;
    if (!win) return reject(new Error('no iframe window'));
    bridge.connect(new PostMessageTransport(win, win)).catch(reject);
    frame.src = src;
  });
