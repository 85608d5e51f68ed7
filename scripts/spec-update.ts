// npm run spec:update [-- --from <url|path>] [--source <url>] [--commit <sha>] [--date YYYY-MM-DD]
//                     [--out report.md] [--json report.json] [--dry-run]
//
// Moves the pin to a new spec and regenerates. Order matters: everything that can fail on a bad spec (download,
// parse, validation, building the catalog) runs before anything is written; then `generated/` is regenerated
// (restored from a backup if the generator fails); the pin is written last, by rename. So a failure leaves the
// pin and `generated/` as they were, and a pin never names a spec that `generated/` was not built from.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Catalog } from '../runtime/types.js';
import { renderMarkdown } from '../drift/render-markdown.js';
import { buildReport } from '../drift/report.js';
import { CATALOG_PATH, isCatalog, repoRoot } from '../drift/sources.js';
import { type Pin, readPin } from '../generator/pin.js';
import type { LoadedCatalog } from '../drift/generator-api.js';

const PIN_FILE = path.join(repoRoot, 'specs', 'openai.pin.json');
const GENERATED = path.join(repoRoot, 'generated');

const USAGE = `usage: npm run spec:update -- [options]

  --from <url|path>   the new spec (default: the pin's source URL)
  --source <url>      URL to record in the pin (default: --from when it is a URL)
  --commit <sha>      upstream commit to record (default: taken from a raw.githubusercontent.com URL)
  --date <YYYY-MM-DD> date of the upstream version (default: today, UTC)
  --out <file>        write the drift report (markdown) there as well as to stdout
  --json <file>       write the drift report as JSON
  --dry-run           check the spec and print the report; change nothing
`;

class UpdateError extends Error {}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const log = (msg: string) => process.stderr.write(`spec:update: ${msg}\n`);

function readGeneratedCatalog(): Catalog | undefined {
  const file = path.join(repoRoot, CATALOG_PATH);
  if (!existsSync(file)) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8'));
    return isCatalog(value) ? { ...value, excluded: value.excluded ?? [] } : undefined;
  } catch {
    return undefined;
  }
}

const emptyCatalog = (): Catalog => ({
  spec: { title: '(none)', version: '', openapi: '', sha256: '' },
  tools: [],
  excluded: [],
});

function commitOf(url: string): string | undefined {
  return /raw\.githubusercontent\.com\/[^/]+\/[^/]+\/([0-9a-f]{40})\//i.exec(url)?.[1];
}

function writeFileAtomic(file: string, text: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      source: { type: 'string' },
      commit: { type: 'string' },
      date: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseCli>['values'];
  try {
    ({ values } = parseCli(argv));
  } catch (err) {
    process.stderr.write(`spec:update: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.date && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    log('--date must be YYYY-MM-DD');
    return 2;
  }

  // The generator's reader, which validates the pin: a broken one is reported, not trusted for its source.
  let oldPin: Pin | undefined;
  try {
    oldPin = existsSync(PIN_FILE) ? await readPin(PIN_FILE) : undefined;
  } catch (err) {
    log((err as Error).message);
    return 2;
  }
  const from = values.from ?? oldPin?.source;
  if (!from) {
    log(`no --from given and no pin at ${PIN_FILE}`);
    return 2;
  }
  // Resolve a local path against where the user typed it, not against the repo.
  const fromRef = isUrl(from) ? from : path.resolve(from);

  // 1. Everything that can reject the spec, before touching anything.
  const { catalogFromSpec } = await import('../drift/generator-api.js');
  let loaded: LoadedCatalog;
  try {
    loaded = await catalogFromSpec(fromRef);
  } catch (err) {
    log(`${(err as Error).message}\nnothing was changed.`);
    return 1;
  }
  if (!loaded.catalog.tools.length) {
    log(`${from}: the spec produced no tools; refusing to pin it. nothing was changed.`);
    return 1;
  }
  const doc = loaded.doc;
  const newPin: Pin = {
    source: values.source ?? (isUrl(from) ? from : path.relative(repoRoot, fromRef).split(path.sep).join('/')),
    sha256: loaded.sha256,
    openapi: String(doc.openapi),
    infoVersion: String(doc.info?.version ?? ''),
    date: values.date ?? new Date().toISOString().slice(0, 10),
  };
  const commit = values.commit ?? commitOf(newPin.source);
  if (commit) newPin.commit = commit;
  // The old mirrors hold the old bytes and would only fail the hash check. A local --from becomes the new mirror
  // when it sits in or beside the repo (like ../shared/specs), where every checkout finds it at the same place.
  const mirror = isUrl(from) ? undefined : path.relative(repoRoot, fromRef);
  if (mirror && !mirror.startsWith(`..${path.sep}..`)) newPin.mirrors = [mirror.split(path.sep).join('/')];
  if (!isUrl(newPin.source)) {
    log(`warning: the pin's source is a local file (${newPin.source}); pass --source <url> so others can download it`);
  }

  // Compare with what is committed; without a generated catalog, with what the pin builds to.
  let before = readGeneratedCatalog();
  if (!before && oldPin) {
    before = await catalogFromSpec(undefined).then(
      (c) => c.catalog,
      () => undefined,
    );
  }
  before ??= emptyCatalog();
  const report = buildReport(
    before,
    loaded.catalog,
    { ref: 'generated/catalog.json', kind: 'catalog' },
    { ref: from, kind: 'spec' },
  );
  const emit = () => {
    const md = renderMarkdown(report);
    process.stdout.write(md);
    if (values.out) writeFileSync(values.out, md);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  };

  if (oldPin?.sha256 === newPin.sha256 && before.spec.sha256 === newPin.sha256) {
    log(`already pinned to ${newPin.sha256.slice(0, 12)} (${newPin.infoVersion}); nothing to do.`);
    emit();
    return 0;
  }
  if (values['dry-run']) {
    emit();
    log('dry run: nothing was changed.');
    return 0;
  }

  // 2. Regenerate from the exact bytes we validated, with a backup so a generator failure changes nothing.
  const work = mkdtempSync(path.join(tmpdir(), 'spec-update-'));
  try {
    const specFile = path.join(work, 'openapi.yaml');
    writeFileSync(specFile, loaded.text);
    const backup = path.join(work, 'generated');
    if (existsSync(GENERATED)) cpSync(GENERATED, backup, { recursive: true });
    const env = { ...process.env };
    delete env.OPENAI_SPEC;
    const gen = spawnSync('npm', ['run', '--silent', 'generate', '--', '--spec', specFile, '--force'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (gen.status !== 0) {
      if (existsSync(backup)) {
        rmSync(GENERATED, { recursive: true, force: true });
        cpSync(backup, GENERATED, { recursive: true });
      }
      throw new UpdateError(
        `the generator failed (exit ${gen.status ?? gen.signal}); generated/ restored, pin unchanged.`,
      );
    }
    // 3. The pin last: a single rename, so it names either the old spec or the new one, never half of each.
    writeFileAtomic(PIN_FILE, `${JSON.stringify(newPin, null, 2)}\n`);
  } catch (err) {
    log((err as Error).message);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  log(
    `pinned ${oldPin?.infoVersion ?? '(none)'} (${oldPin?.sha256.slice(0, 12) ?? '-'}) → ${newPin.infoVersion} (${newPin.sha256.slice(0, 12)})`,
  );
  emit();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
