// OpenAI keys at rest: AES-256-GCM envelopes. The data key comes from OPENAI_MCP_SECRET_KEY or from a key file
// created with mode 0600 beside the database, so a copied database file alone reveals no key.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from './errors.js';

export const SECRET_KEY_FILE = 'secret.key';
const VERSION = 'v1';

/** Encrypts and decrypts small secrets bound to a context (the account id), so envelopes can't be swapped. */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(envelope: string, context: string): string;
}

function boxFromKey(key: Buffer): SecretBox {
  return {
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
          'missing_secret_key',
          'Stored keys cannot be decrypted with this secret key (OPENAI_MCP_SECRET_KEY or secret.key changed?)',
        );
      }
    },
  };
}

/**
 * The data key: `OPENAI_MCP_SECRET_KEY` (any string of 32+ characters, hashed to 256 bits) if set, else the data
 * dir's `secret.key`, created on first use with 32 random bytes and mode 0600.
 */
export function loadSecretBox(dataDir: string, env: Record<string, string | undefined> = process.env): SecretBox {
  const fromEnv = env.OPENAI_MCP_SECRET_KEY?.trim();
  if (fromEnv) {
    if (fromEnv.length < 32) {
      throw new ServiceError(
        'missing_secret_key',
        'OPENAI_MCP_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)',
      );
    }
    return boxFromKey(createHash('sha256').update(fromEnv).digest());
  }
  const file = path.join(dataDir, SECRET_KEY_FILE);
  if (!existsSync(file)) {
    // The first command on a fresh machine may be `serve --http`: the data dir (0700) may not exist yet.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // `wx`: never overwrite a key another process just wrote; 0600: readable by this user only.
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ServiceError('missing_secret_key', `${file} does not hold a 32-byte base64 key`);
  return boxFromKey(key);
}
