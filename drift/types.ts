// The drift report's data model. The JSON file `npm run drift -- --json` writes is exactly a `DriftReport`,
// so anything that consumes it (a bot, a dashboard) can rely on these names.
import type { Access, AuthKind, ExcludedOperation, HttpVerb, Method } from '../runtime/types.js';

export interface ToolRef {
  name: string;
  operationId: string;
  verb: HttpVerb;
  path: string;
  access: Access;
  auth: AuthKind;
  method: Method;
}

export type ChangeKind =
  | 'tool-added'
  | 'tool-removed'
  | 'tool-renamed'
  | 'operation-moved'
  | 'operation-id-changed'
  | 'operation-replaced'
  | 'param-added'
  | 'param-removed'
  | 'param-required'
  | 'param-optional'
  | 'param-type'
  | 'enum-added'
  | 'enum-removed'
  | 'enum-constrained'
  | 'enum-relaxed'
  | 'default-changed'
  | 'access-changed'
  | 'auth-changed'
  | 'destructive-changed'
  | 'method-changed'
  | 'tags-changed'
  | 'deprecated-changed'
  | 'response-changed'
  | 'content-type-changed'
  | 'pagination-changed'
  | 'title-changed'
  | 'description-changed'
  | 'param-description-changed'
  | 'schema-changed';

/** Where a changed argument lives on the wire; `body` for top-level body fields and the wrapped `body` argument. */
export type ArgLocation = 'path' | 'query' | 'header' | 'body';

/** A change as `diff.ts` finds it, before `classify.ts` judges it. */
export interface RawChange {
  kind: ChangeKind;
  /** The tool's name in the newer catalog (the older one for a removed tool). */
  tool: string;
  operationId: string;
  /** The argument concerned, for `param-*`, `enum-*` and `default-changed`. */
  arg?: string;
  location?: ArgLocation;
  /** True when the enum is on the items of an array argument. */
  items?: boolean;
  from?: unknown;
  to?: unknown;
  /** Kind-specific facts the classifier needs, e.g. whether an added argument is required. */
  detail?: Record<string, unknown>;
  message: string;
}

export interface Change extends RawChange {
  breaking: boolean;
  security: boolean;
  /** The rule that decided `breaking`/`security`, in words, so a reviewer can disagree with it. */
  reason: string;
}

export interface RenamedTool {
  from: ToolRef;
  to: ToolRef;
  /** How the two were recognised as the same operation. */
  matchedBy: 'operationId' | 'verb+path';
  moved: boolean;
}

export interface MovedTool {
  name: string;
  operationId: string;
  from: string;
  to: string;
}

export interface RemovedTool extends ToolRef {
  /** Set when the operation is still in the spec but the generator now excludes it. */
  excludedReason?: string;
}

export interface AddedTool extends ToolRef {
  /** Set when the operation used to be excluded and now is a tool. */
  previouslyExcluded?: string;
}

export interface CatalogSide {
  /** What was asked for on the command line (`pin`, a path, a URL, a git ref). */
  ref: string;
  kind: 'spec' | 'pin' | 'catalog' | 'git';
  title: string;
  version: string;
  openapi: string;
  sha256: string;
  tools: number;
}

export interface DriftSummary {
  toolsFrom: number;
  toolsTo: number;
  added: number;
  removed: number;
  renamed: number;
  moved: number;
  /** Tools present on both sides (renamed included) with at least one change. */
  changed: number;
  unchanged: number;
  breaking: number;
  /** Distinct tools with at least one breaking change, removed tools included. */
  breakingTools: number;
  security: number;
  excludedFrom: number;
  excludedTo: number;
}

/**
 * Operations the generator excludes (never tools) that appeared in or disappeared from the spec. An operation
 * that was a tool on the other side is reported under `removed`/`added` with its reason instead.
 */
export interface ExcludedDrift {
  added: ExcludedOperation[];
  removed: ExcludedOperation[];
}

export interface DriftReport {
  from: CatalogSide;
  to: CatalogSide;
  summary: DriftSummary;
  excluded: ExcludedDrift;
  added: AddedTool[];
  removed: RemovedTool[];
  renamed: RenamedTool[];
  moved: MovedTool[];
  /** Every change, tool-level ones included, in a stable order (tool name, then kind). */
  changes: Change[];
}
