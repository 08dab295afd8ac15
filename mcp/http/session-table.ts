// The open MCP sessions of a stateful server, each bound to the identity that created it. Bounded
// twice: per identity and in total. At either bound the least recently used session gives way
// (idle ones first), so one client cannot lock everyone else out: a new client can always start a
// session, and an evicted client gets 404 and initialises again (the Streamable HTTP contract).
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

export interface SessionLimits {
  /** Sessions held at once by the whole server. */
  maxSessions: number;
  /** Sessions held at once by one identity (one Kubernetes user, or the shared token). */
  maxSessionsPerIdentity: number;
}

export interface TrackedSession {
  readonly id: string;
  /** callerIdentity() of the creator; only that identity may use or delete the session. */
  readonly identity: string;
  lastSeen_ms: number;
  /** Requests (including open GET streams) being served right now. */
  activeRequests: number;
}

/**
 * Who a caller is, for binding sessions: the Kubernetes username and uid in kubernetes mode, the
 * shared token's client id in token mode, 'anonymous' without auth.
 */
export function callerIdentity(auth: AuthInfo | undefined): string {
  if (!auth) return 'anonymous';
  const kubernetes = auth.extra?.kubernetes as { username?: string; uid?: string } | undefined;
  if (kubernetes?.username) return `kubernetes\u0000${kubernetes.username}\u0000${kubernetes.uid ?? ''}`;
  return `client\u0000${auth.clientId}`;
}

export class SessionTable<S extends TrackedSession> {
  /** Insertion order = least recently used first (touch() moves a session to the end). */
  private readonly sessions = new Map<string, S>();
  private readonly perIdentity = new Map<string, number>();

  constructor(readonly limits: SessionLimits) {
    if (limits.maxSessionsPerIdentity > limits.maxSessions) {
      throw new Error('maxSessionsPerIdentity must not exceed maxSessions');
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): S | undefined {
    return this.sessions.get(id);
  }

  values(): S[] {
    return [...this.sessions.values()];
  }

  touch(session: S, now_ms: number): void {
    session.lastSeen_ms = now_ms;
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
  }

  private add(session: S): void {
    this.sessions.set(session.id, session);
    this.perIdentity.set(session.identity, (this.perIdentity.get(session.identity) ?? 0) + 1);
  }

  remove(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    const left = (this.perIdentity.get(session.identity) ?? 1) - 1;
    if (left > 0) this.perIdentity.set(session.identity, left);
    else this.perIdentity.delete(session.identity);
    return true;
  }

  countFor(identity: string): number {
    return this.perIdentity.get(identity) ?? 0;
  }

  /**
   * Adds a new session, first taking out what must give way: the identity's own least recently
   * used session when it is at its own cap, else the server's least recently used one when the
   * server is full. Idle sessions (no request in progress) go before busy ones. Returns the
   * sessions taken out; the caller closes them.
   */
  admit(session: S): S[] {
    const evicted: S[] = [];
    // The per-identity cap is for individual callers (kubernetes auth). Without auth, or with the
    // one shared token, every client has the same identity: capping it would evict other clients'
    // live sessions, so only the server-wide cap applies there.
    const individual = session.identity.startsWith('kubernetes\u0000');
    while (individual && this.countFor(session.identity) >= this.limits.maxSessionsPerIdentity) {
      const victim = this.leastRecentlyUsed((s) => s.identity === session.identity);
      if (!victim) break;
      this.remove(victim.id);
      evicted.push(victim);
    }
    while (this.sessions.size >= this.limits.maxSessions) {
      const victim = this.leastRecentlyUsed(() => true);
      if (!victim) break;
      this.remove(victim.id);
      evicted.push(victim);
    }
    this.add(session);
    return evicted;
  }

  private leastRecentlyUsed(match: (s: S) => boolean): S | undefined {
    let busy: S | undefined;
    for (const session of this.sessions.values()) {
      if (!match(session)) continue;
      if (session.activeRequests === 0) return session;
      busy ??= session;
    }
    return busy;
  }
}
