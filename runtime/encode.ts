// Tool arguments → one HTTP request, following the catalog's bindings. The path is the security
// boundary: an argument can name a resource, never change which endpoint is called.

import type { BodyBinding, HttpVerb, ParamBinding, ToolDef } from './contract/catalog.js';

/** An argument that cannot be put on the wire; reported like a schema violation, before any request. */
export class ArgumentError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArgumentError';
  }
}

export interface EncodedRequest {
  url: string;
  method: HttpVerb;
  headers: Record<string, string>;
  /** JSON text, or FormData whose boundary fetch writes into Content-Type itself. */
  body?: string | FormData;
}

/** A file argument as the model sends it in plain JSON. */
export interface FileArgument {
  content: string;
  encoding?: 'utf8' | 'base64';
  filename: string;
  mime_type?: string;
}

// With the `u` flag a surrogate pair reads as one astral code point, so only unpaired halves match.
const LONE_SURROGATE = /\p{Surrogate}/u;
const UNPAIRED_SURROGATE =
  'contains an unpaired UTF-16 surrogate (invalid Unicode) and cannot be put in a URL or header';

/** Throws when any string inside `value` cannot be percent-encoded (encodeURIComponent would throw "URI malformed"). */
function assertWellFormed(arg: string, value: unknown): void {
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) throw new ArgumentError(arg, UNPAIRED_SURROGATE);
    } else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) throw new ArgumentError(arg, UNPAIRED_SURROGATE);
        stack.push(inner);
      }
    }
  }
}

/**
 * Percent-encodes one path segment. encodeURIComponent leaves `.` alone, and both `..` and `%2E%2E`
 * are dot segments that URL parsing resolves (climbing out of the intended path), so such values are refused.
 */
export function encodePathSegment(arg: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ArgumentError(
      arg,
      `must be a string to be used in the URL path (got ${value === null ? 'null' : typeof value})`,
    );
  }
  const s = String(value);
  if (s === '') throw new ArgumentError(arg, 'must not be empty');
  if (LONE_SURROGATE.test(s)) throw new ArgumentError(arg, UNPAIRED_SURROGATE);
  if (s === '.' || s === '..') throw new ArgumentError(arg, `"${s}" is not a valid identifier`);
  return encodeURIComponent(s);
}

// Brackets stay readable in keys (`include[]`, `metadata[k]`); everything else is percent-encoded.
function encodeQueryKey(k: string): string {
  return encodeURIComponent(k).replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/**
 * An argument by name, own properties only. Names come from the spec, so a tool may well have an argument
 * called `constructor` or `toString`, and an absent one must read as absent, not as `Object.prototype`'s.
 */
export function argValue(args: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(args, name) ? args[name] : undefined;
}

const DELIMITERS = new Map([
  ['form', ','],
  ['simple', ','],
  ['spaceDelimited', ' '],
  ['pipeDelimited', '|'],
]);

/** Query pairs for one parameter, per its OpenAPI style/explode. */
export function queryPairs(p: ParamBinding, value: unknown): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  const style = p.style ?? 'form';
  if (style === 'deepObject') {
    if (typeof value !== 'object' || Array.isArray(value)) return [[p.wire, scalar(value)]];
    const base = p.wire.replace(/\[\]$/, '');
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [`${base}[${k}]`, scalar(v)]);
  }
  const explode = p.explode ?? style === 'form';
  if (Array.isArray(value)) {
    if (!explode || style !== 'form') return [[p.wire, value.map(scalar).join(DELIMITERS.get(style) ?? ',')]];
    // OpenAI reads repeated array query keys only with brackets (`include[]=a&include[]=b`).
    const key = p.wire.endsWith('[]') ? p.wire : `${p.wire}[]`;
    return value.map((v) => [key, scalar(v)]);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
    if (explode) return entries.map(([k, v]) => [k, scalar(v)]);
    return [[p.wire, entries.flatMap(([k, v]) => [k, scalar(v)]).join(',')]];
  }
  return [[p.wire, scalar(value)]];
}

function headerValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(scalar).join(',');
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .flatMap(([k, v]) => [k, scalar(v)])
      .join(',');
  }
  return scalar(value);
}

