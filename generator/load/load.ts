// load stage: find the spec, check it is the one we pinned, parse it, and reject
// anything we cannot model — always with a message that says where the problem is.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { LineCounter, parseDocument } from 'yaml';
import { entriesOf, escapePointer, refsIn, resolvePointer, type OpenApiDocument } from './document.js';
import { RefError, SpecError } from '../errors.js';
import { findKeywordViolations, violationMessage, withoutKeywords } from './keywords.js';
import { classifyValidation, type ValidationDetail } from './lenient.js';
import { readPin, repoRoot, type Pin } from '../pin.js';

export { SpecError };

export interface LoadedSpec {
  /** The document as the pipeline reads it: without the keyword violations listed in `warnings`. */
  doc: OpenApiDocument;
  text: string;
  sha256: string;
  /** Where the bytes came from: a path, a URL, or `cache:<path>`. */
  source: string;
  /** True when the bytes were checked against the pin's sha256. */
  pinned: boolean;
  /**
   * Keywords the OpenAPI version forbids, found and ignored, then schema-validation failures the model can still be
   * built from (generator/lenient.ts); an error under `strict`.
   */
  warnings: string[];
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
  /** Refuse a spec with keyword violations instead of warning about them. */
  strict?: boolean;
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
      throw new SpecError(
        `could not download the spec from ${ref}: ${String((err as Error).cause ?? (err as Error).message)}`,
        'SPEC_NOT_FOUND',
      );
    }
    if (!res.ok) throw new SpecError(`could not download the spec from ${ref}: HTTP ${res.status}`, 'SPEC_NOT_FOUND');
    return res.text();
  }
  try {
    return await readFile(ref, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SpecError(`spec file not found: ${path.resolve(ref)}`, 'SPEC_NOT_FOUND');
    throw new SpecError(`could not read the spec ${path.resolve(ref)}: ${(err as Error).message}`, 'SPEC_NOT_FOUND');
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
    throw new SpecError(`sha256 mismatch for ${where}: expected ${pin.sha256} (pinned), got ${got}`, 'SPEC_SHA256');
  }
  return got;
}

/**
 * Resolution order: explicit `--spec`, then `$OPENAI_SPEC`, then the local cache and the pin's mirrors, then a
 * download of the pin's source URL. `$OPENAI_SPEC`, the cache, the mirrors and the download stand in for the pin and
 * must match its sha256; an explicit `--spec` is taken as given (that is how drift reports and older versions are
 * generated), and `pinned` says whether it happens to be the pinned one.
 */
export async function resolveSpecText(
  opts: LoadOptions = {},
): Promise<{ text: string; source: string; pinned: boolean }> {
  const env = opts.env ?? process.env;
  const pinFile = opts.pinFile ?? path.join(repoRoot, 'specs', 'openai.pin.json');
  if (opts.spec) {
    const text = await readSource(opts.spec);
    const pin = await readPin(pinFile).catch(() => undefined);
    return { text, source: opts.spec, pinned: pin?.sha256 === sha256(text) };
  }
  const pin = await readPin(pinFile);
  const fromEnv = env[SPEC_ENV];
  if (fromEnv) {
    const text = await readSource(fromEnv);
    const got = sha256(text);
    if (got !== pin.sha256)
      throw new SpecError(
        `$${SPEC_ENV} (${fromEnv}) is not the pinned spec: sha256 ${got}, the pin (${pin.date}) has ${pin.sha256}. ` +
          `$${SPEC_ENV} stands in for the pinned spec; to generate from another version, pass it as --spec <path> ` +
          'with --out <dir>, or re-pin with `npm run spec:update -- --from <path>`.',
        'SPEC_SHA256',
      );
    return { text, source: fromEnv, pinned: true };
  }
  const cacheFile = path.join(cacheDirOf(opts), `${pin.sha256}.yaml`);
  const cached = await tryRead(cacheFile);
  if (cached !== undefined) {
    verify(cached, pin, `the cached spec ${cacheFile}`);
    return { text: cached, source: `cache:${cacheFile}`, pinned: true };
  }
  const mirrors = (pin.mirrors ?? []).map((m) => path.resolve(path.dirname(pinFile), '..', m));
  for (const file of mirrors) {
    const text = await tryRead(file);
    if (text === undefined) continue;
    verify(text, pin, `the mirror ${file}`);
    return { text, source: file, pinned: true };
  }
  let text: string;
  try {
    text = await readSource(pin.source);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    // Offline is the common case: say everywhere the spec was looked for, and that most people need none of it.
    throw new SpecError(
      `${err.message}\nThe pinned spec (${pin.date}, sha256 ${pin.sha256.slice(0, 12)}…) was looked for in: ` +
        `--spec (not given); $${SPEC_ENV} (not set); the cache ${cacheFile} (absent); ` +
        `${mirrors.length ? mirrors.map((m) => `the mirror ${m}`).join(', ') : 'no mirror'} (absent).\n` +
        'Fix: run `npm run fetch-specs` where GitHub is reachable (it fills the cache), copy the file to one of ' +
        `those places, or pass --spec <path>. generated/ is committed: serving and the library need no spec, ` +
        'only regenerating does.',
      'SPEC_NOT_FOUND',
    );
  }
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
      throw new SpecError(
        `${source}: the document expands to more than ${MAX_SPEC_NODES} values (YAML aliases included); refusing to process it`,
        'SPEC_LIMIT',
      );
    }
    if (!node || typeof node !== 'object') continue;
    if (depth >= MAX_SPEC_DEPTH) {
      throw new SpecError(
        `${source}: ${at.length > 120 ? `${at.slice(0, 120)}…` : at} nests deeper than ${MAX_SPEC_DEPTH} levels, the limit for a spec`,
        'SPEC_LIMIT',
      );
    }
    for (const [key, value] of Object.entries(node)) {
      if (value && typeof value === 'object') stack.push([value, depth + 1, `${at}/${escapePointer(key)}`]);
      else nodes++;
    }
  }
}

