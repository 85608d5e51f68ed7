// The catalog against the official openai package: which operations both have, where their (method, path) or
// argument names differ, and, for the same logical call, whether the two send the same request (a capture server
// on loopback receives both). Only a path or method mismatch for an operation both have is a failure; the rest is
// a report.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../generator/pin.js';
import { createOpenAiToolkit } from '../../runtime/index.js';
import type { Catalog, JsonSchema, ToolDef, ValidationBundle } from '../../runtime/types.js';
import { type SdkEndpoint, sdkEndpoints, shape } from './sdk.js';

export interface Pair {
  tool: ToolDef;
  sdk: SdkEndpoint;
}

export interface Mismatch {
  tool: string;
  kind: 'path' | 'method';
  ours: string;
  sdk: string;
  sdkMethod: string;
}

export interface ArgDiff {
  tool: string;
  sdkMethod: string;
  onlyOurs: string[];
  onlySdk: string[];
}

export interface Pairing {
  pairs: Pair[];
  mismatches: Mismatch[];
  onlyCatalog: string[];
  onlySdk: string[];
  argDiffs: ArgDiff[];
}

const sdkName = (e: SdkEndpoint) => `client.${[...e.accessor, e.method].join('.')}`;
/** Paths compared without variable names, with the query a method always adds (the Responses beta twins). */
const key = (verb: string, p: string, fixedQuery = '') => `${verb} ${shape(p)}${fixedQuery ? `?${fixedQuery}` : ''}`;
const fixedQueryOf = (t: ToolDef) =>
  new URLSearchParams(Object.entries(t.http.fixedQuery ?? {}).sort(([a], [b]) => a.localeCompare(b))).toString();
const toolKey = (t: ToolDef) => key(t.http.verb, t.http.path, fixedQueryOf(t));
const sdkKey = (e: SdkEndpoint) => key(e.verb, e.path, e.fixedQuery);
/** Header parameters the SDK takes as a params field, and how (`betas: string[]` → `openai-beta: a,b`). */
const SDK_HEADER_FIELDS: Record<string, string> = { 'openai-beta': 'betas' };
/** The SDK's betas (`betas`), streaming switches and the Responses beta header are its own business. */
const SDK_ONLY_OK = new Set([
  'betas',
  'stream',
  'stream_options',
  'stream_format',
  'include_obfuscation',
  'starting_after',
]);

/** The same operation in the catalog and the SDK, and where they disagree. */
export function pairOperations(catalog: Catalog, endpoints: SdkEndpoint[] = sdkEndpoints()): Pairing {
  const tools = catalog.tools.filter((t) => !t.wait);
  // Where the SDK has an operation twice (`responses` and `beta.responses`), the stable one.
  const ranked = [...endpoints].sort((a, b) => Number(a.accessor[0] === 'beta') - Number(b.accessor[0] === 'beta'));
  const sdkBy = new Map<string, SdkEndpoint>();
  for (const e of ranked) if (!sdkBy.has(sdkKey(e))) sdkBy.set(sdkKey(e), e);
  const ours = new Set(tools.map(toolKey));
  const pairs: Pair[] = [];
  const mismatches: Mismatch[] = [];
  const onlyCatalog: string[] = [];
  const claimed = new Set<string>();
  for (const t of tools) {
    const k = toolKey(t);
    const sdk = sdkBy.get(k);
    if (sdk) {
      pairs.push({ tool: t, sdk });
      claimed.add(k);
      continue;
    }
    // The same operation elsewhere: the SDK's path ends with our action (`…/{run_id}` vs `…/{run_id}/cancel`), or
    // it sends another verb to our path and we have nothing at that verb.
    const moved = endpoints.find(
      (e) => e.verb === t.http.verb && shape(e.path) === `${shape(t.http.path)}/${t.method}` && !ours.has(sdkKey(e)),
    );
    const reverbed = endpoints.find(
      (e) => shape(e.path) === shape(t.http.path) && e.verb !== t.http.verb && !ours.has(sdkKey(e)),
    );
    const other = moved ?? reverbed;
    if (other) {
      claimed.add(sdkKey(other));
      mismatches.push({
        tool: t.name,
        kind: moved ? 'path' : 'method',
        ours: `${t.http.verb} ${t.http.path}`,
        sdk: `${other.verb} ${other.path}`,
        sdkMethod: sdkName(other),
      });
    } else onlyCatalog.push(`${t.name} (${t.http.verb} ${t.http.path})`);
  }
  const onlySdk = [...sdkBy.entries()].filter(([k]) => !claimed.has(k)).map(([k, e]) => `${sdkName(e)} (${k})`);

  const argDiffs: ArgDiff[] = [];
  for (const { tool, sdk } of pairs) {
    if (!sdk.fields) continue;
    const wire = new Set<string>([
      ...tool.http.params.filter((p) => p.in !== 'path' && p.in !== 'header').map((p) => p.wire.replace(/\[\]$/, '')),
      ...tool.http.params.flatMap((p) =>
        p.in === 'header' && SDK_HEADER_FIELDS[p.wire] ? [SDK_HEADER_FIELDS[p.wire]!] : [],
      ),
      ...Object.values(tool.http.body?.fields ?? {}),
      ...(tool.http.streamField ? [tool.http.streamField] : []),
    ]);
    const sdkFields = new Set(sdk.fields.filter((f) => !sdk.pathVars.includes(f)));
    const onlyOurs = [...wire].filter((f) => !sdkFields.has(f) && tool.http.body?.mode !== 'wrapped');
    const onlySdkFields = [...sdkFields].filter((f) => !wire.has(f) && !SDK_ONLY_OK.has(f));
    if (onlyOurs.length || onlySdkFields.length)
      argDiffs.push({ tool: tool.name, sdkMethod: sdkName(sdk), onlyOurs, onlySdk: onlySdkFields });
  }
  return { pairs, mismatches, onlyCatalog, onlySdk, argDiffs };
}

