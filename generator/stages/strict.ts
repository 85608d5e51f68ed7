// Pass after `portable`: the advertised schema in the form strict converters take, without changing what a call means.
// OpenAI's strict function calling and the converters that target it (`@openai/agents` with `convertSchemasToStrict`,
// Codex) need every object closed (`additionalProperties: false`) and every property required, and `@openai/agents`
// refuses an `anyOf` branch with an optional property because it cannot tell which branch a `null` belongs to. Two
// listed forms cover what the spec has that strict mode cannot say:
//  - an open object (a metadata map, a JSON Schema, a `tools[]` item, a summarized nested object) is listed as a
//    string holding the object's JSON. Strict mode has no way to say "any object", a key/value array would still
//    need the values' types to be one schema, and a string survives every host's converter (LangChain turns
//    object|string unions into objects; a string|string union stays a string). The runtime parses it back;
//  - an optional property inside an `anyOf` branch is listed as required and nullable, where the spec refuses
//    `null` there, so a `null` can only mean "not given"; the runtime drops it.
// Both are recorded per tool (`ToolDef.argForms`) and undone in the runtime before validation
// (`runtime/arg-forms.ts`), so the full validation schema and the request are exactly what the spec describes,
// and a caller that sends the plain object still gets it through. Where a form would be ambiguous (the spec also
// takes free text there, so a string could mean itself), the node is left as it is and the tool stays non-strict.
import type { ArgForms, JsonSchema } from '../../runtime/types.js';
import { ID_REFERENCE, isNode, JSON_STRING_NOTE, OR_JSON, step, variants, type Defs, type Node } from '../util.js';

const NULL_BRANCH: JsonSchema = { type: 'null' };

function declaredTypes(v: Node): unknown[] {
  return Array.isArray(v.type) ? v.type : v.type === undefined ? [] : [v.type];
}

/** Whether the spec takes `null` at this position (`undefined`: the full schema says nothing we can read). */
function allowsNull(full: unknown[], defs: Defs): boolean | undefined {
  const vs = variants(full, defs);
  if (!vs.length) return undefined;
  return vs.some(
    (v) =>
      declaredTypes(v).includes('null') ||
      (Array.isArray(v.enum) && v.enum.includes(null)) ||
      ('const' in v && v.const === null),
  );
}

/** Whether the spec takes a string here that is not one of a few fixed values (an id, free text). */
function takesFreeString(full: unknown[], defs: Defs): boolean {
  return variants(full, defs).some(
    (v) => declaredTypes(v).includes('string') && !Array.isArray(v.enum) && !('const' in v),
  );
}

const isOpenObject = (n: Node) =>
  n.type === 'object' &&
  n.additionalProperties !== false &&
  (!isNode(n.properties) || Object.keys(n.properties).length === 0);

/** Path segments are joined with `.`; `[]` stands for every item of an array. A name that would be ambiguous is not marked. */
const SAFE_SEGMENT = /^[^.[\]]+$/;

const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);
/** Nested objects listed by `expand` below the object it starts from. */
const MAX_EXPAND_DEPTH = 2;

/**
 * A closed listing of the object variants the spec gives at this position (every property's type said, at most
 * MAX_EXPAND_DEPTH levels down), or undefined when some property is not a plain value or a small object.
 */
