// The Node versions this package runs on, as data: package.json's `engines` is this list rendered (a test checks
// it), the bin refuses anything else at start-up, and `doctor` reports it. The floor is where `require(esm)` and
// JSON import attributes work without a flag: CommonJS consumers load the ESM package through the first.

/** Each entry: from `min` up to (not including) the next major, or onwards when `onwards`. */
export const NODE_FLOORS: readonly { min: readonly [number, number, number]; onwards?: boolean }[] = [
  { min: [20, 19, 0] },
  { min: [22, 12, 0], onwards: true },
];

/** The floors as an npm `engines.node` range: `^20.19.0 || >=22.12.0`. */
export const NODE_ENGINES = NODE_FLOORS.map((f) => `${f.onwards ? '>=' : '^'}${f.min.join('.')}`).join(' || ');

/** True when `version` (`20.20.2` or `v20.20.2`) is at least `min`, part by part. */
export function atLeast(version: string, min: readonly number[]): boolean {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    const a = parts[i] ?? 0;
    const b = min[i]!;
    if (a !== b) return a > b;
  }
  return true;
}

export function nodeSupported(version: string = process.versions.node): boolean {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  return NODE_FLOORS.some((f) => atLeast(version, f.min) && (f.onwards || major === f.min[0]));
}

/** What to tell someone on an older Node: the range, and two ways forward. */
export function nodeFloorMessage(version: string = process.versions.node): string {
  return (
    `openai-mcp-kit needs Node ${NODE_ENGINES}; this is v${version.replace(/^v/, '')}. ` +
    'Install a newer Node (https://nodejs.org), or run this package on one without installing it: ' +
    '`npx -y -p node@22 -p openai-mcp-kit openai-mcp-kit …` (from a tarball: `-p ./openai-mcp-kit-<version>.tgz`).'
  );
}
