// What the installed official `openai` package (a devDependency) calls: every resource method's HTTP verb, path
// template, how it takes its arguments, and the names of its params type, read from the package's own files.
// Read as text: the methods build their requests from these literals, so this is what the SDK sends.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface SdkEndpoint {
  /** `client.evals.runs`, as a property path from the client. */
  accessor: string[];
  method: string;
  verb: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path with every `${…}` as `{…}` (the SDK's variable names). */
  path: string;
  /** Variables of the path, in order. */
  pathVars: string[];
  /** The query the method always adds (`beta=true` for `client.beta.responses`), or empty. */
  fixedQuery: string;
  /** The method's parameters before `options`, e.g. `['runID', 'params']`. */
  signature: string[];
  /** The signature parameter carrying body or query fields (`params`, `body`, `query`), if any. */
  paramsArg?: string;
  multipart: boolean;
  /** Top-level field names of the params type (from the `.d.ts`), when it could be read. */
  fields?: string[];
  file: string;
}

const require = createRequire(import.meta.url);

/** The installed openai package's folder (its `exports` hide package.json, so from the main entry). */
const sdkRoot = () => path.dirname(require.resolve('openai'));

/** The `resources/` folder of the installed openai package. */
export function sdkResourcesDir(): string {
  return path.join(sdkRoot(), 'resources');
}

export function sdkVersion(): string {
  return (JSON.parse(readFileSync(path.join(sdkRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function accessorOf(rel: string): string[] {
  const parts = rel.replace(/\.js$/, '').split('/');
  // `runs/runs.js` is the `runs` resource itself.
  if (parts.length >= 2 && parts.at(-1) === parts.at(-2)) parts.pop();
  return parts.map(camel);
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else if (e.name.endsWith('.js') && e.name !== 'index.js') out.push(path.relative(base, p));
  }
  return out.sort();
}

const METHOD = /^ {4}(\w+)\(([^)]*)\) \{$/gm;
const CALL = /this\._client\s*\.(get|post|put|patch|delete|getAPIList)\((?:\(0, path_1\.path\) `([^`]*)`|'([^']*)')/;

/** Top-level member names of `interface Name` (and the interfaces it extends) in a `.d.ts` text. */
function interfaceFields(dts: string, name: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(name)) return [];
  seen.add(name);
  const head = new RegExp(`^export (?:interface|type) ${name}\\b([^{=]*)(=|\\{)`, 'm').exec(dts);
  if (!head) return undefined;
  if (head[2] === '=') {
    // `type X = A | B` (streaming and non-streaming variants): the members of each.
    const rest = dts.slice(head.index + head[0].length, dts.indexOf(';', head.index));
    const names = rest
      .split('|')
      .map((x) => x.trim())
      .filter((x) => /^\w+$/.test(x));
    const all = names.flatMap((n) => interfaceFields(dts, n, seen) ?? []);
    return names.length ? [...new Set(all)] : undefined;
  }
  const body = dts.slice(head.index + head[0].length);
  const end = body.search(/^\}/m);
  const fields = [...body.slice(0, end).matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1] as string);
  const parents =
    /extends ([\w, .]+)/
      .exec(head[1] ?? '')?.[1]
      ?.split(',')
      .map((x) => x.trim().split('.').at(-1) ?? '') ?? [];
  for (const p of parents) fields.push(...(interfaceFields(dts, p, seen) ?? []));
  return [...new Set(fields)];
}

/** The params type's field names, when the declaration could be read (an empty list means it could not). */
function fieldsOf(typeName: string | undefined, dts: string): { fields?: string[] } {
  const fields = typeName ? interfaceFields(dts, typeName) : undefined;
  return fields?.length ? { fields } : {};
}

/** Every endpoint the installed openai package calls. */
export function sdkEndpoints(dir = sdkResourcesDir()): SdkEndpoint[] {
  const out: SdkEndpoint[] = [];
  // Page params (`extends CursorPageParams`) live in the package's pagination declarations.
  let pages = '';
  try {
    pages = readFileSync(path.join(dir, '..', 'core', 'pagination.d.ts'), 'utf8');
  } catch {}
  for (const rel of walk(dir)) {
    const file = path.join(dir, rel);
    const text = readFileSync(file, 'utf8');
    let dts = '';
    try {
      dts = readFileSync(file.replace(/\.js$/, '.d.ts'), 'utf8');
    } catch {}
    const methods = [...text.matchAll(METHOD)];
    for (const [i, m] of methods.entries()) {
      const body = text.slice(m.index, methods[i + 1]?.index ?? text.length);
      const call = CALL.exec(body);
      if (!call) continue;
      const [raw = '', fixedQuery = ''] = (call[2] ?? call[3] ?? '').split('?');
      const pathVars = [...raw.matchAll(/\$\{(\w+)\}/g)].map((v) => v[1] as string);
      const signature = (m[2] ?? '')
        .split(',')
        .map((p) => p.trim().replace(/\s*=.*$/, ''))
        .filter((p) => p && p !== 'options');
      const paramsArg = signature.find((p) => ['params', 'body', 'query'].includes(p));
      // A paged call is a GET unless it says otherwise (`getAPIList(…, {body, method: 'post'})`).
      const verb =
        call[1] === 'getAPIList' ? (/method: '(\w+)'/.exec(body)?.[1]?.toUpperCase() ?? 'GET') : call[1]?.toUpperCase();
      // The params type from the declaration: `cancel(runID: string, params: RunCancelParams, …)`.
      const decl = new RegExp(`^ {4}${m[1]}\\(([^)]*)\\)`, 'm').exec(dts)?.[1] ?? '';
      const typeName = paramsArg ? new RegExp(`${paramsArg}\\??: (\\w+)`).exec(decl)?.[1] : undefined;
      out.push({
        accessor: accessorOf(rel),
        method: m[1] as string,
        verb: verb as SdkEndpoint['verb'],
        path: raw.replace(/\$\{(\w+)\}/g, '{$1}'),
        pathVars,
        fixedQuery,
        signature,
        ...(paramsArg ? { paramsArg } : {}),
        multipart: body.includes('multipartFormRequestOptions'),
        ...fieldsOf(typeName, `${dts}\n${pages}`),
        file: rel,
      });
    }
  }
  return out;
}

/** `/evals/{eval_id}/runs/{runID}` → `/evals/{}/runs/{}`: paths compared without variable names. */
export const shape = (p: string) => p.replace(/\{[^}]*\}/g, '{}');
