// The real OpenAI spec versions this project builds and tests with: the pinned one (specs/openai.pin.json) and the
// older ones in specs/reference-specs.json. None is committed. Each is found, in this order, at its mirror
// (../shared/specs/…), in the download cache (`<cache>/<sha256>.yaml`, where the generator keeps the pin too), or
// downloaded from its upstream commit into the cache; every copy is checked against its sha256 before it is used.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { PinError, SpecError } from './errors.js';
import { defaultPinFile, repoRoot } from './pin.js';

export const referenceSpecsFile = path.join(repoRoot, 'specs', 'reference-specs.json');

/** Names the tests use: the pin, the version before it, and the OpenAPI 3.0 one. */
export type ReferenceName = 'current' | 'previous' | 'v30';

export interface ReferenceSpec {
  name: ReferenceName;
  date: string;
  sha256: string;
  /** Where to download it (a raw URL at a fixed commit). */
  source: string;
  /** The local copy tried first (absolute). */
  mirror: string;
  pinned: boolean;
}

const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const fileSchema = z.strictObject({
  $comment: z.string().optional(),
  source: z.string().includes('{commit}', { message: 'must contain {commit}' }),
  specs: z
    .array(
      z.strictObject({
        date: z.iso.date(),
        openapi: z.string(),
        commit: z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-digit commit'),
        sha256: sha,
        mirror: z.string(),
      }),
    )
    .length(2, 'the tests name two reference versions (previous, v30)'),
});
const pinSchema = z.looseObject({
  source: z.string(),
  sha256: sha,
  date: z.iso.date(),
  mirrors: z.array(z.string()).min(1),
});

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENAI_MCP_CACHE || path.join(homedir(), '.cache', 'openai-mcp-kit');
}

export const cacheFileOf = (spec: { sha256: string }, env: NodeJS.ProcessEnv = process.env) =>
  path.join(cacheDir(env), `${spec.sha256}.yaml`);

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PinError(`${file}: ${what} is unreadable: ${(err as Error).message}`, 'PIN_INVALID');
  }
}

function checked<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new PinError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`, 'PIN_INVALID');
}

/** The pin first, then the older versions (synchronous: test files decide what to skip while being collected). */
export function referenceSpecs(
  options: { pinFile?: string; referencesFile?: string; mirrorBase?: string } = {},
): ReferenceSpec[] {
  const pinFile = options.pinFile ?? defaultPinFile;
  const refFile = options.referencesFile ?? referenceSpecsFile;
  const pin = checked(pinSchema, readJson(pinFile, 'the pin'), pinFile);
  const refs = checked(fileSchema, readJson(refFile, 'the reference list'), refFile);
  // Mirror paths are relative to the repo root (as the pin's are).
  const base = options.mirrorBase ?? path.resolve(path.dirname(pinFile), '..');
  const names: ReferenceName[] = ['previous', 'v30'];
  return [
    {
      name: 'current',
      date: pin.date,
      sha256: pin.sha256,
      source: pin.source,
      mirror: path.resolve(base, pin.mirrors[0]!),
      pinned: true,
    },
    ...refs.specs.map((s, i) => ({
      name: names[i]!,
      date: s.date,
      sha256: s.sha256,
      source: refs.source.replaceAll('{commit}', s.commit),
      mirror: path.resolve(base, s.mirror),
      pinned: false,
    })),
  ];
}

const sha256Of = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface Located {
  path: string;
  where: 'mirror' | 'cache';
}

/** A verified local copy of `spec`, or undefined. A copy with other bytes is reported, never used. */
export function locate(
  spec: ReferenceSpec,
  env: NodeJS.ProcessEnv = process.env,
  onMismatch?: (file: string) => void,
): Located | undefined {
  for (const [file, where] of [
    [spec.mirror, 'mirror'],
    [cacheFileOf(spec, env), 'cache'],
  ] as const) {
    if (!existsSync(file)) continue;
    if (sha256Of(readFileSync(file)) === spec.sha256) return { path: file, where };
    onMismatch?.(file);
  }
  return undefined;
}

export interface FetchResult {
  spec: ReferenceSpec;
  status: 'mirror' | 'cache' | 'downloaded' | 'failed';
  path?: string;
  error?: string;
}

export interface FetchOptions {
  env?: NodeJS.ProcessEnv;
  /** Download URL template with `{commit}`-style placeholders already applied per spec; default each spec's source. */
  sourceOf?: (spec: ReferenceSpec) => string;
  timeoutMs?: number;
  /** Only these; default all three. */
  only?: ReferenceName[];
  specs?: ReferenceSpec[];
}

/** Makes every reference spec available locally; downloads only what neither the mirror nor the cache has. */
export async function fetchReferenceSpecs(options: FetchOptions = {}): Promise<FetchResult[]> {
  const env = options.env ?? process.env;
  const specs = (options.specs ?? referenceSpecs()).filter((s) => !options.only || options.only.includes(s.name));
  const results: FetchResult[] = [];
  for (const spec of specs) {
    const found = locate(spec, env);
    if (found) {
      results.push({ spec, status: found.where, path: found.path });
      continue;
    }
    const url = options.sourceOf?.(spec) ?? spec.source;
    try {
      const text = await download(url, options.timeoutMs ?? 120_000);
      const got = sha256Of(text);
      if (got !== spec.sha256)
        throw new SpecError(
          `sha256 mismatch for ${url}: expected ${spec.sha256}, got ${got}; nothing was written`,
          'SPEC_SHA256',
        );
      const file = cacheFileOf(spec, env);
      await mkdir(path.dirname(file), { recursive: true });
      // Write-then-rename: a crash never leaves a truncated file behind that later fails the hash check.
      await writeFile(`${file}.${process.pid}.tmp`, text);
      await rename(`${file}.${process.pid}.tmp`, file);
      results.push({ spec, status: 'downloaded', path: file });
    } catch (err) {
      results.push({ spec, status: 'failed', error: (err as Error).message });
    }
  }
  return results;
}

async function download(url: string, timeoutMs: number): Promise<Uint8Array> {
  if (!/^https?:\/\//.test(url)) return new Uint8Array(await readFile(url));
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new SpecError(`could not download ${url}: ${cause?.message ?? (err as Error).message}`, 'SPEC_NOT_FOUND');
  }
  if (!res.ok) throw new SpecError(`could not download ${url}: HTTP ${res.status}`, 'SPEC_NOT_FOUND');
  return new Uint8Array(await res.arrayBuffer());
}

/** One line for people: where the specs are, or what to run to get them. */
export function missingSpecsAdvice(missing: readonly ReferenceSpec[]): string {
  return (
    `not available here: ${missing.map((s) => `${s.date} (${s.name})`).join(', ')}. ` +
    'Run `npm run fetch-specs` on a machine that reaches GitHub (it downloads them into the cache, checked by ' +
    'sha256), or put the files at ../shared/specs/.'
  );
}
