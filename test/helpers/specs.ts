// Paths to the real OpenAI specs shared beside the repo (never copied into it), and a cached build of each.
import path from 'node:path';
import { loadSpec } from '../../generator/load.js';
import { buildCatalog, type BuildResult } from '../../generator/pipeline.js';
import { repoRoot } from '../../generator/pin.js';

export const sharedSpecs = path.resolve(repoRoot, '..', 'shared', 'specs');
export const SPECS = {
  current: path.join(sharedSpecs, 'openai-2026-08-21.yaml'),
  previous: path.join(sharedSpecs, 'openai-2026-05-13.yaml'),
  v30: path.join(sharedSpecs, 'openai-2025-03-22.yaml'),
} as const;

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
