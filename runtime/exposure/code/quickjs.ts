// The QuickJS WebAssembly module. The .wasm is compiled once per process; every execution instantiates it
// afresh, so executions share no heap, a crashed or exhausted instance is simply dropped, and one
// execution's garbage never slows another.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

// The package's CommonJS typings describe the module namespace; its ESM entry's default export is the variant.
const RELEASE: QuickJSSyncVariant = RELEASE_SYNC as unknown as QuickJSSyncVariant;

let compiled: Promise<WebAssembly.Module> | undefined;

function compileOnce(): Promise<WebAssembly.Module> {
  // Resolved from node_modules at run time rather than bundled, so the bin bundle stays JavaScript only.
  compiled ??= (async () => {
    const path = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
    return WebAssembly.compile(await readFile(path));
  })();
  compiled.catch(() => { compiled = undefined; });
  return compiled;
}

/** A new, independent QuickJS instance. */
export async function newQuickJs(): Promise<QuickJSWASMModule> {
  const wasmModule = await compileOnce();
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE, { wasmModule }));
}
