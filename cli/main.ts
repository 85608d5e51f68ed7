// The `openai-mcp` command line: wiring only. Parsing is commander's; each command lives in serve.ts or manage.ts.

import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_EXPOSURE, EXPOSURES, exposureSummaries } from '../runtime/exposure/registry.js';
import { SERVER_VERSION } from '../runtime/lean.js';
import { authModeNames } from '../service/auth/modes.js';
import { ACTIONS } from '../service/auth/principals.js';
import { ServiceError } from '../service/errors.js';
import { SetupError } from '../service/store/driver.js';
import { listToolsCommand, serveHttpCommand, serveStdioCommand, type ServeFlags } from './serve.js';
import { collect, httpUrl, log, portNumber, positiveInt, UsageError } from './shared.js';

// Loaded on use: stdio start-up should not pay for the HTTP service, SQLite or the management code.
type Manage = typeof import('./manage.js');
const run =
  <K extends keyof Manage>(name: K) =>
  async (...args: unknown[]) =>
    ((await import('./manage.js'))[name] as (...a: unknown[]) => Promise<void>)(...args);

function filterOptions(cmd: Command): Command {
  return cmd
    .option(
      '--methods <m>',
      'read, write, custom, or method names (list, get, create, update, delete, cancel, ...)',
      collect,
    )
    .option('--tags <t>', 'keep tools having any of these tags', collect)
    .option('--tools <names>', 'allow list of tool names', collect)
    .option('--exclude-tools <names>', 'tool names to drop', collect)
    .option(
      '--base-url <url>',
      'API base URL (default: $OPENAI_BASE_URL or https://api.openai.com/v1)',
      httpUrl('--base-url'),
    )
    .option('--timeout <ms>', 'per-call timeout in milliseconds (default 120000)', positiveInt('--timeout'));
}

const common = (cmd: Command) =>
  cmd
    .option('--data-dir <dir>', 'state folder (default: $OPENAI_MCP_DATA_DIR, then the per-user data folder)')
    .option(
      '--database-url <url>',
      'sqlite:<file> or postgres://user:pass@host:port/db (default: $OPENAI_MCP_DATABASE_URL, then SQLite in the data dir; prefer the variable: arguments are visible to other users)',
    )
    .option('--json', 'print JSON');

/** The code-mode sandbox limits, on `serve` and on one managed server (which can only tighten the service's). */
function codeLimitOptions(cmd: Command, scope: 'service' | 'server'): Command {
  // On a server the value only lowers what the service runs with; on `serve` it is the default and ceiling.
  const note = (fallback: number) => (scope === 'service' ? `default ${fallback}` : "lowers the service's limit");
  return (
    cmd
      .option(
        '--code-timeout <s>',
        `code mode: wall time per execute_code run in seconds (${note(30)})`,
        positiveInt('--code-timeout'),
      )
      .option(
        '--code-memory <mib>',
        `code mode: sandbox heap per run in MiB (${note(64)})`,
        positiveInt('--code-memory'),
      )
      .option(
        '--code-max-calls <n>',
        `code mode: openai.* calls per run (${note(50)})`,
        positiveInt('--code-max-calls'),
      )
      .option(
        '--code-max-result-bytes <n>',
        `code mode: UTF-8 bytes of result per run, which also bounds its tokens (${note(100_000)})`,
        positiveInt('--code-max-result-bytes'),
      )
      // The flag's name when the cap counted characters; read as bytes.
      .addOption(new Option('--code-max-result-chars <n>').argParser(positiveInt('--code-max-result-chars')).hideHelp())
  );
}

function scopeOptions(cmd: Command): Command {
  return cmd
    .option('--methods <m>', 'read, write, custom, or method names', collect)
    .option('--tags <t>', 'tools having any of these tags', collect)
    .option('--tools <names>', 'allow list of tool names', collect)
    .addOption(new Option('--exposure <mode>', exposureSummaries()).choices(EXPOSURES))
    .option('--expires-at <time>', 'expiry: ISO-8601 or relative (+7d, +12h), at least 60 s ahead ("never" clears it)')
    .option(
      '--public-url <url>',
      'origin for the url field (default: what `serve --http` last used)',
      httpUrl('--public-url'),
    );
}

