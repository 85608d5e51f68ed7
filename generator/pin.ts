// The pin names the exact spec `generated/` was made from: what to download, and the hash it must have.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PinError } from './errors.js';

export interface Pin {
  /** Where to download the spec (a raw URL at a fixed commit). */
  source: string;
  sha256: string;
  openapi: string;
  infoVersion: string;
  /** Date of the upstream version (YYYY-MM-DD). */
  date: string;
  commit?: string;
  /** Local copies tried before downloading, relative to the repo root; each is checked against `sha256`. */
  mirrors?: string[];
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const defaultPinFile = path.join(repoRoot, 'specs', 'openai.pin.json');

export async function readPin(file: string = defaultPinFile): Promise<Pin> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    throw new PinError(`pin file not found: ${file}`, 'PIN_NOT_FOUND');
  }
  let pin: Partial<Pin>;
  try {
    pin = JSON.parse(raw) as Partial<Pin>;
  } catch (err) {
    throw new PinError(`${file}: not valid JSON: ${(err as Error).message}`, 'PIN_INVALID');
  }
  for (const key of ['source', 'sha256'] as const) {
    if (typeof pin[key] !== 'string' || !pin[key]) throw new PinError(`${file}: missing "${key}"`, 'PIN_INVALID');
  }
  if (!/^[0-9a-f]{64}$/.test(pin.sha256 ?? ''))
    throw new PinError(`${file}: "sha256" must be 64 lowercase hex digits`, 'PIN_INVALID');
  return pin as Pin;
}
