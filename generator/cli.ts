// `npm run generate [-- --spec <path|url>] [--check] [--strict] [--out <dir>] [--pin <file>]`
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadSpec } from './load.js';
import { renderFiles, staleFiles, writeAtomically } from './emit.js';
import { buildCatalog } from './pipeline.js';
import { repoRoot } from './pin.js';

export interface GenerateOptions {
  spec?: string;
  pinFile?: string;
  out?: string;
  check?: boolean;
  /** Refuse a spec that is not valid OpenAPI, instead of generating with warnings. */
  strict?: boolean;
  log?: (line: string) => void;
}

/** Returns the process exit code: 0 on success, 1 when `--check` finds stale files. Throws on bad input. */
export async function generate(opts: GenerateOptions = {}): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = path.resolve(opts.out ?? path.join(repoRoot, 'generated'));
  const spec = await loadSpec({ spec: opts.spec, pinFile: opts.pinFile, strict: opts.strict });
  const result = await buildCatalog(spec.doc, { sha256: spec.sha256, warnings: spec.warnings });
  const files = await renderFiles(result);
  for (const w of result.manifest.warnings) log(`warning: ${w}`);
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run generate -- [--spec <path|url>] [--check] [--strict] [--out <dir>] [--pin <file>]\n' +
        'Spec resolution: --spec, then $OPENAI_SPEC, then the cache and mirrors of specs/openai.pin.json, then a verified download.\n' +
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
  });
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('generator/cli.ts')) {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`generate: error: ${message}\n`);
    process.exitCode = 2;
  });
}
