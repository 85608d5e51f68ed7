#!/usr/bin/env node
// The `openai-mcp` bin's entry point (bundled into dist/bin); the commands live in ../cli.
import './node-check.js'; // first: refuses a Node below the floor before anything else runs
import './small-heap.js'; // see small-heap.ts
import { main } from '../cli/main.js';

void main(process.argv.slice(2));
