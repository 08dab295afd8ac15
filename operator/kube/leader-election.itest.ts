// Leader election between real processes against the real kube-apiserver: exactly one leader,
// a SIGKILLed leader is replaced within the lease duration, a SIGTERMed leader releases the
// Lease so the standby takes over at once, and a leader whose Lease requests stop being answered
// steps down at its renew deadline, before anyone else can lead.
import { KubeConfig } from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { KubeRestClient } from './kube-rest-client.js';
import { LeaderElector } from './leader-election.js';

interface Candidate {
  identity: string;
  child: ChildProcess;
  lines: string[];
}

const NAMESPACE = 'default';
const LEASE_DURATION_MS = 3000;

function startCandidate(lease: string, identity: string): Candidate {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'hack/testenv/lease-candidate.ts', testKubeconfigPath(), NAMESPACE, lease, identity],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const candidate: Candidate = { identity, child, lines: [] };
  child.stdout!.on('data', (chunk: Buffer) =>
    candidate.lines.push(...chunk.toString().split('\n').filter(Boolean)),
  );
  return candidate;
}

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A TCP relay to the API server that can stop answering: once `silence()` is called it keeps every
 * connection (old and new) open and forwards nothing, the way a partitioned network or a stuck
 * API server looks to a client (TLS passes through untouched).
 */
