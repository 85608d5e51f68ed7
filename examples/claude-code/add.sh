#!/bin/sh
# Claude Code: add the server for this project (stdio, started by Claude Code with npx).
claude mcp add openai --scope project -e OPENAI_API_KEY="$OPENAI_API_KEY" -- npx -y openai-mcp-kit serve --methods read

# Or point Claude Code at a managed server over Streamable HTTP (see "Managed servers" in the README).
claude mcp add --transport http openai-managed https://openai-mcp.example.com/mcp --header "Authorization: Bearer $OPENAI_MCP_TOKEN"
