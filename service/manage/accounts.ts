// The accounts aggregate: an OpenAI account's keys (sealed by the secret box, shown only as hints), base URL and
// OpenAI organization and project ids.

import { FIELD_NAMES, keyProblem } from '../../runtime/key-kind.js';
import { privateBaseUrlMessage, privateHostReason } from '../baseurl.js';
import { ServiceError } from '../errors.js';
import type { AccountPatch, AccountRow } from '../store/store.js';
import { hintOf, newId } from '../tokens.js';
import type { ManageContext } from './context.js';
import { accountInputSchema, accountPatchSchema, parseInput } from './schemas.js';
import { type AccountSecrets, clip, iso, type PublicAccount } from './views.js';

export class Accounts {
  constructor(private readonly ctx: ManageContext) {}

  /** Refuses a base URL naming a non-public host unless the operator allows them. */
  checkBaseUrl(url: string | null | undefined): void {
    if (!url || this.ctx.allowPrivateBaseUrls) return;
    const reason = privateHostReason(url);
    if (reason) throw new ServiceError('invalid_request', `base_url: ${privateBaseUrlMessage(reason)}`, 'base_url');
  }

  async createAccount(raw: unknown): Promise<PublicAccount> {
    const input = parseInput(accountInputSchema, raw);
    if (!input.api_key && !input.admin_key) {
      throw new ServiceError('invalid_request', 'an account needs api_key or admin_key (or both)', 'api_key');
    }
    // A key of the wrong kind would fail every call made with it; refuse it now, by kind, never echoing it.
    for (const slot of ['api_key', 'admin_key'] as const) {
      const value = input[slot];
      const problem = value ? keyProblem(slot, value, FIELD_NAMES) : undefined;
      if (problem) throw new ServiceError('invalid_request', `${problem.message} ${problem.fix}`, slot);
    }
    this.checkBaseUrl(input.base_url);
    const id = newId('acc');
    const secrets: AccountSecrets = { apiKey: input.api_key, adminKey: input.admin_key };
    const now = this.ctx.now();
    const row: AccountRow = {
      id,
      name: input.name,
      base_url: input.base_url ?? null,
      secrets: this.ctx.box.seal(JSON.stringify(secrets), id),
      api_key_hint: hintOf(input.api_key),
      admin_key_hint: hintOf(input.admin_key),
      organization_id: input.organization_id || null,
      project_id: input.project_id || null,
      created_at: now,
      updated_at: now,
    };
    await this.ctx.store.insertAccount(row, this.ctx.box.fingerprint);
    return this.publicAccount(row);
  }

  async listAccounts(ids?: readonly string[]): Promise<PublicAccount[]> {
    return (await this.ctx.store.listAccounts(ids)).map((r) => this.publicAccount(r));
  }

  async getAccount(id: string): Promise<PublicAccount> {
    return this.publicAccount(await this.accountRow(id));
  }

  /**
   * Renames an account, moves it, or rotates its keys in place: its servers keep their URLs and use the new keys
   * from their next request. An update that changes nothing writes nothing.
   */
  async updateAccount(id: string, raw: unknown): Promise<PublicAccount> {
    const patch = parseInput(accountPatchSchema, raw);
    const current = await this.accountRow(id);
    const out: AccountPatch = {};
    if (patch.name !== undefined && patch.name !== current.name) out.name = patch.name;
    if (patch.base_url !== undefined && patch.base_url !== current.base_url) {
      this.checkBaseUrl(patch.base_url);
      out.base_url = patch.base_url;
    }
    for (const field of ['organization_id', 'project_id'] as const) {
      const value = patch[field] === undefined ? undefined : patch[field] || null;
      if (value !== undefined && value !== current[field]) out[field] = value;
    }
    if (patch.api_key !== undefined || patch.admin_key !== undefined) {
      for (const slot of ['api_key', 'admin_key'] as const) {
        const value = patch[slot];
        const problem = value ? keyProblem(slot, value, FIELD_NAMES) : undefined;
        if (problem) throw new ServiceError('invalid_request', `${problem.message} ${problem.fix}`, slot);
      }
      const secrets = this.accountSecrets(current);
      const next: AccountSecrets = {
        apiKey: patch.api_key === undefined ? secrets.apiKey : (patch.api_key ?? undefined),
        adminKey: patch.admin_key === undefined ? secrets.adminKey : (patch.admin_key ?? undefined),
      };
      if (!next.apiKey && !next.adminKey)
        throw new ServiceError('invalid_request', 'an account needs api_key or admin_key (or both)', 'api_key');
      if (next.apiKey !== secrets.apiKey || next.adminKey !== secrets.adminKey) {
        out.secrets = this.ctx.box.seal(JSON.stringify(next), id);
        out.api_key_hint = hintOf(next.apiKey);
        out.admin_key_hint = hintOf(next.adminKey);
      }
    }
    if (!Object.keys(out).length) return this.publicAccount(current);
    const row = await this.ctx.store.updateAccount(id, out, this.ctx.now(), this.ctx.box.fingerprint);
    if (!row) throw new ServiceError('not_found', `No account ${JSON.stringify(clip(id))}`);
    return this.publicAccount(row);
  }

  async removeAccount(id: string): Promise<void> {
    if (!(await this.ctx.store.deleteAccount(id, this.ctx.now())))
      throw new ServiceError('not_found', `No account ${JSON.stringify(clip(id))}`);
  }

  async accountRow(id: string): Promise<AccountRow> {
    const row = await this.ctx.store.getAccount(id);
    if (!row) throw new ServiceError('not_found', `No account ${JSON.stringify(clip(id))}`, 'account_id');
    return row;
  }

  accountSecrets(row: AccountRow): AccountSecrets {
    return JSON.parse(this.ctx.box.open(row.secrets, row.id)) as AccountSecrets;
  }

  private publicAccount(r: AccountRow): PublicAccount {
    return {
      id: r.id,
      name: r.name,
      base_url: r.base_url,
      api_key: r.api_key_hint,
      admin_key: r.admin_key_hint,
      organization_id: r.organization_id,
      project_id: r.project_id,
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at ?? r.created_at)!,
    };
  }
}
