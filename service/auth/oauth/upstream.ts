// The upstream OpenID Connect provider people log in with (the operator's IdP: Google Workspace, Entra ID,
// Okta, Keycloak, Authentik…). This service is an ordinary confidential OIDC client of it, through
// `openid-client`: discovery, authorization code with PKCE, state and nonce checked, ID token validated.

import * as oidc from 'openid-client';
import { isLoopback } from '../../http/guard.js';

export interface UpstreamOidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Scopes asked of the IdP (default `openid email profile`). */
  scopes?: string;
  /** The claim holding group names (default `groups`). */
  groupsClaim?: string;
}

/** Who the IdP says logged in. */
export interface UpstreamIdentity {
  issuer: string;
  sub: string;
  email?: string;
  emailVerified: boolean;
  groups: string[];
}

export interface UpstreamStart {
  url: URL;
  verifier: string;
  nonce: string;
}

export class UpstreamOidc {
  private config?: Promise<oidc.Configuration>;

  constructor(
    readonly options: UpstreamOidcOptions,
    private readonly callbackUrl: string,
  ) {}

  /** A label for the login button: the IdP's host. */
  get label(): string {
    return new URL(this.options.issuer).host;
  }

  private configuration(): Promise<oidc.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.options.issuer);
      // Plain http only for an IdP on this machine (tests, a local Keycloak); anywhere else it must be https.
      const insecure = issuer.protocol === 'http:' && isLoopback(issuer.hostname.toLowerCase());
      this.config = oidc
        .discovery(issuer, this.options.clientId, this.options.clientSecret, undefined, {
          execute: insecure ? [oidc.allowInsecureRequests] : [],
          timeout: 10,
        })
        .catch((err: unknown) => {
          // Not cached: the next login tries discovery again (the IdP may have been down for a moment).
          this.config = undefined;
          throw err;
        });
    }
    return this.config;
  }

  /** The IdP's authorization URL for one login, with fresh PKCE and nonce; `state` is the caller's. */
  async start(state: string): Promise<UpstreamStart> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: this.options.scopes ?? 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, verifier, nonce };
  }

  /** Completes a login from the callback URL; throws when the IdP's answer does not check out. */
  async finish(currentUrl: URL, checks: { state: string; nonce: string; verifier: string }): Promise<UpstreamIdentity> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the identity provider returned no ID token');
    let all: Record<string, unknown> = { ...claims };
    const groupsClaim = this.options.groupsClaim ?? 'groups';
    // Many IdPs put email or groups only in userinfo.
    if ((all.email === undefined || all[groupsClaim] === undefined) && config.serverMetadata().userinfo_endpoint) {
      try {
        all = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), ...all };
      } catch {
        // Userinfo is optional; the ID token's claims stand.
      }
    }
    const groups = all[groupsClaim];
    return {
      issuer: String(claims.iss),
      sub: claims.sub,
      email: typeof all.email === 'string' ? all.email.toLowerCase() : undefined,
      emailVerified: all.email_verified === true,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  }
}
