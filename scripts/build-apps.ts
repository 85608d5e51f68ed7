// Builds the MCP Apps views (ui/apps/<view>/main.ts + ui/apps/style.css) into one self-contained HTML document
// each, written to runtime/apps/views.gen.ts so the runtime, the bin's bundle and package consumers all carry them
// without reading files at run time. Everything is inlined (no CDN, no fetch), and each document carries its own
// Content-Security-Policy with hashes of exactly its script and style, so even a host that applies no CSP of its
// own gives the view no network and no other code.
//
//   npm run build:apps            rebuild runtime/apps/views.gen.ts
//   npm run build:apps -- --check fail when the committed file is not what the sources build to

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, transform } from 'esbuild';
import { minify } from 'terser';
import { APP_VIEWS } from '../runtime/apps/views.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${root}runtime/apps/views.gen.ts`;

/** The SDK imports zod's whole namespace; the view gets the slice it uses (see ui/apps/zod-lite.js). */
export const zodLite: Plugin = {
  name: 'zod-lite',
  setup(b) {
    b.onResolve({ filter: /^zod(\/v4)?$/ }, () => ({ path: `${root}ui/apps/zod-lite.js` }));
    // zod's package exports hide its modules; the slice imports them by file.
    b.onResolve({ filter: /^zod\/v4\/(classic|core)\/[a-z-]+\.js$/ }, (a) => ({
      path: `${root}node_modules/${a.path}`,
    }));
    // Every zod type carries a JSON Schema converter. It serves an App that registers tools of its own for the host
    // to call; these views register none, and the converters are a tenth of the bundle. Each stays a named export
    // that says so when called, instead of the view failing somewhere else.
    // English messages for schema failures: the view only ever parses the host's messages, and a failure there is a
    // host bug the SDK reports as "Invalid input" all the same.
    b.onResolve({ filter: /\/locales\/en\.js$/ }, (a) =>
      a.importer.includes(`${root}node_modules/zod/`) ? { path: 'en', namespace: 'zod-no-locale' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-no-locale' }, () => ({
      contents: 'export default () => ({});',
      loader: 'js',
    }));
    b.onResolve({ filter: /\/core\/(json-schema-processors|to-json-schema)\.js$/ }, (a) =>
      a.importer.includes(`${root}node_modules/zod/`) ? { path: a.path, namespace: 'zod-no-json-schema' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-no-json-schema' }, (a) => {
      const file = `${root}node_modules/zod/v4/core/${a.path.split('/').pop()}`;
      const names = [...readFileSync(file, 'utf8').matchAll(/^export (?:const|function) ([\w$]+)/gm)].map((m) => m[1]);
      const none = `() => { throw new Error('JSON Schema conversion is not part of the openai-mcp view bundle'); }`;
      // The `create…Method` factories run when a schema is built; the methods they return throw when called.
      const body = names.map((n) =>
        n!.startsWith('create') ? `export const ${n} = () => ${none};` : `export const ${n} = ${none};`,
      );
      return { contents: body.join('\n'), loader: 'js' };
    });
  },
};

/**
 * The View SDK takes one thing from `@modelcontextprotocol/client`: the `Protocol` base class of its `App`. The
 * package's entry also brings the `Client` class, OAuth and a JSON Schema validator (40 KB gzip the view never
 * runs), so `Protocol` is imported from the module that defines it, found through the entry's own re-export.
 */
export const protocolOnly: Plugin = {
  name: 'protocol-only',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/client$/ }, (a) =>
      a.importer.includes('/ext-apps/') ? { path: 'protocol', namespace: 'protocol-only' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'protocol-only' }, () => {
      const dist = `${root}node_modules/@modelcontextprotocol/client/dist/`;
      const entry = readFileSync(`${dist}index.mjs`, 'utf8');
      const found = /import \{[^}]*?\b([\w$]+) as Protocol\b[^}]*\} from "(\.\/[\w.-]+\.mjs)"/.exec(entry);
      if (!found) throw new Error('@modelcontextprotocol/client: no re-export of Protocol found in dist/index.mjs');
      return {
        contents: `export { ${found[1]} as Protocol } from ${JSON.stringify(dist + found[2]!.slice(2))};`,
        resolveDir: dist,
      };
    });
  },
};

/**
 * Zod schemas in the SDKs carry `.describe("…")` prose for JSON Schema output, which a view never produces (see
 * above); validation reads none of it. Dropped from the SDKs' own modules (only a call whose one argument is a plain
 * string literal), it is 3 KB gzip of the budget.
 */
export const noDescriptions: Plugin = {
  name: 'no-descriptions',
  setup(b) {
    b.onLoad({ filter: /node_modules\/@modelcontextprotocol\/(core|client|ext-apps)\/dist\/.*\.m?js$/ }, (a) => ({
      contents: readFileSync(a.path, 'utf8').replace(
        /\.describe\(\s*(?:"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.)*`)\s*\)/g,
        '',
      ),
      loader: 'js',
    }));
  },
};

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export async function buildView(name: string): Promise<string> {
  const result = await build({
    entryPoints: [`${root}ui/apps/${name}/main.ts`],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    plugins: [zodLite, protocolOnly, noDescriptions],
    // The SDK logs every message it sends and receives at debug level, and warns about deprecated calls these views
    // do not make; errors stay.
    pure: ['console.debug', 'console.info', 'console.warn'],
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  if (result.warnings.length) {
    throw new Error(`ui/apps/${name}: ${result.warnings.map((w) => w.text).join('; ')}`);
  }
  // A second pass with terser: its compressor inlines and folds across the whole bundle (top-level names included,
  // since the IIFE owns them), which esbuild's single-pass minifier does not; 4 KB gzip off the costs view. Only
  // safe transforms (no `unsafe*`, no `pure_getters`): the SDK's getters may have effects.
  const squeezed = await minify(result.outputFiles[0]?.text ?? '', {
    ecma: 2020,
    toplevel: true,
    compress: { passes: 2, ecma: 2020 },
    mangle: { toplevel: true },
    format: { comments: false, ecma: 2020 },
  });
  // `</script` inside the code would end the element early.
  const script = (squeezed.code ?? '').replace(/<\/(script)/gi, '<\\/$1');
  const css = await transform(readFileSync(`${root}ui/apps/style.css`, 'utf8'), { loader: 'css', minify: true });
  const style = css.code.trim();
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    'img-src data:',
    "connect-src 'none'",
    "font-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="viewport" content="width=device-width,initial-scale=1"><title>openai-mcp ${name}</title><style>${style}</style></head><body><main id="app"><p class="muted">Waiting for the tool result…</p></main><script>${script}</script></body></html>`;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const entries: string[] = [];
  for (const view of APP_VIEWS) entries.push(`  ${view.name}: ${JSON.stringify(await buildView(view.name))},`);
  const text = `// Built by scripts/build-apps.ts from ui/apps/ (npm run build:apps); do not edit.\n\nexport const VIEW_HTML = {\n${entries.join('\n')}\n} as const;\n`;
  if (check) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {}
    if (current !== text) {
      console.error('runtime/apps/views.gen.ts is out of date: run npm run build:apps');
      process.exit(1);
    }
    console.log('runtime/apps/views.gen.ts is current');
    return;
  }
  writeFileSync(OUT, text);
  console.log(`wrote runtime/apps/views.gen.ts (${APP_VIEWS.map((v) => v.name).join(', ')})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
