import type { IncomingMessage, ServerResponse } from 'node:http';
import { turnBudgeted } from './turn-budget.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // simulated handler work
  }
}

describe('turnBudgeted', () => {
  test('handles requests in arrival order, and lets the event loop turn at least every budget', async () => {
    const handled: number[] = [];
    const BUDGET_MS = 10;
    const REQUEST_MS = 2;
    const handle = turnBudgeted((req) => {
      busy(REQUEST_MS);
      handled.push((req as unknown as { n: number }).n);
    }, BUDGET_MS);
    const started = performance.now();
    const socket = {};
    for (let n = 0; n < 100; n++) {
      handle({ n, socket } as unknown as IncomingMessage, {} as ServerResponse);
    }
    // A timer stands for the poll phase's work (an accept): it must not wait for all 100 requests.
    const timer = await new Promise<{ at_ms: number; handledBefore: number }>((resolve) =>
      setTimeout(() => resolve({ at_ms: performance.now() - started, handledBefore: handled.length }), 0),
    );
    // At most one budget's worth ran first (none when the timer's millisecond had passed before the
    // first check phase, as on a slow CI machine).
    expect(timer.handledBefore).toBeLessThanOrEqual(BUDGET_MS / REQUEST_MS + 1);
    while (handled.length < 100) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(handled).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });

  test("a connection's first request goes before the next requests of connections already served", async () => {
    const handled: string[] = [];
    const handle = turnBudgeted((req) => {
      busy(1);
      handled.push((req as unknown as { id: string }).id);
    }, 2);
    const old = {};
    const request = (id: string, socket: object) =>
      handle({ id, socket } as unknown as IncomingMessage, {} as ServerResponse);
    request('old-1', old);
    for (let n = 2; n <= 20; n++) request(`old-${n}`, old);
    request('new-a-1', {});
    const b = {};
    request('new-b-1', b);
    request('new-b-2', b);
    while (handled.length < 23) await new Promise((resolve) => setTimeout(resolve, 5));
    // old-1 was its connection's first request too, and arrived first.
    expect(handled.slice(0, 3)).toEqual(['old-1', 'new-a-1', 'new-b-1']);
    expect(handled.slice(3)).toEqual([...Array.from({ length: 19 }, (_, i) => `old-${i + 2}`), 'new-b-2']);
  });

  test('an idle server handles a request in the same turn it arrives', async () => {
    const handled: string[] = [];
    const handle = turnBudgeted(() => handled.push('request'), 10);
    handle({ socket: {} } as unknown as IncomingMessage, {} as ServerResponse);
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled).toEqual(['request']);
  });
});
