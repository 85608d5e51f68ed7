#!/usr/bin/env node
// The `openai-mcp` bin's entry point (bundled into dist/bin/openai-mcp.mjs). It lives in cli/, not runtime/, so the
// library build (tsconfig.build.json: runtime/) emits the library only, not the app.
import './node-check.js'; // first: refuses a Node below the floor before anything else runs
import './small-heap.js'; // see small-heap.ts

// The rest behind a dynamic import, so it is evaluated after the two above. Static imports would not do: the bundle
// splits shared code into chunks, and esbuild orders an entry's chunk imports as it likes (the SDK and zod chunks
// came first, and their start-up allocations grew the young generation before small-heap.ts could stop it:
// 4 MB of new space instead of 2 after 400 calls).
const { main } = await import('./main.js');
void main(process.argv.slice(2));