/** Parse YAML or JSON (JSON is YAML) and report the first error as `source:line:column`. */
export function parseSpecText(text: string, source: string): OpenApiDocument {
  const lineCounter = new LineCounter();
  // prettyErrors off: the context it builds is not shown (only the first line is), and costs a lot on huge lines.
  const parsed = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const first = parsed.errors[0];
  if (first) {
    const { line, col } = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    // yaml composes recursively and reports its own stack overflow as a parse error.
    if (/call stack/i.test(first.message)) {
      throw new SpecError(
        `${source}:${line}:${col}: nests too deeply to parse (a spec may nest at most ${MAX_SPEC_DEPTH} levels)`,
        'SPEC_LIMIT',
      );
    }
    throw new SpecError(`${source}:${line}:${col}: invalid YAML/JSON: ${first.message.split('\n')[0]}`, 'SPEC_PARSE');
  }
  let doc: unknown;
  try {
    doc = parsed.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new SpecError(
        `${source}: YAML aliases expand too much (an alias bomb?); at most ${MAX_ALIAS_COUNT} alias expansions per anchor are allowed`,
        'SPEC_LIMIT',
      );
    }
    throw err;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SpecError(`${source}: not an OpenAPI document (expected a mapping at the top level)`, 'SPEC_PARSE');
  }
  checkSpecLimits(doc, source);
  return doc as OpenApiDocument;
}

export function checkVersion(doc: OpenApiDocument, source: string): void {
  const raw = doc as { openapi?: unknown; swagger?: unknown };
  const version = raw.openapi ?? raw.swagger;
  if (typeof version !== 'string' || !/^3\.[01]\.\d+$/.test(version)) {
    throw new SpecError(
      `${source}: unsupported OpenAPI version ${JSON.stringify(version ?? null)} at #/openapi (supported: 3.0.x, 3.1.x)`,
      'SPEC_VERSION',
    );
  }
}

/**
 * Every `$ref` must point inside the document, and no chain of them may come back to itself: we bundle
 * components ourselves, and a dangling reference would otherwise surface as a confusing schema error far
 * from its cause.
 */
export function checkRefs(doc: OpenApiDocument, source: string): void {
  const bad: string[] = [];
  for (const { at, ref } of refsIn(doc)) {
    if (!ref.startsWith('#')) {
      bad.push(`${at}/$ref: external reference ${ref} is not supported`);
      continue;
    }
    // Follow the chain from here: a pure `$ref` → `$ref` loop has no schema at its end.
    const seen = new Set<string>();
    let target: string | undefined = ref;
    while (target !== undefined) {
      if (seen.has(target)) {
        bad.push(`${at}/$ref: circular $ref ${ref}`);
        break;
      }
      seen.add(target);
      const node = resolvePointer(doc, target);
      if (node === undefined) {
        bad.push(`${at}/$ref: cannot resolve ${target}`);
        break;
      }
      const next =
        node && typeof node === 'object' ? new Map(entriesOf(node as Record<string, unknown>)).get('$ref') : undefined;
      target = typeof next === 'string' && next.startsWith('#') ? next : undefined;
    }
  }
  if (bad.length) {
    const more = bad.length > 5 ? ` (and ${bad.length - 5} more)` : '';
    throw new RefError(source, `unresolvable $ref\n  ${bad.slice(0, 5).join('\n  ')}${more}`);
  }
}

