// Which kind of OpenAI key a string is, by its published prefix: project and service-account keys (`sk-proj-…`,
// `sk-svcacct-…`, legacy `sk-…`) call the project endpoints; admin keys (`sk-admin-…`) call /organization/*. A key of
// the wrong kind is accepted by nothing at OpenAI, so it is refused where it is stored and warned about where it is
// only read. The key itself never appears in a message: only its kind.

export type KeyKind = 'project' | 'admin' | 'unknown';
export type KeySlot = 'api_key' | 'admin_key';

export const KEY_SLOTS: Record<KeySlot, { expected: KeyKind; what: string }> = {
  api_key: { expected: 'project', what: 'a project key (sk-proj-…)' },
  admin_key: { expected: 'admin', what: 'an admin key (sk-admin-…)' },
};

export function keyKind(key: string): KeyKind {
  const k = key.trim();
  if (/\s/.test(k)) return 'unknown';
  if (k.startsWith('sk-admin-')) return 'admin';
  if (/^sk-[A-Za-z0-9_-]+$/.test(k)) return 'project';
  return 'unknown';
}

export interface KeyProblem {
  slot: KeySlot;
  kind: KeyKind;
  /** What is wrong, naming the variable (or field) and the kind found. */
  message: string;
  /** The next step. */
  fix: string;
}

/** How the user names the two slots: environment variables (CLI, serve) or the REST fields. */
export const ENV_NAMES: Record<KeySlot, string> = { api_key: 'OPENAI_API_KEY', admin_key: 'OPENAI_ADMIN_KEY' };
export const FIELD_NAMES: Record<KeySlot, string> = { api_key: 'api_key', admin_key: 'admin_key' };

/** A problem with the key in `slot`, or undefined when it is of the right kind. */
export function keyProblem(
  slot: KeySlot,
  key: string,
  names: Record<KeySlot, string> = ENV_NAMES,
): KeyProblem | undefined {
  const kind = keyKind(key);
  const { expected, what } = KEY_SLOTS[slot];
  if (kind === expected) return undefined;
  const name = names[slot];
  const otherName = names[slot === 'api_key' ? 'admin_key' : 'api_key'];
  if (kind === 'unknown') {
    return {
      slot,
      kind,
      message: `${name} does not look like an OpenAI key (they start with sk-).`,
      fix: `Set it to ${what}, from https://platform.openai.com/${slot === 'admin_key' ? 'settings/organization/admin-keys' : 'api-keys'}.`,
    };
  }
  return {
    slot,
    kind,
    message: `${name} holds ${kind === 'admin' ? 'an admin key (sk-admin-…)' : 'a project key'}, but it must be ${what}.`,
    fix: `Give that key as ${otherName} instead${slot === 'api_key' ? ' (admin keys only call the /organization/* endpoints)' : ''}.`,
  };
}

/** Problems with the keys set in an environment (unset keys are not problems here). */
export function keyProblems(env: Record<string, string | undefined>): KeyProblem[] {
  const out: KeyProblem[] = [];
  for (const slot of Object.keys(KEY_SLOTS) as KeySlot[]) {
    const value = env[ENV_NAMES[slot]]?.trim();
    if (!value) continue;
    const p = keyProblem(slot, value);
    if (p) out.push(p);
  }
  return out;
}
