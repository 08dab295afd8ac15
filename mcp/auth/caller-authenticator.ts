// Turns a bearer token into a caller (AuthInfo), or refuses it. One implementation per auth mode.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

type AuthMode = 'none' | 'token' | 'kubernetes';

export interface CallerAuthenticator {
  readonly mode: AuthMode;
  /** undefined = the token is not valid. Never throws for a bad token; throws only when it cannot decide. */
  authenticate(token: string | undefined): Promise<AuthInfo | undefined>;
}

export const noAuthentication: CallerAuthenticator = {
  mode: 'none',
  async authenticate() {
    return { token: '', clientId: 'anonymous', scopes: [] };
  },
};
