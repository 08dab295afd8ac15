// Request handling in arrival order, at most a time budget of it per event-loop turn.
//
// Node parses requests in the poll phase and would run each one's handler there at once; libuv
// accepts one new connection per poll phase (libuv#3696). When many connections open together, the
// first ones accepted keep every turn full of handler work (150 requests at about 0.7 ms each is a
// 100 ms turn), so the connections still waiting to be accepted get one accept per such turn: the
// last of 200 waited 7.8–9.6 s for its first answer. Here each request is handled in its own
// setImmediate callback (the check phase; its promise continuations run right after it), and once a
// turn has spent the budget the remaining requests wait for the next turn, so the poll phase (and
// with it the next accept) comes around at least every budget. The total work is unchanged.
//
// The first request on a connection goes before the requests of connections already served (in
// arrival order among themselves): a client that just connected during a storm would otherwise wait
// behind every established client's next request (hundreds of milliseconds at 200 clients on 2 cores)
// for its first answer. Each connection gets this once, so established clients are delayed by at
// most one request per new connection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function turnBudgeted(handler: Handler, budget_ms: number): Handler {
  const queue: Array<[IncomingMessage, ServerResponse]> = [];
  const firstOnConnection: Array<[IncomingMessage, ServerResponse]> = [];
  const served = new WeakSet<object>();
  let spentSince = -1;
  let yielding = false;

  // One callback per queued request. Callbacks queued while a turn's check phase runs wait for the
  // next turn, so setImmediate alone gives the poll phase its turn.
  const handleOne = () => {
    if (yielding) {
      setImmediate(handleOne);
      return;
    }
    const now = performance.now();
    if (spentSince < 0) spentSince = now;
    else if (now - spentSince >= budget_ms) {
      // Budget spent: this and every later callback of this turn move to the next turn, where the
      // first callback (this one, queued first) starts a new budget.
      yielding = true;
      setImmediate(() => {
        yielding = false;
        spentSince = -1;
      });
      setImmediate(handleOne);
      return;
    }
    const next = firstOnConnection.shift() ?? queue.shift();
    if (!next) return;
    handler(next[0], next[1]);
    if (queue.length === 0 && firstOnConnection.length === 0) spentSince = -1;
  };

  return (req, res) => {
    if (served.has(req.socket)) queue.push([req, res]);
    else {
      served.add(req.socket);
      firstOnConnection.push([req, res]);
    }
    setImmediate(handleOne);
  };
}