function expand(full: unknown[], defs: Defs, depth: number): JsonSchema | undefined {
  const objects = variants(full, defs).filter((v) => isNode(v.properties) && Object.keys(v.properties).length);
  if (!objects.length || objects.length > 4 || depth > MAX_EXPAND_DEPTH) return undefined;
  const listed: JsonSchema[] = [];
  for (const o of objects) {
    const props = new Map<string, JsonSchema>();
    for (const name of Object.keys(o.properties as Node)) {
      if (!SAFE_SEGMENT.test(name)) return undefined;
      const sub = step([o], defs, { property: name });
      const types = variants(sub, defs)
        .flatMap(declaredTypes)
        .filter((t) => t !== 'null');
      const kinds = [...new Set(types.map(String))];
      if (kinds.length === 1 && SCALARS.has(kinds[0] as string)) {
        const values = variants(sub, defs).flatMap((v) => (Array.isArray(v.enum) ? v.enum : []));
        const closed = variants(sub, defs).every((v) => !declaredTypes(v).includes(kinds[0]) || Array.isArray(v.enum));
        props.set(name, closed && values.length ? { type: kinds[0], enum: [...new Set(values)] } : { type: kinds[0] });
      } else if (kinds.length === 1 && kinds[0] === 'object') {
        const inner = expand(sub, defs, depth + 1);
        if (!inner) return undefined;
        props.set(name, inner);
      } else return undefined;
    }
    const required = Array.isArray(o.required) ? (o.required as string[]).filter((r) => props.has(r)) : [];
    listed.push({ type: 'object', properties: Object.fromEntries(props), ...(required.length ? { required } : {}) });
  }
  return listed.length === 1 ? listed[0] : { anyOf: listed };
}

interface Walk {
  defs: Defs;
  json: Set<string>;
  nulls: Set<string>;
  /** Positions left open because a form would be ambiguous. */
  left: string[];
}

