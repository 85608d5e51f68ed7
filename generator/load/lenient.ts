// Lenient validation by rule. OpenAPI schema validation fails on things the generator can still build from: a
// keyword value the OpenAPI 3.0 schema does not allow (`type: "null"` inside an `anyOf`, as one of OpenAI's
// published 3.0 versions has), a keyword value of the wrong type (`minLength: "3"`), an unknown field anywhere. Each
// failure is classified by where it is, not by which keyword it names:
//  - an unknown field (`additionalProperties`), anywhere: dropped, with a warning;
//  - a keyword value inside a schema: kept when it is valid JSON Schema 2020-12 (what the generator reads schemas
//    as), else dropped; a warning either way;
//  - a parameter's or media type's `schema` that is not an object (`schema: null`, with a Swagger 2 `type: string`
//    beside it, as one 2024 version has): replaced by `{type}` from that Swagger 2 field when there is one, else by
//    `{}` (any value), with a warning; the parameter still has a name and a place, so its operation can be built;
//  - anything else (a parameter without `name`, a response that is not an object, a schema that is not an object)
//    makes an operation unbuildable: an error, as before.
// `oneOf`/`anyOf`/`required $ref` failures that only echo a deeper one (OpenAPI's "Reference or Schema") are not
// failures of their own. `--strict` refuses the document on any of it.
import Ajv2020 from 'ajv/dist/2020.js';
import type { OpenApiDocument } from './document.js';

/** One failure as ajv (inside swagger-parser) reports it. */
export interface ValidationDetail {
  instancePath: string;
  keyword: string;
  params?: Record<string, unknown>;
  message?: string;
}

export interface LenientResult {
  /** The document with the dropped keywords and fields taken out (a copy when anything was dropped). */
  doc: OpenApiDocument;
  warnings: string[];
  /** Failures that leave an operation unbuildable; non-empty means the document is refused. */
  errors: string[];
}

const decode = (seg: string) => seg.replace(/~1/g, '/').replace(/~0/g, '~');
const segments = (pointer: string) => (pointer ? pointer.split('/').slice(1).map(decode) : []);
const encode = (segs: string[]) => `#/${segs.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/** Failures that say "neither a Reference nor a <thing>", which a deeper failure explains. */
const isEcho = (d: ValidationDetail) =>
  d.keyword === 'oneOf' || d.keyword === 'anyOf' || (d.keyword === 'required' && d.params?.missingProperty === '$ref');

/** Whether the segments name a Parameter Object (`…/parameters/<n>`, `#/components/parameters/<name>`) or a Media Type Object (`…/content/<type>`). */
function holdsSchema(segs: string[]): boolean {
  const parent = segs.at(-2);
  return parent === 'parameters' || parent === 'content';
}

const SWAGGER2_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array']);

/** Whether the pointer's segments are inside a Schema Object (under a `schema` key or a component schema). */
function inSchema(segs: string[]): boolean {
  return segs.includes('schema') || (segs[0] === 'components' && segs[1] === 'schemas' && segs.length > 2);
}

let meta: { validateSchema(schema: unknown): boolean | Promise<unknown> } | undefined;
/** Whether `{keyword: value}` is valid JSON Schema 2020-12 (meta-schema check of that keyword alone). */
function validJsonSchemaKeyword(keyword: string, value: unknown): boolean {
  meta ??= new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, validateFormats: false });
  return meta.validateSchema({ [keyword]: value }) === true;
}

function getAt(doc: unknown, segs: string[]): unknown {
  let n = doc;
  for (const s of segs) n = n && typeof n === 'object' ? (n as Record<string, unknown>)[s] : undefined;
  return n;
}

/**
 * Where a pointer really is in the document as written: the validator reports failures on the dereferenced
 * document (`/paths/…/schema/properties/x` for what sits in `#/components/schemas/X/properties/x`), so `$ref`s are
 * followed on the way. The segments returned name the place to report and to change.
 */
