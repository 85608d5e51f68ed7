// Contracts that cross layers, each defined once: the catalog the generator writes and the runtime reads, the
// page and wait shapes tools resolve to, the error every failure carries, wait bounds, and the validation bundle's
// id and schema hash. Nothing here imports the rest of the project.
export type * from './catalog.js';
export * from './errors.js';
export * from './pages.js';
export * from './validation.js';
export * from './wait.js';
