// The generated catalog, bundled at build time (tsc copies the JSON next to the compiled runtime).
// Only the public entry points import this module, so fixture-driven code paths never need the generated file.

import generated from '../generated/catalog.json' with { type: 'json' };
import type { Catalog } from './contract/catalog.js';

/** The catalog generated from the pinned OpenAI spec. */
export const defaultCatalog: Catalog = generated as unknown as Catalog;
