#!/bin/sh
# Claude Code: add the server for this project (stdio, started by Claude Code with npx).
claude mcp add openai --scope project -e OPENAI_API_KEY="$OPENAI_API_KEY" -- npx -y openai-mcp-kit serve --methods read

# Or a managed server over Streamable HTTP (README, "Managed servers"): its URL comes from `openai-mcp servers create`;
# the header is needed when the server was created with --auth url+client-token (token:
# `openai-mcp client-tokens create --server <id> --name <label>`; a client token opens that server and nothing else).
claude mcp add --transport http openai-managed "$OPENAI_MCP_URL" --header "Authorization: Bearer $OPENAI_MCP_CLIENT_TOKEN"
