// The 401 answers: what to send, and where the credential comes from. One owner for the texts, so the REST API, the
// MCP endpoints and the README say the same thing.

import { TOKEN_PREFIX } from '../tokens.js';
import type { ManagementCheck } from './credentials.js';

const REALM = 'openai-mcp';

/**
 * A quoted-string for WWW-Authenticate parameters (RFC 9110 §5.6.4; RFC 6750 allows only printable ASCII in
 * error_description): no quotes or backslashes, and `…` spelled `...`.
 */
const quoted = (s: string) =>
  `"${s
    .replace(/…/g, '...')
    .replace(/["\\]/g, "'")
    .replace(/[^\x20-\x7e]/g, '')}"`;

export interface Refusal {
  status: 401 | 403;
  code: 'unauthorized' | 'forbidden';
  message: string;
  headers: Record<string, string>;
}

/** Why `/v1` refused a request, for the REST error body and the challenge. */
export function managementRefusal(reason: Exclude<ManagementCheck, { ok: true }>['reason']): Refusal {
  const how = `Authorization: Bearer ${TOKEN_PREFIX.management}… (an operator issues one with \`openai-mcp management-tokens create\`)`;
  if (reason === 'client')
    return {
      status: 403,
      code: 'forbidden',
      message: `A client token (${TOKEN_PREFIX.client}…) only opens the MCP servers it is bound to; the REST API needs a management token: ${how}`,
      headers: {},
    };
  const message =
    reason === 'expired'
      ? `This management token has expired; ask for a new one: ${how}`
      : reason === 'missing'
        ? `A management token is required: ${how}`
        : `Unknown or revoked management token: ${how}`;
  return {
    status: 401,
    code: 'unauthorized',
    message,
    headers: {
      'WWW-Authenticate': `Bearer realm="${REALM}"${reason === 'missing' ? '' : ', error="invalid_token"'}, error_description=${quoted(message)}`,
    },
  };
}

/** The 401 of a `url+client-token` server without a valid client token bound to it. */
export function clientTokenRefusal(serverId: string, presented: boolean): Refusal {
  const how = `openai-mcp client-tokens create --server ${serverId} --name <label>`;
  const message =
    `${presented ? 'This client token does not open this server (unknown, revoked, expired or bound to other servers). ' : ''}` +
    `This server requires a client token besides its URL: send Authorization: Bearer ${TOKEN_PREFIX.client}… ` +
    `An operator issues one with \`${how}\` (or POST /v1/client-tokens).`;
  return {
    status: 401,
    code: 'unauthorized',
    message,
    headers: {
      'WWW-Authenticate': `Bearer realm="${REALM}"${presented ? ', error="invalid_token"' : ''}, error_description=${quoted(
        `client token required: Authorization: Bearer ${TOKEN_PREFIX.client}...; issued by ${how}`,
      )}`,
    },
  };
}
