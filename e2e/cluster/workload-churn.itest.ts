// The operator on a cluster where the real controllers own the workloads: its own control plane with
// kube-controller-manager, kube-scheduler and kwok-simulated nodes (hack/testenv, `workloadControllers`),
// the demo's simulated Kepler exporter following the pods through a watch, and the built operator as a
// child process. Every object below is created the way a user creates it (a Deployment, a CronJob);
// ReplicaSets, Jobs and Pods come from the controllers. Then the workloads churn:
// - a pod is deleted → its ReplicaSet replaces it → the next status covers the workload with the new pod;
// - the Deployment is scaled 2 → 5 → the status counts 5 pods within two policy intervals;
// - a CronJob fires → its Job's pods' energy is attributed to the CronJob, not to the Job;
// - a node is cordoned and drained → the pods move and their energy follows them;
// - a rollout (new ReplicaSet) → still one workload, never two.
// "Covers" is measured, not assumed: a workload's power_watts in status is the sum of the live Kepler
// readings of its current pods, so a pod the operator did not see would leave it short.
import { jest } from '@jest/globals';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import type { WorkloadAssessment } from '../../operator/domain/types.js';
import { ControlPlane, freeLoopbackPort, locateBinaries } from '../../hack/testenv/control-plane.js';
import { issueCertificate, makeCertificateAuthority } from '../../hack/testenv/certificates.js';
import { createSimulatedNodes } from '../../hack/testenv/simulated-nodes.js';
import { deploymentPlan } from '../../hack/testenv/hand-made-workloads.js';
import { createWorkload, type DemoWorkloadPlan } from '../../hack/demo/demo-workloads.js';
import { startSimulatedKepler, type SimulatedKepler } from '../../hack/testenv/simulated-kepler.js';
import { operatorArguments } from '../../hack/demo/operator-arguments.js';
import { createPolicy, installPolicyCrd } from '../../hack/testenv/cluster-fixtures.js';
import { SpawnedNodeProcess } from '../../hack/testenv/spawned-node-process.js';
import { PolicyStatusRecorder } from './policy-status-recorder.js';

jest.setTimeout(900_000);

const NAMESPACE = 'churn';
const NODES = ['churn-node-1', 'churn-node-2', 'churn-node-3'];
/** Policy spec.interval, seconds (the operator's --min-interval is 5). */
const INTERVAL_S = 10;
const SCRAPE_INTERVAL_S = 2;
/** The simulated power of one shop pod: package + DRAM, watts; the exporter's wave is ±25 % around it. */
const SHOP_POWER = { package_watts: 20, dram_watts: 3 };
const SHOP_POD_WATTS = SHOP_POWER.package_watts + SHOP_POWER.dram_watts;

const shop: DemoWorkloadPlan = deploymentPlan(NAMESPACE, 'shop', SHOP_POWER);
const report: DemoWorkloadPlan = {
  namespace: NAMESPACE,
  kind: 'CronJob',
  name: 'report',
  replicas: 1,
  labels: { app: 'report' },
  container: { name: 'etl', image: 'apache/spark:3.5.1', cpu: '2', memory: '4Gi' },
  power: { package_watts: 30, dram_watts: 4 },
  schedule: '* * * * *',
  runDuration: '20s',
};

/** Whether `watts` is the live power of exactly `pods` shop pods (each within the ±25 % wave, with margin). */
function powerOfPods(watts: number, pods: number): boolean {
  return watts >= 0.7 * pods * SHOP_POD_WATTS && watts <= 1.3 * pods * SHOP_POD_WATTS;
}

function workloadsOf(policy: CarbonCompliancePolicy): WorkloadAssessment[] {
  return policy.status?.workloads ?? [];
}

function shopWorkload(policy: CarbonCompliancePolicy): WorkloadAssessment | undefined {
  return workloadsOf(policy).find((w) => w.kind === 'Deployment' && w.workload === 'shop');
}

