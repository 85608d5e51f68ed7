// The generated SDK's declarations, indexed by tool (generated/sdk-docs.json, written next to sdk.d.ts from
// the same text), loaded on the first search so servers in other modes never read it.

import type { SdkDocs } from '../../contract/sdk-docs.js';

export type { SdkDocs } from '../../contract/sdk-docs.js';

export async function loadSdkDocs(): Promise<SdkDocs | undefined> {
  try {
    const mod = await import('../../../generated/sdk-docs.json', { with: { type: 'json' } });
    return mod.default as unknown as SdkDocs;
  } catch {
    return undefined;
  }
}
