// Cancellation for the stateless Streamable HTTP endpoint. Each POST gets a fresh server, so a client's
// `notifications/cancelled` arrives on a server that never saw the request it names; this registry remembers the
// requests in flight per MCP server and closes the one a cancel names, which aborts its handler (a wait tool then
// stops polling). Best effort by design: ids are the client's JSON-RPC ids, unique per client, so two clients of one
// URL could name the same id; both are the same principal, and a replica only knows its own requests.

type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: { requestId?: unknown } };

const messages = (body: unknown): Message[] =>
  (Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : []) as Message[];
const isId = (id: unknown): id is string | number => typeof id === 'string' || typeof id === 'number';

export class InflightRequests {
  private readonly calls = new Map<string, () => void>();
  private readonly byScope = new Map<string, Set<() => void>>();

  private key(scope: string, id: string | number): string {
    return `${scope}\u0000${typeof id}:${id}`;
  }

  /** Remembers the requests in `body` until the returned function is called; `cancel` ends them. */
  track(scope: string, body: unknown, cancel: () => void): () => void {
    const keys = messages(body)
      .filter((m) => typeof m.method === 'string' && isId(m.id))
      .map((m) => this.key(scope, m.id as string | number));
    for (const k of keys) this.calls.set(k, cancel);
    const all = this.byScope.get(scope) ?? new Set();
    all.add(cancel);
    this.byScope.set(scope, all);
    return () => {
      for (const k of keys) if (this.calls.get(k) === cancel) this.calls.delete(k);
      all.delete(cancel);
      if (!all.size && this.byScope.get(scope) === all) this.byScope.delete(scope);
    };
  }

  /** Runs the cancel of every tracked request a `notifications/cancelled` in `body` names; returns how many. */
  cancelNamed(scope: string, body: unknown): number {
    let n = 0;
    for (const m of messages(body)) {
      if (m.method !== 'notifications/cancelled' || !isId(m.params?.requestId)) continue;
      const k = this.key(scope, m.params.requestId);
      const cancel = this.calls.get(k);
      if (!cancel) continue;
      this.calls.delete(k);
      cancel();
      n++;
    }
    return n;
  }

  /** The scopes with requests in flight (for a revocation check). */
  scopes(): string[] {
    return [...this.byScope.keys()];
  }

  /** Ends every request in flight of `scope` (its server deleted, its login revoked); returns how many. */
  cancelScope(scope: string): number {
    const all = [...(this.byScope.get(scope) ?? [])];
    for (const cancel of all) cancel();
    return all.length;
  }

  get size(): number {
    return this.calls.size;
  }
}
