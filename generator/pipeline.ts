// Wiring only: make the context (errata applied, the document normalized), run `STAGES` (stages/index.ts) over it,
// and put the result together. Every stage lives in its own file under stages/ and is a pure function of the
// document and `specs/overrides.yaml`; the order is in stages/index.ts:
//
//   load → model → auth → select → classify → name → link → budget[schema → bind → describe → assemble → timeinput
//        → precheck → wait → portable] → sdk → emit
//
// `load` (load/) and `emit` (emit/) are called by cli.ts around `buildCatalog`.
import type { Catalog } from '../runtime/types.js';
import { manifestOf, type Manifest, type ManifestEntry } from './stages/assemble.js';
import { TOKEN_TARGET, catalogTokens } from './stages/budget.js';
import { Diagnostics, type BuildOptions, type BuildResult, type GenContext } from './context.js';
import { SpecDocument, type OpenApiDocument } from './load/document.js';
import { applyErrata } from './load/errata.js';
import { componentDefs, resolveRecursiveRefs, validationBundle } from './load/normalize.js';
import { loadOverrides } from './load/overrides.js';
import { STAGES } from './stages/index.js';

export { TOKEN_TARGET, catalogTokens };
export type { BuildOptions, BuildResult, Manifest, ManifestEntry };

export async function buildCatalog(source: OpenApiDocument, opts: BuildOptions): Promise<BuildResult> {
  const ctx = createContext(source, opts);
  for (const stage of STAGES) stage.run(ctx);
  const { spec, tools, excluded } = ctx;

  const info = spec.doc.info as { title?: unknown; version?: unknown } | undefined;
  const catalogSpec: Catalog['spec'] = {
    title: String(info?.title ?? ''),
    version: String(info?.version ?? ''),
    openapi: spec.openapi,
    sha256: opts.sha256,
  };
  const pathKeys = new Map<string, string>();
  for (const { op } of ctx.drafts) if (!pathKeys.has(op.operationId)) pathKeys.set(op.operationId, op.pathKey);
  const manifest = manifestOf({
    spec: catalogSpec,
    operations: ctx.operations.length,
    tools,
    pathKeys,
    excluded,
    clashes: ctx.clashes,
    diagnostics: ctx.diagnostics.list,
  });
  if (!ctx.sdk) throw new Error('internal: the sdk stage did not run');
  return {
    catalog: { spec: catalogSpec, tools, excluded },
    validation: validationBundle(ctx.defs, ctx.validation),
    manifest,
    diagnostics: ctx.diagnostics.list,
    sdk: ctx.sdk,
  };
}

/** The shared context every stage reads: the spec with its errata applied, normalized once, and the overrides. */
export function createContext(source: OpenApiDocument, options: BuildOptions): GenContext {
  const overrides = options.overrides ?? loadOverrides();
  const diagnostics = new Diagnostics();
  diagnostics.warnAll('load', options.warnings ?? []);
  const { doc: corrected, warnings } = applyErrata(source, overrides.errata);
  diagnostics.warnAll('errata', warnings);
  const spec = new SpecDocument(resolveRecursiveRefs(corrected));
  return {
    spec,
    overrides,
    options,
    defs: componentDefs(spec),
    diagnostics,
    operations: [],
    drafts: [],
    excluded: [],
    clashes: [],
    nestedDepth: 0,
    tools: [],
    validation: new Map(),
  };
}
