// OpenAI keys at rest: AES-256-GCM envelopes. The data key comes from OPENAI_MCP_SECRET_KEY or from a key file
// created with mode 0600 beside the database, so a copied database file alone reveals no key.
//
// A key must not be lost or swapped by mistake: the database remembers the key's fingerprint (an HMAC of a fixed
// label under the key, which reveals nothing about it), and every process that opens the data dir (`serve` and every
// CLI command) refuses a key with another fingerprint, naming where that key came from. A key file is created only
// on a data dir that has never sealed anything; loose key files and blank variables are refused.

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { escapeControls } from '../runtime/redact.js';
import { ServiceError } from './errors.js';
import { KEY_FINGERPRINT_SETTING, type Store } from './store/store.js';

export const SECRET_KEY_FILE = 'secret.key';
export const SECRET_KEY_ENV = 'OPENAI_MCP_SECRET_KEY';
const VERSION = 'v1';
const MIN_PASSPHRASE = 32;

/** Encrypts and decrypts small secrets bound to a context (the account id), so envelopes can't be swapped. */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(envelope: string, context: string): string;
  /** Identifies the key without revealing it; stored in the database on first use. */
  readonly fingerprint: string;
  /** Where the key came from, for messages: `OPENAI_MCP_SECRET_KEY` or the key file's path. */
  readonly source: string;
}

function fingerprintOf(key: Buffer): string {
  return `hmac-sha256:${createHmac('sha256', key).update('openai-mcp secret key fingerprint v1').digest('hex').slice(0, 32)}`;
}

function boxFromKey(key: Buffer, source: string): SecretBox {
  const fingerprint = fingerprintOf(key);
  return {
    fingerprint,
    source,
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ct.toString('base64url'),
      ].join('.');
    },
    open(envelope, context) {
      const [version, iv, tag, ct] = envelope.split('.');
      if (version !== VERSION || !iv || !tag || ct === undefined)
        throw new ServiceError('internal', 'Unreadable secret envelope');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new ServiceError(
          'secret_key_mismatch',
          `Stored keys cannot be decrypted with the secret key from ${source} (fingerprint ${fingerprint}); if \`openai-mcp secrets rotate\` ran, restart with the new key`,
        );
      }
    },
  };
}

/** A box from a passphrase (any string of 32+ characters, hashed to 256 bits), as OPENAI_MCP_SECRET_KEY holds. */
export function boxFromPassphrase(passphrase: string, source: string): SecretBox {
  const value = passphrase.trim();
  if (!value) throw new ServiceError('missing_secret_key', `${source} is set but blank`);
  if (value.length < MIN_PASSPHRASE)
    throw new ServiceError(
      'missing_secret_key',
      `${source} must be at least ${MIN_PASSPHRASE} characters (e.g. \`openssl rand -hex 32\`)`,
    );
  return boxFromKey(createHash('sha256').update(value).digest(), source);
}

/** Writes a new random key file without ever replacing one: a temp file, then a hard link that fails if taken. */
function mintKeyFile(file: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
}

function boxFromFile(file: string): SecretBox {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077)
    throw new ServiceError(
      'missing_secret_key',
      `${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); a key file must be 0600: chmod 600 ${file}`,
    );
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ServiceError('missing_secret_key', `${file} does not hold a 32-byte base64 key`);
  return boxFromKey(key, file);
}

/**
 * The data key as `openSecretBox` finds it ($OPENAI_MCP_SECRET_KEY, else the data dir's `secret.key`), read only:
 * nothing is created or remembered. For checks that must not write (doctor, restore).
 */
export function readSecretBox(dataDir: string, env: Record<string, string | undefined> = process.env): SecretBox {
  if (env[SECRET_KEY_ENV] !== undefined) return boxFromPassphrase(env[SECRET_KEY_ENV]!, SECRET_KEY_ENV);
  const file = path.join(dataDir, SECRET_KEY_FILE);
  if (!existsSync(file))
    throw new ServiceError(
      'missing_secret_key',
      `No secret key: ${SECRET_KEY_ENV} is not set and ${file} does not exist`,
    );
  return boxFromFile(file);
}

/**
 * The data key, checked against the data dir: `OPENAI_MCP_SECRET_KEY` if set (blank is refused), else the data dir's
 * `secret.key` (mode 0600 or refused), created with 32 random bytes only while no secret is sealed. The key's
 * fingerprint is stored on first use; another key is refused, naming its source, before anything is written.
 */
