// Where the reference specs are on this machine, for tests and for scripts that start the fake OpenAI.

import { locate, type ReferenceName, type ReferenceSpec, referenceSpecs } from '../generator/reference-specs.js';

export const REFERENCE_SPECS: readonly ReferenceSpec[] = referenceSpecs();
const found = new Map(REFERENCE_SPECS.map((s) => [s.name, locate(s)] as const));
const byName = (name: ReferenceName) => REFERENCE_SPECS.find((s) => s.name === name)!;

/** Each spec's verified local path (its mirror path when it is missing: tests using it are skipped). */
export const SPECS: Record<ReferenceName, string> = {
  current: found.get('current')?.path ?? byName('current').mirror,
  previous: found.get('previous')?.path ?? byName('previous').mirror,
  v30: found.get('v30')?.path ?? byName('v30').mirror,
};

export function missingSpecs(...names: ReferenceName[]): ReferenceSpec[] {
  return names.filter((n) => !found.get(n)).map(byName);
}
