// Loads `specs/overrides.yaml`: the project-owned knobs for classification, naming and descriptions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Access } from '../runtime/types.js';
import { repoRoot } from './pin.js';

export interface AsyncHint {
  prefix: string;
  noun: string;
  terminal: string[];
  /** Tool to poll; `null` means there is none; absent means "the get tool of the same resource". */
  poll?: string | null;
  /** All states, for resources whose spec schema leaves `status` a plain string. */
  statuses?: string[];
  /** Fields of the object that show how far it got, reported while waiting. */
  progress?: string[];
}

export interface OperationOverride {
  method?: string;
  access?: Access;
  name?: string;
  tags?: string[];
  response?: 'json' | 'binary' | 'text' | 'empty';
  /** Force admin-key auth where the spec says so only in prose, not in `security`. */
  admin?: boolean;
  /** Extra sentence appended to the description. */
  hint?: string;
}

export interface Overrides {
  namespaces: string[];
  actions: string[];
  readOnlyMethods: string[];
  idempotentMethods: string[];
  pathTags: Record<string, string[]>;
  headers: { prefixes: string[]; headers: Record<string, string> }[];
  async: AsyncHint[];
  deprecations: { prefixes: string[]; note: string }[];
  exclude: Record<string, string>;
  operations: Record<string, OperationOverride>;
}

export const defaultOverridesFile = path.join(repoRoot, 'specs', 'overrides.yaml');

export function loadOverrides(file = defaultOverridesFile): Overrides {
  const raw = (parse(readFileSync(file, 'utf8')) ?? {}) as Partial<Overrides>;
  return {
    namespaces: raw.namespaces ?? [],
    actions: raw.actions ?? [],
    readOnlyMethods: raw.readOnlyMethods ?? [],
    idempotentMethods: raw.idempotentMethods ?? [],
    pathTags: raw.pathTags ?? {},
    headers: raw.headers ?? [],
    async: raw.async ?? [],
    deprecations: raw.deprecations ?? [],
    exclude: raw.exclude ?? {},
    operations: raw.operations ?? {},
  };
}

/** Prefix match on whole segments, so `/threads` does not match `/threads_archive`. */
export function underPrefix(p: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return p.startsWith(prefix);
  return p === prefix || p.startsWith(`${prefix}/`);
}