// ---- the same logical call, both ways ----

export interface Request {
  method: string;
  path: string;
  query: [string, string][];
  body: unknown;
  /** The headers that carry API meaning (`openai-beta`), when sent; transport headers are each side's own. */
  headers?: Record<string, string>;
}

/**
 * Differences looked at and judged harmless, by tool, with the reason. A difference not listed here (or one that
 * changes) is reported as `different`, and the test fails.
 */
export const KNOWN_DIFFERENCES: Record<string, { sdk: string; reason: string }> = {
  open_ai_realtime_calls_reject: {
    sdk: 'client.realtime.calls.reject',
    reason: 'the SDK sends `{}` where the body is optional and empty; we send no body, which the spec allows',
  },
  create_a_open_ai_realtime_session: {
    sdk: 'client.beta.realtime.sessions.create',
    reason: "the SDK's deprecated beta realtime resource adds `openai-beta: assistants=v2`, which realtime ignores",
  },
  create_a_open_ai_realtime_transcription_session: {
    sdk: 'client.beta.realtime.transcriptionSessions.create',
    reason: "the SDK's deprecated beta realtime resource adds `openai-beta: assistants=v2`, which realtime ignores",
  },
  create_a_open_ai_video: {
    sdk: 'client.videos.create',
    reason: 'the spec takes JSON or multipart; the SDK always sends multipart, we send JSON unless a file is given',
  },
};

/** Headers compared: the ones OpenAI reads as part of the call. */
const COMPARED_HEADERS = ['openai-beta'];

/**
 * A multipart body as comparable data: its fields in order of name (a server reads them by name; the two sides
 * order them differently), files as name, type and a digest of the bytes. Parsed by the platform's own multipart
 * parser (undici's `Response.formData`), not by us.
 */
