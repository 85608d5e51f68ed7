// specs/overrides.yaml is checked, not cast: a misspelt or mistyped key fails with its file:line:column.
import { describe, expect, it } from 'vitest';
import { OverridesError } from '../../../generator/errors.js';
import { defaultOverridesFile, loadOverrides, parseOverrides } from '../../../generator/load/overrides.js';

describe('parseOverrides', () => {
  it.each([
    ['a misspelt top-level key', 'namespaces: [a]\nnamespace: [b]\n', 'o.yaml:2:1: Unrecognized key: "namespace"'],
    [
      'a misspelt key in one operation',
      'operations:\n  listThings:\n    method: list\n    acess: read\n',
      'o.yaml:4:5: Unrecognized key: "acess" at operations.listThings',
    ],
    [
      'a value of the wrong type',
      'operations:\n  listThings: { admin: "yes" }\n',
      'o.yaml:2:24: Invalid input: expected boolean, received string at operations.listThings.admin',
    ],
    [
      'a bad enum value',
      'operations:\n  x:\n    response: xml\n',
      'o.yaml:3:15: Invalid option: expected one of "json"|"binary"|"text"|"empty" at operations.x.response',
    ],
    [
      'a path prefix without its slash',
      'auth:\n  adminPaths: [organization/]\n',
      'o.yaml:2:16: a path prefix starts with "/" at auth.adminPaths.0',
    ],
    ['a list where a mapping belongs', 'exclude: [a, b]\n', 'o.yaml:1:10: expected a mapping at exclude'],
    [
      'a missing required field',
      'async:\n  - prefix: /jobs\n    noun: job\n',
      'o.yaml:2:5: Invalid input: expected array, received undefined at async.0.terminal',
    ],
    [
      'a name where a list belongs',
      'streamQueryParams: stream\n',
      'o.yaml:1:20: Invalid input: expected array, received string at streamQueryParams',
    ],
    ['a duplicate key', 'namespaces: [a]\nnamespaces: [b]\n', 'o.yaml:2:1: Map keys must be unique'],
  ])('%s', (_label, yaml, message) => {
    expect(() => parseOverrides(yaml, 'o.yaml')).toThrow(OverridesError);
    expect(() => parseOverrides(yaml, 'o.yaml')).toThrow(message);
  });

  it('keeps keys that are Object.prototype names', () => {
    const ov = parseOverrides(
      'operations:\n  __proto__: { name: a_tool }\n  constructor: { admin: true }\nexclude:\n  toString: why\n',
    );
    expect(ov.operations.get('__proto__')).toEqual({ name: 'a_tool' });
    expect(ov.operations.get('constructor')).toEqual({ admin: true });
    expect(ov.exclude.get('toString')).toBe('why');
    expect(ov.operations.get('hasOwnProperty')).toBeUndefined();
  });

  it('gives defaults for what a file leaves out', () => {
    const ov = parseOverrides('');
    expect(ov.auth).toEqual({ adminSchemes: [], adminPaths: [] });
    expect(ov.operations.size).toBe(0);
  });

  it('reads the project file', () => {
    const ov = loadOverrides(defaultOverridesFile);
    expect(ov.auth.adminPaths).toEqual(['/organization/']);
    expect(ov.operations.get('downloadFile')).toEqual({ response: 'binary' });
  });
});
