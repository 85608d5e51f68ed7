// Keys must never reach a model or a log: upstream errors sometimes echo the key
// ("Incorrect API key provided: sk-abc..."), and fetch errors can carry headers.

// OpenAI keys: sk-..., sk-proj-..., sk-admin-..., sk-svcacct-... Short runs stay so prose like "sk-learn" survives.
const KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{12,}/g;
const BEARER_PATTERN = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

/** Returns a function that replaces OpenAI-style keys and the given secrets in text. */
export function makeRedactor(secrets: Array<string | undefined>): (text: string) => string {
  const exact = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8))]
    .sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const s of exact) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    return out.replace(KEY_PATTERN, 'sk-[REDACTED]').replace(BEARER_PATTERN, '$1[REDACTED]');
  };
}

/** Redacts every string inside a JSON-like value (keys included), returning a copy only where something changed. */
export function redactDeep<T>(value: T, redact: (s: string) => string, skipKeys: ReadonlySet<string> = new Set()): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redactDeep(v, redact, skipKeys);
      if (r !== v) changed = true;
      return r;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const rk = redact(k);
      const rv = skipKeys.has(k) ? v : redactDeep(v, redact, skipKeys);
      if (rk !== k || rv !== v) changed = true;
      out[rk] = rv;
    }
    return (changed ? out : value) as T;
  }
  return value;
}
