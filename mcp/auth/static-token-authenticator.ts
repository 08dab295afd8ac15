// Auth mode `token`: one shared bearer token read from a file (e.g. a mounted Secret).
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CallerAuthenticator } from './caller-authenticator.js';

const MIN_TOKEN_LENGTH = 16;

const digest = (value: string) => createHash('sha256').update(value).digest();

export class StaticTokenAuthenticator implements CallerAuthenticator {
  readonly mode = 'token' as const;
  private readonly expected: Buffer;

  constructor(token: string) {
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new Error(`--token-file: the token must be at least ${MIN_TOKEN_LENGTH} characters`);
    }
    this.expected = digest(token);
  }

  static fromFile(path: string): StaticTokenAuthenticator {
    return new StaticTokenAuthenticator(readFileSync(path, 'utf8').trim());
  }

  async authenticate(token: string | undefined): Promise<AuthInfo | undefined> {
    if (!token) return undefined;
    // Compare digests: constant time and independent of the presented token's length.
    if (!timingSafeEqual(digest(token), this.expected)) return undefined;
    return { token, clientId: 'static-token', scopes: [] };
  }
}
