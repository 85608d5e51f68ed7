// Global setup for the whole vitest run. Services that many test files share start here once.
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  if (process.env.SKIP_PRISM !== '1') {
    const { startPrism } = await import('./prism.js');
    const prism = await startPrism();
    project.provide('prismUrl', prism.url);
    stops.push(prism.stop);
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    prismUrl: string;
  }
}