function strictNode(node: Node, full: unknown[], path: string, inBranch: boolean, w: Walk): Node {
  if (isOpenObject(node)) {
    if (takesFreeString(full, w.defs)) {
      // A string here is a value of its own (an id, a voice name, text): list the object's own properties instead,
      // when the spec gives them (the listing summarized them away).
      const expanded = expand(full, w.defs, 0);
      if (expanded) {
        const described = typeof node.description === 'string' ? { description: node.description } : {};
        return strictNode({ ...described, ...expanded }, full, path, inBranch, w);
      }
      w.left.push(path);
      return node;
    }
    if (!path.split('.').every((s) => SAFE_SEGMENT.test(s.replace(/(\[\])+$/, '')))) {
      w.left.push(path);
      return node;
    }
    w.json.add(path);
    const said = typeof node.description === 'string' ? `${node.description} ` : '';
    const out: Node = { type: 'string', description: `${said}${JSON_STRING_NOTE}` };
    return out;
  }
  const out: Node = { ...node };
  if (isNode(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    // Entries, not assignments: a property named `__proto__` is a field like any other.
    const props: [string, unknown][] = [];
    const nextRequired = [...required];
    for (const [name, sub] of Object.entries(node.properties)) {
      if (!isNode(sub)) {
        props.push([name, sub]);
        continue;
      }
      const subFull = step(full, w.defs, { property: name });
      const subPath = path ? `${path}.${name}` : name;
      const converted = strictNode(sub, subFull, subPath, inBranch, w);
      // Outside `anyOf` branches the converters make optional properties nullable themselves and strip the nulls
      // they invented before calling the tool.
      if (!inBranch || required.has(name)) {
        props.push([name, converted]);
        continue;
      }
      const nullable = allowsNull(subFull, w.defs);
      if (nullable !== false || !SAFE_SEGMENT.test(name)) {
        // The spec gives `null` a meaning of its own here (or says nothing): a `null` could not mean "absent".
        w.left.push(subPath);
        props.push([name, converted]);
        continue;
      }
      w.nulls.add(subPath);
      const { description, ...rest } = converted;
      props.push([name, { ...(description !== undefined ? { description } : {}), anyOf: [rest, NULL_BRANCH] }]);
      nextRequired.push(name);
    }
    out.properties = Object.fromEntries(props);
    if (nextRequired.length) out.required = nextRequired;
  }
  if (isNode(node.items)) out.items = strictNode(node.items, step(full, w.defs, 'items'), `${path}[]`, inBranch, w);
  if (Array.isArray(node.anyOf)) {
    out.anyOf = node.anyOf.map((b) => (isNode(b) ? strictNode(b, full, path, true, w) : b));
    const reference = collapseIdReference(out, path, w);
    if (reference) return reference;
    return collapseStrings(out, full, w.defs);
  }
  return out;
}

const STRING_KEYS = new Set(['type', 'description', 'enum', 'default']);

/** `{id: string}` and nothing else: a reference to something by its id. */
function isIdReference(b: unknown): boolean {
  if (!isNode(b) || b.type !== 'object' || !isNode(b.properties)) return false;
  const props = Object.entries(b.properties);
  const [name, id] = props[0] ?? [];
  return (
    props.length === 1 &&
    name === 'id' &&
    isNode(id) &&
    id.type === 'string' &&
    Array.isArray(b.required) &&
    b.required.length === 1 &&
    b.required[0] === 'id'
  );
}

/**
 * A name or id beside `{id}` (a voice: `"alloy"` or a custom `{"id": "voice_…"}`; a conversation by id either way) as
 * one string: LangChain's adapter turns an object|string union into an object, so `"alloy"` could not be sent. The
 * object goes as its JSON text, which the runtime parses back (`argForms.json`: only a string starting with `{`, which
 * no name or id does, so nothing is ambiguous).
 */
function collapseIdReference(node: Node, path: string, w: Walk): Node | undefined {
  const branches = node.anyOf as unknown[];
  if (branches.length !== 2) return undefined;
  const plain = branches.find(
    (b) => isNode(b) && b.type === 'string' && Object.keys(b).every((k) => STRING_KEYS.has(k)),
  );
  if (!plain || !branches.some(isIdReference)) return undefined;
  if (!path?.split('.').every((s) => SAFE_SEGMENT.test(s.replace(/(\[\])+$/, '')))) return undefined;
  w.json.add(path);
  const { anyOf: _branches, ...rest } = node;
  const lead = typeof rest.description === 'string' ? `${rest.description.replace(/\.?$/, '.')} ` : '';
  return { ...rest, type: 'string', description: `${lead}${ID_REFERENCE}${OR_JSON}` };
}

/**
 * `anyOf` of plain strings (a JSON-string branch beside `"auto"`) as one string, its branches said in the description:
 * one `type` per schema is what LangChain's adapter and Gemini's declarations keep of a union.
 */
function collapseStrings(node: Node, full: unknown[], defs: Defs): Node {
  const branches = node.anyOf as unknown[];
  const plain = (b: unknown): b is Node =>
    isNode(b) && b.type === 'string' && Object.keys(b).every((k) => STRING_KEYS.has(k));
  if (branches.length < 2 || !branches.every(plain)) return node;
  const values = new Set<unknown>();
  for (const b of branches) for (const v of Array.isArray(b.enum) ? b.enum : []) values.add(v);
  for (const v of variants(full, defs)) {
    if (declaredTypes(v).includes('string') && Array.isArray(v.enum))
      for (const x of v.enum) if (typeof x === 'string') values.add(x);
  }
  const json = branches.some((b) => b.description === JSON_STRING_NOTE);
  const words = [values.size ? [...values].map((v) => JSON.stringify(v)).join(', ') : 'a string'];
  const { anyOf: _branches, ...rest } = node;
  const lead = typeof rest.description === 'string' ? `${rest.description.replace(/\.?$/, '.')} ` : '';
  const tail = json ? `${words[0]}, ${OR_JSON}` : `${words[0]}.`;
  return { ...rest, type: 'string', description: `${lead}${tail}` };
}

/**
 * The listed schema in strict-convertible form, and the forms the runtime must undo. `full` is the tool's validation
 * schema, `defs` the shared components. Positions a form would make ambiguous are returned in `left`.
 */
export function strictInputSchema(
  listed: JsonSchema,
  full: JsonSchema,
  defs: Defs,
): { inputSchema: JsonSchema; argForms?: ArgForms; left: string[] } {
  const w: Walk = { defs, json: new Set(), nulls: new Set(), left: [] };
  const inputSchema = strictNode(listed, [full], '', false, w) as JsonSchema;
  const argForms: ArgForms = {};
  if (w.json.size) argForms.json = [...w.json].sort();
  if (w.nulls.size) argForms.nullIsAbsent = [...w.nulls].sort();
  return { inputSchema, ...(Object.keys(argForms).length ? { argForms } : {}), left: w.left };
}
