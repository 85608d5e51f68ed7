// `npm run generate [-- --spec <path|url>] [--check] [--strict] [--out <dir>] [--pin <file>]`
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadSpec, SpecError } from './load/load.js';
import { renderFiles, staleFiles, writeAtomically } from './emit/emit.js';
import { buildCatalog } from './pipeline.js';
import { repoRoot } from './pin.js';
import { diagnosticLines } from './report.js';

export interface GenerateOptions {
  spec?: string;
  pinFile?: string;
  out?: string;
  check?: boolean;
  /** Refuse a spec that is not valid OpenAPI, instead of generating with warnings. */
  strict?: boolean;
  /** Write a spec other than the pinned one into the committed generated/ (spec:update does, before re-pinning). */
  force?: boolean;
  log?: (line: string) => void;
}

/** Returns the process exit code: 0 on success, 1 when `--check` finds stale files. Throws on bad input. */
export async function generate(opts: GenerateOptions = {}): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const defaultOut = path.join(repoRoot, 'generated');
  const out = path.resolve(opts.out ?? defaultOut);
  const spec = await loadSpec({ spec: opts.spec, pinFile: opts.pinFile, strict: opts.strict });
  const result = await buildCatalog(spec.doc, { sha256: spec.sha256, warnings: spec.warnings });
  const files = await renderFiles(result);
  for (const line of diagnosticLines(result.diagnostics)) log(line);
  const { tools, excluded, operations } = result.manifest.counts;
  const summary = `${tools} tools from ${operations} operations (${excluded} excluded), spec ${spec.sha256.slice(0, 12)} from ${spec.source}`;
  if (opts.check) {
    const stale = await staleFiles(out, files);
    if (stale.length) {
      log(`generated/ is stale (${stale.length} files); run \`npm run generate\`:`);
      for (const s of stale) log(`  ${s}`);
      return 1;
    }
    log(`generated/ is up to date: ${summary}`);
    return 0;
  }
  // generated/ is committed and CI checks it against the pin: another version may go elsewhere, or here on purpose.
  if (!spec.pinned && out === defaultOut && !opts.force) {
    throw new SpecError(
      `${spec.source} is not the pinned spec (sha256 ${spec.sha256.slice(0, 12)}…; the pin, specs/openai.pin.json, ` +
        'names another), so nothing was written: generated/ is committed and must be what the pinned spec gives. ' +
        'To generate from this version, write elsewhere with --out <dir>; to move the pin to it, run ' +
        '`npm run spec:update -- --from <path|url>`; to overwrite generated/ anyway, add --force.',
      'SPEC_NOT_PINNED',
    );
  }
  if (!spec.pinned)
    log(`note: ${spec.source} is not the pinned spec; writing ${path.relative(process.cwd(), out) || '.'}`);
  await writeAtomically(out, files);
  log(`wrote ${files.size} files to ${path.relative(process.cwd(), out) || '.'}: ${summary}`);
  return 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      spec: { type: 'string' },
      pin: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run generate -- [--spec <path|url>] [--check] [--strict] [--out <dir>] [--pin <file>] [--force]\n' +
        'Spec resolution: --spec, then $OPENAI_SPEC, then the cache and mirrors of specs/openai.pin.json, then a verified download.\n' +
        "Everything but --spec must match the pin's sha256. A --spec other than the pinned one is written only with --out <dir>,\n" +
        'or into generated/ with --force (to move the pin, use npm run spec:update).\n' +
        '--strict: refuse a spec with keywords OpenAPI forbids (by default they are ignored and listed as warnings).\n',
    );
    return;
  }
  process.exitCode = await generate({
    spec: values.spec,
    pinFile: values.pin,
    out: values.out,
    check: values.check,
    strict: values.strict,
    force: values.force,
  });
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('generator/cli.ts')) {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`generate: error: ${message}\n`);
    process.exitCode = 2;
  });
}
