// Two real carbon-operator processes (dist/operator/main.js, the shipped binary with the real carbon
// engine and the Kepler endpoint source) on one Lease against the real kube-apiserver. Energy comes
// from the fixture Kepler exporter over HTTPS with a test CA. One leads and keeps the policy status
// current while the other stands by without reconciling; SIGKILL the leader and the standby takes the
// Lease within the lease duration and keeps the status current; SIGTERM then releases the Lease.
// (leader-election.itest.ts covers the Lease protocol with bare candidate processes.)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificateAuthority, issueCertificate } from '../../hack/testenv/certificates.js';
import { kubectlPath, testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { startSimulatedKepler, type SimulatedKepler } from '../../hack/testenv/simulated-kepler.js';
import { KubeApiError, KubeRestClient } from '../kube/kube-rest-client.js';
import { policyPath } from './status-writer.js';

const NS = 'leader-apps';
const LEASE = 'carbon-operator-leader-itest';
const POLICY = 'leader-policy';
const LEASE_DURATION_S = 3;
const INTERVAL_S = 2;
const BINARY = 'dist/operator/main.js';

const admin = new KubeRestClient(testKubeConfig());

interface OperatorProcess {
  identity: string;
  child: ChildProcess;
  lines: string[];
  healthPort?: number;
}

function startOperator(identity: string, keplerUrl: string, caPath: string): OperatorProcess {
  const child = spawn(
    process.execPath,
    [
      BINARY,
      '--kubeconfig',
      testKubeconfigPath(),
      '--kepler-endpoints',
      keplerUrl,
      '--kepler-ca-file',
      caPath,
      '--kepler-scrape-interval',
      '1',
      '--lease-name',
      LEASE,
      '--lease-namespace',
      NS,
      '--lease-duration',
      String(LEASE_DURATION_S),
      '--renew-deadline',
      '2',
      '--retry-period',
      '0.5',
      '--identity',
      identity,
      '--health-port',
      '0',
      '--health-host',
      '127.0.0.1',
      // One namespace: the shared test API server holds other tests' policies.
      '--watch-namespace',
      NS,
      '--min-interval',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const operator: OperatorProcess = { identity, child, lines: [] };
  let partial = '';
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      operator.lines.push(line);
      const port = /"port":(\d+).*health and metrics server listening/.exec(line);
      if (port) operator.healthPort = Number(port[1]);
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return operator;
}

const alive = (op: OperatorProcess) => op.child.exitCode === null && op.child.signalCode === null;

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  operators: OperatorProcess[] = [],
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) {
      const logs = operators.map((op) => `--- ${op.identity}\n${op.lines.slice(-15).join('\n')}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function leaseHolder(): Promise<string | null | undefined> {
  try {
    const lease = await admin.get<{ spec: { holderIdentity?: string | null } }>(
      `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}`,
    );
    return lease.spec.holderIdentity ?? null;
  } catch (error) {
    if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
    throw error;
  }
}

/** One sample of a Prometheus text metric (no labels or the given label text), or undefined. */
async function metric(op: OperatorProcess, name: string): Promise<number | undefined> {
  if (!op.healthPort) return undefined;
  const text = await (await fetch(`http://127.0.0.1:${op.healthPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
}

const readPolicy = async () =>
  fromStoredPolicy(await admin.get<CarbonCompliancePolicy>(policyPath(NS, POLICY)));

describe('two carbon-operator processes on one Lease', () => {
  const operators: OperatorProcess[] = [];
  let kepler: SimulatedKepler | undefined;
  const pki = mkdtempSync(join(tmpdir(), 'carbon-leader-pki-'));
  let caPath = '';

  beforeAll(async () => {
    for (const file of [BINARY, 'dist/operator/binding/site-binding.js'])
      if (!existsSync(file))
        throw new Error(`${file} is missing: run \`npm run build\` first (make integration does)`);
    execFileSync(kubectlPath(), [
      '--kubeconfig',
      testKubeconfigPath(),
      'apply',
      '-f',
      'crds/carbon-aware.dev_carboncompliancepolicies.yaml',
    ]);
    execFileSync(kubectlPath(), [
      '--kubeconfig',
      testKubeconfigPath(),
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/carboncompliancepolicies.carbon-aware.dev',
    ]);
    await admin.create('/api/v1/namespaces', { metadata: { name: NS } });
    const dep = await admin.create<{ metadata: { uid: string } }>(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      {
        metadata: { name: 'api' },
        spec: {
          selector: { matchLabels: { app: 'leader-api' } },
          template: {
            metadata: { labels: { app: 'leader-api' } },
            spec: { containers: [{ name: 'c', image: 'x' }] },
          },
        },
      },
    );
    const rs = await admin.create<{ metadata: { uid: string } }>(
      `/apis/apps/v1/namespaces/${NS}/replicasets`,
      {
        metadata: {
          name: 'api-1',
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'api',
              uid: dep.metadata.uid,
              controller: true,
            },
          ],
        },
        spec: {
          selector: { matchLabels: { app: 'leader-api', rs: '1' } },
          template: {
            metadata: { labels: { app: 'leader-api', rs: '1' } },
            spec: { containers: [{ name: 'c', image: 'x' }] },
          },
        },
      },
    );
    const pods = [];
    for (const name of ['api-1-a', 'api-1-b']) {
      const pod = await admin.create<{ metadata: { uid: string; name: string } }>(
        `/api/v1/namespaces/${NS}/pods`,
        {
          metadata: {
            name,
            labels: { app: 'leader-api', rs: '1' },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'api-1',
                uid: rs.metadata.uid,
                controller: true,
              },
            ],
          },
          spec: {
            nodeName: 'node-1',
            containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi' } } }],
          },
        },
      );
      pods.push(pod);
    }
    const ca = makeCertificateAuthority(pki, 'leader-itest-ca');
    caPath = ca.certPath;
    const serving = issueCertificate(ca, {
      commonName: 'kepler',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    kepler = await startSimulatedKepler({
      pods: pods.map((p) => ({
        namespace: NS,
        name: p.metadata.name,
        uid: p.metadata.uid,
        node: 'node-1',
        // Large enough that every 2 s evaluation changes the rounded energy (so status is rewritten).
        watts: { package: 400, dram: 40 },
      })),
      tls: { certPem: serving.certPem, keyPem: serving.keyPem },
      host: '127.0.0.1',
      nodeName: 'node-1',
    });
    await admin.create(policyPath(NS), {
      apiVersion: 'carbon-aware.dev/v1alpha1',
      kind: 'CarbonCompliancePolicy',
      metadata: { name: POLICY },
      spec: {
        selector: { matchLabels: { app: 'leader-api' } },
        standard: 'KR_CARBON_2050',
        site: { zone: 'KR', pue: 1.3 },
        window: '24h',
        interval: `${INTERVAL_S}s`,
        language: 'en',
      },
    });
  }, 120_000);

  afterAll(async () => {
    for (const op of operators) if (alive(op)) op.child.kill('SIGKILL');
    await kepler?.stop();
    rmSync(pki, { recursive: true, force: true });
  });

  it('one leader writes status; after SIGKILL the standby takes over within the lease duration', async () => {
    const a = startOperator('leader-a', kepler!.url, caPath);
    const b = startOperator('leader-b', kepler!.url, caPath);
    operators.push(a, b);
    const first = await waitFor(
      'a leader',
      async () => {
        const holder = await leaseHolder();
        return holder === 'leader-a' || holder === 'leader-b' ? holder : undefined;
      },
      30_000,
      operators,
    );
    const [leader, standby] = first === 'leader-a' ? [a, b] : [b, a];
    const written = await waitFor(
      'status from the leader',
      async () => {
        const p = await readPolicy();
        return p.status?.summary && p.status.summary.energy_kWh > 0 ? p : undefined;
      },
      30_000,
      operators,
    );
    expect(written.status!.summary!.workloads).toBe(1);
    // The real engine assessed it (KR grid, PUE 1.3 against the KR_CARBON_2050 target).
    expect(['COMPLIANT', 'NON_COMPLIANT']).toContain(written.status!.summary!.status);
    expect(written.status!.summary!.effectiveIntensity_gCO2eq_kWh).toBeGreaterThan(0);
    expect(written.status!.conditions!.find((c) => c.type === 'MetricsAvailable')?.status).toBe('True');

    // The standby keeps warm caches but never reconciles; the leader keeps writing.
    await waitFor(
      'both health servers',
      () => (a.healthPort && b.healthPort ? true : undefined),
      10_000,
      operators,
    );
    await waitFor(
      'a second status write',
      async () => {
        const p = await readPolicy();
        return p.status!.lastEvaluationTime !== written.status!.lastEvaluationTime ? p : undefined;
      },
      INTERVAL_S * 1000 + 10_000,
      operators,
    );
    expect(await metric(leader, 'carbon_operator_leader')).toBe(1);
    expect(await metric(standby, 'carbon_operator_leader')).toBe(0);
    expect(await metric(standby, 'carbon_operator_reconcile_duration_seconds_count')).toBeUndefined();
    expect(await leaseHolder()).toBe(leader.identity);

    const before = await readPolicy();
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await waitFor(
      'the standby to hold the Lease',
      async () => ((await leaseHolder()) === standby.identity ? true : undefined),
      15_000,
      operators,
    );
    const takeoverMs = Date.now() - killedAt;
    const after = await waitFor(
      'a status write by the new leader',
      async () => {
        const p = await readPolicy();
        const at = Date.parse(p.status?.lastEvaluationTime ?? '');
        return at > killedAt - 1000 && p.status!.lastEvaluationTime !== before.status!.lastEvaluationTime
          ? p
          : undefined;
      },
      15_000,
      operators,
    );
    const currentAgainMs = Date.now() - killedAt;
    process.stderr.write(
      `FIGURE operator_takeover_after_sigkill_ms ${takeoverMs}\nFIGURE operator_status_current_after_sigkill_ms ${currentAgainMs}\n`,
    );
    // Within the lease duration after the last renewal, plus a retry period and jitter.
    expect(takeoverMs).toBeLessThan(LEASE_DURATION_S * 1000 + 1500);
    // The new leader's first evaluation comes right after it leads (caches are already warm).
    expect(currentAgainMs).toBeLessThan(LEASE_DURATION_S * 1000 + INTERVAL_S * 1000 + 3000);
    expect(after.status!.summary!.energy_kWh).toBeGreaterThanOrEqual(before.status!.summary!.energy_kWh);
    expect(after.status!.energyHistory!.series.map((s) => s.workload)).toEqual(['Deployment/api']);
    expect(await metric(standby, 'carbon_operator_leader')).toBe(1);
    expect(await metric(standby, 'carbon_operator_reconcile_duration_seconds_count')).toBeGreaterThan(0);
    expect(standby.lines.some((l) => l.includes('became leader'))).toBe(true);

    // A clean stop releases the Lease and exits 0.
    const exited = new Promise<number | null>((resolve) =>
      standby.child.once('exit', (code) => resolve(code)),
    );
    standby.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await leaseHolder()).toBeNull();
  }, 120_000);
});
