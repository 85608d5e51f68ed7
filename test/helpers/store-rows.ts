// Rows the store tests insert: an account and a server with every column set, overridable per case.

import type { AccountRow, ServerRow } from '../../service/store/store.js';

export const T0 = 1_780_000_000_000;

export function account(id: string, over: Partial<AccountRow> = {}): AccountRow {
  return {
    id,
    name: id,
    base_url: null,
    secrets: `sealed-${id}`,
    api_key_hint: '1234',
    admin_key_hint: null,
    organization_id: null,
    project_id: null,
    created_at: T0,
    updated_at: null,
    ...over,
  };
}

/** A server whose token lookup is `lookup-<id>`. */
export function server(id: string, accountId: string, over: Partial<ServerRow> = {}): ServerRow {
  return {
    id,
    account_id: accountId,
    name: id,
    config: '{}',
    expires_at: null,
    require_api_token_auth: 0,
    auth: 'url',
    token_lookup: `lookup-${id}`,
    token_hash: `hash-${id}`,
    oauth_policy: null,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}
