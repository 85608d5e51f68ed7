// Legacy SSE sessions hold a connection (a file descriptor) for as long as the client likes. They are capped per
// server and over the process, and each ends after an idle time without client messages and after a maximum
// lifetime, so held streams cannot exhaust descriptors and starve other tenants. Refusals are logged by server id.

import { LimitError } from './limits.js';

export const DEFAULT_SSE_PER_SERVER = 8;
export const DEFAULT_SSE_TOTAL = 200;
export const DEFAULT_SSE_IDLE_MS = 30 * 60_000;
export const DEFAULT_SSE_LIFETIME_MS = 24 * 3_600_000;

export interface SseSlot {
  /** A client message arrived: the idle clock starts over. */
  touch(): void;
  /** The session ended (either side): frees its place and its timers. */
  release(): void;
}

export interface SseLimitOptions {
  perServer: number;
  total: number;
  idleMs: number;
  lifetimeMs: number;
  log: (line: string) => void;
}

export class SseLimits {
  private readonly perServer = new Map<string, number>();
  private total = 0;

  constructor(private readonly options: SseLimitOptions) {}

  /**
   * Takes a place for a new session of `serverId`, or throws a 429 (and logs the refusal). `end` is called when the
   * session has been idle or alive too long; it must close the session, which then calls `release`.
   */
  open(serverId: string, end: (why: string) => void): SseSlot {
    const mine = this.perServer.get(serverId) ?? 0;
    if (mine >= this.options.perServer || this.total >= this.options.total) {
      const which =
        mine >= this.options.perServer
          ? `${mine} open for this server (limit ${this.options.perServer})`
          : `${this.total} open in all (limit ${this.options.total})`;
      this.options.log(`SSE session refused for ${serverId}: ${which}`);
      throw new LimitError(
        'too_many_requests',
        `Too many SSE sessions: ${which}. Close one, or use Streamable HTTP (/mcp/…)`,
        -32000,
        { 'Retry-After': '30' },
      );
    }
    this.perServer.set(serverId, mine + 1);
    this.total++;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        this.options.log(`SSE session of ${serverId} closed: idle for ${Math.round(this.options.idleMs / 1000)} s`);
        end('idle');
      }, this.options.idleMs);
      idle.unref();
    };
    armIdle();
    const lifetime = setTimeout(() => {
      this.options.log(
        `SSE session of ${serverId} closed: open for ${Math.round(this.options.lifetimeMs / 1000)} s, the maximum`,
      );
      end('lifetime');
    }, this.options.lifetimeMs);
    lifetime.unref();
    let released = false;
    return {
      touch: armIdle,
      release: () => {
        if (released) return;
        released = true;
        clearTimeout(idle);
        clearTimeout(lifetime);
        this.total--;
        const left = (this.perServer.get(serverId) ?? 1) - 1;
        if (left > 0) this.perServer.set(serverId, left);
        else this.perServer.delete(serverId);
      },
    };
  }

  get count(): number {
    return this.total;
  }
}
