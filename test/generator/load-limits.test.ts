// Untrusted specs (spec:update and drift download them): alias bombs and absurd nesting are refused quickly with a
// message that names the limit, and the real specs stay well inside the limits.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_SPEC_DEPTH, parseSpecText, SpecError } from '../../generator/load/load.js';
import { itWithSpecs, SPECS } from '../helpers/specs.js';

describe('spec input limits', () => {
  it('a ~500-byte YAML alias bomb is refused in well under a second', () => {
    const lines = ['openapi: 3.1.0', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let i = 1; i < names.length; i++)
      lines.push(
        `${names[i]}: &${names[i]} [${Array(9)
          .fill(`*${names[i - 1]}`)
          .join(',')}]`,
      );
    const bomb = `${lines.join('\n')}\n`;
    expect(bomb.length).toBeLessThan(600);
    const t = performance.now();
    expect(() => parseSpecText(bomb, 'bomb.yaml')).toThrow(/bomb.yaml: YAML aliases expand too much.*at most 100/);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('a schema nested 5,000 deep (valid JSON) names the depth limit instead of a stack overflow', () => {
    const depth = 5000;
    const deep = `{"openapi":"3.1.0","components":{"schemas":{"Deep":${'{"items":'.repeat(depth)}{}${'}'.repeat(depth)}}}}`;
    let caught: unknown;
    try {
      parseSpecText(deep, 'deep.json');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect((caught as Error).message).toContain(`${MAX_SPEC_DEPTH} levels`);
    expect((caught as Error).message).not.toContain('invalid YAML/JSON');
  });

  it('nesting past the limit but within what the parser handles is reported with its location', () => {
    const depth = MAX_SPEC_DEPTH + 10;
    const text = `openapi: 3.1.0\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    expect(() => parseSpecText(text, 'nest.yaml')).toThrow(/nest.yaml: #\/x\/0\/0.*nests deeper than 500 levels/);
  });

  itWithSpecs('current', 'v30')('the real specs load within the limits', () => {
    for (const file of [SPECS.current, SPECS.v30]) {
      expect(() => parseSpecText(readFileSync(file, 'utf8'), file)).not.toThrow();
    }
  });
});
