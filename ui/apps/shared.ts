// What every view shares: the connection to the host (the ext-apps SDK's App over postMessage) and DOM helpers.
// Everything drawn goes through `el`/`svg`, which only ever set text with `textContent` and attributes by name:
// tool results carry names users chose (a project called `<img onerror=…>`), and none of it is parsed as markup.

import { App, applyDocumentTheme, applyHostStyleVariables, PostMessageTransport } from '@modelcontextprotocol/ext-apps';

export type Json = Record<string, unknown>;

type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Attrs = {}, ...children: Array<Node | null>): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  for (const c of children) if (c) node.append(c);
  return node;
}

function setAttrs(node: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    // Never an event handler or a style attribute, whatever the caller passes: the CSP forbids both anyway.
    if (/^on/i.test(k) || k === 'style') continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
}

export const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** The JSON a tool result carries: its `structuredContent`, or its first text block parsed. */
export function payloadOf(result: { structuredContent?: unknown; content?: unknown }): Json | undefined {
  if (isObject(result.structuredContent)) return result.structuredContent;
  const blocks = Array.isArray(result.content) ? result.content : [];
  for (const b of blocks) {
    if (isObject(b) && b.type === 'text' && typeof b.text === 'string') {
      try {
        const parsed: unknown = JSON.parse(b.text);
        if (isObject(parsed)) return parsed;
      } catch {
        // Prose, not JSON: the next block may be the data.
      }
    }
  }
  return undefined;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
export const fmt = (n: number): string => numberFormat.format(n);
const moneyFormats = new Map<string, Intl.NumberFormat>();
/** Formatters are built once per currency: building one costs more than drawing a bar. */
export function money(n: number, currency = 'usd'): string {
  let f = moneyFormats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    moneyFormats.set(currency, f);
  }
  return f.format(n);
}

// Built before any data arrives: the first currency formatter costs milliseconds (ICU data), which would otherwise
// land in the first render.
money(0);

/** ISO day (`2026-12-01`) of an ISO time or unix seconds. */
export function dayOf(v: unknown): string {
  if (typeof v === 'number') return new Date(v * 1000).toISOString().slice(0, 10);
  if (typeof v === 'string') return v.slice(0, 10);
  return '';
}

export function timeOf(v: unknown): string {
  if (typeof v !== 'number') return '';
  return new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Connects to the host and hands every tool result to `render`. Tool results are the only data a view receives
 * unasked; anything more it asks for with `app.callServerTool`, which the host runs through the server (scope,
 * validation and audit apply there).
 */
export function startView(
  name: string,
  handlers: {
    onInput?: (args: Json) => void;
    onResult: (result: { structuredContent?: unknown; content?: unknown; isError?: boolean }) => void;
  },
): App {
  const app = new App({ name, version: '0.1.0' }, {}, { autoResize: true });
  app.ontoolinput = (p) => handlers.onInput?.(isObject(p.arguments) ? p.arguments : {});
  app.ontoolresult = (r) => handlers.onResult(r);
  app.onhostcontextchanged = (ctx) => {
    if (ctx.theme) applyDocumentTheme(ctx.theme);
    if (ctx.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  };
  app.onteardown = async () => ({});
  void app.connect(new PostMessageTransport(window.parent, window.parent)).then(() => {
    const ctx = app.getHostContext();
    if (ctx?.theme) applyDocumentTheme(ctx.theme);
    if (ctx?.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  });
  return app;
}

/** The name of the tool that produced this view's result, when the host says (`hostContext.toolInfo`). */
export function toolNameOf(app: App): string | undefined {
  return app.getHostContext()?.toolInfo?.tool.name;
}

export function showError(root: HTMLElement, message: string): void {
  root.replaceChildren(el('p', { class: 'error', role: 'alert' }, message));
}
