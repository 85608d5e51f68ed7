// What the README says about the tool must hold: the Node floor it states is package.json's and the bin's, every
// flag a README command shows exists in that command's --help, and the drift example runs in the direction the Tests
// section describes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../generator/pin.js';
import { referenceSpecs } from '../../generator/reference-specs.js';
import { NODE_ENGINES, NODE_FLOORS, nodeSupported } from '../../runtime/node-floor.js';
import { BIN } from '../service/helpers.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };

describe('the Node floor', () => {
  it('is one range: package.json engines, the bin, and what the README states', () => {
    expect(pkg.engines.node).toBe(NODE_ENGINES);
    const stated = NODE_FLOORS.map((f) => `\`${f.onwards ? '>=' : '^'}${f.min[0]}.${f.min[1]}\``).join(' or ');
    expect(readme).toContain(`Node ${stated}`);
    expect(readme).toContain('The bin refuses older versions at start-up');
  });

  it.each([
    ['18.20.8', false],
    ['20.18.3', false],
    ['20.19.0', true],
    ['21.7.0', false],
    ['22.11.0', false],
    ['22.12.0', true],
    ['24.1.0', true],
  ])('%s supported: %s', (version, ok) => expect(nodeSupported(version)).toBe(ok));

  it('the bin on Node 18 stops at once, naming the range and a way forward', (ctx) => {
    // Node 18 from the npm registry (the `node` package); skipped, saying why, where the registry is out of reach.
    const r = spawnSync('npx', ['-y', '-p', 'node@18', 'node', BIN, 'list-tools'], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    if (!/v18\.|needs Node/.test(r.stderr + r.stdout))
      ctx.skip(`Node 18 could not be fetched with npx -p node@18: ${(r.stderr || String(r.error)).slice(-300)}`);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^openai-mcp: openai-mcp-kit needs Node \^20\.19\.0 \|\| >=22\.12\.0; this is v18\./);
    expect(r.stderr).toContain('npx -y -p node@22 -p openai-mcp-kit');
  }, 300_000);
});

const COMMANDS: Record<string, string[] | null> = {
  serve: null,
  'list-tools': null,
  doctor: null,
  backup: null,
  restore: null,
  'audit-log': null,
  accounts: ['add', 'list', 'get', 'update', 'remove'],
  servers: ['create', 'list', 'get', 'update', 'delete', 'logs', 'rotate-url'],
  'management-tokens': ['create', 'list', 'revoke'],
  'client-tokens': ['create', 'list', 'revoke'],
  secrets: ['rotate'],
  'api-tokens': ['create', 'list', 'revoke'],
};

/** `openai-mcp …` command lines the README shows, in code blocks and in inline code, continuation lines joined. */
function readmeCommands(): string[] {
  const text = readme.replace(/\\\n\s*/g, ' ');
  const out = new Set<string>();
  for (const m of text.matchAll(/(?:^|[`\s(])(?:openai-mcp|node dist\/bin\/openai-mcp\.mjs) ([^`\n#|]+)/gm)) {
    out.add(m[1]!.trim());
  }
  // Inline code that starts with a command and shows a flag: the commands table, `servers create|update … --x`.
  for (const m of text.matchAll(/`([a-z][a-z-]*(?: [a-z|-]+)? [^`]*--[^`]*)`/g)) {
    const first = m[1]!.split(' ')[0]!;
    if (first in COMMANDS) out.add(m[1]!.trim());
  }
  return [...out];
}

const helpCache = new Map<string, string>();
function help(pathWords: string[]): string {
  const key = pathWords.join(' ');
  let h = helpCache.get(key);
  if (h === undefined) {
    const r = spawnSync(process.execPath, [BIN, ...pathWords, '--help'], { encoding: 'utf8' });
    h = r.stdout;
    helpCache.set(key, h);
  }
  return h;
}

describe('the flags README commands show', () => {
  const commands = readmeCommands();

  it('finds the commands (a sanity floor, so a parsing slip cannot pass by finding none)', () => {
    expect(commands.length).toBeGreaterThan(15);
  });

  it('exist in that command\u2019s --help', () => {
    const problems: string[] = [];
    for (const line of commands) {
      const words = line.split(/\s+/);
      // A leading flag means the default command, serve.
      const first = words[0]!.startsWith('-') ? 'serve' : words[0]!;
      if (!(first in COMMANDS)) {
        if (!/^(…|<|\[)/.test(first)) problems.push(`unknown command in "${line}"`);
        continue;
      }
      const sub = COMMANDS[first];
      const pathWords = sub ? [first, words[1]!] : [first];
      if (sub && !sub.includes(words[1]!)) {
        // "servers create|update": each one named.
        const alternatives = (words[1] ?? '').split('|');
        if (!alternatives.every((a) => sub.includes(a))) problems.push(`unknown subcommand in "${line}"`);
        for (const a of alternatives) checkFlags([first, a], words, line, problems);
        continue;
      }
      checkFlags(pathWords, words, line, problems);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('the Filtering table: each flag is a flag of serve and of list-tools', () => {
    const section = readme.slice(readme.indexOf('### Filtering'), readme.indexOf('| variable '));
    const flags = [...section.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]!);
    expect(flags.length).toBeGreaterThan(5);
    for (const cmd of ['serve', 'list-tools'])
      for (const f of flags) expect(help([cmd]), `${cmd} ${f}`).toMatch(new RegExp(`(^|[\\s,])${f}\\b`, 'm'));
  });
});

function checkFlags(pathWords: string[], words: string[], line: string, problems: string[]) {
  const h = help(pathWords);
  if (!h) return void problems.push(`${pathWords.join(' ')} --help printed nothing`);
  for (const w of words) {
    const flag = /^\[?(--[a-z][a-z-]*)/.exec(w)?.[1];
    if (!flag || flag === '--help' || flag === '--version') continue;
    if (!new RegExp(`(^|[\\s,])${flag}\\b`, 'm').test(h))
      problems.push(`${pathWords.join(' ')}: ${flag} (in "${line}")`);
  }
}

describe('the drift example', () => {
  it('runs from the older version to the pinned one, as the Tests section describes the pair', () => {
    const m = /npm run drift -- --from (\S+) --to (\S+)/.exec(readme);
    expect(m).not.toBeNull();
    const specs = referenceSpecs();
    const dateOf = (ref: string) => (ref === 'pin' ? specs.find((s) => s.pinned)!.date : ref);
    const [from, to] = [dateOf(m![1]!), dateOf(m![2]!)];
    expect(from < to, `${from} → ${to}`).toBe(true);
    expect(readme).toContain(`drift over the real ${from} → ${to} pair`);
  });
});
