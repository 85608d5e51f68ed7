// What the management operations accept: the input schemas (one per operation and patch) and the parser that
// turns a failed parse into a 400 naming the first offending field. Shared by REST and the CLI.

import * as z from 'zod';
import { EXPOSURES } from '../../runtime/exposure/registry.js';
import { authModeNames, isAuthMode } from '../auth/modes.js';
import { ACTIONS } from '../auth/principals.js';
import { ServiceError } from '../errors.js';
import { nameProblem } from '../names.js';

export const MIN_EXPIRY_LEAD_MS = 60_000;
export const MAX_LIST = 500;
/** A management token given no expiry gets this one; `null` asks for none explicitly. */
export const DEFAULT_TOKEN_LIFETIME_MS = 90 * 86_400_000;

// Names are labels people read in listings, terminals and audit logs (see names.ts).
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .superRefine((s, ctx) => {
    const problem = nameProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const filterList = z
  .array(z.string().max(200, 'entries must be at most 200 characters'))
  .max(1000, 'at most 1000 entries');

/**
 * Sandbox limits of one code-mode server, in the units people set them in. Each can only tighten what the
 * service runs with (`serve --http --code-*`, else the defaults); the bounds keep a typo from meaning "unlimited".
 */
export const codeLimitsSchema = z.strictObject({
  timeout_seconds: z.int().min(1).max(600).optional(),
  memory_mib: z.int().min(1).max(2048).optional(),
  max_calls: z.int().min(1).max(10_000).optional(),
  max_result_bytes: z.int().min(1_000).max(10_000_000).optional(),
  /** The earlier name of `max_result_bytes`, from when the cap counted characters; stored as `max_result_bytes`. */
  max_result_chars: z.int().min(1_000).max(10_000_000).optional(),
});
export type ServerCodeLimits = z.infer<typeof codeLimitsSchema>;

export const serverConfigSchema = z.strictObject({
  methods: filterList.optional(),
  tags: filterList.optional(),
  tools: filterList.optional(),
  tool_exposure: z.enum(EXPOSURES).optional(),
  /** Used when `tool_exposure` is `code`; `null` in an update clears them. */
  code_limits: codeLimitsSchema.nullable().optional(),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;

const expiresAt = z.union(
  [z.iso.datetime({ offset: true }), z.null()],
  'must be an ISO-8601 date-time with a zone, such as 2030-12-31T23:59:59Z, or null for no expiry',
);
const key = z.string().trim().min(1).max(500);
const baseUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  // The toolkit refuses a base URL with credentials at call time; refusing it here keeps a password out of
  // listings and makes the mistake a 400 now rather than a failing server later.
  .refine((u) => {
    const url = new URL(u);
    return !url.username && !url.password;
  }, 'must not contain credentials (user:password@)');
// Sent as OpenAI-Organization / OpenAI-Project headers: ids only, never text that could break a header.
const openAiId = (example: string) =>
  z
    .string()
    .trim()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, `must be an OpenAI id such as ${example}`);

export const accountInputSchema = z.strictObject({
  name,
  base_url: baseUrl.optional(),
  api_key: key.optional(),
  admin_key: key.optional(),
  organization_id: openAiId('org-…').optional(),
  project_id: openAiId('proj_…').optional(),
});
export type AccountInput = z.infer<typeof accountInputSchema>;

/** An account update: a given key replaces the stored one, `null` removes it (one key must remain). */
export const accountPatchSchema = z.strictObject({
  name: name.optional(),
  base_url: baseUrl.nullable().optional(),
  api_key: key.nullable().optional(),
  admin_key: key.nullable().optional(),
  organization_id: openAiId('org-…').nullable().optional(),
  project_id: openAiId('proj_…').nullable().optional(),
});
export type AccountPatchInput = z.infer<typeof accountPatchSchema>;

const authMode = z.string().superRefine((v, ctx) => {
  if (!isAuthMode(v)) ctx.addIssue({ code: 'custom', message: `must be one of: ${authModeNames().join(', ')}` });
});

/** Who may log in to an `oauth` server through the upstream identity provider (see service/auth/oauth/). */
export const oauthPolicySchema = z.strictObject({
  allow_emails: z
    .array(
      z
        .email()
        .max(320)
        .transform((e) => e.toLowerCase()),
    )
    .max(1000, 'at most 1000 entries')
    .optional(),
  allow_groups: z
    .array(
      z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(200, 'entries must be at most 200 characters')
        .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'must not contain control or format characters'),
    )
    .max(1000, 'at most 1000 entries')
    .optional(),
});
export type OAuthPolicyInput = z.infer<typeof oauthPolicySchema>;
export interface OAuthPolicy {
  allow_emails: string[];
  allow_groups: string[];
}

export const serverInputSchema = z.strictObject({
  name,
  config: serverConfigSchema.optional(),
  expires_at: expiresAt.optional(),
  auth: authMode.optional(),
  /** Who may log in, for `auth: "oauth"` only. */
  oauth: oauthPolicySchema.optional(),
  /** Read for compatibility: `true` is `auth: "url+client-token"`, `false` is `auth: "url"`. */
  require_api_token_auth: z.boolean().optional(),
});
export type ServerInput = z.infer<typeof serverInputSchema>;

/** A server update: the fields of a new server, all optional. */
export const serverPatchSchema = serverInputSchema.partial({ name: true });
export type ServerPatchInput = z.infer<typeof serverPatchSchema>;

const accountIds = z.array(z.string().min(1).max(100)).min(1, 'must name at least one account').max(1000);
export const managementTokenInputSchema = z.strictObject({
  name,
  /** `"*"` for every account, present and future, or a list of account ids. */
  accounts: z.union([z.literal('*'), accountIds]),
  /** `"*"` for every action, or a list of them. */
  actions: z.union([z.literal('*'), z.array(z.enum(ACTIONS)).min(1, 'must name at least one action')]),
  /** Defaults to 90 days from now; `null` for none (only from a token that has none). */
  expires_at: expiresAt.optional(),
});

export const clientTokenInputSchema = z.strictObject({
  name,
  servers: z.array(z.string().min(1).max(100)).min(1, 'must name at least one server').max(100),
  expires_at: expiresAt.optional(),
});

/** Parses `input` or throws a 400 naming the first offending field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [])].map(String).join('.');
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''}` : issue.message;
  // Echo at most a short field path: a hostile key may be a megabyte long.
  const shown = field.length > 100 ? `${field.slice(0, 100)}…` : field;
  throw new ServiceError(
    issue.code === 'unrecognized_keys' ? 'unknown_field' : 'invalid_request',
    `${shown || 'body'}: ${message}`,
    shown || undefined,
  );
}
