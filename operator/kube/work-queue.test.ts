import { WorkQueue } from './work-queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('WorkQueue', () => {
  it('deduplicates a key that is added many times before it runs', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const runs: string[] = [];
    for (let i = 0; i < 5; i++) queue.add('a');
    queue.add('b');
    queue.start(async (key) => {
      runs.push(key);
    });
    await queue.idle();
    expect(runs).toEqual(['a', 'b']);
  });

  it('never runs one key twice at once, and re-runs it once if it changed meanwhile', async () => {
    const queue = new WorkQueue({ concurrency: 4 });
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    queue.start(async () => {
      running += 1;
      runs += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(30);
      running -= 1;
    });
    queue.add('a');
    await sleep(5);
    queue.add('a');
    queue.add('a');
    await sleep(5);
    await queue.idle();
    await waitFor(() => runs === 2 && running === 0, 'second run');
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('bounds concurrency across keys', async () => {
    const queue = new WorkQueue({ concurrency: 3 });
    let running = 0;
    let maxRunning = 0;
    queue.start(async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(10);
      running -= 1;
    });
    for (let i = 0; i < 20; i++) queue.add(`k${i}`);
    await waitFor(() => queue.length === 0 && queue.inFlight === 0, 'drain');
    expect(maxRunning).toBe(3);
  });

  it('retries a failing key with growing per-key backoff and forgets failures on success', async () => {
    const retries: number[] = [];
    const queue = new WorkQueue({
      concurrency: 2,
      backoff: { initialMs: 10, maxMs: 1000, jitter: 0 },
      onError: (_key, _error, retryInMs) => retries.push(retryInMs),
    });
    const attempts = new Map<string, number[]>();
    queue.start(async (key) => {
      const times = attempts.get(key) ?? [];
      times.push(Date.now());
      attempts.set(key, times);
      if (key === 'bad' && times.length <= 3) throw new Error('transient');
    });
    queue.add('bad');
    queue.add('good');
    await waitFor(() => (attempts.get('bad')?.length ?? 0) === 4, 'fourth attempt');
    expect(retries).toEqual([10, 20, 40]);
    const times = attempts.get('bad')!;
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(35);
    expect(attempts.get('good')).toHaveLength(1);
    await waitFor(() => queue.failureCount('bad') === 0, 'failures reset after success');
  });

  it('requeues after the interval a handler asks for; an earlier delayed add wins', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const runs: number[] = [];
    const started = Date.now();
    queue.start(async () => {
      runs.push(Date.now() - started);
      return runs.length < 3 ? { requeueAfterMs: 40 } : undefined;
    });
    queue.add('policy');
    await waitFor(() => runs.length === 3, 'three periodic runs');
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(38);
    expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(38);

    queue.addAfter('x', 10_000);
    queue.addAfter('x', 20);
    queue.addAfter('x', 5_000);
    await waitFor(() => runs.length === 4, 'earliest delayed add');
    expect(queue.pendingDelayed()).toEqual([]);
  });

  it('shutdown waits for running work, drops queued and delayed work, and refuses new keys', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const done: string[] = [];
    queue.start(async (key) => {
      await sleep(30);
      done.push(key);
    });
    queue.add('running');
    queue.add('queued');
    queue.addAfter('delayed', 10);
    await sleep(5);
    await queue.shutdown();
    expect(done).toEqual(['running']);
    queue.add('late');
    await sleep(50);
    expect(done).toEqual(['running']);
    expect(queue.pendingDelayed()).toEqual([]);
  });

  it('forget drops pending and delayed work for a deleted object', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const runs: string[] = [];
    queue.addAfter('gone', 20);
    queue.add('gone2');
    queue.forget('gone');
    queue.forget('gone2');
    queue.start(async (key) => {
      runs.push(key);
    });
    await sleep(60);
    expect(runs).toEqual([]);
  });

  it('serves namespaces in turn: 900 keys of one namespace do not hold back 99 others', async () => {
    const queue = new WorkQueue({ concurrency: 2 });
    const order: string[] = [];
    for (let i = 0; i < 900; i++) queue.add(`crowded/p${i}`);
    for (let n = 0; n < 99; n++) queue.add(`team-${n}/policy`);
    queue.add('team-0/second');
    expect(queue.length).toBe(1000);
    queue.start(async (key) => {
      order.push(key);
    });
    await queue.idle();
    expect(order).toHaveLength(1000);
    const position = (key: string) => order.indexOf(key);
    // Every other namespace's first key runs within the first round of 100 namespaces.
    for (let n = 0; n < 99; n++) expect(position(`team-${n}/policy`)).toBeLessThan(100);
    // Within a namespace, keys keep their order; a second key waits for the next round.
    expect(position('team-0/second')).toBeGreaterThan(position('team-0/policy'));
    expect(position('team-0/second')).toBeLessThan(200);
    const crowded = order.filter((k) => k.startsWith('crowded/'));
    expect(crowded).toEqual(Array.from({ length: 900 }, (_, i) => `crowded/p${i}`));
  });

  it('forget removes a waiting key from its namespace and the namespace from the turns when empty', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    queue.add('a/1');
    queue.add('b/1');
    queue.add('a/2');
    queue.forget('b/1');
    queue.forget('a/1');
    expect(queue.length).toBe(1);
    const runs: string[] = [];
    queue.start(async (key) => {
      runs.push(key);
    });
    await queue.idle();
    expect(runs).toEqual(['a/2']);
  });
});
