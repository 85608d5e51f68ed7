// Auto-escaping HTML: every interpolated value goes through escape-html unless it is an `Html` built here, the same
// rule as the OAuth pages (service/auth/oauth/pages.ts). Names are wrapped in <bdi> so a right-to-left character
// cannot reorder the text around it, and control and format characters are shown as escapes.

import escapeHtml from 'escape-html';
import { escapeControls } from '../../../runtime/redact.js';

export class Html {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new Html(text);
export const EMPTY = raw('');

function piece(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === undefined || v === null || v === false) return '';
  // Control and format characters (a right-to-left override, a zero-width joiner) become visible `\uXXXX`: a
  // stored name cannot reverse what a reader sees. Line breaks stay (the snippets are multi-line).
  return escapeHtml(escapeControls(String(v), true));
}

export function html(parts: TemplateStringsArray, ...values: unknown[]): Html {
  let out = parts[0] ?? '';
  values.forEach((v, i) => {
    out += piece(v) + (parts[i + 1] ?? '');
  });
  return new Html(out);
}

/** A name people gave: isolated from the surrounding text's direction, wrapping anywhere. */
export const nameOf = (s: string) => html`<bdi class="name">${s}</bdi>`;
