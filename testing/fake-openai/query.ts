// Reading query parameters the way OpenAI's API does: arrays as repeated `key[]` (or bare `key`), integers
// and booleans checked, with OpenAI-shaped 400s naming the parameter.

import { FakeHttpError } from './router.js';

export function queryArray(q: URLSearchParams, name: string): string[] | undefined {
  const values = [...q.getAll(`${name}[]`), ...q.getAll(name)];
  return values.length ? values : undefined;
}

export function queryInt(
  q: URLSearchParams,
  name: string,
  opts: { min?: number; max?: number } = {},
): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new FakeHttpError(
      400,
      `Invalid value for '${name}': expected an integer, got '${raw}'.`,
      'invalid_request_error',
      name,
      'invalid_value',
    );
  }
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new FakeHttpError(
      400,
      `Invalid '${name}': must be between ${opts.min ?? '-inf'} and ${opts.max ?? 'inf'}, got ${n}.`,
      'invalid_request_error',
      name,
      'invalid_value',
    );
  }
  return n;
}

export function queryBool(q: URLSearchParams, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new FakeHttpError(
    400,
    `Invalid value for '${name}': expected a boolean, got '${raw}'.`,
    'invalid_request_error',
    name,
    'invalid_value',
  );
}

export function queryEnum<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  if (!allowed.includes(raw as T)) {
    throw new FakeHttpError(
      400,
      `Invalid value for '${name}': expected one of ${allowed.join(', ')}, got '${raw}'.`,
      'invalid_request_error',
      name,
      'invalid_value',
    );
  }
  return raw as T;
}
