// Shared setup of the runtime tests: the capture server, the fixture toolkit and its keys.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createOpenAiToolkit } from '../../runtime/index.js';
import { createToolkit, type OpenAiToolsOptions } from '../../runtime/toolkit.js';
import { fixtureCatalog, fixtureValidation } from '../fixtures/catalog.js';

export * from '../helpers/capture-server.js';

export const PROJECT_KEY = 'sk-proj-TESTKEY0123456789abcdefABCDEF';
export const ADMIN_KEY = 'sk-admin-ADMINKEY0123456789abcdefXYZ';

/** A fixture toolkit pointed at `baseUrl`, isolated from the real environment. */
export function fixtureKit(baseUrl: string, options: Partial<OpenAiToolsOptions> = {}) {
  return createToolkit({
    catalog: fixtureCatalog,
    validation: fixtureValidation,
    baseUrl,
    env: {},
    credentials: { apiKey: PROJECT_KEY, adminKey: ADMIN_KEY },
    ...options,
  });
}

/** A toolkit over the generated catalog pointed at `baseUrl`, with the test keys only. */
export function generatedKit(baseUrl: string, options: Partial<OpenAiToolsOptions> = {}) {
  return createOpenAiToolkit({
    baseUrl,
    env: {},
    credentials: { apiKey: PROJECT_KEY, adminKey: ADMIN_KEY },
    ...options,
  });
}

export function textOf(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}
