#!/usr/bin/env node
// The `openai-mcp` bin's entry point (bundled into dist/bin/openai-mcp.mjs). It lives in cli/, not runtime/, so the
// library build (tsconfig.build.json: runtime/) emits the library only, not the app.
import './node-check.js'; // first: refuses a Node below the floor before anything else runs
import './small-heap.js'; // see small-heap.ts
import { main } from './main.js';

void main(process.argv.slice(2));