export function buildProgram(): Command {
  const program = new Command('openai-mcp')
    .description('OpenAI REST API as MCP tools: stdio, or managed HTTP servers with scoped URLs')
    .version(SERVER_VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`openai-mcp: ${s.replace(/^error: /, '')}`),
    });

  codeLimitOptions(
    filterOptions(
      program
        .command('serve')
        .description('serve the tools over stdio (default), or managed servers over HTTP with --http')
        .option('--http', 'serve over HTTP: /mcp/<token>, /sse/<token>, /v1 management API, /healthz')
        .option('--port <n>', 'HTTP port (default 8787; 0 picks a free one)', portNumber)
        .option('--host <h>', 'HTTP bind address (default 127.0.0.1)')
        .option('--data-dir <dir>', 'state folder (default: $OPENAI_MCP_DATA_DIR, then the per-user data folder)')
        .option(
          '--database-url <url>',
          'sqlite:<file> or postgres://user:pass@host:port/db (default: $OPENAI_MCP_DATABASE_URL, then SQLite in the data dir; prefer the variable: arguments are visible to other users)',
        )
        .option(
          '--public-url <url>',
          'origin used in server URLs (default http://<host>:<port>)',
          httpUrl('--public-url'),
        )
        .option('--allowed-hosts <hosts>', 'extra Host names to accept (behind a reverse proxy)', collect)
        .option(
          '--allow-private-base-urls',
          'accept account base URLs on loopback, link-local and private addresses (also OPENAI_MCP_ALLOW_PRIVATE_BASE_URLS=1)',
        )
        .option('--max-body-bytes <n>', 'largest HTTP request body (default 4 MiB)', positiveInt('--max-body-bytes'))
        .option(
          '--audit-retention-days <n>',
          'keep audit rows this many days (default 30)',
          positiveInt('--audit-retention-days'),
        )
        .option(
          '--audit-max-rows-per-server <n>',
          'keep at most this many audit rows per server (default 100000)',
          positiveInt('--audit-max-rows-per-server'),
        )
        .option(
          '--max-concurrent-per-server <n>',
          'requests (and tool calls) in flight per server; more get 429 (default 16)',
          positiveInt('--max-concurrent-per-server'),
        )
        .option(
          '--rate-per-server <n>',
          'requests per second per server, bursts of twice that; more get 429 (default 20)',
          positiveInt('--rate-per-server'),
        )
        .option(
          '--max-concurrent-requests <n>',
          'requests in flight over all servers (default 256)',
          positiveInt('--max-concurrent-requests'),
        )
        .option(
          '--max-response-bytes <n>',
          'largest MCP answer; a bigger one becomes an error (default 8 MiB)',
          positiveInt('--max-response-bytes'),
        )
        .option(
          '--stalled-write-timeout <s>',
          'drop a client that reads nothing of its answer for this long (default 30)',
          positiveInt('--stalled-write-timeout'),
        )
        .option(
          '--max-sse-per-server <n>',
          'open SSE sessions per server (default 8)',
          positiveInt('--max-sse-per-server'),
        )
        .option('--max-sse-sessions <n>', 'open SSE sessions in all (default 200)', positiveInt('--max-sse-sessions'))
        .option(
          '--sse-idle-timeout <s>',
          'close an SSE session without client messages for this long (default 1800)',
          positiveInt('--sse-idle-timeout'),
        )
        .option(
          '--sse-max-lifetime <s>',
          'close any SSE session after this long (default 86400)',
          positiveInt('--sse-max-lifetime'),
        )
        .option(
          '--max-connections <n>',
          'open HTTP connections; past it new ones are closed and logged (default 1000)',
          positiveInt('--max-connections'),
        )
        .addOption(new Option('--exposure <mode>', exposureSummaries()).choices(EXPOSURES).default(DEFAULT_EXPOSURE))
        .option('--no-apps', 'no MCP Apps views (ui:// resources for costs and job timelines; on by default)')
        .option(
          '--oidc-issuer <url>',
          'OAuth servers and the dashboard: log people in through this OpenID Connect provider (client id and secret from OPENAI_MCP_OIDC_CLIENT_ID and OPENAI_MCP_OIDC_CLIENT_SECRET; redirect URIs <public-url>/oauth/callback and <public-url>/ui/login/callback)',
          httpUrl('--oidc-issuer'),
        )
        .option('--oidc-scopes <scopes>', 'scopes asked of the identity provider (default "openid email profile")')
        .option('--oidc-groups-claim <name>', 'claim holding group names (default groups)')
        .option(
          '--oauth-token-login',
          'OAuth servers: operators may also log in with a management token (the default when no --oidc-issuer is given)',
        )
        .option('--no-oauth-token-login', 'OAuth servers: no management-token login, only the identity provider')
        .option(
          '--ui-admin-email <emails>',
          'dashboard: people (verified emails) who may log in with --oidc-issuer; default nobody (repeatable, comma-separated)',
          collect,
        )
        .option(
          '--ui-admin-group <groups>',
          'dashboard: identity-provider groups whose members may log in with --oidc-issuer (repeatable)',
          collect,
        )
        .option(
          '--ui-admin-accounts <ids>',
          'dashboard: the accounts an identity-provider login administers, or all (default all)',
          collect,
        )
        .option(
          '--ui-admin-actions <list>',
          `dashboard: what an identity-provider login may do: ${ACTIONS.join(', ')}, or all (default all but tokens:write)`,
          collect,
        )
        .option(
          '--oauth-cimd-allow <cidr>',
          'address ranges a client metadata document may be fetched from although private (e.g. 10.1.0.0/16)',
          collect,
        ),
    ),
    // For `serve`: this stdio session, and with --http the limits every managed code-mode server runs under.
    'service',
  ).action((flags: ServeFlags) => (flags.http ? serveHttpCommand(flags) : serveStdioCommand(flags)));

  filterOptions(
    program
      .command('list-tools')
      .description('print the selected tools and exit')
      .option('--json', 'print JSON')
      .addOption(
        new Option(
          '--exposure <mode>',
          'show what tools/list gives in this mode (meta-tools for discovery and code)',
        ).choices(EXPOSURES),
      ),
  ).action(listToolsCommand);

  program
    .command('doctor')
    .description(
      'check this install: Node, the SQLite driver, data dir, secret key, spec, keys, port; each problem with its fix',
    )
    .option('--data-dir <dir>', 'state folder (default: $OPENAI_MCP_DATA_DIR, then the per-user data folder)')
    .option('--port <n>', 'the port serve --http would use (default 8787)', portNumber)
    .option('--host <h>', 'the address serve --http would bind (default 127.0.0.1)')
    .option('--only <checks>', 'only these checks (node, store, data-dir, secret-key, spec, keys, port)', collect)
    .option('--json', 'print JSON')
    .action(async (flags) => (await import('./doctor.js')).doctorCommand(flags));

  program
    .command('backup')
    .argument('<dir>', 'a new or empty folder')
    .description('copy the database (online: serve --http keeps running) and its secret key into <dir>')
    .option('--data-dir <dir>', 'state folder (default: $OPENAI_MCP_DATA_DIR, then the per-user data folder)')
    .option('--json', 'print JSON')
    .action(async (dir, flags) => (await import('./backup.js')).backupCommand(dir, flags));
  program
    .command('restore')
    .argument('<dir>', 'a folder written by backup')
    .description('check a backup opens (integrity, the key decrypts its accounts), then put it in the data dir')
    .option('--data-dir <dir>', 'state folder (default: $OPENAI_MCP_DATA_DIR, then the per-user data folder)')
    .option(
      '--force',
      'replace an existing database (stop serve --http first; the old files are kept as *.before-restore)',
    )
    .option('--json', 'print JSON')
    .action(async (dir, flags) => (await import('./backup.js')).restoreCommand(dir, flags));

  const accounts = program
    .command('accounts')
    .description('OpenAI organization connections (keys from the environment or --stdin)');
  common(
    accounts
      .command('add')
      .description('connect an account: keys from OPENAI_API_KEY, OPENAI_ADMIN_KEY, OPENAI_ORG_ID, OPENAI_PROJECT_ID'),
  )
    .requiredOption('--name <name>', 'label')
    .option('--base-url <url>', 'API base URL for this account', httpUrl('--base-url'))
    .option('--allow-private-base-url', 'accept a base URL on a loopback, link-local or private address')
    .option('--stdin', 'read the keys from stdin (JSON or KEY=VALUE lines) instead of the environment')
    .action(run('accountsAdd'));
  common(accounts.command('list').description('list accounts (keys masked)')).action(run('accountsList'));
  common(accounts.command('get').argument('<id>').description('show an account (keys masked)')).action(
    run('accountsGet'),
  );
  common(
    accounts
      .command('update')
      .argument('<id>')
      .description('rename, move or rotate the keys of an account; its servers keep their URLs'),
  )
    .option('--name <name>', 'label')
    .option('--base-url <url>', 'API base URL for this account', httpUrl('--base-url'))
    .option('--default-base-url', "use the service's default base URL")
    .option('--allow-private-base-url', 'accept a base URL on a loopback, link-local or private address')
    .option('--keys', 'replace the keys with OPENAI_API_KEY / OPENAI_ADMIN_KEY (and org/project) from the environment')
    .option('--stdin', 'replace the keys with those on stdin (JSON or KEY=VALUE lines)')
    .action(run('accountsUpdate'));
  common(accounts.command('remove').argument('<id>').description('remove an account and its servers')).action(
    run('accountsRemove'),
  );

  const modes = authModeNames();
  const servers = program.command('servers').description('scoped MCP servers, each with its own URL');
  common(
    codeLimitOptions(
      scopeOptions(servers.command('create').description('create a server; prints its URL once')),
      'server',
    ),
  )
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--name <name>', 'label')
    .addOption(new Option('--auth <mode>', 'how clients prove access (default url)').choices(modes))
    .option('--oauth-allow-email <emails>', 'oauth: emails that may log in through the identity provider', collect)
    .option('--oauth-allow-group <groups>', 'oauth: identity-provider groups that may log in', collect)
    .addOption(new Option('--require-api-token-auth', 'same as --auth url+client-token').hideHelp())
    .action(run('serversCreate'));
  common(servers.command('list').description('list live servers').option('--account <id>', 'only this account')).action(
    run('serversList'),
  );
  common(servers.command('get').argument('<id>').description('show a server')).action(run('serversGet'));
  common(
    codeLimitOptions(
      scopeOptions(
        servers.command('update').argument('<id>').description('change a server (takes effect on the next request)'),
      ),
      'server',
    )
      .option('--clear-code-limits', "drop this server's code limits: the service's apply")
      .option('--clear-filters', 'drop the --methods, --tags and --tools filters (then give new ones, if any)'),
  )
    .option('--name <name>', 'label')
    .addOption(new Option('--auth <mode>', 'how clients prove access').choices(modes))
    .option('--oauth-allow-email <emails>', 'oauth: replace the emails that may log in', collect)
    .option('--oauth-allow-group <groups>', 'oauth: replace the groups that may log in', collect)
    .addOption(new Option('--require-api-token-auth', 'same as --auth url+client-token').hideHelp())
    .addOption(new Option('--no-require-api-token-auth', 'same as --auth url').hideHelp())
    .action(run('serversUpdate'));
  common(
    servers
      .command('rotate-url')
      .argument('<id>')
      .description('issue a new URL for a server (same scope, expiry and log); the old URL stops working at once'),
  )
    .option(
      '--public-url <url>',
      'origin for the new URL (default: what `serve --http` last used)',
      httpUrl('--public-url'),
    )
    .action(run('serversRotateUrl'));
  common(
    servers.command('delete').argument('<id>').description('delete a server; its URL stops working at once'),
  ).action(run('serversDelete'));
  common(
    servers
      .command('logs')
      .argument('<id>')
      .description('audit log of tool calls, newest first (also of a deleted server)'),
  )
    .option('--limit <n>', 'rows (default 100, max 1000)', positiveInt('--limit'))
    .action(run('serversLogs'));

  const expires = '--expires-at <time>';
  const mgmt = program
    .command('management-tokens')
    .description('tokens for the REST API (/v1), scoped to accounts and actions, expiring');
  common(mgmt.command('create').description('issue a management token; prints it once'))
    .requiredOption('--name <name>', 'label')
    .option('--accounts <ids>', 'account ids it may administer, or all', collect)
    .option('--actions <list>', `${ACTIONS.join(', ')}, or all`, collect)
    .option(expires, 'expiry: ISO-8601 or relative (+30d); default +90d; "never" for none')
    .action(run('managementTokensCreate'));
  common(mgmt.command('list').description('list management tokens (never the secrets)')).action(
    run('managementTokensList'),
  );
  common(mgmt.command('revoke').argument('<id>').description('revoke a management token')).action(
    run('managementTokensRevoke'),
  );

  const clients = program
    .command('client-tokens')
    .description('tokens MCP clients send to url+client-token servers; no REST rights');
  common(clients.command('create').description('issue a client token bound to servers; prints it once'))
    .requiredOption('--name <name>', 'label (whose client it is)')
    .option('--server <id>', 'a server it opens (repeat or comma-separate for several)', collect)
    .option(expires, 'expiry: ISO-8601 or relative (+30d); default never')
    .action(run('clientTokensCreate'));
  common(
    clients
      .command('list')
      .description('list client tokens (never the secrets)')
      .option('--server <id>', 'only those opening this server'),
  ).action(run('clientTokensList'));
  common(clients.command('revoke').argument('<id>').description('revoke a client token')).action(
    run('clientTokensRevoke'),
  );

  const legacy = program.command('api-tokens', { hidden: true }).description('deprecated: see management-tokens');
  common(legacy.command('create').description('a management token for all accounts and actions'))
    .requiredOption('--name <name>', 'label')
    .option(expires, 'expiry (default +90d)')
    .action(run('apiTokensCreate'));
  common(legacy.command('list').description('list management tokens')).action(run('managementTokensList'));
  common(legacy.command('revoke').argument('<id>').description('revoke a management token')).action(
    run('managementTokensRevoke'),
  );

  common(
    program
      .command('audit-log')
      .description('the operator audit log: who (token id or cli:<user>) changed what, and refusals; newest first'),
  )
    .option('--limit <n>', 'rows (default 100, max 1000)', positiveInt('--limit'))
    .option('--before <id>', 'rows older than this event id', positiveInt('--before'))
    .action(run('auditLog'));

  const secrets = program.command('secrets').description('the key that encrypts account keys at rest');
  common(
    secrets
      .command('rotate')
      .description('re-encrypt every account under a new key (from --stdin or OPENAI_MCP_NEW_SECRET_KEY), atomically'),
  )
    .option('--stdin', 'read the new key (32+ characters) from the first line of stdin')
    .action(run('secretsRotate'));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `list-tools --json | head` closes the pipe early; that is a normal end, not a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    // `serve` is the default command, added here rather than with commander's isDefault, so that a mistyped
    // command ("server") gets commander's "did you mean" instead of being read as an argument to serve.
    const first = argv[0];
    const args =
      first === undefined || (first.startsWith('-') && !['-h', '--help', '-v', '--version'].includes(first))
        ? ['serve', ...argv]
        : argv;
    await buildProgram().parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof UsageError) {
      log(err.message);
      process.exitCode = 2;
      return;
    }
    if (err instanceof SetupError) {
      // A set-up problem is not the user's input and not a bug: its message already says what to do.
      log(err.message);
      process.exitCode = 1;
      return;
    }
    if (err instanceof ServiceError) {
      log(`${err.code}: ${err.message}`);
      process.exitCode = err.status >= 500 ? 1 : 2;
      return;
    }
    log((err as Error)?.message ?? String(err));
    process.exitCode = 2;
  }
}
