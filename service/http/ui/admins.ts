// Who may log in to the dashboard through the identity provider: an explicit allow-list (verified emails, groups),
// empty by default, so configuring `--oidc-issuer` alone lets nobody in. Someone on it gets a management principal
// named by their subject (`oidc:<issuer>#<sub>`, the audit log's actor for everything they do), with the list's
// scope and the session's end as its expiry. The list is re-checked on every request against what the identity
// provider said at login, so taking a person off it (and restarting) ends their sessions.

import { ACTIONS, type Action, type ManagementPrincipal, type Scope } from '../../auth/principals.js';

export interface UiAdminPolicy {
  /** Verified emails, lower-case. */
  emails: readonly string[];
  groups: readonly string[];
  /** The accounts an identity-provider session administers. */
  accounts: Scope<string>;
  /** Its actions; `tokens:write` only when named, so a login cannot mint tokens outliving the list by default. */
  actions: Scope<Action>;
}

export const DEFAULT_UI_ADMIN_ACTIONS: readonly Action[] = ACTIONS.filter((a) => a !== 'tokens:write');

/** The default: nobody may log in through the identity provider. */
export const NO_UI_ADMINS: UiAdminPolicy = { emails: [], groups: [], accounts: '*', actions: DEFAULT_UI_ADMIN_ACTIONS };

export interface Claims {
  /** Only a verified email: an unverified one is anyone's to claim. */
  email?: string;
  groups: readonly string[];
}

export function uiAdminAllows(policy: UiAdminPolicy, who: Claims): boolean {
  if (who.email && policy.emails.includes(who.email.toLowerCase())) return true;
  return who.groups.some((g) => policy.groups.includes(g));
}

/** The principal an identity-provider session acts as. */
export function uiAdminPrincipal(policy: UiAdminPolicy, subject: string, endsAt: number): ManagementPrincipal {
  return {
    kind: 'management',
    tokenId: subject,
    accounts: policy.accounts,
    actions: policy.actions,
    expiresAt: endsAt,
  };
}

/** Someone refused: no accounts, no actions (the audit log's actor for the refusal). */
export function nobody(subject: string, now: number): ManagementPrincipal {
  return { kind: 'management', tokenId: subject, accounts: [], actions: [], expiresAt: now };
}
