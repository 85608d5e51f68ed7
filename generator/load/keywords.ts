// OpenAI's own spec is not always valid OpenAPI: some published 3.0 versions carry keywords the 3.0 Schema
// Object forbids in harmless places (`optional: true` on a property, `min_items` inside `items`). Validators
// ignore unknown keywords, so these are listed as warnings and taken out before validation and generation;
// `--strict` turns them into an error. 3.1 schemas are JSON Schema, where any keyword is allowed.
import { escapePointer, hasOwn, type OpenApiDocument } from './document.js';

/** Every keyword of the OpenAPI 3.0 Schema Object. */
const SCHEMA_30_KEYWORDS = new Set([
  'title',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'type',
  'not',
  'allOf',
  'oneOf',
  'anyOf',
  'items',
  'properties',
  'additionalProperties',
  'description',
  'format',
  'default',
  'nullable',
  'discriminator',
  'readOnly',
  'writeOnly',
  'example',
  'externalDocs',
  'deprecated',
  'xml',
]);

/** A keyword the OpenAPI version forbids where it stands. */
export interface KeywordViolation {
  /** JSON pointer of the schema that carries it. */
  at: string;
  keyword: string;
}

export const violationMessage = (v: KeywordViolation): string =>
  `${v.at}: "${v.keyword}" is not an OpenAPI 3.0 schema keyword; ignored`;

/** Calls `visit` on every schema object of the document, with its pointer. */
function eachSchema(doc: OpenApiDocument, visit: (schema: Record<string, unknown>, at: string) => void): void {
  const seen = new Set<object>();
  const schema = (node: unknown, at: string): void => {
    if (!node || typeof node !== 'object' || Array.isArray(node) || seen.has(node)) return;
    seen.add(node);
    const s = node as Record<string, unknown>;
    // Beside a `$ref` too: 3.0 says such keywords are ignored, but dereferencing merges them into the target.
    visit(s, at);
    for (const key of ['items', 'not', 'additionalProperties']) if (hasOwn(s, key)) schema(s[key], `${at}/${key}`);
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = hasOwn(s, key) ? s[key] : undefined;
      if (Array.isArray(list)) {
        for (const [i, x] of list.entries()) schema(x, `${at}/${key}/${i}`);
      }
    }
    const props = hasOwn(s, 'properties') ? s.properties : undefined;
    if (props && typeof props === 'object') {
      for (const [k, v] of Object.entries(props)) schema(v, `${at}/properties/${escapePointer(k)}`);
    }
  };
  // Everywhere else a schema sits under a `schema` key (parameters, media types, headers).
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) walk(v, `${at}/${i}`);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}/${escapePointer(key)}`;
      if (key === 'schema') schema(value, here);
      else if (key !== 'example' && key !== 'examples' && !key.startsWith('x-')) walk(value, here);
    }
  };
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {}))
    schema(s, `#/components/schemas/${escapePointer(name)}`);
  walk(doc.paths, '#/paths');
  const { schemas: _schemas, ...components } = doc.components ?? {};
  walk(components, '#/components');
}

/** Keywords an OpenAPI 3.0 document uses where its Schema Object forbids them (`x-` extensions are allowed). */
export function findKeywordViolations(doc: OpenApiDocument): KeywordViolation[] {
  if (!String(doc.openapi).startsWith('3.0')) return [];
  const out: KeywordViolation[] = [];
  eachSchema(doc, (s, at) => {
    for (const key of Object.keys(s)) {
      if (key !== '$ref' && !SCHEMA_30_KEYWORDS.has(key) && !key.startsWith('x-')) out.push({ at, keyword: key });
    }
  });
  return out;
}

/** A copy of the document without the given keywords; the input is not touched. */
export function withoutKeywords(doc: OpenApiDocument, violations: KeywordViolation[]): OpenApiDocument {
  if (!violations.length) return doc;
  const copy = structuredClone(doc);
  const drop = new Map<string, Set<string>>();
  for (const v of violations) drop.set(v.at, (drop.get(v.at) ?? new Set()).add(v.keyword));
  eachSchema(copy, (s, at) => {
    for (const key of drop.get(at) ?? []) delete s[key];
  });
  return copy;
}
