// Imported first by the bin, for its side effect: on a Node older than the floor, say so and stop before anything
// else runs (older versions start, then fail later in ways that do not name the cause).

import { nodeFloorMessage, nodeSupported } from '../runtime/node-floor.js';

if (!nodeSupported() && process.env.OPENAI_MCP_SKIP_NODE_CHECK !== '1') {
  process.stderr.write(`openai-mcp: ${nodeFloorMessage()}\n`);
  process.exit(1);
}
