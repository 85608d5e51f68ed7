#!/usr/bin/env node
// The `openai-mcp` bin's entry point (bundled into dist/bin); the commands live in ../cli.
import './small-heap.js'; // first: see small-heap.ts
import { main } from '../cli/main.js';

void main(process.argv.slice(2));
