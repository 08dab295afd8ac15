// Leader election between real processes against the real kube-apiserver: exactly one leader,
// a SIGKILLed leader is replaced within the lease duration, and a SIGTERMed leader releases the
// Lease so the standby takes over at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { KubeRestClient } from './kube-rest-client.js';

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
    [
      '--import',
      'tsx',
      'operator/controller/testdata/lease-candidate.ts',
      testKubeconfigPath(),
      NAMESPACE,
      lease,
      identity,
    ],
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
});
