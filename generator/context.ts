// The generator's stage contract. Every stage reads one shared `GenContext` and fills it: the per-operation facts in
// one `ToolDraft` each (instead of parallel arrays zipped by index), catalog-wide results (excluded operations, name
// clashes, the assembled tools, the SDK) on the context itself. `stages/index.ts` lists the stages in order; a stage
// is `{ name, run(ctx) }` and reads only what earlier stages wrote. Stage files keep pure functions of their own
// inputs (their table tests call them directly); the adapters in `stages/index.ts` connect them to this contract.
import type { Catalog, ExcludedOperation, JsonSchema, ToolDef, ValidationBundle } from '../runtime/types.js';
import type { SpecDocument } from './load/document.js';
import type { Overrides } from './load/overrides.js';
import type { Manifest } from './stages/assemble.js';
import type { RoutedOperation } from './stages/auth.js';
import type { Binding } from './stages/bind.js';
import type { Classification } from './stages/classify.js';
import type { ToolLinks } from './stages/links.js';
import type { OperationModel } from './stages/model.js';
import type { NameClash } from './stages/name.js';
import type { ToolSchemas } from './stages/schema.js';
import type { SdkFiles } from './stages/sdk.js';

export interface BuildOptions {
  sha256: string;
  overrides?: Overrides;
  /** Warnings from loading (keyword violations), listed first in the manifest. */
  warnings?: string[];
  /** Object levels below the top that keep property names in the LLM schema; default: the richest within budget. */
  nestedDepth?: number;
  /** Token target for choosing the nesting depth (default TOKEN_TARGET). */
  tokenTarget?: number;
}

/** Where a diagnostic came from: `load` (the spec as read), or the name of the stage that raised it. */
export interface Diagnostic {
  stage: string;
  severity: 'warning';
  message: string;
}

/**
 * What the generator has to say about the spec, as data: stages add to it, `report.ts` renders it (stderr lines,
 * the manifest's `warnings`). Order is the order they were raised in, which is the order of the stages.
 */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  warn(stage: string, message: string): void {
    this.list.push({ stage, severity: 'warning', message });
  }
  warnAll(stage: string, messages: readonly string[]): void {
    for (const m of messages) this.warn(stage, m);
  }
  /** Another run's diagnostics, appended (the budget stage keeps those of the depth it chose). */
  absorb(other: Diagnostics): void {
    this.list.push(...other.list);
  }
}

/** The resource a tool acts on, as its name words it: `fine_tuning_jobs` / `fine_tuning_job`. */
export interface ResourceWords {
  many: string;
  one: string;
}

/** What the stages decided about one kept operation; each field is written by the stage named beside it. */
export interface ToolDraft {
  /** model + auth: the operation, its key decided. */
  readonly op: RoutedOperation;
  /** classify */
  cls?: Classification;
  /** name */
  name?: string;
  /** name: the resource words the title and description use. */
  resource?: ResourceWords;
  /** link */
  links?: ToolLinks;
  /** schema (per nesting depth, like everything below) */
  schemas?: ToolSchemas;
  /** bind */
  binding?: Binding;
  /** describe */
  title?: string;
  description?: string;
  /** assemble, then timeinput and precheck: the tool and the full schema its arguments are validated against. */
  tool?: ToolDef;
  validation?: JsonSchema;
}

/** A draft field a stage needs, which an earlier stage must have written. */
export function need<K extends keyof ToolDraft>(draft: ToolDraft, key: K, stage: string): NonNullable<ToolDraft[K]> {
  const v = draft[key];
  if (v === undefined || v === null)
    throw new Error(
      `internal: stage ${stage} needs ${String(key)} of ${draft.op.operationId}, not set by any stage before it`,
    );
  return v as NonNullable<ToolDraft[K]>;
}

export interface GenContext {
  /** The document after errata and normalization: the one every stage reads. */
  readonly spec: SpecDocument;
  readonly overrides: Overrides;
  readonly options: BuildOptions;
  /** Every component schema, normalized once (the validation bundle and the portable pass read them). */
  readonly defs: Map<string, JsonSchema>;
  readonly diagnostics: Diagnostics;
  /** model: every operation of the document, in document order. */
  operations: OperationModel[];
  /** select: one draft per kept operation, in document order. */
  drafts: ToolDraft[];
  /** select */
  excluded: ExcludedOperation[];
  /** name */
  clashes: NameClash[];
  /** budget: object levels below the top that keep property names in the listed schemas. */
  nestedDepth: number;
  /** assemble and wait: every tool of the catalog (wait tools included), sorted by name after `portable`. */
  tools: ToolDef[];
  /** Full schema of each tool by name (validation.json's `tools`). */
  validation: Map<string, JsonSchema>;
  /** sdk */
  sdk?: SdkFiles;
}

export interface Stage {
  readonly name: string;
  run(ctx: GenContext): void;
}

/** What `buildCatalog` gives emit: every generated file is rendered from this. */
export interface BuildResult {
  catalog: Catalog;
  validation: ValidationBundle;
  manifest: Manifest;
  /** Everything the stages had to say, in order (report.ts renders it). */
  diagnostics: readonly Diagnostic[];
  /** The code-mode SDK (`sdk.d.ts`, `sdk-docs.json`), made by the sdk stage. */
  sdk: SdkFiles;
}