async function multipartFields(buf: Buffer, contentType: string): Promise<unknown[]> {
  const form = await new Response(new Uint8Array(buf), { headers: { 'content-type': contentType } }).formData();
  const fields: [string, unknown][] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields.push([name, value]);
    else {
      const bytes = Buffer.from(await value.arrayBuffer());
      fields.push([
        name,
        {
          file: value.name,
          type: value.type,
          sha256: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
          size: bytes.length,
        },
      ]);
    }
  }
  return fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface CallResult {
  tool: string;
  sdkMethod: string;
  /** `explained`: a known difference, listed with its reason in KNOWN_DIFFERENCES; anything else new is `different`. */
  outcome: 'identical' | 'explained' | 'different' | 'skipped';
  reason?: string;
  ours?: Request;
  sdk?: Request;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function loadBundle(): ValidationBundle {
  return JSON.parse(readFileSync(path.join(repoRoot, 'generated', 'validation.json'), 'utf8')) as ValidationBundle;
}

/** A small valid value for a schema: the required fields only, first enum values, `x` for strings. */
function minimal(schema: unknown, defs: Record<string, JsonSchema>, depth = 0): unknown {
  if (!isObj(schema) || depth > 8) return 'x';
  if (typeof schema.$ref === 'string') return minimal(defs[schema.$ref.split('/').pop() ?? ''], defs, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null);
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    const list = schema[k];
    if (Array.isArray(list)) {
      const first = list.find((b) => !(isObj(b) && b.type === 'null'));
      if (k !== 'allOf' || list.length === 1) return minimal(first, defs, depth + 1);
      return Object.assign({}, ...list.map((b) => minimal(b, defs, depth + 1)).filter(isObj));
    }
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'integer' || type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [minimal(schema.items, defs, depth + 1)];
  if (type === 'object' || isObj(schema.properties)) {
    const props = isObj(schema.properties) ? schema.properties : {};
    const req = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    return Object.fromEntries(req.map((r) => [r, minimal(props[r], defs, depth + 1)]));
  }
  return 'x';
}

/** Our file argument(s) (`{content, encoding, filename, mime_type}`) as the SDK takes them: `toFile(bytes, name)`. */
async function sdkFiles(value: unknown, toFile: typeof import('openai').toFile): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => sdkFiles(v, toFile)));
  if (!isObj(value) || typeof value.content !== 'string') return value;
  const encoding = value.encoding === 'base64' ? 'base64' : 'utf8';
  const type = typeof value.mime_type === 'string' ? { type: value.mime_type } : undefined;
  return toFile(Buffer.from(value.content, encoding), String(value.filename ?? 'file'), type);
}

/**
 * The logical call: every required argument (and those of the first alternative where the arguments say "one of
 * these is required"), plus `limit` where a list takes one (something in the query).
 */
export function logicalCall(tool: ToolDef, bundle: ValidationBundle = loadBundle()): Obj {
  const schema = bundle.tools[tool.name] as Obj;
  const props = (schema.properties ?? {}) as Obj;
  const args: Obj = {};
  const alternatives = (schema.anyOf ?? schema.oneOf) as Obj[] | undefined;
  const firstAlternative = (alternatives?.find((a) => Array.isArray(a.required))?.required as string[]) ?? [];
  for (const r of [...((schema.required as string[] | undefined) ?? []), ...firstAlternative])
    args[r] = tool.http.params.some((p) => p.arg === r && p.in === 'path') ? `${r}_1` : minimal(props[r], bundle.$defs);
  if (tool.pagination?.limitArg && !(tool.pagination.limitArg in args)) args[tool.pagination.limitArg] = 2;
  return args;
}

