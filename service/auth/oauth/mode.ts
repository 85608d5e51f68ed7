// The `oauth` auth mode: the path names the server (`/mcp/srv_<id>`, no secret), and the credential is an OAuth
// access token this service issued for exactly that server's resource. Registered in ../modes.ts; the token check
// and the 401 challenge (`WWW-Authenticate: Bearer resource_metadata=…`) are resource.ts's.

import type { ServerAuthMode } from '../modes.js';
import { oauthPolicyOf, policyJson } from '../../manage/views.js';
import { looksLikeServerId, resourcePath, resourceUrl } from './resource-url.js';

export const oauthMode: ServerAuthMode = {
  name: 'oauth',
  summary:
    'a non-secret resource URL (/mcp/srv_<id>) and an OAuth access token issued for it; clients log in (OAuth 2.1)',
  secretUrl: false,
  settings: {
    store: (input, current) => policyJson(input, current && oauthPolicyOf(current)),
    view: (row) => ({ oauth: { resource_path: resourcePath(row.id), ...oauthPolicyOf(row) } }),
  },
  publicUrl: (origin, row) => resourceUrl(origin, row.id),
  nextStep: () => 'Clients connect to the resource URL above and log in (OAuth); the URL itself is no secret.',
  locate(segment, credentials) {
    return looksLikeServerId(segment) ? credentials.serverById(segment) : undefined;
  },
  admit(req, row, credentials) {
    return credentials.oauthResource(req, row);
  },
  // Work on an `oauth` server runs under a grant; work admitted before the server moved to `oauth` ends.
  async workLive(row, grantId, credentials) {
    return grantId !== undefined && credentials.oauthGrantLive(row, grantId);
  },
};
