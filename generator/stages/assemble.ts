// assemble stage: put each tool's parts together, and write the manifest: what was made, what was left out and why,
// how name clashes were settled, and what in the spec needs a decision.
import type { Catalog, ExcludedOperation, JsonSchema, Method, ToolDef } from '../../runtime/types.js';
import { toolSchemaHash } from '../../runtime/contract/validation.js';
import type { NameClash } from './name.js';
import type { Diagnostic } from '../context.js';
import { manifestWarnings } from '../report.js';

export interface ManifestEntry {
  name: string;
  method: Method;
  access: 'read' | 'write';
  tags: string[];
  verb: string;
  path: string;
  operationId: string;
  schemaHash: string;
  deprecated?: boolean;
}

export interface Manifest {
  spec: Catalog['spec'];
  counts: { operations: number; tools: number; excluded: number };
  tools: ManifestEntry[];
  excluded: ExcludedOperation[];
  /** Name clashes and how they were resolved, so a rename is never a surprise. */
  clashes: NameClash[];
  /** Things in the spec that look wrong and need a decision in specs/overrides.yaml. */
  warnings: string[];
}

/** A tool without its hash; `toolDef` adds it. */
export type ToolParts = Omit<ToolDef, 'schemaHash'>;

/** The hash covers what a call must satisfy (full schema) and where it goes (binding). */
export function toolDef(parts: ToolParts, validation: JsonSchema): ToolDef {
  const tool: ToolDef = { ...parts, schemaHash: toolSchemaHash({ validation, http: parts.http }) };
  // Key order of the emitted JSON: the optional fields after the hash, as they always were.
  const { pagination, usageBuckets, ...rest } = tool;
  return { ...rest, ...(pagination ? { pagination } : {}), ...(usageBuckets ? { usageBuckets } : {}) };
}

export interface ManifestInput {
  spec: Catalog['spec'];
  operations: number;
  tools: ToolDef[];
  /** The spec's path key of each tool's operation (with its `?beta=true`), by operationId. */
  pathKeys: Map<string, string>;
  excluded: ExcludedOperation[];
  clashes: NameClash[];
  diagnostics: readonly Diagnostic[];
}

export function manifestOf(m: ManifestInput): Manifest {
  return {
    spec: m.spec,
    counts: { operations: m.operations, tools: m.tools.length, excluded: m.excluded.length },
    tools: m.tools.map((t) => ({
      name: t.name,
      method: t.method,
      access: t.access,
      tags: t.tags,
      verb: t.http.verb,
      path: m.pathKeys.get(t.operationId) ?? t.http.path,
      operationId: t.operationId,
      schemaHash: t.schemaHash,
      ...(t.deprecated ? { deprecated: true } : {}),
    })),
    excluded: m.excluded,
    clashes: m.clashes,
    warnings: manifestWarnings(m.diagnostics),
  };
}

export const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
