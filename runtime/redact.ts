// Keys must never reach a model or a log: upstream errors sometimes echo the key
// ("Incorrect API key provided: sk-abc..."), and fetch errors can carry headers.

// OpenAI keys: sk-..., sk-proj-..., sk-admin-..., sk-svcacct-... Short runs stay so prose like "sk-learn" survives.
const KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{12,}/g;
const BEARER_PATTERN = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

/**
 * The spellings a secret can take in text we pass on: as-is, JSON-escaped (a key with `"`, `\\` or control
 * characters inside a JSON body), with `/` escaped as some serializers do, and percent-encoded (echoed URLs).
 */
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [secret, json, json.replace(/\//g, '\\/'), encodeURIComponent(secret)];
}

/**
 * Returns a function that replaces OpenAI-style keys and the given secrets in text. Every non-empty secret counts,
 * however short: a 6-character key is still a key. Redact before shortening text, never after (a cut key no
 * longer matches).
 */
export function makeRedactor(secrets: Array<string | undefined>): (text: string) => string {
  const exact = [
    ...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0).flatMap(spellings)),
  ].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const s of exact) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    return out.replace(KEY_PATTERN, 'sk-[REDACTED]').replace(BEARER_PATTERN, '$1[REDACTED]');
  };
}

const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/gu;
const CONTROL_OR_FORMAT_BUT_TAB_NEWLINE = /(?![\t\n])[\p{Cc}\p{Cf}]/gu;

/**
 * Control and format characters as visible `\uXXXX` escapes, so text a client chose cannot move a terminal's cursor,
 * forge a line or reverse a listing. `keepLineBreaks` leaves tab and newline alone (multi-line log messages).
 */
export function escapeControls(text: string, keepLineBreaks = false): string {
  return text.replace(
    keepLineBreaks ? CONTROL_OR_FORMAT_BUT_TAB_NEWLINE : CONTROL_OR_FORMAT,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

/** Cuts `text` to at most `max` characters without splitting a surrogate pair. Redact first: see makeRedactor. */
export function cutText(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${marker}`;
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** `o[k] = v` as an own property, also for `__proto__` (a key JSON.parse gives as data), which assignment would not. */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * Redacts every string inside a JSON-like value (keys included), returning a copy only where something changed. Runs
 * on every tool result (twice: the body, then the finished result), so nothing is allocated for the common case of a
 * value with nothing to redact: a container is copied only from its first changed entry on.
 */
export function redactDeep<T>(value: T, redact: (s: string) => string, skipKeys: ReadonlySet<string> = NO_KEYS): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const r = redactDeep(v, redact, skipKeys);
      if (out) out.push(r);
      else if (r !== v) {
        out = value.slice(0, i);
        out.push(r);
      }
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(value);
    const obj = value as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = obj[k];
      const rk = redact(k);
      const rv = skipKeys.has(k) ? v : redactDeep(v, redact, skipKeys);
      if (!out && (rk !== k || rv !== v)) {
        out = {};
        for (let j = 0; j < i; j++) setOwn(out, keys[j]!, obj[keys[j]!]);
      }
      if (out) setOwn(out, rk, rv);
    }
    return (out ?? value) as T;
  }
  return value;
}
