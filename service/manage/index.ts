// Accounts, scoped servers and tokens: the operations behind both the REST API and the CLI, so the two validate the
// same way, store the same rows and answer with the same objects. Who may call what is service/operations.ts's job;
// what a token may mint is checked here, where the token is built.
//
// One folder: schemas.ts (what each operation accepts), views.ts (what it answers), context.ts (what the aggregates
// share) and one file per aggregate: accounts.ts, servers.ts, tokens.ts.

import { Accounts } from './accounts.js';
import { contextOf, type ManageOptions } from './context.js';
import { Servers } from './servers.js';
import { Tokens } from './tokens.js';

export type { ManageOptions } from './context.js';
export * from './schemas.js';
export * from './views.js';
export { Accounts, Servers, Tokens };

export class Management {
  readonly accounts: Accounts;
  readonly servers: Servers;
  readonly tokens: Tokens;

  constructor(options: ManageOptions) {
    const ctx = contextOf(options);
    this.accounts = new Accounts(ctx);
    this.servers = new Servers(ctx, this.accounts);
    this.tokens = new Tokens(ctx, this.accounts);
  }
}