// A Map, because the extension comes from the caller's filename (`x.constructor` is not a MIME type).
const MIME_BY_EXT = new Map(
  Object.entries({
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    mp3: 'audio/mpeg',
    mpga: 'audio/mpeg',
    mpeg: 'audio/mpeg',
    m4a: 'audio/mp4',
    wav: 'audio/wav',
    ogg: 'audio/ogg',
    flac: 'audio/flac',
    webm: 'audio/webm',
    mp4: 'video/mp4',
    pdf: 'application/pdf',
    json: 'application/json',
    jsonl: 'application/jsonl',
    txt: 'text/plain',
    md: 'text/markdown',
    csv: 'text/csv',
    html: 'text/html',
    zip: 'application/zip',
  }),
);

function isFileArgument(v: unknown): v is FileArgument {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    typeof (v as FileArgument).content === 'string' &&
    typeof (v as FileArgument).filename === 'string'
  );
}

function toBlob(path: string, f: unknown): { blob: Blob; filename: string } {
  if (!isFileArgument(f)) {
    throw new ArgumentError(path, 'must be a file object {content, encoding: "utf8"|"base64", filename, mime_type?}');
  }
  const encoding = f.encoding ?? 'utf8';
  let bytes: Buffer;
  if (encoding === 'base64') {
    const compact = f.content.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) throw new ArgumentError(`${path}.content`, 'is not valid base64');
    bytes = Buffer.from(compact, 'base64');
    // An empty or padding-only string would upload an empty file that OpenAI rejects with a vaguer message.
    if (bytes.byteLength === 0)
      throw new ArgumentError(`${path}.content`, "decodes to 0 bytes; send the file's base64 content");
  } else if (encoding === 'utf8') {
    bytes = Buffer.from(f.content, 'utf8');
  } else {
    throw new ArgumentError(`${path}.encoding`, 'must be "utf8" or "base64"');
  }
  const ext = f.filename.split('.').pop()?.toLowerCase() ?? '';
  const type = f.mime_type ?? MIME_BY_EXT.get(ext) ?? 'application/octet-stream';
  return { blob: new Blob([new Uint8Array(bytes)], { type }), filename: f.filename };
}

// Same conventions as OpenAI's own SDKs and curl examples: arrays repeat `name[]`, objects nest as `name[key]`.
function appendFormValue(form: FormData, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) appendFormValue(form, key.endsWith('[]') ? key : `${key}[]`, v);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) appendFormValue(form, `${key}[${k}]`, v);
    return;
  }
  form.append(key, scalar(value));
}

/** A file argument carrying bytes (`{content, …}`, or a list of them), as opposed to a reference such as `{id}`. */
function carriesFile(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(carriesFile);
  return !!value && typeof value === 'object' && Object.hasOwn(value, 'content');
}

function multipartBody(body: BodyBinding, args: Record<string, unknown>): FormData {
  const form = new FormData();
  const fileFields = new Set(body.fileFields);
  for (const [arg, wire] of Object.entries(body.fields)) {
    const value = argValue(args, arg);
    if (value === undefined || value === null) continue;
    if ((fileFields.has(arg) || fileFields.has(wire)) && carriesFile(value)) {
      if (Array.isArray(value)) {
        const key = wire.endsWith('[]') ? wire : `${wire}[]`;
        value.forEach((f, i) => {
          const { blob, filename } = toBlob(`${arg}[${i}]`, f);
          form.append(key, blob, filename);
        });
      } else {
        const { blob, filename } = toBlob(arg, value);
        form.append(wire, blob, filename);
      }
    } else {
      appendFormValue(form, wire, value);
    }
  }
  return form;
}

function jsonBody(tool: ToolDef, body: BodyBinding, args: Record<string, unknown>): string | undefined {
  let payload: unknown;
  if (body.mode === 'wrapped') {
    const arg = Object.keys(body.fields)[0] ?? 'body';
    payload = argValue(args, arg);
    refuseStreaming(tool, arg, payload);
  } else {
    // Entries, not assignments: a body field named `__proto__` must stay a field.
    const entries: [string, unknown][] = [];
    for (const [arg, wire] of Object.entries(body.fields)) {
      const value = argValue(args, arg);
      if (value !== undefined) entries.push([wire, value]);
    }
    payload = entries.length || body.required ? Object.fromEntries(entries) : undefined;
  }
  return payload === undefined ? undefined : JSON.stringify(payload);
}

