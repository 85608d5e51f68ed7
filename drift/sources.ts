// Turns a `--from`/`--to` argument into a catalog. Accepted: `pin`, a reference version's date (`2026-05-13`, see
// specs/reference-specs.json), a spec path or URL, a `catalog.json` path, or a git ref (its committed `generated/catalog.json`; `ref:path` picks another file).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../runtime/types.js';
import type { SideInfo } from './report.js';

export { repoRoot } from '../generator/pin.js';
export const CATALOG_PATH = 'generated/catalog.json';

export interface ResolvedCatalog {
  catalog: Catalog;
  info: SideInfo;
}

export function isCatalog(v: unknown): v is Catalog {
  const c = v as Catalog;
  return !!c && typeof c === 'object' && Array.isArray(c.tools) && !!c.spec && typeof c.spec === 'object';
}

function parseCatalog(text: string, where: string): Catalog {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isCatalog(value)) throw new Error(`${where}: not a catalog (expected "spec" and "tools")`);
  return { ...value, excluded: value.excluded ?? [] };
}

function gitCatalog(ref: string, cwd: string): Catalog | undefined {
  const [rev, file] = ref.includes(':')
    ? [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)]
    : [ref, CATALOG_PATH];
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd, stdio: 'pipe' });
  } catch {
    return undefined;
  }
  let text: string;
  try {
    text = execFileSync('git', ['show', `${rev}:${file}`], {
      cwd,
      stdio: 'pipe',
      maxBuffer: 512 * 1024 * 1024,
    }).toString('utf8');
  } catch (err) {
    const msg = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`git ref ${rev}: cannot read ${file}: ${msg}`);
  }
  return parseCatalog(text, `${rev}:${file}`);
}

// The generator is imported lazily: comparing two catalogs (the CI case for git refs) must not depend on it.
export async function resolveCatalog(ref: string, cwd: string = process.cwd()): Promise<ResolvedCatalog> {
  if (ref === 'pin') {
    const { catalogFromSpec } = await import('./generator-api.js');
    return { catalog: (await catalogFromSpec(undefined)).catalog, info: { ref, kind: 'pin' } };
  }
  if (/^https?:\/\//i.test(ref)) {
    const { catalogFromSpec } = await import('./generator-api.js');
    return { catalog: (await catalogFromSpec(ref)).catalog, info: { ref, kind: 'spec' } };
  }
  const file = path.resolve(cwd, ref);
  if (existsSync(file) && statSync(file).isFile()) {
    // A catalog is JSON with `tools`; anything else (YAML, or JSON with `openapi`) is a spec.
    if (/\.json$/i.test(file)) {
      const text = readFileSync(file, 'utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (isCatalog(value)) return { catalog: parseCatalog(text, ref), info: { ref, kind: 'catalog' } };
    }
    const { catalogFromSpec } = await import('./generator-api.js');
    return { catalog: (await catalogFromSpec(file)).catalog, info: { ref, kind: 'spec' } };
  }
  // A reference version by its date (`2026-05-13`): the verified copy from ../shared/specs or the cache.
  if (/^\d{4}-\d{2}-\d{2}$/.test(ref)) {
    const { referenceSpecs, locate, missingSpecsAdvice } = await import('../generator/reference-specs.js');
    const spec = referenceSpecs().find((s) => s.date === ref);
    if (spec) {
      const found = locate(spec);
      if (!found) throw new Error(`spec ${missingSpecsAdvice([spec])}`);
      const { catalogFromSpec } = await import('./generator-api.js');
      return {
        catalog: (await catalogFromSpec(found.path)).catalog,
        info: { ref, kind: spec.pinned ? 'pin' : 'spec' },
      };
    }
  }
  const fromGit = gitCatalog(ref, cwd);
  if (fromGit) return { catalog: fromGit, info: { ref, kind: 'git' } };
  throw new Error(
    `cannot resolve "${ref}": not "pin", a reference version's date (${(await import('../generator/reference-specs.js'))
      .referenceSpecs()
      .map((s) => s.date)
      .join(', ')}), a URL, an existing file, or a git ref`,
  );
}
