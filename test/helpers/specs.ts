// The real OpenAI specs the tests build from (never copied into the repo): the pinned one and two older versions,
// each from ../shared/specs or the download cache (`npm run fetch-specs`, or test/setup's download), sha256-checked.
// A test that needs one that is not here is skipped, and its title says which spec is missing and how to get it.
import { describe, it } from 'vitest';
import { loadSpec } from '../../generator/load/load.js';
import { buildCatalog, type BuildResult } from '../../generator/pipeline.js';
import { missingSpecsAdvice, type ReferenceName } from '../../generator/reference-specs.js';
import { missingSpecs } from '../../testing/specs.js';

export { missingSpecs, REFERENCE_SPECS, SPECS } from '../../testing/specs.js';

/** Why tests needing `names` are skipped, or undefined when every one is here. */
export function specsSkipReason(...names: ReferenceName[]): string | undefined {
  const missing = missingSpecs(...names);
  return missing.length ? `skipped: spec ${missingSpecsAdvice(missing)}` : undefined;
}

/** `describe`, or `describe.skip` with the reason in its title when a named spec is missing. */
export function describeWithSpecs(...names: ReferenceName[]): typeof describe {
  const reason = specsSkipReason(...names);
  if (!reason) return describe;
  return ((title: string, fn: () => void) => describe.skip(`${title} [${reason}]`, fn)) as typeof describe;
}

/** `it`, or `it.skip` with the reason in its title when a named spec is missing. */
export function itWithSpecs(...names: ReferenceName[]): typeof it {
  const reason = specsSkipReason(...names);
  if (!reason) return it;
  const skipped = ((title: string, fn: () => void) => it.skip(`${title} [${reason}]`, fn)) as typeof it;
  // it.each(...)(title, fn) keeps working: each case is skipped with the reason.
  (skipped as { each: unknown }).each = (cases: unknown[]) => (title: string, fn: () => void) =>
    it.skip.each(cases as never[])(`${title} [${reason}]`, fn as never);
  return skipped;
}

const cache = new Map<string, Promise<BuildResult>>();

/** Build once per test file (each vitest file has its own module graph). */
export function buildFrom(spec: string): Promise<BuildResult> {
  let hit = cache.get(spec);
  if (!hit) {
    hit = loadSpec({ spec, skipValidation: true }).then((s) => buildCatalog(s.doc, { sha256: s.sha256 }));
    cache.set(spec, hit);
  }
  return hit;
}