async function silenceableRelay(
  target: URL,
): Promise<{ url: string; silence: () => void; close: () => void }> {
  let silent = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (silent) return; // accept, then never answer
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!silent) client.write(chunk);
    });
    upstream.on('close', () => {
      if (!silent) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    silence: () => {
      silent = true;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('leader election on a coordination.k8s.io/v1 Lease', () => {
  const client = new KubeRestClient(testKubeConfig());
  const candidates: Candidate[] = [];
  afterAll(() => {
    for (const c of candidates) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  });

  async function holder(lease: string): Promise<string | undefined> {
    try {
      const object = await client.get<{ spec: { holderIdentity?: string } }>(
        `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${lease}`,
      );
      return object.spec.holderIdentity ?? undefined;
    } catch {
      return undefined;
    }
  }

  it('elects one leader, and a killed leader is replaced within the lease duration', async () => {
    const lease = 'itest-kill';
    const a = startCandidate(lease, 'candidate-a');
    const b = startCandidate(lease, 'candidate-b');
    candidates.push(a, b);
    const first = await waitFor('a leader', async () => {
      const h = await holder(lease);
      return h === 'candidate-a' || h === 'candidate-b' ? h : undefined;
    });
    const [leader, standby] = first === 'candidate-a' ? [a, b] : [b, a];
    await waitFor('the leader to say so', () =>
      leader.lines.includes(`LEADING ${leader.identity}`) ? true : undefined,
    );
    // Exactly one leader, stable over a few renewals.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(standby.lines.filter((l) => l.startsWith('LEADING'))).toEqual([]);
    expect(await holder(lease)).toBe(leader.identity);

    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await waitFor('the standby to lead', () =>
      standby.lines.includes(`LEADING ${standby.identity}`) ? true : undefined,
    );
    const takeoverMs = Date.now() - killedAt;
    expect(await holder(lease)).toBe(standby.identity);
    // Within the lease duration after the last renewal, plus one retry period and jitter.
    expect(takeoverMs).toBeLessThan(LEASE_DURATION_MS + 1500);
    process.stderr.write(`FIGURE leader_takeover_after_sigkill_ms ${takeoverMs}\n`);
    const transitions = await client.get<{ spec: { leaseTransitions: number } }>(
      `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${lease}`,
    );
    expect(transitions.spec.leaseTransitions).toBe(1);
    standby.child.kill('SIGKILL');
  }, 60_000);

  it('a leader stopped with SIGTERM releases the Lease and the standby takes over at once', async () => {
    const lease = 'itest-release';
    const a = startCandidate(lease, 'release-a');
    candidates.push(a);
    await waitFor('a to lead', () => (a.lines.includes('LEADING release-a') ? true : undefined));
    const b = startCandidate(lease, 'release-b');
    candidates.push(b);
    await waitFor('b to campaign', () => (b.lines.includes('CANDIDATE release-b') ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stoppedAt = Date.now();
    a.child.kill('SIGTERM');
    await waitFor('a to exit', () => (a.child.exitCode !== null ? a.child.exitCode : undefined));
    expect(a.child.exitCode).toBe(0);
    await waitFor('b to lead', () => (b.lines.includes('LEADING release-b') ? true : undefined));
    const handoverMs = Date.now() - stoppedAt;
    expect(handoverMs).toBeLessThan(LEASE_DURATION_MS);
    process.stderr.write(`FIGURE leader_handover_after_sigterm_ms ${handoverMs}\n`);
    b.child.kill('SIGKILL');
  }, 60_000);

  it('a leader whose Lease endpoint stops answering steps down by its renew deadline: never two leaders', async () => {
    const lease = 'itest-silent-endpoint';
    const direct = testKubeConfig();
    const relay = await silenceableRelay(new URL(direct.getCurrentCluster()!.server));
    const viaRelay = new KubeConfig();
    viaRelay.loadFromFile(testKubeconfigPath());
    viaRelay.clusters = viaRelay.clusters.map((c) =>
      c.name === viaRelay.getCurrentCluster()!.name ? { ...c, server: relay.url } : c,
    );
    const timing = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
    const events: string[] = [];
    const elector = (client: KubeRestClient, identity: string) =>
      new LeaderElector(client, {
        namespace: NAMESPACE,
        name: lease,
        identity,
        ...timing,
        onStartedLeading: () => events.push(`${Date.now()} LEADING ${identity}`),
        onStoppedLeading: () => events.push(`${Date.now()} STOPPED ${identity}`),
      });
    // The REST client's own timeout (30 s) is far longer than the renew deadline: only the
    // elector's deadlines can end a hung request in time.
    const a = elector(new KubeRestClient(viaRelay), 'silent-a');
    const b = elector(new KubeRestClient(direct), 'silent-b');
    a.start();
    try {
      await waitFor('a to lead', () => (a.isLeader() ? true : undefined));
      b.start();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(b.isLeader()).toBe(false);

      const samples: Array<{ at_ms: number; a: boolean; b: boolean }> = [];
      const silencedAt = Date.now();
      relay.silence();
      const sampler = setInterval(
        () => samples.push({ at_ms: Date.now() - silencedAt, a: a.isLeader(), b: b.isLeader() }),
        100,
      );
      await waitFor('b to lead', () => (b.isLeader() ? true : undefined), 15_000);
      // Keep sampling well past the old failure window (a hung request held leadership for the
      // REST client's 30 s timeout, so both led from about leaseDuration on).
      await new Promise((resolve) => setTimeout(resolve, 4000));
      clearInterval(sampler);

      expect(samples.length).toBeGreaterThan(50);
      expect(samples.filter((s) => s.a && s.b)).toEqual([]);
      const aStoppedAt_ms = samples.find((s) => !s.a)!.at_ms;
      const bLeadsAt_ms = samples.find((s) => s.b)!.at_ms;
      expect(aStoppedAt_ms).toBeLessThanOrEqual(timing.renewDeadlineSeconds * 1000 + 200);
      expect(bLeadsAt_ms).toBeGreaterThan(aStoppedAt_ms);
      expect(a.isLeader()).toBe(false);
      expect(await holder(lease)).toBe('silent-b');
      process.stderr.write(
        `FIGURE leader_stepdown_after_silence_ms ${aStoppedAt_ms} standby_leads_after_silence_ms ${bLeadsAt_ms}\n`,
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      relay.close();
    }
  }, 60_000);
});
