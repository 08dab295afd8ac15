// spec.actions.temporalShift on a cluster whose controllers are real (hack/testenv with
// kube-controller-manager, kube-scheduler and kwok): CronJobs are created the way a user creates them
// (kubectl apply), the reconciler runs in-process with the real carbon engine and data files, and its
// energy history is the one a restarted operator finds in status (a 2-hour nightly run at 20:00 KST the
// evening before, in April, when midday is the cleanest window). The clock is fixed so that the advice
// does not depend on when the test runs.
// - Apply moves a CronJob's schedule into the advised window (timeZone Asia/Seoul), records the original
//   in carbon-aware.dev/original-schedule, and Off restores it exactly (no time zone it did not have);
// - a CronJob annotated carbon-aware.dev/actions=disabled, and one whose schedule a GitOps tool changed
//   after the operator (another field manager), are left alone, and the status says why;
// - deleting the policy restores the schedules it moved, without a finalizer;
// - an operator denied patch on CronjJobs says so in the status (Forbidden) and changes nothing.
import { jest } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { stringify } from 'yaml';
import type { CarbonCompliancePolicy, CronJobActionStatus } from '../../operator/api/v1alpha1/types.js';
import {
  CronJobScheduleActions,
  ORIGINAL_SCHEDULE_ANNOTATION,
  SHIFTED_LABEL,
  type CronJobObject,
} from '../../operator/controller/cronjob-schedule-actions.js';
import { createPolicyEvaluator } from '../../operator/controller/policy-evaluator.js';
import { KubeRestClient } from '../../operator/kube/kube-rest-client.js';
import type { MetricsCollection, MetricsSource } from '../../operator/sources/metrics-source.js';
import { PolicyReconciler } from '../../operator/controller/policy-reconciler.js';
import { toPodView, type PodView } from '../../operator/kube/pod-view.js';
import { KubePolicyStore, policyPath } from '../../operator/controller/status-writer.js';
import { fromStoredPolicy } from '../../operator/api/v1alpha1/field-names.js';
import { toPolicyView } from '../../operator/controller/policy-view.js';
import { SupervisedInformer } from '../../operator/kube/supervised-informer.js';
import { CachedOwnerLookup } from '../../operator/controller/workload-grouping.js';
import { ControlPlane, locateBinaries } from '../../hack/testenv/control-plane.js';
import { installPolicyCrd } from '../../hack/testenv/cluster-fixtures.js';

jest.setTimeout(300_000);

const NS = 'shift';
const POLICY = 'nightly-shift';
/** 00:30 KST on 15 April 2026: the window (24 h) ends with this hour. */
const NOW = new Date('2026-04-14T15:30:00Z');
const WINDOW_START = '2026-04-13T16:00:00Z';
/** The nightly runs: 20:00 and 21:00 KST on 14 April = 11:00 and 12:00 UTC, hours 19 and 20 of the window. */
const runSeries = () => Array.from({ length: 24 }, (_, i) => (i === 19 || i === 20 ? 0.5 : null));
const ORIGINAL = '0 20 * * *';

/** No live energy: the history in status is what the engine sees (pods of these CronJobs never ran). */
class NoNewEnergy implements MetricsSource {
  description = 'no new readings (history from status)';
  collect(): Promise<MetricsCollection> {
    return Promise.resolve({
      pods: new Map(),
      zonesCounted: ['package', 'dram'],
      energyProvenance: 'measured: recorded history',
      dataQuality: [],
      errors: [],
    });
  }
}

const cronJobManifest = (name: string, schedule: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: NS, ...(Object.keys(annotations).length ? { annotations } : {}) },
  spec: {
    schedule,
    jobTemplate: {
      spec: {
        template: {
          metadata: { labels: { app: name } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'etl', image: 'busybox:1.36' }] },
        },
      },
    },
  },
});

