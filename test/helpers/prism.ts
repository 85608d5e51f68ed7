// The Prism mock test/setup starts from the pinned spec, when that spec is here; tests that need it are skipped
// otherwise, with the reason in their titles.
import { describe, inject, it } from 'vitest';

export const prismUrl = (): string => inject('prismUrl');

export function describeWithPrism(): typeof describe {
  const reason = inject('prismSkip');
  if (inject('prismUrl')) return describe;
  return ((title: string, fn: () => void) =>
    describe.skip(`${title} [${reason || 'skipped: Prism not started'}]`, fn)) as typeof describe;
}

export function itWithPrism(): typeof it {
  const reason = inject('prismSkip');
  if (inject('prismUrl')) return it;
  return ((title: string, fn: () => void) =>
    it.skip(`${title} [${reason || 'skipped: Prism not started'}]`, fn)) as typeof it;
}
