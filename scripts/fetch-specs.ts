// `npm run fetch-specs [-- --from <url template>]`: makes the pinned spec and the two older reference versions
// available to `npm run generate`, `npm test` and `npm run drift` on a machine with nothing beside the checkout.
// Each is taken from ../shared/specs or the cache when a copy with the right sha256 is there, else downloaded into
// the cache ($OPENAI_MCP_CACHE, default ~/.cache/openai-mcp-kit) and checked against its sha256 before it is kept.
// `--from` names another place to download from (a mirror of the upstream repository): `{commit}`, `{date}` and
// `{sha256}` are filled in per spec, e.g. `--from https://mirror.example/openai-openapi/{commit}/openapi.yaml`.
import { parseArgs } from 'node:util';
import { cacheDir, fetchReferenceSpecs, referenceSpecs } from '../generator/reference-specs.js';

const { values } = parseArgs({
  options: { from: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help) {
  process.stdout.write('usage: npm run fetch-specs [-- --from <url template with {commit}>]\n');
  process.exit(0);
}
const template = values.from;
const results = await fetchReferenceSpecs({
  specs: referenceSpecs(),
  sourceOf: template
    ? (s) =>
        template
          .replaceAll('{commit}', /\/([0-9a-f]{40})\//.exec(s.source)?.[1] ?? '')
          .replaceAll('{date}', s.date)
          .replaceAll('{sha256}', s.sha256)
    : undefined,
});
for (const r of results) {
  const label = `${r.spec.date} (${r.spec.name}${r.spec.pinned ? ', pinned' : ''})`;
  if (r.status === 'failed') process.stdout.write(`FAILED      ${label}: ${r.error}\n`);
  else process.stdout.write(`${r.status.padEnd(11)} ${label}: ${r.path}\n`);
}
const failed = results.filter((r) => r.status === 'failed');
if (failed.length) {
  process.stderr.write(
    `fetch-specs: ${failed.length} of ${results.length} not available. This needs the network to reach GitHub ` +
      '(or --from <mirror>); elsewhere, copy the files into ../shared/specs/ or into the cache ' +
      `(${cacheDir()}/<sha256>.yaml). The tests that need a missing spec are skipped, and say so.\n`,
  );
  process.exitCode = 1;
} else {
  process.stdout.write(`all ${results.length} specs ready (cache: ${cacheDir()})\n`);
}
