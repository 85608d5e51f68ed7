// Imported first by the bin, for its side effect: the young-generation limit (see heap.ts) must be set before the
// catalog is loaded, because loading it is what grows the young generation the first time. bin.ts imports everything
// else dynamically after it, so it runs before any other chunk is evaluated. Only for stdio serving
// (the bin's default); `serve --http` keeps V8's defaults, tuned for many concurrent sessions.

import { keepYoungGenerationSmall } from '../runtime/heap.js';

if (!process.argv.includes('--http')) keepYoungGenerationSmall();