describe('spec.actions.temporalShift on CronJobs, with the real controllers', () => {
  let plane: ControlPlane;
  let kubeconfigPath: string;
  let kubectlBin: string;
  let admin: KubeRestClient;
  let policies: SupervisedInformer<CarbonCompliancePolicy>;
  let pods: SupervisedInformer<PodView>;
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });

  const kubectl = (args: string[], input?: string) =>
    execFileSync(kubectlBin, ['--kubeconfig', kubeconfigPath, ...args], {
      encoding: 'utf8',
      stdio: 'pipe',
      ...(input !== undefined ? { input } : {}),
    });
  const cronJob = (name: string) =>
    admin.get<CronJobObject>(`/apis/batch/v1/namespaces/${NS}/cronjobs/${name}`);
  const readPolicy = async () =>
    fromStoredPolicy(await admin.get<CarbonCompliancePolicy>(policyPath(NS, POLICY)));

  function reconcilerFor(client: KubeRestClient, now = NOW): PolicyReconciler {
    return new PolicyReconciler({
      policies,
      pods,
      owners: new CachedOwnerLookup(client),
      source: new NoNewEnergy(),
      evaluator: createPolicyEvaluator(),
      store: new KubePolicyStore(client),
      cronJobs: new CronJobScheduleActions(client, logger),
      logger,
      clock: () => now,
    });
  }

  /** Waits until the policy cache holds a version that passes `test` (the reconciler reads the cache). */
  async function cached(describe: string, test: (p: CarbonCompliancePolicy) => boolean) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const p = policies.get(NS, POLICY);
      if (p && test(p)) return p;
      if (Date.now() > deadline) throw new Error(`policy cache: ${describe} not seen in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function createPolicy(temporalShift: 'Off' | 'Recommend' | 'Apply') {
    await admin.create(policyPath(NS), {
      apiVersion: 'carbon-aware.dev/v1alpha1',
      kind: 'CarbonCompliancePolicy',
      metadata: { name: POLICY },
      spec: {
        site: { zone: 'KR', pue: 1.2 },
        window: '24h',
        language: 'en',
        actions: { temporalShift, minInterval: '1h' },
      },
    });
    // The history a restarted operator finds in status: three CronJobs, each ran 20:00–22:00 KST.
    await admin.patch(`${policyPath(NS, POLICY)}/status`, {
      status: {
        energyHistory: {
          startHour: WINDOW_START,
          hours: 24,
          series: ['nightly', 'hands-off', 'gitops-batch'].map((name) => ({
            workload: `CronJob/${name}`,
            kWh: runSeries(),
          })),
        },
      },
    });
    await cached('the seeded history', (p) => (p.status?.energyHistory?.series?.length ?? 0) === 3);
  }

  async function setMode(temporalShift: 'Off' | 'Recommend' | 'Apply') {
    await admin.patch(policyPath(NS, POLICY), { spec: { actions: { temporalShift } } });
    await cached(`mode ${temporalShift}`, (p) => p.spec.actions?.temporalShift === temporalShift);
  }

  async function reconcile(reconciler: PolicyReconciler): Promise<Map<string, CronJobActionStatus>> {
    await reconciler.reconcile(NS, POLICY, logger);
    const written = await readPolicy();
    // The next reconcile reads the cache: let it catch up with the status just written.
    await cached(
      'the written status',
      (p) => p.metadata.resourceVersion === written.metadata.resourceVersion,
    );
    return new Map((written.status!.actions?.cronJobs ?? []).map((c) => [c.name, c]));
  }

  beforeAll(async () => {
    plane = new ControlPlane({ binaries: locateBinaries(), workloadControllers: true });
    process.once('exit', () => plane.killNow());
    const info = await plane.start();
    kubeconfigPath = info.kubeconfigPath;
    kubectlBin = info.binaries.kubectl!;
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    admin = new KubeRestClient(kc);
    installPolicyCrd(kubectlBin, kubeconfigPath);
    kubectl(['create', 'namespace', NS]);
    // As users create them: kubectl apply (client-side apply, its own field manager).
    kubectl(
      ['apply', '-f', '-'],
      [
        cronJobManifest('nightly', ORIGINAL),
        cronJobManifest('hands-off', ORIGINAL, { 'carbon-aware.dev/actions': 'disabled' }),
        cronJobManifest('gitops-batch', ORIGINAL),
      ]
        .map((m) => stringify(m))
        .join('---\n'),
    );
    policies = new SupervisedInformer({
      name: 'policies',
      kubeConfig: kc,
      path: '/apis/carbon-aware.dev/v1alpha1/carboncompliancepolicies',
      transform: toPolicyView,
    });
    pods = new SupervisedInformer({
      name: 'pods',
      kubeConfig: kc,
      path: '/api/v1/pods',
      transform: toPodView,
    });
    policies.start();
    pods.start();
    await Promise.all([policies.waitForSync(), pods.waitForSync()]);
  }, 240_000);

  afterAll(async () => {
    policies?.stop();
    pods?.stop();
    await plane?.stop();
  });

  it('Apply moves the schedule into the advised window; Off restores it; GitOps-managed CronJobs are left alone', async () => {
    await createPolicy('Apply');
    const reconciler = reconcilerFor(admin);
    let actions = await reconcile(reconciler);
    const policy = await readPolicy();
    const assessment = policy.status!.workloads!.find((w) => w.workload === 'nightly')!;
    const shift = assessment.optimizations.find((o) => o.type === 'temporal_shift')!;
    process.stderr.write(
      `FIGURE schedule_shift ${ORIGINAL} (no time zone) -> ${shift.schedule!.cron} ${shift.schedule!.timeZone}, ` +
        `-${shift.estimated_reduction_percent} % grid intensity\n`,
    );
    // The advice follows the data (April: midday), the days of the original line are kept.
    expect(shift.schedule!.startLocalHour).toBeGreaterThanOrEqual(9);
    expect(shift.schedule!.startLocalHour).toBeLessThanOrEqual(15);
    expect(shift.schedule!.cron).toBe(`0 ${shift.schedule!.startLocalHour} * * *`);
    // The ready-to-commit patch is what the operator applied.
    expect(shift.patch).toContain(`schedule: ${shift.schedule!.cron}\n  timeZone: Asia/Seoul\n`);

    let nightly = await cronJob('nightly');
    expect(nightly.spec).toMatchObject({ schedule: shift.schedule!.cron, timeZone: 'Asia/Seoul' });
    expect(nightly.metadata.annotations?.[ORIGINAL_SCHEDULE_ANNOTATION]).toBe(ORIGINAL);
    expect(nightly.metadata.labels?.[SHIFTED_LABEL]).toBe('true');
    expect(
      nightly.metadata.managedFields?.some(
        (e) => e.manager === 'carbon-aware-operator' && e.operation === 'Apply',
      ),
    ).toBe(true);
    expect(actions.get('nightly')).toMatchObject({
      state: 'Applied',
      reason: 'Moved',
      schedule: shift.schedule!.cron,
      timeZone: 'Asia/Seoul',
      originalSchedule: ORIGINAL,
      shiftedAt: '2026-04-14T15:30:00Z',
    });
    expect(policy.status!.actions!.temporalShift).toBe('Apply');

    // Annotated carbon-aware.dev/actions=disabled: untouched, and the status says why.
    expect((await cronJob('hands-off')).spec).toEqual(expect.objectContaining({ schedule: ORIGINAL }));
    expect((await cronJob('hands-off')).spec.timeZone).toBeUndefined();
    expect(actions.get('hands-off')).toMatchObject({
      state: 'LeftAlone',
      reason: 'ActionsDisabledAnnotation',
    });

    // A GitOps tool (server-side apply under its own field manager) sets its own schedule after the operator.
    expect(actions.get('gitops-batch')).toMatchObject({ state: 'Applied' });
    kubectl(
      ['apply', '--server-side', '--field-manager=kustomize-controller', '--force-conflicts', '-f', '-'],
      stringify(cronJobManifest('gitops-batch', '30 22 * * *')),
    );
    actions = await reconcile(reconciler);
    expect((await cronJob('gitops-batch')).spec.schedule).toBe('30 22 * * *');
    expect(actions.get('gitops-batch')).toMatchObject({
      state: 'LeftAlone',
      reason: 'ChangedByOtherManager',
    });
    expect(actions.get('gitops-batch')!.message).toContain('kustomize-controller (Apply');
    // Still in place for the others.
    expect(actions.get('nightly')).toMatchObject({ state: 'Applied', reason: 'InAdvisedWindow' });

    // Off: the original schedule comes back exactly (no time zone it did not have, no operator metadata).
    await setMode('Off');
    actions = await reconcile(reconciler);
    nightly = await cronJob('nightly');
    expect(nightly.spec.schedule).toBe(ORIGINAL);
    expect(nightly.spec.timeZone).toBeUndefined();
    expect(
      Object.keys(nightly.metadata.annotations ?? {}).filter((k) => k.startsWith('carbon-aware.dev/')),
    ).toEqual([]);
    expect(nightly.metadata.labels?.[SHIFTED_LABEL]).toBeUndefined();
    expect(actions.get('nightly')).toMatchObject({
      state: 'Restored',
      reason: 'ModeOff',
      schedule: ORIGINAL,
    });
    // The GitOps-owned schedule is not "restored" over the tool's choice.
    expect((await cronJob('gitops-batch')).spec.schedule).toBe('30 22 * * *');
    expect(actions.get('gitops-batch')).toMatchObject({
      state: 'LeftAlone',
      reason: 'ChangedByOtherManager',
    });
    // The next evaluation finds nothing of its own to restore.
    actions = await reconcile(reconciler);
    expect(actions.get('nightly')).toMatchObject({ state: 'NotApplied', reason: 'ActionsOff' });
  });

  it('deleting the policy restores the schedules it moved (no finalizer)', async () => {
    await setMode('Apply');
    const reconciler = reconcilerFor(admin);
    const actions = await reconcile(reconciler);
    expect(actions.get('nightly')).toMatchObject({ state: 'Applied', reason: 'Moved' });
    expect((await readPolicy()).metadata).not.toHaveProperty('finalizers');
    await admin.delete(policyPath(NS, POLICY));
    const deadline = Date.now() + 30_000;
    while (policies.get(NS, POLICY) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await reconciler.handle(`${NS}/${POLICY}`);
    const nightly = await cronJob('nightly');
    expect(nightly.spec.schedule).toBe(ORIGINAL);
    expect(nightly.spec.timeZone).toBeUndefined();
    expect(nightly.metadata.labels?.[SHIFTED_LABEL]).toBeUndefined();
  });

  it('an operator denied patch on CronJobs says so in the status and changes nothing', async () => {
    await createPolicy('Apply');
    // A ServiceAccount with what the operator needs except patch on CronJobs.
    const account = 'operator-without-patch';
    await admin.create(`/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: account } });
    await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: account },
      rules: [
        {
          apiGroups: ['carbon-aware.dev'],
          resources: ['carboncompliancepolicies'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: ['carbon-aware.dev'], resources: ['carboncompliancepolicies/status'], verbs: ['patch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] },
        { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['list'] },
      ],
    });
    await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: account },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: account },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace: NS }],
    });
    const token = await admin.create<{ status: { token: string } }>(
      `/api/v1/namespaces/${NS}/serviceaccounts/${account}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    );
    const info = plane.info();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: info.server, caFile: info.caCertPath, skipTLSVerify: false }],
      users: [{ name: account, token: token.status.token }],
      contexts: [{ name: account, cluster: 'test', user: account, namespace: NS }],
      currentContext: account,
    });
    const restricted = new KubeRestClient(kc);
    // The authorizer learns the binding from its own watch: wait until the list is allowed.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await restricted.list(`/apis/batch/v1/namespaces/${NS}/cronjobs`);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const actions = await reconcile(reconcilerFor(restricted));
    expect(actions.get('nightly')).toMatchObject({
      state: 'Forbidden',
      reason: 'Forbidden',
      schedule: ORIGINAL,
    });
    expect(actions.get('nightly')!.message).toContain(
      `forbidden: cannot patch cronjobs.batch in namespace "${NS}": check the operator's RBAC`,
    );
    expect((await cronJob('nightly')).spec.schedule).toBe(ORIGINAL);
    const ready = (await readPolicy()).status!.conditions!.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'True' });
  });

  it('verified savings: verified for the schedule the operator moved, not_realized for a change that moved nothing', async () => {
    const HOUR = 3_600_000;
    // 72 h of history, so that the readings before the change and after it are both recorded.
    await admin.patch(policyPath(NS, POLICY), { spec: { window: '72h' } });
    await cached('window 72h', (p) => p.spec.window === '72h');
    // A GitOps tool changes only the days of gitops-batch (same start hour): nothing can improve.
    kubectl(
      ['apply', '--server-side', '--field-manager=kustomize-controller', '--force-conflicts', '-f', '-'],
      stringify(cronJobManifest('gitops-batch', '30 22 * * 1-5')),
    );
    let actions = await reconcile(reconcilerFor(admin));
    expect(actions.get('nightly')).toMatchObject({ state: 'Applied', reason: 'Moved' });
    const hour = Number(actions.get('nightly')!.schedule!.split(' ')[1]);
    let savings = new Map(((await readPolicy()).status!.verifiedSavings ?? []).map((v) => [v.workload, v]));
    expect(savings.get('CronJob/nightly')).toMatchObject({
      verdict: 'too_early',
      since: '2026-04-14T16:00:00Z',
      change: {
        kind: 'schedule',
        source: 'applied by the operator (spec.actions.temporalShift: Apply)',
        before: { schedule: ORIGINAL },
        after: { schedule: `0 ${hour} * * *`, timeZone: 'Asia/Seoul' },
      },
    });
    expect(savings.get('CronJob/gitops-batch')).toMatchObject({
      verdict: 'too_early',
      change: { before: { schedule: '30 22 * * *' }, after: { schedule: '30 22 * * 1-5' } },
    });
    expect(savings.get('CronJob/gitops-batch')!.change.source).toMatch(/^observed: spec.schedule changed/);

    // Two days later: the recorded readings (0.5 kWh an hour). Before the change both ran at 20:00 and
    // 22:00 KST; after it nightly ran at the advised hour, gitops-batch at 22:00 KST as before.
    const later = new Date(NOW.getTime() + 48 * HOUR);
    const start = Date.parse('2026-04-13T16:00:00Z'); // the 72 h window ending with `later`'s hour
    const at = (kstDay: string, kstHour: number) =>
      (Date.parse(`${kstDay}T00:00:00+09:00`) + kstHour * HOUR - start) / HOUR;
    const series = (hours: number[]) =>
      Array.from({ length: 72 }, (_, i) => (hours.includes(i) ? 0.5 : null));
    const runAt = (h: number) => [
      at('2026-04-15', h),
      at('2026-04-15', h + 1),
      at('2026-04-16', h),
      at('2026-04-16', h + 1),
    ];
    const recorded = await admin.patch<CarbonCompliancePolicy>(`${policyPath(NS, POLICY)}/status`, {
      status: {
        energyHistory: {
          startHour: '2026-04-13T16:00:00Z',
          hours: 72,
          series: [
            {
              workload: 'CronJob/nightly',
              kWh: series([at('2026-04-14', 20), at('2026-04-14', 21), ...runAt(hour)]),
            },
            {
              workload: 'CronJob/gitops-batch',
              kWh: series([at('2026-04-14', 22), at('2026-04-14', 23), ...runAt(22)]),
            },
            { workload: 'CronJob/hands-off', kWh: series([at('2026-04-14', 20), at('2026-04-14', 21)]) },
          ],
        },
      },
    });
    await cached(
      'the recorded readings',
      (p) => p.metadata.resourceVersion === recorded.metadata.resourceVersion,
    );
    actions = await reconcile(reconcilerFor(admin, later));
    expect(actions.get('nightly')).toMatchObject({ state: 'Applied' });
    savings = new Map(((await readPolicy()).status!.verifiedSavings ?? []).map((v) => [v.workload, v]));
    const nightly = savings.get('CronJob/nightly')!;
    process.stderr.write(
      `FIGURE verified_savings nightly ${nightly.verdict}: ${nightly.kgCO2eq} kgCO2eq (${nightly.percent} %) of ` +
        `${nightly.counterfactual_kgCO2eq} kgCO2eq counterfactual, ${nightly.energy_kWh} kWh in ${nightly.hoursWithEnergy} h\n`,
    );
    expect(nightly).toMatchObject({
      verdict: 'verified',
      since: '2026-04-14T16:00:00Z',
      energy_kWh: 2,
      hoursWithEnergy: 4,
    });
    expect(nightly.kgCO2eq).toBeGreaterThan(0);
    expect(nightly.percent).toBeGreaterThanOrEqual(1);
    // Measured = counterfactual − saving, both over the same 2 kWh.
    expect(nightly.counterfactual_kgCO2eq - nightly.measured_kgCO2eq).toBeCloseTo(nightly.kgCO2eq, 3);
    expect(nightly.method).toMatch(/at the old schedule's hours/);
    const batch = savings.get('CronJob/gitops-batch')!;
    expect(batch).toMatchObject({ verdict: 'not_realized', percent: 0, kgCO2eq: 0, hoursWithEnergy: 4 });

    // The site moves to another grid zone: recorded from the next hour, priced later on the old zone's profile.
    await admin.patch(policyPath(NS, POLICY), { spec: { site: { zone: 'JP', pue: 1.2 } } });
    await cached('zone JP', (p) => p.spec.site?.zone === 'JP');
    await reconcile(reconcilerFor(admin, later));
    savings = new Map(((await readPolicy()).status!.verifiedSavings ?? []).map((v) => [v.workload, v]));
    expect(savings.get('*')).toMatchObject({
      verdict: 'too_early',
      since: '2026-04-16T16:00:00Z',
      change: { kind: 'zone', before: { zone: 'KR' }, after: { zone: 'JP' } },
    });
    expect(savings.get('*')!.method).toMatch(/on the old zone KR's grid/);
    // The schedule's verdict stands.
    expect(savings.get('CronJob/nightly')).toMatchObject({ verdict: 'verified' });
  });
});
