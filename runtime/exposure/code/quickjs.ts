// The QuickJS WebAssembly module. The .wasm is compiled once per process; every execution instantiates it
// afresh, so executions share no heap, a crashed or exhausted instance is simply dropped, and one
// execution's garbage never slows another.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';

// The package's CommonJS typings describe the module namespace; its ESM entry's default export is the variant.
const RELEASE: QuickJSSyncVariant = RELEASE_SYNC as unknown as QuickJSSyncVariant;

let compiled: Promise<WebAssembly.Module> | undefined;

function compileOnce(): Promise<WebAssembly.Module> {
  // Resolved from node_modules at run time rather than bundled, so the bin bundle stays JavaScript only.
  compiled ??= (async () => {
    const path = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
    return WebAssembly.compile(await readFile(path));
  })();
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}

const PAGE = 65_536;
/** Room for QuickJS itself (runtime, atoms, the C stack) on top of the JavaScript heap limit. */
const ENGINE_OVERHEAD_BYTES = 16 * 1024 * 1024;
const INITIAL_BYTES = 16 * 1024 * 1024;

/**
 * A new, independent QuickJS instance whose WebAssembly memory cannot grow past `heapLimitBytes` plus the
 * engine's own needs. QuickJS's heap limit does not count ArrayBuffer contents, so this cap is what stops
 * `new ArrayBuffer` loops.
 */
export async function newQuickJs(heapLimitBytes: number): Promise<QuickJSWASMModule> {
  const wasmModule = await compileOnce();
  const maximum = Math.ceil((heapLimitBytes + ENGINE_OVERHEAD_BYTES) / PAGE);
  const wasmMemory = new WebAssembly.Memory({ initial: Math.min(maximum, INITIAL_BYTES / PAGE), maximum });
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE, { wasmModule, wasmMemory }));
}
