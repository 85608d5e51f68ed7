// Global setup for the whole vitest run. Services that many test files share start here once.
import type { TestProject } from 'vitest/node';
import { fetchReferenceSpecs, locate, missingSpecsAdvice, referenceSpecs } from '../../generator/reference-specs.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  // The real specs: ../shared/specs, the cache, or one download into the cache (what `npm run fetch-specs` does),
  // so `npm test` works on a fresh networked machine with nothing beside the checkout. What is still missing is
  // said here once; the tests that need it are skipped with the same reason in their titles.
  const specs = referenceSpecs();
  if (specs.some((s) => !locate(s)) && process.env.OPENAI_MCP_TEST_OFFLINE !== '1') {
    await fetchReferenceSpecs({ specs, timeoutMs: 60_000 });
  }
  const missing = specs.filter((s) => !locate(s));
  if (missing.length) process.stderr.write(`\n[test setup] real specs ${missingSpecsAdvice(missing)}\n\n`);

  let prismUrl = '';
  let prismSkip = '';
  if (process.env.SKIP_PRISM === '1') {
    prismSkip = 'skipped: SKIP_PRISM=1 (Prism mock not started)';
  } else if (missing.some((s) => s.pinned)) {
    prismSkip = `skipped: Prism serves the pinned spec, which is ${missingSpecsAdvice(missing.filter((s) => s.pinned))}`;
  } else {
    const { startPrism } = await import('../../testing/prism.js');
    const prism = await startPrism();
    prismUrl = prism.url;
    stops.push(prism.stop);
  }
  project.provide('prismUrl', prismUrl);
  project.provide('prismSkip', prismSkip);

  // A real PostgreSQL server for the store's second engine (testing/postgres.ts); tests make a database each.
  let pgUrl = '';
  let pgSkip = '';
  const { postgresBin, startPostgres } = await import('../../testing/postgres.js');
  const bin = postgresBin();
  if (process.env.SKIP_POSTGRES === '1') pgSkip = 'skipped: SKIP_POSTGRES=1 (PostgreSQL not started)';
  else if (!bin)
    pgSkip =
      'skipped: no PostgreSQL server binaries (/usr/lib/postgresql/<major>/bin or $OPENAI_MCP_PG_BIN); apt-get install postgresql';
  else {
    const pg = await startPostgres(bin);
    pgUrl = pg.url;
    stops.push(pg.stop);
  }
  if (pgSkip) process.stderr.write(`\n[test setup] PostgreSQL ${pgSkip}\n\n`);
  project.provide('pgUrl', pgUrl);
  project.provide('pgSkip', pgSkip);
  return async () => {
    for (const stop of stops) await stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Prism mock's base URL, or '' when it was not started (then `prismSkip` says why). */
    prismUrl: string;
    prismSkip: string;
    /** A superuser URL of the test run's PostgreSQL server, or '' when it was not started (`pgSkip` says why). */
    pgUrl: string;
    pgSkip: string;
  }
}
