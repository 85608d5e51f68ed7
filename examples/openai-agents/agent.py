"""OpenAI Agents SDK (Python) using the OpenAI tools over stdio.

    pip install openai-agents        # Node.js ^20.19 or >=22.12 must be on PATH for npx
    OPENAI_API_KEY=sk-... python agent.py

The filter keeps the listing small (read-only fine-tuning, files, models and batch tools, wait tools included),
well under the 128 tools OpenAI accepts in one request. `--methods read` alone would not (133 tools);
`--methods list,get` (122) would.
"""

import asyncio
import os

from agents import Agent, Runner
from agents.mcp import MCPServerStdio

# The MCP stdio client passes only a minimal environment to the server, so the key is handed over explicitly.
SERVER_PARAMS = {
    "command": "npx",
    "args": ["-y", "openai-mcp-kit", "serve", "--methods", "read", "--tags", "fine-tuning,files,models,batch"],
    "env": {"OPENAI_API_KEY": os.environ["OPENAI_API_KEY"]},
}


async def main() -> None:
    async with MCPServerStdio(
        name="openai",
        params=SERVER_PARAMS,
        cache_tools_list=True,
        client_session_timeout_seconds=60,
    ) as server:
        agent = Agent(
            name="OpenAI account assistant",
            instructions="Answer questions about this OpenAI project with the tools. Never guess ids; list first.",
            mcp_servers=[server],
        )
        result = await Runner.run(agent, "Which fine-tuning jobs are still running, and on which base models?")
        print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
