// Kept so existing imports (generator stages, scripts, tests) resolve while they move: the catalog types are
// defined in contract/catalog.ts.
export * from './contract/catalog.js';
