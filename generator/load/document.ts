// The one typed view of an OpenAPI document every stage reads through, and its one `$ref` resolver.
// Names in the document (paths, properties, parameters, component names) come from a file we do not
// control, so every lookup here is an own-property lookup: `__proto__` or `constructor` is just a name.
import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';
import { RefError } from '../errors.js';

export type OpenApiDocument = OpenAPIV3.Document | OpenAPIV3_1.Document;
export type PathItem = OpenAPIV3.PathItemObject | OpenAPIV3_1.PathItemObject;
export type Operation = OpenAPIV3.OperationObject | OpenAPIV3_1.OperationObject;
export type Parameter = OpenAPIV3.ParameterObject;
export type RequestBody = OpenAPIV3.RequestBodyObject | OpenAPIV3_1.RequestBodyObject;
export type Response = OpenAPIV3.ResponseObject | OpenAPIV3_1.ResponseObject;
export type Reference = OpenAPIV3_1.ReferenceObject;
export type SecurityRequirement = OpenAPIV3.SecurityRequirementObject;

type SchemaKeywords =
  | 'type'
  | 'items'
  | 'properties'
  | 'allOf'
  | 'anyOf'
  | 'oneOf'
  | 'not'
  | 'additionalProperties'
  | 'enum';

/**
 * A schema as OpenAI writes them: 3.0 and 3.1 keywords side by side (3.1 documents still carry `nullable`),
 * and `$ref` next to other keywords as 3.1 allows. Built on openapi-types' 3.1 schema so the keyword names
 * stay checked.
 */
export interface Schema extends Omit<OpenAPIV3_1.BaseSchemaObject, SchemaKeywords> {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  additionalProperties?: boolean | Schema;
  contentEncoding?: string;
  $recursiveRef?: string;
  $recursiveAnchor?: boolean;
}

export const hasOwn = (obj: unknown, key: string): boolean =>
  obj !== null && typeof obj === 'object' && Object.hasOwn(obj, key);

/** Own enumerable entries of a document mapping (`{}` for anything that is not one). */
export function entriesOf<T>(obj: Record<string, T> | undefined | null): [string, T][] {
  return obj && typeof obj === 'object' && !Array.isArray(obj) ? Object.entries(obj) : [];
}

/** RFC 6901 escaping of one reference token. */
export const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
export const unescapePointer = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

export const isReference = (node: unknown): node is Reference =>
  hasOwn(node, '$ref') && typeof (node as Reference).$ref === 'string';

/** The component name of `#/components/schemas/<name>`, unescaped; `undefined` for any other reference. */
export function componentRef(ref: string): string | undefined {
  const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  return m?.[1] === undefined ? undefined : unescapePointer(decodeURIComponent(m[1]));
}

/** Follow a local JSON pointer with own-property steps only; `undefined` when any step is missing. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  const tokens = ref.slice(1).split('/').slice(1);
  for (const raw of tokens) {
    const key = unescapePointer(decodeURIComponent(raw));
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
      node = node[Number(key)];
    } else if (hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else return undefined;
  }
  return node;
}

export interface Followed<T> {
  /** The node the chain ends at. */
  node: T;
  /** The first `$ref` of the chain, if there was one. */
  ref?: string;
  /** The outermost description on the way (the one written for this use). */
  description?: string;
}

/**
 * Read access to one document: follows `$ref` chains (with cycle detection, as openapi-typescript's
 * `resolveRef` does) and lists what every stage iterates over.
 */
export class SpecDocument {
  readonly openapi: string;
  readonly openapi30: boolean;

  constructor(readonly doc: OpenApiDocument) {
    this.openapi = String(doc.openapi);
    this.openapi30 = this.openapi.startsWith('3.0');
  }

  /**
   * Follow `node`'s `$ref` chain to its end. `at` is where `node` sits, for the error message.
   * @throws RefError when a reference is missing or the chain comes back to itself.
   */
  follow<T>(node: T | Reference | undefined, at = '#'): Followed<T> {
    let current: unknown = node;
    let ref: string | undefined;
    let description = hasOwn(current, 'description') ? (current as { description?: unknown }).description : undefined;
    const seen = new Set<string>();
    let where = at;
    while (isReference(current)) {
      const target = current.$ref;
      if (seen.has(target)) throw new RefError(`${where}/$ref`, `circular $ref ${target}`);
      seen.add(target);
      ref ??= target;
      const next = resolvePointer(this.doc, target);
      if (next === undefined) throw new RefError(`${where}/$ref`, `cannot resolve ${target}`);
      where = target;
      current = next;
      if (description === undefined && hasOwn(current, 'description'))
        description = (current as { description?: unknown }).description;
    }
    return { node: current as T, ref, description: typeof description === 'string' ? description : undefined };
  }

  /** `follow` for an envelope object (parameter, request body, response, path item): just the target. */
  deref<T>(node: T | Reference | undefined, at: string): T {
    return this.follow<T>(node, at).node;
  }

  /** A schema with its references followed; `{}` (anything) for an absent schema. */
  schema(s: Schema | undefined): Followed<Schema> {
    const f = this.follow<Schema>(s ?? {});
    return { ...f, node: f.node && typeof f.node === 'object' ? f.node : {} };
  }

  /** Component schemas by name, in document order. */
  componentSchemas(): Map<string, Schema> {
    return new Map(entriesOf(this.doc.components?.schemas as Record<string, Schema> | undefined));
  }

  /** Path items by path key, in document order. */
  pathItems(): Map<string, PathItem | Reference> {
    return new Map(entriesOf(this.doc.paths as Record<string, PathItem | Reference> | undefined));
  }
}

/**
 * Every `$ref` in a document tree with the pointer where it sits. Examples are data, not schema, so
 * references inside them are skipped.
 */
export function* refsIn(node: unknown, at = '#'): Generator<{ at: string; ref: string }> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* refsIn(node[i], `${at}/${i}`);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') yield { at, ref: value };
    else if (key !== 'example' && key !== 'examples') yield* refsIn(value, `${at}/${escapePointer(key)}`);
  }
}
