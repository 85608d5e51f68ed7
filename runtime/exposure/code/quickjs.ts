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

export interface QuickJsInstance {
  module: QuickJSWASMModule;
  /** The instance's linear memory: how far the heap once reached can be read off it (see reachedOffset). */
  memory: WebAssembly.Memory;
}

/**
 * A new, independent QuickJS instance whose WebAssembly memory cannot grow past `heapLimitBytes` plus the
 * engine's own needs. QuickJS's heap limit does not count ArrayBuffer contents, so this cap is what stops
 * `new ArrayBuffer` loops. The memory starts at its maximum and never grows: growing it detaches the typed-array
 * views quickjs-emscripten keeps, which broke runs with tens of thousands of pending calls. Pages are only
 * reserved, not resident, until QuickJS touches them.
 */
export async function newQuickJs(heapLimitBytes: number): Promise<QuickJsInstance> {
  const wasmModule = await compileOnce();
  const pages = Math.ceil((heapLimitBytes + ENGINE_OVERHEAD_BYTES) / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE, { wasmModule, wasmMemory: memory }));
  return { module, memory };
}

/**
 * One instance made ahead of time, in the worker's idle time after a run: allocating a memory at its maximum and
 * instantiating costs milliseconds (tens on a loaded machine, with the garbage collection the allocation sets off),
 * which the next run then does not wait for. It is pristine: nothing has run in it.
 */
let spare: { heapLimitBytes: number; instance: Promise<QuickJsInstance> } | undefined;

/** Makes the spare instance for runs with this heap limit (a no-op when it exists). */
export function prepareQuickJs(heapLimitBytes: number): void {
  if (spare?.heapLimitBytes === heapLimitBytes) return;
  const instance = newQuickJs(heapLimitBytes);
  const made = { heapLimitBytes, instance };
  spare = made;
  instance.catch(() => {
    if (spare === made) spare = undefined;
  });
}

/** A fresh instance for one run: the spare when it was made for this heap limit, else a new one. */
export function takeQuickJs(heapLimitBytes: number): Promise<QuickJsInstance> {
  const ready = spare?.heapLimitBytes === heapLimitBytes ? spare.instance : undefined;
  spare = undefined;
  return ready ?? newQuickJs(heapLimitBytes);
}

/**
 * Whether the instance ever wrote at or above byte `offset`. Memory QuickJS never reached is still zero, and memory
 * it freed keeps its bytes, so this tells whether its heap once reached that far, after the fact.
 */
export function reachedOffset(memory: WebAssembly.Memory, offset: number): boolean {
  const words = new Uint32Array(memory.buffer, Math.min(memory.buffer.byteLength, Math.ceil(offset / 4) * 4));
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return true;
  return false;
}