async function captureServer() {
  const requests: Request[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks);
      const text = raw.toString();
      const contentType = String(req.headers['content-type'] ?? '');
      let body: unknown;
      try {
        body = contentType.startsWith('multipart/form-data')
          ? { multipart: await multipartFields(raw, contentType) }
          : text
            ? JSON.parse(text)
            : undefined;
      } catch {
        body = text;
      }
      const headers = Object.fromEntries(
        COMPARED_HEADERS.flatMap((h) => (req.headers[h] === undefined ? [] : [[h, String(req.headers[h])]])),
      );
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: [...url.searchParams.entries()].sort(),
        body,
        ...(Object.keys(headers).length ? { headers } : {}),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"obj_1","object":"list","data":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends `tool`'s logical call through the toolkit and through the SDK method, and compares the two requests. */
export async function compareCalls(pairs: Pair[]): Promise<CallResult[]> {
  const { default: OpenAI, toFile } = await import('openai');
  const bundle = loadBundle();
  const srv = await captureServer();
  const out: CallResult[] = [];
  try {
    const env = { OPENAI_API_KEY: 'sk-fidelity', OPENAI_ADMIN_KEY: 'sk-admin-fidelity' };
    const kit = createOpenAiToolkit({ env, baseUrl: srv.baseUrl });
    const client = new OpenAI({
      apiKey: env.OPENAI_API_KEY,
      adminAPIKey: env.OPENAI_ADMIN_KEY,
      baseURL: srv.baseUrl,
      maxRetries: 0,
    });
    for (const { tool, sdk } of pairs) {
      const base = { tool: tool.name, sdkMethod: sdkName(sdk) };
      const headerParams = tool.http.params.filter((p) => p.in === 'header');
      const unmapped = headerParams.filter((p) => !SDK_HEADER_FIELDS[p.wire]);
      if (unmapped.length) {
        out.push({
          ...base,
          outcome: 'skipped',
          reason: `header parameters the SDK does not take: ${unmapped.map((p) => p.wire)}`,
        });
        continue;
      }
      const args = logicalCall(tool, bundle);
      // A header parameter is sent too, so that the header is compared (the SDK takes it as `betas`).
      const schemaProps = ((bundle.tools[tool.name] as Obj).properties ?? {}) as Obj;
      for (const h of headerParams) args[h.arg] ??= minimal(schemaProps[h.arg], bundle.$defs);
      const fileFields = new Set(tool.http.body?.fileFields ?? []);
      // Path variables pair up by position; the SDK takes some positionally and the rest inside its params.
      const ourPath = tool.http.params.filter((p) => p.in === 'path');
      const order = [...tool.http.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
      const byVar = new Map(sdk.pathVars.map((v, i) => [v, args[order[i] ?? ''] as unknown]));
      const params: Obj = {};
      for (const [arg, value] of Object.entries(args)) {
        if (ourPath.some((p) => p.arg === arg)) continue;
        const param = tool.http.params.find((p) => p.arg === arg);
        const wire =
          (param?.in === 'header' ? SDK_HEADER_FIELDS[param.wire] : param?.wire.replace(/\[\]$/, '')) ??
          tool.http.body?.fields[arg] ??
          arg;
        if (tool.http.body?.mode === 'wrapped') Object.assign(params, isObj(value) ? value : {});
        else params[wire] = fileFields.has(wire) ? await sdkFiles(value, toFile) : value;
      }
      for (const v of sdk.pathVars) if (!sdk.signature.includes(v)) params[v] = byVar.get(v);
      const positional = sdk.signature.map((s) => (s === sdk.paramsArg ? params : byVar.get(s)));
      // Resource names as the client spells them (`adminAPIKeys` for admin-api-keys.js).
      let target: unknown = client;
      for (const a of sdk.accessor) {
        const holder = target as Obj | undefined;
        const name = holder && Object.keys(holder).find((k) => k.toLowerCase() === a.toLowerCase());
        target = name ? holder[name] : undefined;
      }
      const fn = (target as Obj | undefined)?.[sdk.method];
      if (typeof fn !== 'function') {
        out.push({ ...base, outcome: 'skipped', reason: `no ${base.sdkMethod} on the client` });
        continue;
      }
      srv.requests.length = 0;
      const r = await kit.callTool(tool.name, args);
      const ours = srv.requests[0];
      if (!ours) {
        out.push({
          ...base,
          outcome: 'skipped',
          reason: `the toolkit sent nothing: ${JSON.stringify(r.content).slice(0, 200)}`,
        });
        continue;
      }
      srv.requests.length = 0;
      try {
        const res = (fn as (...a: unknown[]) => unknown).apply(target, positional);
        await res;
      } catch (err) {
        if (!srv.requests[0]) {
          out.push({
            ...base,
            outcome: 'skipped',
            reason: `the SDK refused the call: ${(err as Error).message.slice(0, 160)}`,
          });
          continue;
        }
      }
      const theirs = srv.requests[0];
      if (!theirs) {
        out.push({ ...base, outcome: 'skipped', reason: 'the SDK sent nothing' });
        continue;
      }
      const same = JSON.stringify(ours) === JSON.stringify(theirs);
      const known = KNOWN_DIFFERENCES[tool.name];
      const outcome = same ? 'identical' : known?.sdk === base.sdkMethod ? 'explained' : 'different';
      out.push({ ...base, outcome, ...(outcome === 'explained' ? { reason: known!.reason } : {}), ours, sdk: theirs });
    }
  } finally {
    await srv.close();
  }
  return out;
}
