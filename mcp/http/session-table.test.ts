import { callerIdentity, SessionTable, type TrackedSession } from './session-table.js';

const session = (id: string, identity: string, activeRequests = 0): TrackedSession => ({
  id,
  identity,
  lastSeen_ms: 0,
  activeRequests,
});

describe('MCP session table', () => {
  it('caps an individual (kubernetes) identity at its own limit, closing its least recently used session', () => {
    const table = new SessionTable<TrackedSession>({ maxSessions: 10, maxSessionsPerIdentity: 2 });
    const alice = callerIdentity({
      token: 't',
      clientId: 'c',
      scopes: [],
      extra: { kubernetes: { username: 'alice' } },
    });
    expect(table.admit(session('a1', alice))).toEqual([]);
    expect(table.admit(session('a2', alice))).toEqual([]);
    expect(table.admit(session('a3', alice)).map((s) => s.id)).toEqual(['a1']);
    expect(table.countFor(alice)).toBe(2);
  });

  it('without auth (one shared identity) only the server-wide cap applies: 100 clients keep their sessions', () => {
    const table = new SessionTable<TrackedSession>({ maxSessions: 1000, maxSessionsPerIdentity: 100 });
    const anonymous = callerIdentity(undefined);
    const evicted = [];
    for (let i = 0; i < 150; i += 1) evicted.push(...table.admit(session(`s${i}`, anonymous)));
    expect(evicted).toEqual([]);
    expect(table.size).toBe(150);
  });

  it('at the server-wide cap the least recently used idle session gives way, never refusing a new client', () => {
    const table = new SessionTable<TrackedSession>({ maxSessions: 2, maxSessionsPerIdentity: 2 });
    const token = callerIdentity({ token: 't', clientId: 'shared-token', scopes: [] });
    table.admit(session('busy', token, 1));
    table.admit(session('idle', token));
    expect(table.admit(session('new', token)).map((s) => s.id)).toEqual(['idle']);
  });
});
