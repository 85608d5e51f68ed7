// The >128-tools warning: the function the CLI calls, and the built bin printing it (once, on stderr) at start-up.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { HOST_TOOL_LIMIT, toolCapWarning } from '../../runtime/index.js';
import { warnIfOverToolCap } from '../../runtime/tool-cap.js';

const CLI = fileURLToPath(new URL('../../dist/bin/openai-mcp.mjs', import.meta.url));

describe('toolCapWarning', () => {
  it('is silent up to the cap and one line naming every way down above it', () => {
    expect(HOST_TOOL_LIMIT).toBe(128);
    expect(toolCapWarning(128)).toBeUndefined();
    const w = toolCapWarning(129)!;
    expect(w).not.toContain('\n');
    for (const flag of ['--tags', '--methods', '--exposure discovery', '129', '128']) expect(w).toContain(flag);
    expect(toolCapWarning(41, 40)).toContain('41 tools');
  });

  it('writes through the given sink only when over the cap', () => {
    const lines: string[] = [];
    expect(warnIfOverToolCap(126, (l) => lines.push(l))).toBe(false);
    expect(warnIfOverToolCap(287, (l) => lines.push(l))).toBe(true);
    expect(lines).toEqual([toolCapWarning(287)]);
  });
});

async function startupStderr(args: string[]): Promise<{ stderr: string; tools: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', ...args],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'cap-test', version: '0' });
  await client.connect(transport);
  const { tools } = await client.listTools();
  await client.close();
  return { stderr, tools: tools.length };
}

describe('openai-mcp serve', () => {
  it('warns on stderr when the selection passes 128 tools, and not below', async () => {
    const all = await startupStderr([]);
    expect(all.tools).toBeGreaterThan(128);
    const warnings = all.stderr.split('\n').filter((l) => l.includes('warning:'));
    expect(warnings).toEqual([`openai-mcp: ${toolCapWarning(all.tools)}`]);

    const under = await startupStderr(['--methods', 'list,get']);
    expect(under.tools).toBeLessThanOrEqual(128);
    expect(under.stderr).not.toContain('warning:');

    // Discovery lists three meta-tools in front of all the tools: nothing to warn about.
    const discovery = await startupStderr(['--exposure', 'discovery']);
    expect(discovery.tools).toBe(3);
    expect(discovery.stderr).not.toContain('warning:');
  });
});
