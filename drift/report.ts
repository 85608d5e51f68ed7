// Puts diff and classification together into the `DriftReport` every output (markdown, JSON, exit code) reads.
import type { Catalog } from '../runtime/types.js';
import { classifyAll } from './classify.js';
import { diffCatalogs, diffExcluded } from './diff.js';
import type { CatalogSide, Change, DriftReport } from './types.js';

export type SideInfo = Pick<CatalogSide, 'ref' | 'kind'>;

export function describeSide(catalog: Catalog, info: SideInfo): CatalogSide {
  return {
    ...info,
    title: catalog.spec.title,
    version: catalog.spec.version,
    openapi: catalog.spec.openapi,
    sha256: catalog.spec.sha256,
    tools: catalog.tools.length,
  };
}

// Tool-level kinds first so each tool's section opens with what happened to the tool itself.
const KIND_ORDER: Change['kind'][] = [
  'tool-removed',
  'tool-renamed',
  'operation-replaced',
  'tool-added',
  'operation-moved',
  'operation-id-changed',
  'access-changed',
  'auth-changed',
  'destructive-changed',
  'tags-changed',
  'method-changed',
  'deprecated-changed',
  'response-changed',
  'content-type-changed',
  'pagination-changed',
  'param-removed',
  'param-added',
  'param-required',
  'param-optional',
  'param-type',
  'enum-removed',
  'enum-constrained',
  'enum-added',
  'enum-relaxed',
  'default-changed',
  'schema-changed',
  'title-changed',
  'description-changed',
  'param-description-changed',
];

export function buildReport(
  from: Catalog,
  to: Catalog,
  fromInfo: SideInfo = { ref: 'from', kind: 'catalog' },
  toInfo: SideInfo = { ref: 'to', kind: 'catalog' },
): DriftReport {
  const diff = diffCatalogs(from, to);
  const changes = classifyAll(diff.changes).sort(
    (a, b) =>
      a.tool.localeCompare(b.tool) ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      (a.arg ?? '').localeCompare(b.arg ?? ''),
  );
  const pairedNames = new Set(diff.pairs.map(([, b]) => b.name));
  const changedTools = new Set(changes.filter((c) => pairedNames.has(c.tool)).map((c) => c.tool));
  return {
    from: describeSide(from, fromInfo),
    to: describeSide(to, toInfo),
    summary: {
      toolsFrom: from.tools.length,
      toolsTo: to.tools.length,
      added: diff.added.length,
      removed: diff.removed.length,
      renamed: diff.renamed.length,
      moved: diff.moved.length,
      changed: changedTools.size,
      unchanged: diff.pairs.length - changedTools.size,
      breaking: changes.filter((c) => c.breaking).length,
      breakingTools: new Set(changes.filter((c) => c.breaking).map((c) => c.tool)).size,
      security: changes.filter((c) => c.security).length,
      excludedFrom: from.excluded.length,
      excludedTo: to.excluded.length,
    },
    excluded: diffExcluded(from, to),
    added: diff.added.sort((a, b) => a.name.localeCompare(b.name)),
    removed: diff.removed.sort((a, b) => a.name.localeCompare(b.name)),
    renamed: diff.renamed.sort((a, b) => a.to.name.localeCompare(b.to.name)),
    moved: diff.moved.sort((a, b) => a.name.localeCompare(b.name)),
    changes,
  };
}

export type FailOn = 'breaking' | 'any' | 'none';

/** `any` means any change an agent could notice; text-only edits count, since the model reads them. */
export function shouldFail(report: DriftReport, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  if (failOn === 'breaking') return report.summary.breaking > 0 || report.summary.security > 0;
  return report.changes.length > 0;
}
