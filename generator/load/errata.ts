// Spec errata: what OpenAI's published document gets wrong about a request, fixed from data (`errata` in
// specs/overrides.yaml) before anything else reads the document. Each erratum names an operationId, carries its
// evidence, and says one or more of: the real path, the real HTTP method, parameters or body fields the document
// lacks, or the whole JSON request schema. An erratum that a spec version no longer needs (the path is already
// right, the field is already there) or cannot apply (no such operation) is a manifest warning, so a spec update
// that fixes the document shows which errata can go.
import type { OpenApiDocument, Operation, PathItem } from './document.js';
import type { Erratum } from './overrides.js';

const VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Verb = (typeof VERBS)[number];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function findOperation(doc: OpenApiDocument, operationId: string): { path: string; verb: Verb } | undefined {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!isObj(item)) continue;
    for (const verb of VERBS) {
      const op = (item as Obj)[verb];
      if (isObj(op) && op.operationId === operationId) return { path, verb };
    }
  }
  return undefined;
}

/** A component schema a `$ref` names (`#/components/schemas/X`), or the schema itself. */
function deref(doc: OpenApiDocument, schema: unknown): unknown {
  const ref = isObj(schema) && typeof schema.$ref === 'string' ? schema.$ref : undefined;
  const name = ref?.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : undefined;
  return name === undefined
    ? schema
    : (doc.components?.schemas as Obj | undefined)?.[name.replace(/~1/g, '/').replace(/~0/g, '~')];
}

/**
 * The body schema with fields set (added or replaced) and requirements dropped: a copy of the spec's object (its
 * component inlined), so the component itself, which responses may share, is untouched.
 */
function patchBody(
  doc: OpenApiDocument,
  operationId: string,
  schema: unknown,
  fix: Erratum,
  warnings: string[],
): unknown {
  const base = deref(doc, schema);
  if (!isObj(base) || !isObj(base.properties)) {
    warnings.push(
      `erratum ${operationId}: the request body is not an object with properties; the body fix was not applied`,
    );
    return schema;
  }
  const properties: Obj = { ...base.properties };
  for (const [name, value] of fix.bodyProperties ?? []) {
    if (JSON.stringify(properties[name]) === JSON.stringify(value))
      warnings.push(`erratum ${operationId}: the spec already has body field ${name} as given; that part can go`);
    properties[name] = value;
  }
  const out: Obj = { ...base, properties };
  if (fix.dropBodyRequired?.length && Array.isArray(base.required)) {
    const required = (base.required as string[]).filter((r) => !fix.dropBodyRequired?.includes(r));
    if (required.length === base.required.length)
      warnings.push(
        `erratum ${operationId}: the spec no longer requires ${fix.dropBodyRequired.join(', ')}; that part can go`,
      );
    if (required.length) out.required = required;
    else delete out.required;
  }
  return out;
}

const paramKey = (p: unknown) => (isObj(p) ? `${String(p.in)}:${String(p.name)}` : '');

/**
 * The document with `errata` applied (a copy where it changes; the input is left untouched) and what could not
 * or need not be applied, as warnings.
 */
export function applyErrata(
  source: OpenApiDocument,
  errata: ReadonlyMap<string, Erratum>,
): { doc: OpenApiDocument; warnings: string[] } {
  if (!errata.size) return { doc: source, warnings: [] };
  const warnings: string[] = [];
  const paths: Record<string, PathItem> = { ...(source.paths as Record<string, PathItem>) };
  const doc = { ...source, paths } as OpenApiDocument;

  for (const [operationId, fix] of errata) {
    const at = findOperation(doc, operationId);
    if (!at) {
      warnings.push(`erratum ${operationId}: no such operation in this spec version; not applied`);
      continue;
    }
    const oldItem = paths[at.path] as Obj;
    let op: Obj = { ...(oldItem[at.verb] as Obj) };
    const targetPath = fix.path ?? at.path;
    const targetVerb = (fix.method ?? at.verb) as Verb;
    if (fix.path !== undefined && fix.path === at.path)
      warnings.push(`erratum ${operationId}: the spec already has path ${fix.path}; the erratum can go`);
    if (fix.method !== undefined && fix.method === at.verb)
      warnings.push(`erratum ${operationId}: the spec already uses ${fix.method.toUpperCase()}; the erratum can go`);

    if (fix.addParameters?.length) {
      const params = [...((op.parameters as unknown[]) ?? [])];
      const have = new Set([...params, ...((oldItem.parameters as unknown[]) ?? [])].map(paramKey));
      for (const p of fix.addParameters) {
        if (have.has(paramKey(p))) {
          warnings.push(`erratum ${operationId}: the spec already has ${p.in} parameter ${p.name}; that part can go`);
          continue;
        }
        params.push({ ...p });
      }
      op.parameters = params;
    }

    if (fix.requestSchema || fix.bodyProperties || fix.dropBodyRequired) {
      const body = op.requestBody;
      const content = isObj(body) && isObj(body.content) ? body.content : undefined;
      const media = content && isObj(content['application/json']) ? content['application/json'] : undefined;
      if (!media || !isObj(body) || !content) {
        warnings.push(`erratum ${operationId}: the operation has no JSON request body; the body fix was not applied`);
      } else {
        const schema = fix.requestSchema ?? patchBody(doc, operationId, media.schema, fix, warnings);
        op = { ...op, requestBody: { ...body, content: { ...content, 'application/json': { ...media, schema } } } };
      }
    }

    if (targetPath === at.path && targetVerb === at.verb) {
      paths[at.path] = { ...oldItem, [at.verb]: op } as PathItem;
      continue;
    }
    // Moved: the old place loses it, and the path item's own parameters travel with it.
    const { [at.verb]: _moved, ...rest } = oldItem;
    paths[at.path] = rest as PathItem;
    const itemParams = (oldItem.parameters as unknown[]) ?? [];
    if (itemParams.length) {
      const own = new Set(((op.parameters as unknown[]) ?? []).map(paramKey));
      op.parameters = [...((op.parameters as unknown[]) ?? []), ...itemParams.filter((p) => !own.has(paramKey(p)))];
    }
    const target = (paths[targetPath] ?? {}) as Obj;
    if (isObj(target[targetVerb])) {
      throw new Error(
        `erratum ${operationId}: ${targetVerb.toUpperCase()} ${targetPath} is already another operation in this spec`,
      );
    }
    paths[targetPath] = { ...target, [targetVerb]: op as Operation } as PathItem;
  }
  return { doc, warnings };
}
