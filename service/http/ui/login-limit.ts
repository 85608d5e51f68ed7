// Failed dashboard logins, counted per client address in a fixed window. Memory is bounded: at most `maxKeys`
// addresses are tracked; past that the oldest entry is dropped (Map keeps insertion order), so a flood of addresses
// costs a fixed amount of memory and at worst forgets some counts.

export interface LoginLimitOptions {
  /** Failures allowed per key per window. */
  max?: number;
  windowMs?: number;
  maxKeys?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  resetAt: number;
}

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: LoginLimitOptions = {}) {
    this.max = options.max ?? 10;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until the key may try again, or 0 when it may try now. */
  blockedFor(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const now = this.now();
    if (now >= e.resetAt) {
      this.entries.delete(key);
      return 0;
    }
    return e.failures >= this.max ? Math.ceil((e.resetAt - now) / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.now();
    let e = this.entries.get(key);
    if (!e || now >= e.resetAt) {
      this.entries.delete(key);
      while (this.entries.size >= this.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
      e = { failures: 0, resetAt: now + this.windowMs };
      this.entries.set(key, e);
    }
    e.failures++;
  }

  get size(): number {
    return this.entries.size;
  }
}
