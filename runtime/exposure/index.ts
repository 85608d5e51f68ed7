// Chooses how a toolkit is shown to clients. Wiring only: each mode lives in its own module.

import type { OpenAiToolkit } from '../toolkit.js';
import { createCodeExposure } from './code/index.js';
import { createDiscoveryExposure } from './discovery.js';
import type { Exposure, ExposedTools } from './types.js';

export { EXPOSURES, type Exposure, type ExposedTools } from './types.js';

export function exposeToolkit(kit: OpenAiToolkit, exposure: Exposure): ExposedTools {
  switch (exposure) {
    case 'all':
      return kit;
    case 'discovery':
      return createDiscoveryExposure(kit);
    case 'code':
      return createCodeExposure(kit);
  }
}
