#!/usr/bin/env node
// The `openai-mcp` bin's entry point (bundled into dist/bin); the commands live in ../cli.
import { main } from '../cli/main.js';

void main(process.argv.slice(2));
