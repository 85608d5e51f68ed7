// `npm run generate [-- --spec <path|url>] [--check] [--out <dir>] [--pin <file>]`
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadSpec, SpecError } from './load.js';
import { renderFiles, staleFiles, writeAtomically } from './emit.js';
import { buildCatalog } from './pipeline.js';
import { repoRoot } from './pin.js';

export interface GenerateOptions {
  spec?: string;
  pinFile?: string;
  out?: string;
  check?: boolean;
  log?: (line: string) => void;
}

/** Returns the process exit code: 0 on success, 1 when `--check` finds stale files. Throws on bad input. */
export async function generate(opts: GenerateOptions = {}): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = path.resolve(opts.out ?? path.join(repoRoot, 'generated'));
  const spec = await loadSpec({ spec: opts.spec, pinFile: opts.pinFile });
  const result = await buildCatalog(spec.doc, { sha256: spec.sha256 });
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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run generate -- [--spec <path|url>] [--check] [--out <dir>] [--pin <file>]\n' +
        'Spec resolution: --spec, then $OPENAI_SPEC, then the cache and mirrors of specs/openai.pin.json, then a verified download.\n',
    );
    return;
  }
  process.exitCode = await generate({ spec: values.spec, pinFile: values.pin, out: values.out, check: values.check });
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('generator/cli.ts')) {
  main().catch((err: unknown) => {
    const message = err instanceof SpecError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`generate: error: ${message}\n`);
    process.exitCode = 2;
  });
}
