// Chooses how a toolkit is shown to clients. Wiring only: each mode lives in its own module.

import type { OpenAiToolkit } from '../toolkit.js';
import { type CodeExposureOptions, createCodeExposure } from './code/index.js';
import { createDiscoveryExposure } from './discovery.js';
import type { Exposure, ExposedTools } from './types.js';

export { EXPOSURES, type Exposure, type ExposedTools } from './types.js';

export interface ExposureOptions {
  /** Code mode's sandbox limits; ignored by the other modes. */
  code?: CodeExposureOptions;
}

export function exposeToolkit(kit: OpenAiToolkit, exposure: Exposure, options: ExposureOptions = {}): ExposedTools {
  switch (exposure) {
    case 'all':
      return kit;
    case 'discovery':
      return createDiscoveryExposure(kit);
    case 'code':
      return createCodeExposure(kit, options.code);
  }
}
