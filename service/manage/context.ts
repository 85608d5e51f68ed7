// What the three aggregates (accounts, servers, tokens) share: the store, the secret box, the catalog, the clock
// and the service's limits, built once from the options, and the expiry rule both servers and tokens apply.

import { type CodeLimits, unitsOf } from '../../runtime/exposure/code/limits.js';
import type { Catalog } from '../../runtime/types.js';
import { ServiceError } from '../errors.js';
import type { SecretBox } from '../secrets.js';
import type { Store } from '../store/store.js';
import { MIN_EXPIRY_LEAD_MS, type ServerCodeLimits } from './schemas.js';

export interface ManageOptions {
  store: Store;
  box: SecretBox;
  catalog: Catalog;
  now?: () => number;
  /**
   * The service's own code-mode limits (`serve --http --code-*`), when known: a server's `code_limits` above them
   * are refused, and servers are shown with the limits in force. The CLI, which may run without the service, stores
   * what it is given; the service clamps at run time either way.
   */
  codeLimits?: CodeLimits;
  /** Accept base URLs naming private, loopback or link-local hosts (see baseurl.ts). */
  allowPrivateBaseUrls?: boolean;
  /** The service's public origin, for the (non-secret) resource URLs of `oauth` servers in answers. */
  publicUrl?: () => string | undefined;
}

export interface ManageContext {
  readonly store: Store;
  readonly box: SecretBox;
  readonly catalog: Catalog;
  readonly now: () => number;
  readonly codeCeiling: ServerCodeLimits | undefined;
  readonly allowPrivateBaseUrls: boolean;
  readonly publicUrl: () => string | undefined;
}

export function contextOf(options: ManageOptions): ManageContext {
  return {
    store: options.store,
    box: options.box,
    catalog: options.catalog,
    now: options.now ?? Date.now,
    codeCeiling: options.codeLimits && unitsOf(options.codeLimits),
    allowPrivateBaseUrls: options.allowPrivateBaseUrls ?? false,
    publicUrl: options.publicUrl ?? (() => undefined),
  };
}

/** A requested expiry as epoch ms: at least a minute ahead; `null` (none) and `undefined` (not given) pass through. */
export function expiry(ctx: ManageContext, value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const at = Date.parse(value);
  if (at - ctx.now() < MIN_EXPIRY_LEAD_MS) {
    const past = at <= ctx.now() ? ` (${value} is in the past)` : '';
    throw new ServiceError(
      'invalid_request',
      `expires_at must be at least 60 seconds in the future${past}`,
      'expires_at',
    );
  }
  return at;
}