/** Longest query string sent: past about this, OpenAI's edge answers 431 or 414 and the request is wasted. */
export const MAX_QUERY_BYTES = 16 * 1024;

/**
 * Only what the caller sent goes on the wire, so the stream switch is never added: OpenAI's default is off, as in
 * its SDKs. Streaming stays off because the switch is neither advertised nor accepted as an argument; a body passed
 * whole (`wrapped`) is the one place it could still arrive, and it is refused there (SSE would reach the model as an
 * unparseable body after the call timed out).
 */
function refuseStreaming(tool: ToolDef, arg: string, payload: unknown): void {
  const field = tool.http.streamField;
  if (!field || !payload || typeof payload !== 'object' || Array.isArray(payload)) return;
  const value = argValue(payload as Record<string, unknown>, field);
  if (value !== undefined && value !== false) {
    throw new ArgumentError(
      `${arg}.${field}`,
      'streaming is not supported: leave it out (each call returns the whole response)',
    );
  }
}

/**
 * Builds the request for `tool` from already-validated `args`. Auth headers are added by the executor.
 * @throws ArgumentError for values that cannot be encoded safely (dot-segment ids, bad file objects).
 */
export function encodeRequest(tool: ToolDef, args: Record<string, unknown>, baseUrl: string): EncodedRequest {
  const { http } = tool;
  const path = http.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = argValue(args, name);
    if (value === undefined || value === null) throw new ArgumentError(name, 'is required');
    return encodePathSegment(name, value);
  });

  const pairs: Array<[string, string]> = Object.entries(http.fixedQuery ?? {});
  const headerMap = new Map<string, string>();
  for (const [k, v] of Object.entries(http.fixedHeaders ?? {})) headerMap.set(k.toLowerCase(), v);
  /** Encoded length each query argument adds, to name the one that makes a query string too long. */
  const querySizes = new Map<string, number>();
  const encodePair = ([k, v]: [string, string]) => `${encodeQueryKey(k)}=${encodeURIComponent(v)}`;
  for (const p of http.params) {
    const value = argValue(args, p.arg);
    assertWellFormed(p.arg, value);
    if (p.in === 'query') {
      const added = queryPairs(p, value);
      pairs.push(...added);
      querySizes.set(
        p.arg,
        added.reduce((n, pair) => n + encodePair(pair).length + 1, 0),
      );
    } else if (p.in === 'header' && value !== undefined && value !== null) {
      const name = p.wire.toLowerCase();
      const before = headerMap.get(name);
      // A caller's `OpenAI-Beta` adds to the operation's own (`assistants=v2`) rather than dropping it.
      headerMap.set(name, before ? `${before},${headerValue(value)}` : headerValue(value));
    }
  }
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  const query = pairs.map(encodePair).join('&');
  if (query.length > MAX_QUERY_BYTES) {
    const [arg, size] = [...querySizes].reduce((a, b) => (b[1] > a[1] ? b : a), ['(query)', 0]);
    throw new ArgumentError(
      arg,
      `adds ${size} bytes to the URL's query string, over the ${MAX_QUERY_BYTES}-byte limit for one (OpenAI refuses longer request lines); pass fewer or shorter values`,
    );
  }

  const base = baseUrl.replace(/\/+$/, '');
  const url = `${base}${path}${query ? `?${query}` : ''}`;
  // Defence in depth: if URL parsing changed the path we built, something slipped past encoding.
  const expectedPath = `${new URL(base).pathname.replace(/\/+$/, '')}${path}`;
  if (new URL(url).pathname !== expectedPath) {
    throw new ArgumentError('(path arguments)', 'would change the request path');
  }

  let body: string | FormData | undefined;
  if (http.body) {
    const references = http.body.jsonWithoutFiles && !http.body.fileFields.some((f) => carriesFile(argValue(args, f)));
    if (http.body.contentType === 'multipart/form-data' && !references) {
      body = multipartBody(http.body, args);
    } else {
      body = jsonBody(tool, http.body, args);
      if (body !== undefined) headers['content-type'] = 'application/json';
    }
  }
  return { url, method: http.verb, headers, body };
}
