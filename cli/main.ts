// The `openai-mcp` command line: wiring only. Parsing is commander's; each command lives in serve.ts or manage.ts.

import { Command, CommanderError, Option } from 'commander';
import { EXPOSURES } from '../runtime/exposure/types.js';
import { AUTH_MODES } from '../service/auth/modes.js';
import { SERVER_VERSION } from '../runtime/server.js';
import { ServiceError } from '../service/errors.js';
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
    .option('--json', 'print JSON');

/** The code-mode sandbox limits, on `serve` and on one managed server (which can only tighten the service's). */
function codeLimitOptions(cmd: Command, scope: 'service' | 'server'): Command {
  // On a server the value only lowers what the service runs with; on `serve` it is the default and ceiling.
  const note = (fallback: number) => (scope === 'service' ? `default ${fallback}` : "lowers the service's limit");
  return cmd
    .option(
      '--code-timeout <s>',
      `code mode: wall time per execute_code run in seconds (${note(30)})`,
      positiveInt('--code-timeout'),
    )
    .option('--code-memory <mib>', `code mode: sandbox heap per run in MiB (${note(64)})`, positiveInt('--code-memory'))
    .option('--code-max-calls <n>', `code mode: openai.* calls per run (${note(50)})`, positiveInt('--code-max-calls'))
    .option(
      '--code-max-result-chars <n>',
      `code mode: characters of result per run (${note(100_000)})`,
      positiveInt('--code-max-result-chars'),
    );
}

function scopeOptions(cmd: Command): Command {
  return cmd
    .option('--methods <m>', 'read, write, custom, or method names', collect)
    .option('--tags <t>', 'tools having any of these tags', collect)
    .option('--tools <names>', 'allow list of tool names', collect)
    .addOption(new Option('--exposure <mode>', 'all tools, discovery meta-tools, or code mode').choices(EXPOSURES))
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
          '--public-url <url>',
          'origin used in server URLs (default http://<host>:<port>)',
          httpUrl('--public-url'),
        )
        .option('--allowed-hosts <hosts>', 'extra Host names to accept (behind a reverse proxy)', collect)
        .option('--max-body-bytes <n>', 'largest HTTP request body (default 4 MiB)', positiveInt('--max-body-bytes'))
        .option(
          '--audit-retention-days <n>',
          'keep audit rows this many days (default 30)',
          positiveInt('--audit-retention-days'),
        )
        .addOption(
          new Option('--exposure <mode>', 'all tools, discovery meta-tools, or code mode')
            .choices(EXPOSURES)
            .default('all'),
        )
        .option(
          '--oidc-issuer <url>',
          'OAuth servers: log people in through this OpenID Connect provider (client id and secret from OPENAI_MCP_OIDC_CLIENT_ID and OPENAI_MCP_OIDC_CLIENT_SECRET; redirect URI <public-url>/oauth/callback)',
          httpUrl('--oidc-issuer'),
        )
        .option('--oidc-scopes <scopes>', 'scopes asked of the identity provider (default "openid email profile")')
        .option('--oidc-groups-claim <name>', 'claim holding group names (default groups)')
        .option(
          '--oauth-token-login',
          'OAuth servers: operators may also log in with an API token (the default when no --oidc-issuer is given)',
        )
        .option('--no-oauth-token-login', 'OAuth servers: no API-token login, only the identity provider')
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
    program.command('list-tools').description('print the selected tools and exit').option('--json', 'print JSON'),
  ).action(listToolsCommand);

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
    .option('--stdin', 'read the keys from stdin (JSON or KEY=VALUE lines) instead of the environment')
    .action(run('accountsAdd'));
  common(accounts.command('list').description('list accounts (keys masked)')).action(run('accountsList'));
  common(accounts.command('remove').argument('<id>').description('remove an account and its servers')).action(
    run('accountsRemove'),
  );

  const servers = program.command('servers').description('scoped MCP servers, each with its own URL');
  common(
    codeLimitOptions(
      scopeOptions(servers.command('create').description('create a server; prints its URL once')),
      'server',
    ),
  )
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--name <name>', 'label')
    .addOption(
      new Option('--auth <mode>', 'url (the URL is the secret), url+api-token, or oauth (clients log in)').choices(
        AUTH_MODES,
      ),
    )
    .option('--oauth-allow-email <emails>', 'oauth: emails that may log in through the identity provider', collect)
    .option('--oauth-allow-group <groups>', 'oauth: identity-provider groups that may log in', collect)
    .option('--require-api-token-auth', 'same as --auth url+api-token')
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
    .addOption(new Option('--auth <mode>', 'url, url+api-token, or oauth').choices(AUTH_MODES))
    .option('--oauth-allow-email <emails>', 'oauth: replace the emails that may log in', collect)
    .option('--oauth-allow-group <groups>', 'oauth: replace the groups that may log in', collect)
    .option('--require-api-token-auth', 'require an API token as well')
    .option('--no-require-api-token-auth', 'stop requiring an API token')
    .action(run('serversUpdate'));
  common(
    servers.command('delete').argument('<id>').description('delete a server; its URL stops working at once'),
  ).action(run('serversDelete'));
  common(servers.command('logs').argument('<id>').description('audit log of tool calls, newest first'))
    .option('--limit <n>', 'rows (default 100, max 1000)', positiveInt('--limit'))
    .action(run('serversLogs'));

  const tokens = program.command('api-tokens').description('tokens for the REST API and second-layer auth');
  common(tokens.command('create').description('create a token; prints it once'))
    .requiredOption('--name <name>', 'label')
    .action(run('apiTokensCreate'));
  common(tokens.command('list').description('list tokens (never the secrets)')).action(run('apiTokensList'));
  common(tokens.command('revoke').argument('<id>').description('revoke a token')).action(run('apiTokensRevoke'));
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
    if (err instanceof ServiceError) {
      log(`${err.code}: ${err.message}`);
      process.exitCode = err.status >= 500 ? 1 : 2;
      return;
    }
    log((err as Error)?.message ?? String(err));
    process.exitCode = 2;
  }
}
