// kube-apiserver restarted while the operator reconciles (its own control plane, so the shared one is
// untouched), with leader election on: the operator survives the outage and keeps the Lease (its renew
// deadline is longer than the outage), its watches resume, a spec change made after the restart is
// observed, and the status written before the outage is still there. While the API server is down
// etcd moves on and is compacted, so the informers' resourceVersions are gone when they reconnect:
// they must get 410 Gone and list again, and the test asserts that the policies informer did.
//
// Why the 410 is certain, not timing: an informer's resourceVersion comes from events and bookmarks
// the API server sent, so it is at most etcd's revision when the API server stopped. Five writes
// made after the stop and a compaction at the newest revision remove every revision it can hold. A
// watch from a compacted revision is refused with 410 Gone whether the restarted API server answers
// it from its watch cache (which starts at the current revision) or from etcd.
import { jest } from '@jest/globals';
import { CoordinationV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { GROUP, PLURAL, VERSION, type CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import { ControlPlane, freeLoopbackPort, locateBinaries } from '../../hack/testenv/control-plane.js';
import { createHandMadeWorkloads, deploymentPlan } from '../../hack/testenv/hand-made-workloads.js';
import { operatorArguments } from '../../hack/demo/operator-arguments.js';
import {
  createPolicy,
  installPolicyCrd,
  readPolicy,
  waitForPolicy,
} from '../../hack/testenv/cluster-fixtures.js';
import { startFaultyKeplerWithCa, type FaultyKepler } from '../../hack/testenv/faulty-kepler.js';
import { processMemory, reportFigures } from '../../hack/testenv/process-memory.js';
import { SpawnedNodeProcess } from '../../hack/testenv/spawned-node-process.js';

const NAMESPACE = 'restart';
const POLICY = 'restart';
const OUTAGE_MS = 15_000;
const IDENTITY = 'restart-operator';

/** etcd's JSON gateway (v3): the current revision, some writes, then a compaction up to the newest. */
async function advanceAndCompactEtcd(etcdUrl: string): Promise<number> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`etcd ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { header: { revision: string } };
  };
  const key = Buffer.from('/resilience/compaction-marker').toString('base64');
  let revision = 0;
  for (let i = 0; i < 5; i++) {
    const put = await post('/v3/kv/put', { key, value: Buffer.from(String(i)).toString('base64') });
    revision = Number(put.header.revision);
  }
  await post('/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

jest.setTimeout(600_000);

describe('operator across a kube-apiserver restart', () => {
  let controlPlane: ControlPlane;
  let kepler: FaultyKepler;
  let operator: SpawnedNodeProcess;
  let policyRelistsOn410: { readonly count: number };
  let api: CustomObjectsApi;

  const read = () => readPolicy(api, NAMESPACE, POLICY);

  let leaseHolder: () => Promise<string | undefined>;

  // A failed read is "not yet": the API server may still be coming up.
  const waitFor = (what: string, test: (p: CarbonCompliancePolicy) => boolean, timeoutMs = 120_000) =>
    waitForPolicy(operator, read, what, test, timeoutMs, 'retry');

  beforeAll(async () => {
    controlPlane = new ControlPlane({ binaries: locateBinaries() });
    const info = await controlPlane.start();
    const kc = new KubeConfig();
    kc.loadFromFile(info.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
    const coordination = kc.makeApiClient(CoordinationV1Api);
    leaseHolder = async () => {
      const started = Date.now();
      // Wait for the operator to take (or keep) the Lease; undefined when nobody holds it.
      for (;;) {
        const holder = await coordination
          .readNamespacedLease({ name: 'carbon-aware-operator', namespace: NAMESPACE })
          .then((l) => l.spec?.holderIdentity ?? undefined)
          .catch(() => undefined);
        if (holder || Date.now() - started > 30_000) return holder;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const kubectl = info.binaries.kubectl ?? process.env.TEST_KUBECTL;
    if (!kubectl) throw new Error('kubectl not found next to kube-apiserver');
    installPolicyCrd(kubectl, info.kubeconfigPath);
    const pods = await createHandMadeWorkloads(kc, [
      deploymentPlan(NAMESPACE, 'shop', { package_watts: 15, dram_watts: 2 }),
    ]);
    const started = await startFaultyKeplerWithCa(join(info.dir, 'kepler-pki'), 'restart-kepler-ca', pods);
    kepler = started.kepler;
    const ca = started.ca;
    await createPolicy(kc, NAMESPACE, POLICY, {
      selector: { matchLabels: { app: 'shop' } },
      site: { zone: 'KR', pue: 1.2 },
      interval: '5s',
      language: 'en',
    });
    operator = new SpawnedNodeProcess(
      'operator',
      'dist/operator/main.js',
      operatorArguments({
        keplerUrls: [kepler.url],
        caPath: ca.certPath,
        kubeconfigPath: info.kubeconfigPath,
        healthPort: await freeLoopbackPort(),
        watchNamespace: NAMESPACE,
        leaderElection: true,
      }).concat([
        `--lease-namespace=${NAMESPACE}`,
        `--identity=${IDENTITY}`,
        // Long enough to ride out the outage without losing the Lease (the deadline is honoured
        // exactly: a shorter one would end leadership, and the process, by design).
        '--lease-duration=120',
        '--renew-deadline=90',
        '--retry-period=2',
      ]),
      { KUBECONFIG: info.kubeconfigPath, LOG_LEVEL: 'info' },
    );
    // Every relist of the policies informer on 410 Gone (the operator's log line, counted as it is
    // written: the process logs more than its kept tail holds).
    policyRelistsOn410 = operator.countLines((line) => {
      if (!line.includes('410 Gone')) return false;
      try {
        const entry = JSON.parse(line) as { informer?: string; msg?: string };
        return entry.informer === 'policies' && entry.msg?.includes('relisting') === true;
      } catch {
        return false;
      }
    });
  });

  afterAll(async () => {
    await operator?.stop();
    await kepler?.stop();
    await controlPlane?.stop();
  });

  it('survives the outage, resumes its watches and keeps the status', async () => {
    const { policy: before, ms: firstMs } = await waitFor(
      'first assessment',
      (p) => !!p.status?.summary && p.status.summary.status !== 'INSUFFICIENT_DATA',
    );

    const lease = await leaseHolder();
    expect(lease).toBe(IDENTITY);

    expect(policyRelistsOn410.count).toBe(0);
    const outageStarted = Date.now();
    await controlPlane.stopApiServer();
    // The test harness keeps etcd's address private; it is the etcd this control plane started.
    const etcdUrl = `http://127.0.0.1:${(controlPlane as unknown as { etcdPort: number }).etcdPort}`;
    const compactedAt = await advanceAndCompactEtcd(etcdUrl);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    expect(operator.alive).toBe(true);
    await controlPlane.startApiServer();
    const restartMs = Date.now() - outageStarted;

    // The status written before the outage survived (etcd kept it; nothing erased it).
    const { policy: after } = await waitFor('API back', (p) => !!p.status?.summary);
    expect(after.status!.summary!.status).toBe(before.status!.summary!.status);

    // A spec change after the restart reaches the operator only through a resumed watch.
    await api.patchNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: NAMESPACE,
      name: POLICY,
      body: [{ op: 'replace', path: '/spec/language', value: 'ko' }],
    });
    const generation = (await read()).metadata.generation!;
    const { policy: observed, ms: observeMs } = await waitFor(
      'the new generation observed',
      (p) =>
        p.status?.observedGeneration === generation &&
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      180_000,
    );
    expect(observed.status!.summary).toBeDefined();
    expect(operator.alive).toBe(true);
    // The informers' old resourceVersions were compacted away: the policies informer relisted on
    // 410 Gone (by now, or within a minute: it may still be backing off after the outage).
    const relistDeadline = Date.now() + 60_000;
    while (policyRelistsOn410.count === 0 && Date.now() < relistDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const relists = policyRelistsOn410.count;
    expect(relists).toBeGreaterThanOrEqual(1);
    // Still the leader, on the same Lease.
    expect(await leaseHolder()).toBe(IDENTITY);
    const memory = processMemory(operator.pid);
    reportFigures('apiserver-restart', {
      first_assessment_ms: firstMs,
      outage_ms: restartMs,
      observe_after_restart_ms: observeMs,
      etcd_compacted_at_revision: compactedAt,
      relists_on_410: relists,
      peak_rss_MiB: memory.peakRss_MiB,
    });
  });
});
