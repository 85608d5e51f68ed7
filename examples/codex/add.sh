#!/bin/sh
# Codex CLI: add the server (stdio, started by Codex with npx). No key goes on this line: `codex mcp add --env K=V`
# would store the value in ~/.codex/config.toml. Codex starts servers with a minimal environment, so forward the keys
# by name instead: add `env_vars = ["OPENAI_API_KEY", "OPENAI_ADMIN_KEY"]` under [mcp_servers.openai] (config.toml
# here is the complete entry). `--methods read` includes admin tools (usage, costs, projects), hence the admin key.
codex mcp add openai -- npx -y openai-mcp-kit serve --methods read

# Or a managed server over Streamable HTTP (README, "Managed servers"): Codex reads the token from the variable
# named here at start-up and sends it as Authorization: Bearer (needed with --auth url+client-token).
codex mcp add oai-http --url "$OPENAI_MCP_URL" --bearer-token-env-var OPENAI_MCP_CLIENT_TOKEN
