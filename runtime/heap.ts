// A stdio server's garbage is almost all short-lived (one JSON-RPC message, one HTTP exchange), yet V8 doubles its
// young generation every time enough survivors accumulate, up to 2 × 16 MiB that stay resident. Measured on 400
// sequential calls: 76–79 MB RSS with the default growth, ~66 MB without it, at the same call latency.

import v8 from 'node:v8';

let done = false;

/**
 * Stops the young generation from growing past its initial size. Process-wide and read by V8 each time it would
 * grow, so it works after start-up (unlike `--max-semi-space-size`, which is fixed once the heap exists).
 */
export function keepYoungGenerationSmall(): void {
  if (done) return;
  done = true;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
