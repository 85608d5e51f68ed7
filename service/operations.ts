// The management operations as an operator may call them: each checks the caller's actions and account scope, runs
// the `Management` operation, and writes the operator audit log. REST (a management token) and the CLI (`local`)
// both go through here, so a rule or an audit row cannot be missed by one of them.
//
// Changes are audited whatever their result; reads only when refused. A target outside the caller's scope is
// answered like a missing one (404) and audited as denied.

import { escapeControls } from '../runtime/redact.js';
import {
  accountFilter,
  accountsOf,
  type Action,
  actionsOf,
  actorOf,
  type Operator,
  requireAccount,
  requireAction,
} from './auth/principals.js';
import { ServiceError } from './errors.js';
import { clip, type Management, MAX_LIST, type TokenBounds } from './manage/index.js';
import type { CallFilter, Store } from './store/store.js';

export interface OperationsOptions {
  manage: Management;
  store: Store;
  now?: () => number;
  /** Where a failed audit write is reported (it never fails the operation it records). */
  log?: (line: string) => void;
}

export interface OperatorEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  account_id: string | null;
  result: string;
  status: number;
  message: string | null;
}

interface Audit {
  action: string;
  target?: string;
  account?: string;
  /** Reads are audited only when refused. */
  read?: boolean;
}

const RESULT: Partial<Record<string, string>> = {
  forbidden: 'denied',
  not_found: 'not_found',
  conflict: 'conflict',
  invalid_request: 'invalid',
  invalid_json: 'invalid',
  unknown_field: 'invalid',
};

export class Operations {
  private readonly manage: Management;
  private readonly store: Store;
  private readonly now: () => number;

  constructor(private readonly options: OperationsOptions) {
    this.manage = options.manage;
    this.store = options.store;
    this.now = options.now ?? Date.now;
  }

  private async audited<T>(
    op: Operator,
    audit: Audit,
    run: () => Promise<T>,
    after?: (value: T) => Partial<Pick<Audit, 'target' | 'account'>>,
  ): Promise<T> {
    try {
      const value = await run();
      if (!audit.read) await this.record(op, { ...audit, ...after?.(value) }, 'ok', 200);
      return value;
    } catch (err) {
      const e = err instanceof ServiceError ? err : undefined;
      const result = e?.denied ? 'denied' : ((e && RESULT[e.code]) ?? 'error');
      if (!audit.read || result === 'denied') await this.record(op, audit, result, e?.status ?? 500, e?.message);
      throw err;
    }
  }

  private async record(op: Operator, audit: Audit, result: string, status: number, message?: string) {
    try {
      await this.store.recordOperatorEvent({
        at: this.now(),
        actor: actorOf(op),
        action: audit.action,
        target: audit.target === undefined ? null : escapeControls(clip(audit.target)),
        account_id: audit.account ?? null,
        result,
        status,
        message: message === undefined ? null : escapeControls(clip(message, 300)),
      });
    } catch (err) {
      this.options.log?.(`operator audit write failed for ${audit.action}: ${(err as Error).message}`);
    }
  }

  /** A dashboard login (token or identity provider), or its refusal, under who logged in (never a credential). */
  async recordLogin(op: Operator, result: 'ok' | 'denied', status: number, message?: string): Promise<void> {
    await this.record(op, { action: 'ui.login' }, result, status, message);
  }

  /** Checks the action, then the account: 403 for a missing action, 404 (denied) outside the scope. */
  private check(op: Operator, action: Action, account?: string, what = 'account') {
    requireAction(op, action);
    if (account !== undefined) requireAccount(op, account, `No ${what} ${JSON.stringify(clip(account))}`);
  }

  private bounds(op: Operator): TokenBounds {
    return {
      accounts: accountsOf(op),
      actions: actionsOf(op),
      expiresAt: op.kind === 'management' ? op.expiresAt : null,
      issuer: actorOf(op),
    };
  }

  /** The account of a live server, if the operator may reach it; 404 (denied) otherwise. */
  private async serverInScope(op: Operator, id: string, any = false): Promise<string> {
    const account = any ? await this.manage.servers.anyServerAccount(id) : await this.manage.servers.serverAccount(id);
    requireAccount(op, account, `No server ${JSON.stringify(clip(id))}`);
    return account;
  }

  // Accounts ------------------------------------------------------------------------------------------------

  createAccount(op: Operator, body: unknown) {
    return this.audited(
      op,
      { action: 'accounts.create' },
      async () => {
        requireAction(op, 'accounts:write');
        if (accountsOf(op) !== '*')
          throw new ServiceError('forbidden', 'A token scoped to some accounts cannot add accounts');
        return this.manage.accounts.createAccount(body);
      },
      (a) => ({ target: a.id, account: a.id }),
    );
  }

  listAccounts(op: Operator) {
    return this.audited(op, { action: 'accounts.list', read: true }, async () => {
      requireAction(op, 'read');
      return this.manage.accounts.listAccounts(accountFilter(op));
    });
  }

  getAccount(op: Operator, id: string) {
    return this.audited(op, { action: 'accounts.get', target: id, account: id, read: true }, async () => {
      this.check(op, 'read', id);
      return this.manage.accounts.getAccount(id);
    });
  }

  updateAccount(op: Operator, id: string, body: unknown) {
    return this.audited(op, { action: 'accounts.update', target: id, account: id }, async () => {
      this.check(op, 'accounts:write', id);
      return this.manage.accounts.updateAccount(id, body);
    });
  }

  removeAccount(op: Operator, id: string) {
    return this.audited(op, { action: 'accounts.delete', target: id, account: id }, async () => {
      this.check(op, 'accounts:write', id);
      await this.manage.accounts.removeAccount(id);
    });
  }

