// The generator's diagnostics rendered, in one place: the manifest's `warnings` and the lines `npm run generate`
// prints. Stages only raise them as data (context.ts `Diagnostics`); how they read is decided here.
import type { Diagnostic } from './context.js';

/** manifest.json `warnings`: the messages, in the order the stages raised them. */
export function manifestWarnings(list: readonly Diagnostic[]): string[] {
  return list.map((d) => d.message);
}

/** What `npm run generate` prints to stderr for them, one line each. */
export function diagnosticLines(list: readonly Diagnostic[]): string[] {
  return list.map((d) => `${d.severity}: ${d.message}`);
}
