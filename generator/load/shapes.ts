// Reading a schema of the spec for what it admits, through `allOf`, unions and nullability: its variants, the
// properties and required names of an object (or of object alternatives), and whether it is bytes. Stages read
// schemas through these, never by walking `allOf` themselves.

import type { Schema, SpecDocument } from './document.js';

const MAX_SHAPE_DEPTH = 8;

const isNullSchema = (s: Schema) =>
  s.type === 'null' || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null);

/** A property schema's variants, null removed and nested unions flattened. */
export function variants(spec: SpecDocument, schema: Schema, seen = new Set<Schema>()): Schema[] {
  const s = spec.schema(schema).node;
  if (seen.has(s)) return [s];
  seen.add(s);
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts) && !s.properties && !s.allOf) {
    return alts.flatMap((a) => variants(spec, a, seen)).filter((v) => !isNullSchema(v));
  }
  return [s];
}

export interface ObjectShape {
  /** Every schema each property is given (by `properties`, `allOf` parts and union variants). */
  properties: Map<string, Schema[]>;
  required: Set<string>;
  isObject: boolean;
  /** What each variant of a union requires beyond the common part ("give file_ids or files"). */
  alternatives?: string[][];
}

/** Properties and required names of an object schema, looking through `allOf` and object unions. */
export function objectShape(spec: SpecDocument, schema: Schema, depth = 0): ObjectShape {
  const s = spec.schema(schema).node;
  const properties = new Map<string, Schema[]>();
  const required = new Set<string>();
  const add = (name: string, sch: Schema) => {
    const list = properties.get(name);
    if (list) list.push(sch);
    else properties.set(name, [sch]);
  };
  const merge = (other: Map<string, Schema[]>) => {
    for (const [k, v] of other) for (const x of v) add(k, x);
  };
  let isObject = s.type === 'object' || Boolean(s.properties) || (Array.isArray(s.type) && s.type.includes('object'));
  for (const [k, v] of Object.entries(s.properties ?? {})) add(k, v);
  for (const r of s.required ?? []) required.add(r);
  if (depth > MAX_SHAPE_DEPTH) return { properties, required, isObject };
  for (const part of s.allOf ?? []) {
    const inner = objectShape(spec, part, depth + 1);
    isObject ||= inner.isObject;
    merge(inner.properties);
    for (const r of inner.required) required.add(r);
  }
  const alts = s.anyOf ?? s.oneOf;
  // `anyOf: [{required: [a]}, {required: [b]}]` beside `properties`: a constraint, not a shape.
  if (
    Array.isArray(alts) &&
    alts.length &&
    alts.every((a) => Object.keys(a).every((k) => k === 'required' || k === 'description'))
  ) {
    const alternatives = alts.map((a) => a.required ?? []);
    return alternatives.every((a) => a.length)
      ? { properties, required, isObject, alternatives }
      : { properties, required, isObject };
  }
  if (Array.isArray(alts) && alts.length) {
    // A union of object shapes becomes one object: every property that any variant has, required only
    // where every variant requires it. The runtime still validates each field against the real schema.
    const shapes = alts.map((a) => objectShape(spec, a, depth + 1)).filter((x) => x.isObject);
    const first = shapes[0];
    if (first && shapes.length === alts.filter((a) => !isNullSchema(spec.schema(a).node)).length) {
      isObject = true;
      for (const sh of shapes) merge(sh.properties);
      const common = [...first.required].filter((r) => shapes.every((sh) => sh.required.has(r)));
      for (const r of common) required.add(r);
      const extra = shapes.map((sh) => [...sh.required].filter((r) => !common.includes(r)));
      if (extra.every((e) => e.length)) return { properties, required, isObject, alternatives: extra };
    }
  }
  return { properties, required, isObject };
}

export function isBinary(spec: SpecDocument, schema: Schema): 'one' | 'many' | 'either' | undefined {
  let one = false;
  let many = false;
  for (const v of variants(spec, schema)) {
    if (v.format === 'binary' || v.contentMediaType || v.contentEncoding === 'binary') one = true;
    else if (v.type === 'array' && v.items && isBinary(spec, v.items)) many = true;
  }
  if (one && many) return 'either';
  return one ? 'one' : many ? 'many' : undefined;
}