  // Servers -------------------------------------------------------------------------------------------------

  createServer(op: Operator, accountId: string, body: unknown, publicUrl: string) {
    return this.audited(
      op,
      { action: 'servers.create', account: accountId },
      async () => {
        this.check(op, 'servers:write', accountId);
        return this.manage.servers.createServer(accountId, body, publicUrl);
      },
      (s) => ({ target: s.id }),
    );
  }

  listServers(op: Operator, options: { accountId?: string; limit?: number; after?: string } = {}) {
    return this.audited(op, { action: 'servers.list', account: options.accountId, read: true }, async () => {
      this.check(op, 'read', options.accountId);
      if (options.accountId !== undefined) await this.manage.accounts.accountRow(options.accountId);
      const accounts = options.accountId !== undefined ? [options.accountId] : accountFilter(op);
      return this.manage.servers.listServersPage(accounts, { limit: options.limit ?? MAX_LIST, after: options.after });
    });
  }

  getServer(op: Operator, id: string) {
    return this.audited(op, { action: 'servers.get', target: id, read: true }, async () => {
      requireAction(op, 'read');
      await this.serverInScope(op, id);
      return this.manage.servers.getServer(id);
    });
  }

  /** `publicUrl`: for the new secret URL of a server moved off `oauth`. */
  async updateServer(op: Operator, id: string, body: unknown, publicUrl?: string) {
    const audit: Audit = { action: 'servers.update', target: id };
    return this.audited(op, audit, async () => {
      requireAction(op, 'servers:write');
      audit.account = await this.serverInScope(op, id);
      return this.manage.servers.updateServer(id, body, publicUrl);
    });
  }

  async deleteServer(op: Operator, id: string) {
    const audit: Audit = { action: 'servers.delete', target: id };
    return this.audited(op, audit, async () => {
      requireAction(op, 'servers:write');
      audit.account = await this.serverInScope(op, id);
      await this.manage.servers.deleteServer(id);
    });
  }

  /** A new URL for a server in place; the old one stops working in the same write. */
  async rotateServerUrl(op: Operator, id: string, publicUrl: string) {
    const audit: Audit = { action: 'servers.rotate_url', target: id };
    return this.audited(op, audit, async () => {
      requireAction(op, 'servers:write');
      audit.account = await this.serverInScope(op, id);
      return this.manage.servers.rotateServerUrl(id, publicUrl);
    });
  }

  /** A server's tool-call audit rows, also of a deleted server. */
  calls(op: Operator, id: string, options: CallFilter & { limit?: number; before?: number } = {}) {
    return this.audited(op, { action: 'servers.calls', target: id, read: true }, async () => {
      requireAction(op, 'read');
      await this.serverInScope(op, id, true);
      return this.manage.servers.calls(id, options);
    });
  }

  /** Calls and errors over time of a server, for the dashboard's chart; scoped like `calls`. */
  callStats(op: Operator, id: string, options: CallFilter & { bucketMs: number }) {
    return this.audited(op, { action: 'servers.calls', target: id, read: true }, async () => {
      requireAction(op, 'read');
      await this.serverInScope(op, id, true);
      return this.manage.servers.callStats(id, options);
    });
  }

  // Tokens --------------------------------------------------------------------------------------------------

  createManagementToken(op: Operator, body: unknown) {
    return this.audited(
      op,
      { action: 'management-tokens.create' },
      async () => {
        requireAction(op, 'tokens:write');
        return this.manage.tokens.createManagementToken(body, this.bounds(op));
      },
      (t) => ({ target: t.id, account: t.accounts !== '*' && t.accounts.length === 1 ? t.accounts[0] : undefined }),
    );
  }

  createClientToken(op: Operator, body: unknown) {
    return this.audited(
      op,
      { action: 'client-tokens.create' },
      async () => {
        requireAction(op, 'tokens:write');
        return this.manage.tokens.createClientToken(body, this.bounds(op));
      },
      (t) => ({ target: t.id }),
    );
  }

  listManagementTokens(op: Operator) {
    return this.audited(op, { action: 'management-tokens.list', read: true }, async () => {
      requireAction(op, 'read');
      return this.manage.tokens.listManagementTokens(accountsOf(op));
    });
  }

  listClientTokens(op: Operator, serverId?: string) {
    return this.audited(op, { action: 'client-tokens.list', read: true }, async () => {
      requireAction(op, 'read');
      return this.manage.tokens.listClientTokens(accountsOf(op), serverId);
    });
  }

  revokeToken(op: Operator, kind: 'management' | 'client', id: string) {
    return this.audited(op, { action: `${kind}-tokens.revoke`, target: id }, async () => {
      // Any token may revoke itself: a leaked token's holder can always end it.
      if (!(op.kind === 'management' && op.tokenId === id)) requireAction(op, 'tokens:write');
      await this.manage.tokens.revokeToken(
        kind,
        id,
        op.kind === 'management' && op.tokenId === id ? '*' : accountsOf(op),
      );
    });
  }

  // The operator audit log ----------------------------------------------------------------------------------

  /** Newest first; an operator scoped to accounts sees only rows about them. */
  events(op: Operator, options: { limit?: number; before?: number } = {}): Promise<OperatorEvent[]> {
    return this.audited(op, { action: 'audit-log.list', read: true }, async () => {
      requireAction(op, 'read');
      const rows = await this.store.listOperatorEvents({
        limit: Math.min(options.limit ?? 100, 1000),
        before: options.before,
        accountIds: accountFilter(op),
      });
      return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
    });
  }

  /** For the CLI's `secrets rotate`: audited like any change. */
  recordChange(op: Operator, action: string, result: 'ok' | 'error', message?: string) {
    return this.record(op, { action }, result, result === 'ok' ? 200 : 500, message);
  }
}