function realPath(doc: unknown, segs: string[]): string[] {
  let path: string[] = [];
  let n: unknown = doc;
  for (const s of segs) {
    for (let hops = 0; hops < 16 && n && typeof n === 'object'; hops++) {
      const ref = (n as Record<string, unknown>).$ref;
      if (typeof ref !== 'string' || !ref.startsWith('#/') || s in (n as object)) break;
      path = ref.slice(2).split('/').map(decode);
      n = getAt(doc, path);
    }
    path = [...path, s];
    n = n && typeof n === 'object' ? (n as Record<string, unknown>)[s] : undefined;
  }
  return path;
}

/** Classifies swagger-parser's failures; the input document is not changed. */
export function classifyValidation(doc: OpenApiDocument, details: ValidationDetail[]): LenientResult {
  const real = details.filter(
    (d) => !isEcho(d) || !details.some((o) => o !== d && !isEcho(o) && o.instancePath.startsWith(d.instancePath)),
  );
  const warnings: string[] = [];
  const errors: string[] = [];
  const drops: string[][] = [];
  const sets: Array<{ at: string[]; value: unknown }> = [];
  const seen = new Set<string>();
  for (const d of real) {
    const segs = realPath(doc, segments(d.instancePath));
    const at = encode(segs);
    if (d.keyword === 'additionalProperties' && typeof d.params?.additionalProperty === 'string') {
      const field = d.params.additionalProperty;
      const id = `${at}/${field}`;
      if (seen.has(id)) continue;
      seen.add(id);
      drops.push([...segs, field]);
      warnings.push(`${at}: "${field}" is not allowed here by the OpenAPI schema; ignored`);
      continue;
    }
    // The keyword is the last segment that is not an index (`…/enum/0` is about `enum`).
    let k = segs.length;
    while (k > 0 && /^\d+$/.test(segs[k - 1] ?? '')) k--;
    const keyword = segs[k - 1];
    const owner = segs.slice(0, k - 1);
    if (keyword === 'schema' && k === segs.length && holdsSchema(owner) && !inSchema(owner) && !isEcho(d)) {
      const id = encode(segs);
      if (seen.has(id)) continue;
      seen.add(id);
      const value = getAt(doc, segs);
      if (value === null || typeof value !== 'object') {
        const type = (getAt(doc, owner) as Record<string, unknown> | undefined)?.type;
        const schema = typeof type === 'string' && SWAGGER2_TYPES.has(type) ? { type } : {};
        sets.push({ at: segs, value: schema });
        const from = 'type' in schema ? `the Swagger 2 "type: ${type}" beside it` : 'any value';
        warnings.push(`${id}: ${JSON.stringify(value)?.slice(0, 60)} is not a schema; read as ${from}`);
        continue;
      }
    }
    if (keyword !== undefined && k > 0 && inSchema(owner) && !isEcho(d)) {
      const id = encode([...owner, keyword]);
      if (seen.has(id)) continue;
      seen.add(id);
      const value = getAt(doc, [...owner, keyword]);
      const shown = JSON.stringify(value)?.slice(0, 60);
      if (validJsonSchemaKeyword(keyword, value)) {
        warnings.push(`${id}: ${shown} ${d.message ?? 'is not allowed'} in OpenAPI; kept (valid JSON Schema)`);
      } else {
        drops.push([...owner, keyword]);
        warnings.push(`${id}: ${shown} ${d.message ?? 'is not allowed'}; ignored`);
      }
      continue;
    }
    errors.push(`${at} ${d.message ?? d.keyword}`);
  }
  if (errors.length || (!drops.length && !sets.length)) return { doc, warnings, errors };
  const copy = structuredClone(doc);
  for (const { at, value } of sets) {
    const holder = getAt(copy, at.slice(0, -1));
    if (holder && typeof holder === 'object') (holder as Record<string, unknown>)[at.at(-1) as string] = value;
  }
  for (const segs of drops) {
    const holder = getAt(copy, segs.slice(0, -1));
    if (holder && typeof holder === 'object') delete (holder as Record<string, unknown>)[segs.at(-1) as string];
  }
  return { doc: copy, warnings, errors };
}