describe('operator on a cluster with real controllers, scheduler and kwok nodes', () => {
  let plane: ControlPlane;
  let kc: KubeConfig;
  let kubeconfigPath: string;
  let kubectl: string;
  let kepler: SimulatedKepler;
  let operator: SpawnedNodeProcess;
  let recorder: PolicyStatusRecorder;
  const keplerErrors: string[] = [];

  const core = () => kc.makeApiClient(CoreV1Api);
  const apps = () => kc.makeApiClient(AppsV1Api);
  const kubectlRun = (args: string[]) =>
    execFileSync(kubectl, ['--kubeconfig', kubeconfigPath, ...args], { encoding: 'utf8', stdio: 'pipe' });

  /** Shop pods that exist and are not being deleted. */
  async function shopPods(): Promise<V1Pod[]> {
    const list = await core().listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=shop' });
    return list.items.filter((p) => !p.metadata?.deletionTimestamp);
  }

  /** Waits (watching pods, not sleeping) until the shop pods pass `test`. */
  async function waitForShopPods(describe: string, test: (pods: V1Pod[]) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let pods = await shopPods();
    while (!test(pods)) {
      if (Date.now() > deadline)
        throw new Error(
          `${describe} not reached in ${timeoutMs} ms: ${pods.map((p) => `${p.metadata?.name}@${p.spec?.nodeName}:${p.status?.phase}`).join(' ')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
      pods = await shopPods();
    }
    return pods;
  }

  const allRunning = (count: number) => (pods: V1Pod[]) =>
    pods.length === count && pods.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName);

  beforeAll(async () => {
    plane = new ControlPlane({ binaries: locateBinaries(), workloadControllers: true });
    process.once('exit', () => plane.killNow());
    const info = await plane.start();
    kubeconfigPath = info.kubeconfigPath;
    kubectl = info.binaries.kubectl!;
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    await createSimulatedNodes(
      kc,
      NODES.map((name) => ({ name })),
    );
    installPolicyCrd(kubectl, kubeconfigPath);
    await core().createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await createWorkload(kc, shop);
    await createWorkload(kc, report);

    const ca = makeCertificateAuthority(join(info.dir, 'kepler-pki'), 'churn-kepler-ca');
    const serving = issueCertificate(ca, {
      commonName: 'kepler',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    kepler = await startSimulatedKepler({
      followCluster: { kubeConfig: kc, nodes: NODES, onError: (error) => keplerErrors.push(error.message) },
      tls: { certPem: serving.certPem, keyPem: serving.keyPem },
    });

    for (const [name, app] of [
      ['shop', 'shop'],
      ['reports', 'report'],
    ] as const) {
      await createPolicy(kc, NAMESPACE, name, {
        selector: { matchLabels: { app } },
        standard: 'KR_CARBON_2050',
        site: { zone: 'KR', pue: 1.3 },
        window: '24h',
        interval: `${INTERVAL_S}s`,
        language: 'en',
      });
    }
    recorder = new PolicyStatusRecorder(kc, NAMESPACE);
    await recorder.start();

    const healthPort = await freeLoopbackPort();
    operator = new SpawnedNodeProcess(
      'operator',
      'dist/operator/main.js',
      operatorArguments({
        keplerUrls: kepler.urls,
        caPath: ca.certPath,
        kubeconfigPath,
        healthPort,
        scrapeIntervalSeconds: SCRAPE_INTERVAL_S,
        watchNamespace: NAMESPACE,
        leaderElection: false,
      }),
      { KUBECONFIG: kubeconfigPath, LOG_LEVEL: 'info' },
    );
    await operator.waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, 60_000);
    // The Deployment's two pods, made by the ReplicaSet controller, bound by the scheduler, run by kwok.
    await waitForShopPods('2 shop pods Running', allRunning(2));
    await recorder.until('shop', (p) => powerOfPods(shopWorkload(p)?.power_watts ?? 0, 2), {
      timeoutMs: 90_000,
      describe: 'first status covering both shop pods',
    });
  });

  afterAll(async () => {
    recorder?.stop();
    await operator?.stop();
    await kepler?.stop();
    await plane?.stop();
    expect(keplerErrors).toEqual([]);
  });

  it('the pods are made by the controllers, bound by the scheduler and run by kwok', async () => {
    const pods = await shopPods();
    for (const pod of pods) {
      const owner = pod.metadata!.ownerReferences![0]!;
      expect(owner).toMatchObject({ kind: 'ReplicaSet', controller: true });
      const replicaSet = await apps().readNamespacedReplicaSet({ name: owner.name, namespace: NAMESPACE });
      expect(replicaSet.metadata!.ownerReferences![0]).toMatchObject({ kind: 'Deployment', name: 'shop' });
      expect(NODES).toContain(pod.spec!.nodeName);
      // Who wrote what, from the API server's own field ownership records.
      const managers = new Set((pod.metadata!.managedFields ?? []).map((f) => f.manager));
      expect(managers).toContain('kube-controller-manager');
      expect(pod.status!.containerStatuses![0]!.state!.running).toBeDefined();
    }
    const binding = (await core().listNamespacedEvent({ namespace: NAMESPACE })).items.find(
      (e) => e.reason === 'Scheduled' && e.involvedObject.name === pods[0]!.metadata!.name,
    );
    expect([binding?.source?.component, binding?.reportingComponent]).toContain('default-scheduler');
  });

  it('a deleted pod is replaced by its ReplicaSet and the next status covers the workload with the new pod', async () => {
    const [victim] = await shopPods();
    const victimName = victim!.metadata!.name!;
    await core().deleteNamespacedPod({ name: victimName, namespace: NAMESPACE });
    const pods = await waitForShopPods(
      'a replacement shop pod Running',
      (p) => allRunning(2)(p) && p.every((pod) => pod.metadata!.name !== victimName),
    );
    const replacement = pods.find((p) => !p.metadata!.name!.startsWith(victimName))!;
    const replacedAt = Date.now();
    const { policy, at } = await recorder.until(
      'shop',
      (p) => {
        const w = shopWorkload(p);
        // Evaluated after the replacement ran and Kepler was scraped at least once more.
        const evaluatedAfter =
          Date.parse(p.status?.lastEvaluationTime ?? '') >= replacedAt + SCRAPE_INTERVAL_S * 1000;
        return evaluatedAfter && w?.pods === 2 && powerOfPods(w.power_watts, 2);
      },
      {
        after: replacedAt,
        timeoutMs: 4 * INTERVAL_S * 1000,
        describe: 'status covering the replacement pod',
      },
    );
    process.stdout.write(`CHURN pod_replacement_status_s ${((at - replacedAt) / 1000).toFixed(1)}\n`);
    expect(workloadsOf(policy)).toHaveLength(1);
    expect(kepler.runningPods(replacement.spec!.nodeName!).map((p) => p.name)).toContain(
      replacement.metadata!.name,
    );
  });

  it('scaling the Deployment 2 → 5 shows 5 pods in status within two intervals, with their energy', async () => {
    const scaledAt = Date.now();
    kubectlRun(['scale', 'deployment/shop', '--replicas=5', '-n', NAMESPACE]);
    const counted = await recorder.until('shop', (p) => shopWorkload(p)?.pods === 5, {
      after: scaledAt,
      timeoutMs: 4 * INTERVAL_S * 1000,
      describe: 'status counting 5 shop pods',
    });
    const countedS = (counted.at - scaledAt) / 1000;
    process.stdout.write(
      `CHURN scale_2_to_5_counted_s ${countedS.toFixed(1)} (target <= ${2 * INTERVAL_S})\n`,
    );
    expect(countedS).toBeLessThanOrEqual(2 * INTERVAL_S);

    await waitForShopPods('5 shop pods Running', allRunning(5));
    const powered = await recorder.until('shop', (p) => powerOfPods(shopWorkload(p)?.power_watts ?? 0, 5), {
      after: scaledAt,
      timeoutMs: 6 * INTERVAL_S * 1000,
      describe: 'status with the live power of 5 shop pods',
    });
    process.stdout.write(`CHURN scale_2_to_5_powered_s ${((powered.at - scaledAt) / 1000).toFixed(1)}\n`);
    expect(workloadsOf(powered.policy)).toHaveLength(1);
  });

  it('cordoning and draining a node moves its pods, and their energy follows them', async () => {
    const before = await waitForShopPods('5 shop pods Running', allRunning(5));
    const counts = new Map<string, number>();
    for (const pod of before) counts.set(pod.spec!.nodeName!, (counts.get(pod.spec!.nodeName!) ?? 0) + 1);
    const drained = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const drainedAt = Date.now();
    kubectlRun(['drain', drained, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s']);
    const node = await core().readNode({ name: drained });
    expect(node.spec?.unschedulable).toBe(true);
    const after = await waitForShopPods(
      'all 5 shop pods Running off the drained node',
      (pods) => allRunning(5)(pods) && pods.every((p) => p.spec!.nodeName !== drained),
    );
    expect(after.map((p) => p.spec!.nodeName)).not.toContain(drained);
    // The drained node's Kepler endpoint no longer reports any shop pod; the others report all five.
    expect(kepler.runningPods(drained).filter((p) => p.name.startsWith('shop-'))).toEqual([]);
    const elsewhere = NODES.filter((n) => n !== drained).flatMap((n) => kepler.runningPods(n));
    expect(
      elsewhere
        .filter((p) => p.name.startsWith('shop-'))
        .map((p) => p.name)
        .sort(),
    ).toEqual(after.map((p) => p.metadata!.name!).sort());
    const movedAt = Date.now();
    const { policy, at } = await recorder.until(
      'shop',
      (p) => {
        const w = shopWorkload(p);
        const evaluatedAfter =
          Date.parse(p.status?.lastEvaluationTime ?? '') >= movedAt + SCRAPE_INTERVAL_S * 1000;
        return evaluatedAfter && w?.pods === 5 && powerOfPods(w.power_watts, 5);
      },
      { after: movedAt, timeoutMs: 4 * INTERVAL_S * 1000, describe: 'status covering the moved pods' },
    );
    process.stdout.write(
      `CHURN drain_moved_s ${((movedAt - drainedAt) / 1000).toFixed(1)} drain_status_s ${((at - movedAt) / 1000).toFixed(1)}\n`,
    );
    expect(workloadsOf(policy)).toHaveLength(1);
    kubectlRun(['uncordon', drained]);
  });

  it('a rollout (a new ReplicaSet) keeps one workload, never two', async () => {
    const startedAt = Date.now();
    const replicaSetsBefore = (await apps().listNamespacedReplicaSet({ namespace: NAMESPACE })).items.length;
    kubectlRun(['rollout', 'restart', 'deployment/shop', '-n', NAMESPACE]);
    kubectlRun(['rollout', 'status', 'deployment/shop', '-n', NAMESPACE, '--timeout=180s']);
    const replicaSets = (await apps().listNamespacedReplicaSet({ namespace: NAMESPACE })).items;
    expect(replicaSets.length).toBe(replicaSetsBefore + 1);
    const newest = replicaSets.sort(
      (a, b) =>
        Date.parse(String(b.metadata!.creationTimestamp)) - Date.parse(String(a.metadata!.creationTimestamp)),
    )[0]!;
    const pods = await waitForShopPods(
      '5 shop pods of the new ReplicaSet Running',
      (p) =>
        allRunning(5)(p) &&
        p.every((pod) => pod.metadata!.ownerReferences![0]!.name === newest.metadata!.name),
    );
    const rolledAt = Date.now();
    const { policy } = await recorder.until(
      'shop',
      (p) => {
        const w = shopWorkload(p);
        const evaluatedAfter =
          Date.parse(p.status?.lastEvaluationTime ?? '') >= rolledAt + SCRAPE_INTERVAL_S * 1000;
        return evaluatedAfter && w?.pods === 5 && powerOfPods(w.power_watts, 5);
      },
      { after: rolledAt, timeoutMs: 4 * INTERVAL_S * 1000, describe: 'status after the rollout' },
    );
    expect(pods).toHaveLength(5);
    expect(workloadsOf(policy).map((w) => `${w.kind}/${w.workload}`)).toEqual(['Deployment/shop']);
    expect(policy.status?.energyHistory?.series.map((s) => s.workload)).toEqual(['Deployment/shop']);
    // Every status written during the rollout showed the one Deployment and nothing else.
    const during = recorder.since('shop', startedAt);
    expect(during.length).toBeGreaterThan(0);
    for (const { policy: seen } of during) {
      expect(workloadsOf(seen).map((w) => `${w.kind}/${w.workload}`)).toEqual(['Deployment/shop']);
    }
  });

  it("a CronJob's runs are made by the CronJob controller and their energy is attributed to the CronJob", async () => {
    // The CronJob fires every minute since the suite started; wait for a run that completed.
    const batch = kc.makeApiClient(BatchV1Api);
    const deadline = Date.now() + 150_000;
    let completed: string | undefined;
    while (!completed) {
      // The newest completed run: older ones may already be going (jobs history limit → GC of
      // their pods), which under load can race the pod listing below.
      const jobs = (await batch.listNamespacedJob({ namespace: NAMESPACE })).items.sort(
        (a, b) =>
          Date.parse(String(b.metadata!.creationTimestamp)) -
          Date.parse(String(a.metadata!.creationTimestamp)),
      );
      const run = jobs.find(
        (j) => j.metadata!.ownerReferences?.[0]?.kind === 'CronJob' && (j.status?.succeeded ?? 0) >= 1,
      );
      completed = run?.metadata!.name;
      if (!completed && Date.now() > deadline)
        throw new Error(`no completed run of the CronJob: ${jobs.map((j) => j.metadata!.name).join(' ')}`);
      if (!completed) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const job = await batch.readNamespacedJob({ name: completed, namespace: NAMESPACE });
    expect(job.metadata!.ownerReferences![0]).toMatchObject({
      kind: 'CronJob',
      name: 'report',
      controller: true,
    });
    const jobPods = await core().listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: `batch.kubernetes.io/job-name=${completed}`,
    });
    expect(jobPods.items.map((p) => p.status?.phase)).toContain('Succeeded');

    // One whole run: 34 W (±25 % wave) for 20 s, less the first scrape interval (a counter's first
    // reading only sets its baseline, as with real Kepler).
    const runSeconds = 20;
    const oneRun_kWh =
      (0.75 * (report.power.package_watts + report.power.dram_watts) * (runSeconds - SCRAPE_INTERVAL_S)) /
      3.6e6;
    const finishedAt = Date.now();
    const { policy } = await recorder.until(
      'reports',
      (p) =>
        Date.parse(p.status?.lastEvaluationTime ?? '') >= finishedAt &&
        workloadsOf(p).some(
          (w) => w.kind === 'CronJob' && w.workload === 'report' && w.energy_kWh >= oneRun_kWh,
        ),
      { timeoutMs: 4 * INTERVAL_S * 1000, describe: "status with a whole run's energy on the CronJob" },
    );
    const kinds = workloadsOf(policy).map((w) => `${w.kind}/${w.workload}`);
    expect(kinds).toEqual(['CronJob/report']);
    const cron = workloadsOf(policy)[0]!;
    expect(cron.energy_kWh).toBeGreaterThanOrEqual(oneRun_kWh);
    expect(policy.status?.energyHistory?.series.map((s) => s.workload)).toEqual(['CronJob/report']);
    process.stdout.write(`CHURN cronjob_energy_kWh ${cron.energy_kWh} pods=${cron.pods}\n`);
  });
});
