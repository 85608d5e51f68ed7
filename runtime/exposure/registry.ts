// The registered exposure modes. A new mode is a file exporting a `defineExposure(...)` and one line here; the
// CLI's `--exposure` choices and help, the management API's `tool_exposure` values, the audit log and the
// tool-cap warning all read this list.

import { withApps } from '../apps/index.js';
import type { OpenAiToolkit } from '../toolkit.js';
import { allExposure } from './all.js';
import { codeExposure } from './code/index.js';
import { discoveryExposure } from './discovery.js';
import type { ExposedTools, ExposureMode } from './types.js';

export const EXPOSURE_MODES = [allExposure, discoveryExposure, codeExposure] as const;

type Mode = (typeof EXPOSURE_MODES)[number];
export type Exposure = Mode['name'];
export const EXPOSURES = EXPOSURE_MODES.map((m) => m.name) as [Exposure, ...Exposure[]];
/** The mode used when none is chosen. */
export const DEFAULT_EXPOSURE: Exposure = allExposure.name;

/** Each mode's options, under its name (`{code: {limits}}`); a mode reads only its own. */
export type ExposureOptions = {
  [M in Mode as M['name']]?: M extends ExposureMode<string, infer O> ? O : never;
} & {
  /** MCP Apps views for the tools whose results they draw (runtime/apps/); default on, `false` turns them off. */
  apps?: boolean;
};

export function exposureMode(name: Exposure): ExposureMode<Exposure> {
  const mode = EXPOSURE_MODES.find((m) => m.name === name);
  if (!mode) throw new RangeError(`unknown exposure ${JSON.stringify(name)}: expected one of ${EXPOSURES.join(', ')}`);
  return mode as ExposureMode<Exposure>;
}

/** "all tools, discovery meta-tools, or code mode": the modes for help text. */
export function exposureSummaries(): string {
  const parts = EXPOSURE_MODES.map((m) => m.summary);
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')}, or ${parts[parts.length - 1]}`;
}

/**
 * Shows `kit` in mode `exposure`, with that mode's part of `options`.
 * @throws RangeError when the mode is unknown or its options do not fit its schema.
 */
export function exposeToolkit(kit: OpenAiToolkit, exposure: Exposure, options: ExposureOptions = {}): ExposedTools {
  const mode = exposureMode(exposure);
  const own = (options as Record<string, unknown>)[mode.name];
  const parsed = mode.optionsSchema.safeParse(own);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`exposure ${mode.name}: ${issue?.path.join('.') || 'options'}: ${issue?.message}`);
  }
  // The caller's object, not zod's copy: options may carry values zod does not clone faithfully.
  const exposed = mode.create(kit, own);
  // Views draw the toolkit's own results, so only modes that list its tools declare them.
  return mode.direct && options.apps !== false ? withApps(exposed, kit.tools) : exposed;
}
