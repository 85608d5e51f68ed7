// The only place the drift tooling touches the generator: everything else works on `Catalog` objects, so the
// generator's internals can change freely as long as these two entry points keep their shape.
import type { Catalog } from '../runtime/types.js';
import type { OpenApiDocument } from '../generator/load/document.js';
import { loadSpec } from '../generator/load/load.js';
import { buildCatalog } from '../generator/pipeline.js';

export { loadSpec };

export interface LoadedCatalog {
  catalog: Catalog;
  /** The spec bytes' sha256, as the catalog records it. */
  sha256: string;
  /** Where the loader found the bytes (path, URL or cache). */
  source: string;
  text: string;
  doc: OpenApiDocument;
}

/**
 * Load a spec and build its catalog. `spec` undefined means the pin; `OPENAI_SPEC` is ignored then, because a
 * report "against the pin" that silently used another spec would be wrong without anyone noticing.
 */
export async function catalogFromSpec(spec: string | undefined): Promise<LoadedCatalog> {
  const env = { ...process.env };
  delete env.OPENAI_SPEC;
  const loaded = await loadSpec({ spec, env });
  // The pipeline may annotate what it is given; keep the caller's `doc` as parsed.
  const { catalog } = await buildCatalog(structuredClone(loaded.doc), {
    sha256: loaded.sha256,
    warnings: loaded.warnings,
  });
  return { catalog, sha256: loaded.sha256, source: loaded.source, text: loaded.text, doc: loaded.doc };
}

export async function catalogFromDoc(doc: OpenApiDocument, sha256: string): Promise<Catalog> {
  const { catalog } = await buildCatalog(structuredClone(doc), { sha256 });
  return catalog;
}
