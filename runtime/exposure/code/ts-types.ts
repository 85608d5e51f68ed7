// Code mode's signatures of tools outside the generated SDK (custom catalogs), printed with the contract's schema
// printer (runtime/contract/ts-print.ts) so they read like generated/sdk.d.ts.

import type { ToolDef } from '../../contract/catalog.js';
import { resultKind } from '../../contract/pages.js';
import { docText, tsType } from '../../contract/ts-print.js';

/** What a call to the tool resolves to in the sandbox, given the type of the response body. */
export function resultType(tool: ToolDef, body: string): string {
  const kind = resultKind(tool);
  if (kind === 'content') return 'ContentResult';
  if (kind === 'empty') return 'EmptyResult';
  if (kind === 'wait') return `WaitResult<${body}>`;
  if (kind === 'usage') return `UsagePage<${body}>`;
  if (kind === 'list') return `ListPage<${body}>`;
  return body;
}

/** A one-line signature for a tool outside the generated SDK (custom catalogs): inputs typed, outputs generic. */
export function fallbackSignature(tool: ToolDef): string {
  const args = tsType(tool.inputSchema);
  const optional = !(tool.inputSchema.required as string[] | undefined)?.length;
  return `/** ${docText(tool.description)} */\nopenai.${tool.name}(args${optional ? '?' : ''}: ${args}): Promise<${resultType(tool, 'Record<string, unknown>')}>;`;
}
