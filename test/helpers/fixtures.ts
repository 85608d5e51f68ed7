// The small fixture specs in test/fixtures/specs/, loaded through the real loader, with their own overrides
// file so a stage's result depends on the fixture alone.
import path from 'node:path';
import { SpecDocument } from '../../generator/load/document.js';
import { loadSpec, type LoadedSpec } from '../../generator/load/load.js';
import { buildOperations, type OperationModel } from '../../generator/stages/model.js';
import { resolveRecursiveRefs } from '../../generator/load/normalize.js';
import { loadOverrides, parseOverrides, type Overrides } from '../../generator/load/overrides.js';
import { buildCatalog, type BuildResult } from '../../generator/pipeline.js';
import { repoRoot } from '../../generator/pin.js';

export const FIXTURE_DIR = path.join(repoRoot, 'test', 'fixtures', 'specs');
export const FIXTURES = [
  'nullable-30',
  'recursive-refs',
  'multipart',
  'beta-twins',
  'name-clash',
  'hostile-names',
  'invalid-keywords',
  'query-objects',
] as const;
export type FixtureName = (typeof FIXTURES)[number];

export const fixtureFile = (name: FixtureName) => path.join(FIXTURE_DIR, `${name}.yaml`);
export const fixtureOverrides = (): Overrides => loadOverrides(path.join(FIXTURE_DIR, 'overrides.yaml'));
/** Overrides from inline YAML, for a table row that needs one knob. */
export const overridesOf = (yaml: string): Overrides => parseOverrides(yaml, 'inline overrides');

export interface Fixture {
  loaded: LoadedSpec;
  spec: SpecDocument;
  ops: OperationModel[];
  /** The operation with this operationId. */
  op(operationId: string): OperationModel;
}

const loads = new Map<FixtureName, Promise<LoadedSpec>>();

/** Loaded (and validated) once per test file; each call gets its own operations. */
export async function loadFixture(name: FixtureName): Promise<Fixture> {
  let pending = loads.get(name);
  if (!pending) {
    pending = loadSpec({ spec: fixtureFile(name) });
    loads.set(name, pending);
  }
  const loaded = await pending;
  const spec = new SpecDocument(resolveRecursiveRefs(loaded.doc));
  const ops = buildOperations(spec);
  return {
    loaded,
    spec,
    ops,
    op(operationId) {
      const hit = ops.find((o) => o.operationId === operationId);
      if (!hit) throw new Error(`${name} has no operation ${operationId}`);
      return hit;
    },
  };
}

export async function buildFixture(name: FixtureName, overrides: Overrides = fixtureOverrides()): Promise<BuildResult> {
  const { loaded } = await loadFixture(name);
  return buildCatalog(loaded.doc, { sha256: loaded.sha256, overrides, warnings: loaded.warnings });
}
