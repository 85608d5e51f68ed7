// npm run drift -- --from <pin|spec|catalog.json|git-ref> --to <same> [--out report.md] [--json report.json]
//                  [--fail-on breaking|any|none]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderMarkdown } from './render-markdown.js';
import { buildReport, shouldFail, type FailOn } from './report.js';
import { resolveCatalog } from './sources.js';
import type { DriftReport } from './types.js';

const USAGE = `usage: npm run drift -- --from <ref> --to <ref> [options]

A <ref> is one of:
  pin               the pinned spec (specs/openai.pin.json), as the generator resolves it
  <path|URL>        an OpenAPI spec (YAML or JSON), built into a catalog with the generator
  <catalog.json>    a catalog the generator wrote
  <git-ref>         generated/catalog.json at that commit (<git-ref>:<path> for another file)

options:
  --from <ref>      older side (default: pin)
  --to <ref>        newer side (default: generated/catalog.json)
  --out <file>      write the markdown report there instead of stdout
  --json <file>     also write the full report as JSON
  --fail-on <when>  exit 1 on "breaking" (breaking or security-relevant changes), "any" change, or "none" (default)
  --max-chars <n>   cut the markdown to n characters (default 60000, under GitHub's comment limit)
`;

const FAIL_ON = ['breaking', 'any', 'none'] as const;

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      from: { type: 'string', default: 'pin' },
      to: { type: 'string', default: 'generated/catalog.json' },
      out: { type: 'string' },
      json: { type: 'string' },
      'fail-on': { type: 'string', default: 'none' },
      'max-chars': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseCli>['values'];
  try {
    ({ values } = parseCli(argv));
  } catch (err) {
    process.stderr.write(`drift: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const failOn = values['fail-on'] as FailOn;
  if (!FAIL_ON.includes(failOn)) {
    process.stderr.write(`drift: --fail-on must be one of ${FAIL_ON.join(', ')}\n`);
    return 2;
  }
  const maxChars = values['max-chars'] ? Number(values['max-chars']) : undefined;
  if (maxChars !== undefined && !(maxChars > 0)) {
    process.stderr.write('drift: --max-chars must be a positive number\n');
    return 2;
  }

  let report: DriftReport;
  try {
    const [from, to] = await Promise.all([resolveCatalog(values.from!), resolveCatalog(values.to!)]);
    report = buildReport(from.catalog, to.catalog, from.info, to.info);
  } catch (err) {
    process.stderr.write(`drift: ${(err as Error).message}\n`);
    return 2;
  }

  const markdown = renderMarkdown(report, { maxChars });
  if (values.out) writeOut(values.out, markdown);
  else process.stdout.write(markdown);
  if (values.json) writeOut(values.json, `${JSON.stringify(report, null, 2)}\n`);

  const s = report.summary;
  process.stderr.write(
    `drift: ${s.added} added, ${s.removed} removed, ${s.renamed} renamed, ${s.moved} moved, ${s.changed} changed; ` +
      `${s.breaking} breaking, ${s.security} security-relevant\n`,
  );
  return shouldFail(report, failOn) ? 1 : 0;
}

function writeOut(file: string, text: string) {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

process.exitCode = await main(process.argv.slice(2));
