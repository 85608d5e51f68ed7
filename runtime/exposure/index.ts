// How a toolkit is shown to clients: the registry of modes (registry.ts); each mode lives in its own module.

export {
  DEFAULT_EXPOSURE,
  EXPOSURE_MODES,
  EXPOSURES,
  type Exposure,
  type ExposureOptions,
  exposeToolkit,
  exposureMode,
  exposureSummaries,
} from './registry.js';
export { defineExposure, type ExposedTools, type ExposureMode } from './types.js';
