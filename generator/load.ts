// Stage 1 of the pipeline: find the spec, check it is the one we pinned, parse it, and reject
// anything we cannot model — always with a message that says where the problem is.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { LineCounter, parseDocument } from 'yaml';
import { readPin, repoRoot, type Pin } from './pin.js';

export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

export type OpenApiDoc = Record<string, any>;

export interface LoadedSpec {
  doc: OpenApiDoc;
  text: string;
  sha256: string;
  /** Where the bytes came from: a path, a URL, or `cache:<path>`. */
  source: string;
  /** True when the bytes were checked against the pin's sha256. */
  pinned: boolean;
}

export interface LoadOptions {
  /** Explicit path or URL (`--spec`); wins over everything else. */
  spec?: string;
  /** Pin file to use instead of `specs/openai.pin.json`. */
  pinFile?: string;
  /** Cache directory; defaults to `$OPENAI_MCP_CACHE` or `~/.cache/openai-mcp-kit`. */
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Skip the (slow, ~0.7 s) structural validation; used when the caller validates separately. */
  skipValidation?: boolean;
}

export const SPEC_ENV = 'OPENAI_SPEC';

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

async function readSource(ref: string): Promise<string> {
  if (isUrl(ref)) {
    let res: Response;
    try {
      res = await fetch(ref, { signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new SpecError(`could not download the spec from ${ref}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    if (!res.ok) throw new SpecError(`could not download the spec from ${ref}: HTTP ${res.status}`);
    return res.text();
  }
  try {
    return await readFile(ref, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SpecError(`spec file not found: ${path.resolve(ref)}`);
    throw new SpecError(`could not read the spec ${path.resolve(ref)}: ${(err as Error).message}`);
  }
}

async function tryRead(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function cacheDirOf(opts: LoadOptions): string {
  const env = opts.env ?? process.env;
  return opts.cacheDir ?? env.OPENAI_MCP_CACHE ?? path.join(homedir(), '.cache', 'openai-mcp-kit');
}

function verify(text: string, pin: Pin, where: string): string {
  const got = sha256(text);
  if (got !== pin.sha256) {
    throw new SpecError(`sha256 mismatch for ${where}: expected ${pin.sha256} (pinned), got ${got}`);
  }
  return got;
}

/**
 * Resolution order: explicit `--spec`, then `$OPENAI_SPEC`, then the local cache and the pin's mirrors,
 * then a download of the pin's source URL. Everything that stands in for the pin is checked against its sha256;
 * an explicit spec is taken as given (that is how drift reports and older versions are generated).
 */
export async function resolveSpecText(opts: LoadOptions = {}): Promise<{ text: string; source: string; pinned: boolean }> {
  const env = opts.env ?? process.env;
  const explicit = opts.spec ?? env[SPEC_ENV];
  if (explicit) return { text: await readSource(explicit), source: explicit, pinned: false };

  const pinFile = opts.pinFile ?? path.join(repoRoot, 'specs', 'openai.pin.json');
  const pin = await readPin(pinFile);
  const cacheFile = path.join(cacheDirOf(opts), `${pin.sha256}.yaml`);
  const cached = await tryRead(cacheFile);
  if (cached !== undefined) {
    verify(cached, pin, `the cached spec ${cacheFile}`);
    return { text: cached, source: `cache:${cacheFile}`, pinned: true };
  }
  for (const mirror of pin.mirrors ?? []) {
    const file = path.resolve(path.dirname(pinFile), '..', mirror);
    const text = await tryRead(file);
    if (text === undefined) continue;
    verify(text, pin, `the mirror ${file}`);
    return { text, source: file, pinned: true };
  }
  const text = await readSource(pin.source);
  verify(text, pin, pin.source);
  // Write-then-rename so a crash never leaves a truncated file that later fails the hash check.
  await mkdir(path.dirname(cacheFile), { recursive: true });
  await writeFile(`${cacheFile}.tmp`, text);
  await rename(`${cacheFile}.tmp`, cacheFile);
  return { text, source: pin.source, pinned: true };
}

/** Deepest nesting accepted in a spec; OpenAI's nests about 30 levels. */
export const MAX_SPEC_DEPTH = 500;
/** Most values (after YAML aliases are expanded) accepted in a spec; OpenAI's has under 100 000. */
export const MAX_SPEC_NODES = 5_000_000;
/** yaml's own alias budget (its default): the pinned specs use none, a 500-byte alias bomb needs billions. */
const MAX_ALIAS_COUNT = 100;

/**
 * Downloaded specs are untrusted input: refuse alias bombs and absurd nesting with a message naming the limit,
 * before later stages walk the document (a walk over shared alias targets is exponential, deep ones overflow).
 * Iterative, and it stops counting at the limit, so checking a hostile document is itself cheap.
 */
export function checkSpecLimits(doc: unknown, source: string): void {
  const stack: Array<[unknown, number, string]> = [[doc, 0, '#']];
  let nodes = 0;
  while (stack.length) {
    const [node, depth, at] = stack.pop()!;
    if (++nodes > MAX_SPEC_NODES) {
      throw new SpecError(`${source}: the document expands to more than ${MAX_SPEC_NODES} values (YAML aliases included); refusing to process it`);
    }
    if (!node || typeof node !== 'object') continue;
    if (depth >= MAX_SPEC_DEPTH) {
      throw new SpecError(`${source}: ${at.length > 120 ? `${at.slice(0, 120)}…` : at} nests deeper than ${MAX_SPEC_DEPTH} levels, the limit for a spec`);
    }
    for (const [key, value] of Object.entries(node)) {
      if (value && typeof value === 'object') stack.push([value, depth + 1, `${at}/${escapePointer(key)}`]);
      else nodes++;
    }
  }
}

/** Parse YAML or JSON (JSON is YAML) and report the first error as `source:line:column`. */
export function parseSpecText(text: string, source: string): OpenApiDoc {
  const lineCounter = new LineCounter();
  // prettyErrors off: the context it builds is not shown (only the first line is), and costs a lot on huge lines.
  const parsed = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const first = parsed.errors[0];
  if (first) {
    const { line, col } = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    // yaml composes recursively and reports its own stack overflow as a parse error.
    if (/call stack/i.test(first.message)) {
      throw new SpecError(`${source}:${line}:${col}: nests too deeply to parse (a spec may nest at most ${MAX_SPEC_DEPTH} levels)`);
    }
    throw new SpecError(`${source}:${line}:${col}: invalid YAML/JSON: ${first.message.split('\n')[0]}`);
  }
  let doc: unknown;
  try {
    doc = parsed.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new SpecError(`${source}: YAML aliases expand too much (an alias bomb?); at most ${MAX_ALIAS_COUNT} alias expansions per anchor are allowed`);
    }
    throw err;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SpecError(`${source}: not an OpenAPI document (expected a mapping at the top level)`);
  }
  checkSpecLimits(doc, source);
  return doc as OpenApiDoc;
}

export function checkVersion(doc: OpenApiDoc, source: string): void {
  const version = doc.openapi ?? doc.swagger;
  if (typeof version !== 'string' || !/^3\.[01]\.\d+$/.test(version)) {
    throw new SpecError(
      `${source}: unsupported OpenAPI version ${JSON.stringify(version ?? null)} at #/openapi (supported: 3.0.x, 3.1.x)`,
    );
  }
}

/** Follow a local JSON pointer; `undefined` when any step is missing. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: any = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every `$ref` must point inside the document: we bundle components ourselves, and a dangling reference
 * would otherwise surface as a confusing schema error far from its cause.
 */
export function checkRefs(doc: OpenApiDoc, source: string): void {
  const bad: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        if (!value.startsWith('#')) bad.push(`${at}/$ref: external reference ${value} is not supported`);
        else if (resolvePointer(doc, value) === undefined) bad.push(`${at}/$ref: cannot resolve ${value}`);
      } else if (key !== 'example' && key !== 'examples') walk(value, `${at}/${escapePointer(key)}`);
    }
  };
  walk(doc, '#');
  if (bad.length) {
    const more = bad.length > 5 ? ` (and ${bad.length - 5} more)` : '';
    throw new SpecError(`${source}: unresolvable $ref\n  ${bad.slice(0, 5).join('\n  ')}${more}`);
  }
}

async function validateStructure(doc: OpenApiDoc, source: string): Promise<void> {
  try {
    // swagger-parser mutates what it is given; validate a copy so the model sees the document as written.
    await SwaggerParser.validate(structuredClone(doc) as any, { dereference: { circular: 'ignore' } } as any);
  } catch (err) {
    throw new SpecError(`${source}: not a valid OpenAPI document: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`);
  }
}

export async function loadSpec(opts: LoadOptions = {}): Promise<LoadedSpec> {
  const { text, source, pinned } = await resolveSpecText(opts);
  const doc = parseSpecText(text, source);
  checkVersion(doc, source);
  checkRefs(doc, source);
  if (!opts.skipValidation) await validateStructure(doc, source);
  return { doc, text, sha256: sha256(text), source, pinned };
}
