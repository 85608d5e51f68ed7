// The exposure registry is what every mode-dependent decision asks: names, CLI choices and help, the audit log's
// delegates, the tool-cap warning. Each registered mode must work through it alone.

import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.js';
import {
  EXPOSURE_MODES,
  EXPOSURES,
  exposeToolkit,
  exposureMode,
  exposureSummaries,
} from '../../runtime/exposure/index.js';
import { auditExposure } from '../../service/audit.js';
import { fixtureKit } from '../runtime/helpers.js';

const kit = () => fixtureKit('http://127.0.0.1:9');

describe('exposure registry', () => {
  it('names each mode once and serves every one through exposeToolkit', () => {
    expect(new Set(EXPOSURES).size).toBe(EXPOSURE_MODES.length);
    for (const mode of EXPOSURE_MODES) {
      const tools = exposeToolkit(kit(), mode.name).listTools();
      expect(tools.length, mode.name).toBeGreaterThan(0);
      // A mode's delegates are tools it lists; a direct mode lists the toolkit itself.
      for (const d of mode.delegates) expect(tools.map((t) => t.name)).toContain(d);
      if (mode.direct)
        expect(tools.map((t) => t.name)).toEqual(
          kit()
            .listTools()
            .map((t) => t.name),
        );
    }
  });

  it("validates a mode's own options with its schema and ignores the others'", () => {
    expect(() => exposeToolkit(kit(), 'code', { code: { limits: { maxCalls: 3 } } })).not.toThrow();
    expect(() => exposeToolkit(kit(), 'all', { code: { limits: { maxCalls: 3 } } })).not.toThrow();
    expect(() => exposeToolkit(kit(), 'code', { code: { limits: { maxCals: 3 } } as never })).toThrow(
      /exposure code: limits/,
    );
    expect(() => exposureMode('nope' as never)).toThrow(/unknown exposure "nope"/);
  });

  it('the CLI offers every registered mode, described by its summary', () => {
    const serve = buildProgram().commands.find((c) => c.name() === 'serve')!;
    const option = serve.options.find((o) => o.long === '--exposure')!;
    expect(option.argChoices).toEqual(EXPOSURES);
    expect(option.description).toBe(exposureSummaries());
    for (const m of EXPOSURE_MODES) expect(exposureSummaries()).toContain(m.summary);
  });

  it("the audit log records a mode's meta-tools but not its delegates", async () => {
    const rows: string[] = [];
    const mode = exposureMode('discovery');
    const audited = auditExposure(exposeToolkit(kit(), mode.name), mode, 'srv_1', (row) => {
      rows.push(row.tool);
    });
    await audited.callTool('search_tools', { query: 'files' });
    await audited.callTool('call_tool', { name: 'models_list', arguments: {} });
    expect(rows).toEqual(['search_tools']);
  });
});