/**
 * `$ref`s that end at a value that is not an object (`description: {$ref: '#/components/schemas/Includable/description'}`,
 * a string, as one 2025 version has): the Reference Object may only stand for an object, and every later stage reads
 * schema keywords by their value's type. swagger-parser's validation dereferences such a `$ref` to its value without a
 * word, so the same is done here, once, with a warning naming the `$ref` (and `--strict` refuses it).
 */
export function inlineValueRefs(doc: OpenApiDocument): string[] {
  const warnings: string[] = [];
  for (const { at, ref } of [...refsIn(doc)]) {
    const seen = new Set<string>();
    let target = ref;
    let node = resolvePointer(doc, target);
    while (node && typeof node === 'object' && !Array.isArray(node) && !seen.has(target)) {
      seen.add(target);
      const next = (node as Record<string, unknown>).$ref;
      if (typeof next !== 'string' || !next.startsWith('#')) break;
      target = next;
      node = resolvePointer(doc, target);
    }
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) continue;
    const cut = at.lastIndexOf('/');
    if (cut < 1) continue;
    const holder = resolvePointer(doc, at.slice(0, cut));
    if (!holder || typeof holder !== 'object') continue;
    const key = at
      .slice(cut + 1)
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
    (holder as Record<string, unknown>)[key] = structuredClone(node);
    const kind = node === null ? 'null' : Array.isArray(node) ? 'an array' : `a ${typeof node}`;
    warnings.push(`${at}/$ref: ${ref} is ${kind}, not an object a $ref can stand for; its value is used in place`);
  }
  return warnings;
}

/**
 * OpenAPI schema validation, lenient by rule (generator/lenient.ts): what the model can still be built from comes back
 * as warnings (and a document without what was dropped); what makes an operation unbuildable is an error. `strict`
 * refuses on any failure.
 */
async function validateStructure(
  doc: OpenApiDocument,
  source: string,
  strict: boolean,
): Promise<{ doc: OpenApiDocument; warnings: string[] }> {
  try {
    // swagger-parser mutates what it is given; validate a copy so the model sees the document as written.
    await SwaggerParser.validate(structuredClone(doc) as never, { dereference: { circular: 'ignore' } } as never);
    return { doc, warnings: [] };
  } catch (err) {
    const details = (err as { details?: unknown }).details;
    const refuse = (lines: string[], code: 'SPEC_INVALID' | 'SPEC_STRICT') => {
      const more = lines.length > 6 ? `\n  (and ${lines.length - 6} more)` : '';
      return new SpecError(
        `${source}: not a valid OpenAPI document${code === 'SPEC_STRICT' ? ' (--strict)' : ''}:\n  ${lines.slice(0, 6).join('\n  ')}${more}`,
        code,
      );
    };
    if (!Array.isArray(details))
      throw refuse([(err as Error).message.split('\n').slice(0, 6).join(' ')], 'SPEC_INVALID');
    const result = classifyValidation(doc, details as ValidationDetail[]);
    if (result.errors.length) throw refuse(result.errors, 'SPEC_INVALID');
    if (strict) throw refuse(result.warnings, 'SPEC_STRICT');
    return { doc: result.doc, warnings: result.warnings };
  }
}

export async function loadSpec(opts: LoadOptions = {}): Promise<LoadedSpec> {
  const { text, source, pinned } = await resolveSpecText(opts);
  const parsed = parseSpecText(text, source);
  checkVersion(parsed, source);
  checkRefs(parsed, source);
  // Harmless keyword violations are taken out before validation, so only real structural problems fail it.
  const inlined = inlineValueRefs(parsed);
  const violations = findKeywordViolations(parsed);
  const warnings = [...inlined, ...violations.map(violationMessage)];
  if (opts.strict && warnings.length) {
    const more = warnings.length > 5 ? `\n  (and ${warnings.length - 5} more)` : '';
    throw new SpecError(
      `${source}: not valid OpenAPI (--strict):\n  ${warnings.slice(0, 5).join('\n  ')}${more}`,
      'SPEC_STRICT',
    );
  }
  const cleaned = withoutKeywords(parsed, violations);
  const validated = opts.skipValidation
    ? { doc: cleaned, warnings: [] }
    : await validateStructure(cleaned, source, opts.strict === true);
  return {
    doc: validated.doc,
    text,
    sha256: sha256(text),
    source,
    pinned,
    warnings: [...warnings, ...validated.warnings],
  };
}
