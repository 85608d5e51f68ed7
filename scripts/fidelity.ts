// `npm run fidelity [-- --calls] [--json]`: the catalog against the installed official openai package.
// Prints the operations both have whose path or method differs (exit 1), argument names only one side has, and the
// operations only one side has. With --calls, also sends each paired operation's logical call (its required
// arguments) both ways to a capture server on loopback and reports identical, different or skipped requests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../generator/pin.js';
import type { Catalog } from '../runtime/types.js';
import { compareCalls, pairOperations } from './fidelity/compare.js';
import { sdkVersion } from './fidelity/sdk.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { calls: { type: 'boolean' }, json: { type: 'boolean' } } });
  const catalog = JSON.parse(readFileSync(path.join(repoRoot, 'generated', 'catalog.json'), 'utf8')) as Catalog;
  const pairing = pairOperations(catalog);
  const calls = values.calls ? await compareCalls(pairing.pairs) : undefined;
  if (values.json) {
    const { pairs, ...rest } = pairing;
    process.stdout.write(`${JSON.stringify({ sdk: sdkVersion(), paired: pairs.length, ...rest, calls }, null, 2)}\n`);
  } else {
    const lines = [`openai ${sdkVersion()}: ${pairing.pairs.length} operations paired`];
    lines.push(`\n${pairing.mismatches.length} path or method mismatches (failing):`);
    for (const m of pairing.mismatches) lines.push(`  ${m.tool}: ours ${m.ours}, ${m.sdkMethod} ${m.sdk}`);
    lines.push(`\n${pairing.argDiffs.length} operations whose argument names differ:`);
    for (const d of pairing.argDiffs)
      lines.push(
        `  ${d.tool} / ${d.sdkMethod}: only ours [${d.onlyOurs.join(', ')}], only the SDK [${d.onlySdk.join(', ')}]`,
      );
    lines.push(`\n${pairing.onlyCatalog.length} only in the catalog:`, ...pairing.onlyCatalog.map((x) => `  ${x}`));
    lines.push(`\n${pairing.onlySdk.length} only in the SDK:`, ...pairing.onlySdk.map((x) => `  ${x}`));
    if (calls) {
      const count = (o: string) => calls.filter((c) => c.outcome === o).length;
      lines.push(
        `\nlogical calls: ${count('identical')} identical, ${count('explained')} explained, ${count('different')} different, ${count('skipped')} skipped`,
      );
      for (const c of calls.filter((c) => c.outcome !== 'identical'))
        lines.push(
          `  ${c.outcome} ${c.tool} / ${c.sdkMethod}: ${c.reason ? `${c.reason}\n      ` : ''}ours ${JSON.stringify(c.ours)}\n      sdk  ${JSON.stringify(c.sdk)}`,
        );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return pairing.mismatches.length ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
