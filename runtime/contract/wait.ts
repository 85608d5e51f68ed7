// Bounds and pacing of `wait_for_…` tools. The generator writes the bounds into each wait tool's schema; the
// runtime reads them back from there and falls back to these defaults for hand-made catalogs.

/** `timeout_seconds`: how long one call waits before answering "still running, call again". */
export const WAIT_TIMEOUT = { default: 50, minimum: 1, maximum: 600 } as const;
/** `poll_interval_seconds`: the first delay between polls. */
export const WAIT_INTERVAL = { default: 2, minimum: 1, maximum: 60 } as const;
/** Each wait is this much longer than the last, up to BACKOFF_CAP times the first (and never over a minute). */
export const BACKOFF_FACTOR = 1.5;
export const BACKOFF_CAP = 5;
