#!/bin/sh
# Claude Code: add the server for this project (stdio, started by Claude Code with npx). The single quotes keep
# ${…} literal: `.mcp.json` gets the reference, Claude Code expands it from your environment at start-up, and no
# key is written into the (committed) file. `--methods read` includes admin tools (usage, costs, projects), hence
# the admin key. Keep the server name short (9 characters at most): tools show as mcp__<name>__<tool>, 64 at most.
claude mcp add openai --scope project -e 'OPENAI_API_KEY=${OPENAI_API_KEY}' -e 'OPENAI_ADMIN_KEY=${OPENAI_ADMIN_KEY}' -- npx -y openai-mcp-kit serve --methods read

# Or a managed server over Streamable HTTP (README, "Managed servers"): its URL comes from `openai-mcp servers create`;
# the header is needed when the server was created with --auth url+client-token (token:
# `openai-mcp client-tokens create --server <id> --name <label>`; a client token opens that server and nothing else).
claude mcp add --transport http oai-http "$OPENAI_MCP_URL" --header "Authorization: Bearer $OPENAI_MCP_CLIENT_TOKEN"