export async function openSecretBox(
  dataDir: string,
  store: Store,
  env: Record<string, string | undefined> = process.env,
  options: {
    /**
     * The database is shared by several processes on several machines (Postgres; its description, without a
     * password): the key must come from $OPENAI_MCP_SECRET_KEY, the same on every replica. A key file in one
     * machine's data dir would leave the others unable to open what it sealed.
     */
    shared?: string;
  } = {},
): Promise<SecretBox> {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  const stored = await store.getSetting(KEY_FINGERPRINT_SETTING);
  let box: SecretBox;
  if (options.shared !== undefined && !env[SECRET_KEY_ENV]?.trim()) {
    const sealed = await store.countAccounts();
    throw new ServiceError(
      'missing_secret_key',
      `${SECRET_KEY_ENV} is required with a shared database (${options.shared}): every replica and CLI must use the ` +
        `same key, so no key file is created. ` +
        (sealed || stored
          ? `${sealed} account${sealed === 1 ? ' is' : 's are'} sealed with the key of fingerprint ${stored ?? 'unknown'}: set ${SECRET_KEY_ENV} to that key.`
          : `Set it to a new random value of 32+ characters (e.g. \`openssl rand -hex 32\`), the same everywhere.`),
    );
  }
  if (env[SECRET_KEY_ENV] !== undefined) {
    if (!env[SECRET_KEY_ENV]!.trim())
      throw new ServiceError(
        'missing_secret_key',
        `${SECRET_KEY_ENV} is set but blank: set it to this data dir's key, or unset it to use ${file}`,
      );
    box = boxFromPassphrase(env[SECRET_KEY_ENV]!, SECRET_KEY_ENV);
  } else {
    if (!existsSync(file)) {
      const sealed = await store.countAccounts();
      if (stored !== undefined || sealed > 0)
        throw new ServiceError(
          'missing_secret_key',
          `No secret key: ${SECRET_KEY_ENV} is not set and ${file} does not exist, but this data dir's ` +
            `${sealed} account${sealed === 1 ? ' is' : 's are'} sealed with a key${stored ? ` (fingerprint ${stored})` : ''}. ` +
            `Set ${SECRET_KEY_ENV} to that key or restore ${file}; a new key would open none of them, so none is created.`,
        );
      mintKeyFile(file);
    }
    box = boxFromFile(file);
  }
  const where = options.shared ?? 'this data dir';
  const mismatch = async (expected?: string) => {
    const locked = await unopenable(store, box);
    return new ServiceError(
      'secret_key_mismatch',
      `The secret key from ${box.source} (fingerprint ${box.fingerprint}) is not the key ${where}'s accounts ` +
        `are sealed with${expected ? ` (fingerprint ${expected})` : ''}` +
        (locked.count ? `: it cannot decrypt ${locked.count} account(s): ${locked.names}` : '') +
        `. Use the key the service uses (${SECRET_KEY_ENV}${options.shared ? '' : `, or ${file}`}); nothing was changed.`,
    );
  };
  if (stored !== undefined) {
    if (stored !== box.fingerprint) throw await mismatch(stored);
    return box;
  }
  // A data dir from before fingerprints: the key must open what is sealed before it is remembered.
  const [first] = await store.listAccounts();
  if (first) {
    try {
      box.open(first.secrets, first.id);
    } catch {
      throw await mismatch();
    }
  }
  const remembered = await store.setSettingIfAbsent(KEY_FINGERPRINT_SETTING, box.fingerprint);
  if (remembered !== box.fingerprint) throw await mismatch(remembered);
  return box;
}

/** The accounts `box` cannot open (ids and names, the first 20), for a refusal that says what is at stake. */
async function unopenable(store: Store, box: SecretBox): Promise<{ count: number; names: string }> {
  const failed: string[] = [];
  for (const row of await store.listAccounts()) {
    try {
      box.open(row.secrets, row.id);
    } catch {
      failed.push(`${row.id} (${escapeControls(row.name)})`);
    }
  }
  const shown = failed.slice(0, 20).join(', ') + (failed.length > 20 ? `, and ${failed.length - 20} more` : '');
  return { count: failed.length, names: shown };
}

/**
 * Re-seals every account's keys under `next` and stores its fingerprint, in one transaction: either every account
 * moves to the new key or none does. Returns how many accounts were re-sealed.
 */
export async function rotateSecretKey(store: Store, current: SecretBox, next: SecretBox): Promise<number> {
  if (next.fingerprint === current.fingerprint)
    throw new ServiceError('invalid_request', 'The new secret key is the current one');
  return store.rekeyAccounts((row) => next.seal(current.open(row.secrets, row.id), row.id), next.fingerprint);
}
