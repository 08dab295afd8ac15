// The reconciler with in-memory collaborators: a PolicyStore with the API server's optimistic
// concurrency (resourceVersion, 409), a metrics source whose answers the test scripts, and an
// evaluator that applies the architecture's formula (C = Σ E·PUE·I, flat intensity) so the
// numbers in status can be checked by hand (hack/testenv/formula-evaluator.ts).
import pino from 'pino';
import type { CarbonCompliancePolicy, CarbonCompliancePolicyStatus } from '../api/v1alpha1/types.js';
import { KubeApiError } from '../kube/kube-rest-client.js';
import {
  MetricsUnavailableError,
  type MetricsCollection,
  type MetricsSource,
  type CollectedPodEnergy,
  type PodRef,
} from '../sources/metrics-source.js';
import { createPolicyEvaluator, type Evaluation, type EvaluationRequest } from './policy-evaluator.js';
import { PolicyReconciler, ReconcileRetryError, type ReconcilerDeps } from './policy-reconciler.js';
import { forbiddenMessage, requestAttributes } from '../kube/rbac-denial.js';
import { toPodView, type PodView } from '../kube/pod-view.js';
import type { PolicyStore } from './status-writer.js';
import { StaticOwnerLookup } from './workload-grouping.js';
import { FormulaEvaluator } from '../../hack/testenv/formula-evaluator.js';
import { UsageUnavailableError, type UsageCollection, type UsageSource } from '../sources/usage-source.js';
import { podHoursOf } from '../sources/pod-hours.js';

/** A hand-written usage source (test double): p95 per pod as the test scripts it. */
class ScriptedUsage implements UsageSource {
  description = 'scripted usage';
  failWith: Error | undefined;
  pods = new Map<string, UsageCollection['pods'] extends Map<string, infer V> ? V : never>();
  retained = new Map<string, number>();
  retain(policy: string, pods: readonly PodRef[], windowMs: number): void {
    if (pods.length === 0) this.retained.delete(policy);
    else this.retained.set(policy, windowMs);
  }
  collect(): Promise<UsageCollection> {
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve({ pods: new Map(this.pods), provenance: 'measured: scripted' });
  }
}

class MemoryStore implements PolicyStore {
  objects = new Map<string, CarbonCompliancePolicy>();
  writes = 0;
  conflictsToInject = 0;
  private rv = 100;

  put(policy: CarbonCompliancePolicy): CarbonCompliancePolicy {
    const stored = structuredClone({
      ...policy,
      metadata: { ...policy.metadata, resourceVersion: String(++this.rv) },
    });
    this.objects.set(`${policy.metadata.namespace}/${policy.metadata.name}`, stored);
    return structuredClone(stored);
  }

  read(namespace: string, name: string) {
    const object = this.objects.get(`${namespace}/${name}`);
    return Promise.resolve(object ? structuredClone(object) : undefined);
  }

  patchStatus(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    status: CarbonCompliancePolicyStatus,
  ) {
    const current = this.objects.get(`${namespace}/${name}`)!;
    if (this.conflictsToInject > 0) {
      this.conflictsToInject -= 1;
      // Someone else wrote in between.
      this.put({ ...current, metadata: { ...current.metadata } });
      return Promise.reject(
        new KubeApiError(409, 'Conflict', 'the object has been modified', 'PATCH', '/status'),
      );
    }
    if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) {
      return Promise.reject(
        new KubeApiError(409, 'Conflict', 'the object has been modified', 'PATCH', '/status'),
      );
    }
    this.writes += 1;
    // Round trip through JSON like the API server (undefined fields vanish).
    return Promise.resolve(
      this.put({ ...current, status: JSON.parse(JSON.stringify(status)) as CarbonCompliancePolicyStatus }),
    );
  }
}

class ScriptedSource implements MetricsSource {
  description = 'test source';
  failWith: Error | undefined;
  readings = new Map<string, CollectedPodEnergy>();
  /** Extra collection fields (idle-share source, observation start). */
  extra: Partial<MetricsCollection> = {};
  /** retain() hints as received: policy key → pod names and window (ms). */
  retained = new Map<string, { pods: string[]; windowMs: number }>();
  retain(policy: string, pods: readonly PodRef[], windowMs: number): void {
    if (pods.length === 0) this.retained.delete(policy);
    else this.retained.set(policy, { pods: pods.map((p) => `${p.namespace}/${p.name}`), windowMs });
  }
  collect(): Promise<MetricsCollection> {
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve({
      pods: new Map(this.readings),
      zonesCounted: ['package', 'dram'],
      energyProvenance: 'measured: test',
      dataQuality: [],
      errors: [],
      ...this.extra,
    });
  }
}

function makePod(name: string, rsName: string): PodView {
  return toPodView({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ai-team',
      labels: { app: 'ml-training-job' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: 'u', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'c', resources: { requests: { cpu: '2', memory: '4Gi' } } }],
    },
  });
}

const owners = new StaticOwnerLookup(
  new Map([
    [
      StaticOwnerLookup.key('ReplicaSet', 'ai-team', 'trainer-abc'),
      [{ kind: 'Deployment', name: 'trainer', controller: true }],
    ],
  ]),
);

function setup(spec: Record<string, unknown> = { selector: { matchLabels: { app: 'ml-training-job' } } }) {
  const store = new MemoryStore();
  const policy = store.put({
    apiVersion: 'carbon-aware.dev/v1alpha1',
    kind: 'CarbonCompliancePolicy',
    metadata: { name: 'ml', namespace: 'ai-team', generation: 3, uid: 'uid-1' },
    spec: spec as never,
  });
  void policy;
  const pods = [makePod('trainer-abc-1', 'trainer-abc'), makePod('trainer-abc-2', 'trainer-abc')];
  const source = new ScriptedSource();
  const evaluator = new FormulaEvaluator();
  const events: Array<{ type: string; reason: string; message: string }> = [];
  let now = new Date('2025-05-01T10:30:00Z');
  const make = (overrides: Partial<ReconcilerDeps> = {}) =>
    new PolicyReconciler({
      policies: { get: (ns, name) => store.objects.get(`${ns}/${name}`) },
      pods: { list: (ns) => pods.filter((p) => p.metadata.namespace === ns) },
      owners,
      source,
      evaluator,
      store,
      events: {
        record: (_p, type, reason, message) => (events.push({ type, reason, message }), Promise.resolve()),
      },
      logger: pino({ level: 'silent' }),
      clock: () => now,
      ...overrides,
    });
  return {
    store,
    source,
    evaluator,
    events,
    make,
    setNow: (iso: string) => (now = new Date(iso)),
    status: () => store.objects.get('ai-team/ml')!.status!,
  };
}

function reading(pod: string, hours: Array<[string, number]>): CollectedPodEnergy {
  return {
    namespace: 'ai-team',
    pod,
    hours: podHoursOf(hours.map(([hourStart, energy_kWh]) => ({ hourStart, energy_kWh }))),
    power_watts: 100,
  };
}

describe('PolicyReconciler', () => {
  it('tells the source which pods the policy selects and its window, and releases them when it is deleted', async () => {
    const t = setup({ selector: { matchLabels: { app: 'ml-training-job' } }, window: '48h' });
    const reconciler = t.make();
    await reconciler.handle('ai-team/ml');
    expect(t.source.retained).toEqual(
      new Map([
        [
          'ai-team/ml',
          { pods: ['ai-team/trainer-abc-1', 'ai-team/trainer-abc-2'], windowMs: 48 * 3_600_000 },
        ],
      ]),
    );
    t.store.objects.delete('ai-team/ml');
    await reconciler.handle('ai-team/ml');
    expect(t.source.retained.size).toBe(0);
  });

  it('a denied owner read (403) gives Ready=False/Forbidden naming the rule, and a retry', async () => {
    const t = setup();
    const path = '/apis/apps/v1/namespaces/ai-team/replicasets/trainer-abc';
    const denied = new KubeApiError(
      403,
      'Forbidden',
      forbiddenMessage(requestAttributes('GET', path), 'User "op" cannot get resource "replicasets"'),
      'GET',
      path,
    );
    const reconciler = t.make({ owners: { ownersOf: () => Promise.reject(denied) } });
    const error = await reconciler.handle('ai-team/ml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReconcileRetryError);
    expect((error as ReconcileRetryError).reason).toBe('Forbidden');
    const ready = t.status().conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'Forbidden' });
    expect(ready.message).toContain(
      'forbidden: cannot get replicasets.apps in namespace "ai-team": check the operator\'s RBAC',
    );
    expect(t.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'Forbidden' })]);
    expect(t.evaluator.calls).toBe(0);
  });

  it('never reads a pod cache that has not listed yet as "no pods"', async () => {
    const t = setup();
    const pods = { list: () => [], hasSynced: () => false, lastError: undefined };
    const error = await t
      .make({ pods })
      .handle('ai-team/ml')
      .catch((e: unknown) => e);
    expect((error as ReconcileRetryError).reason).toBe('CacheNotSynced');
    expect(t.store.writes).toBe(0);
    expect(t.evaluator.calls).toBe(0);
  });

  it('rejects an invalid spec with Ready=False/InvalidSpec naming the field, without crashing', async () => {
    const t = setup({ selector: {}, site: { zone: 'KR', cloudRegion: 'aws/ap-northeast-2' } });
    const result = await t.make().handle('ai-team/ml');
    expect(result).toBeUndefined();
    const ready = t.status().conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'InvalidSpec', observedGeneration: 3 });
    expect(ready.message).toContain('spec.site');
    expect(ready.message).toContain('either zone or cloudRegion');
    expect(t.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InvalidSpec' })]);
    expect(t.evaluator.calls).toBe(0);
    // Same invalid spec again: nothing new to write, no second event.
    await t.make().handle('ai-team/ml');
    expect(t.store.writes).toBe(1);
    expect(t.events).toHaveLength(1);
  });

  it('writes summary, workloads, conditions and hourly history; the numbers follow the formula', async () => {
    const t = setup();
    t.source.readings.set(
      'ai-team/trainer-abc-1',
      reading('trainer-abc-1', [
        ['2025-05-01T09:00:00Z', 0.5],
        ['2025-05-01T10:00:00Z', 0.25],
      ]),
    );
    t.source.readings.set(
      'ai-team/trainer-abc-2',
      reading('trainer-abc-2', [['2025-05-01T10:00:00Z', 0.25]]),
    );
    const result = await t.make().handle('ai-team/ml');
    expect(result).toEqual({ requeueAfterMs: 5 * 60_000 });
    const status = t.status();
    expect(status.observedGeneration).toBe(3);
    expect(status.summary!.status).toBe('NON_COMPLIANT');
    expect(status.summary!.energy_kWh).toBeCloseTo(1.0, 9);
    expect(status.summary!.effectiveIntensity_gCO2eq_kWh).toBeCloseTo(510.12, 6);
    expect(status.workloads).toHaveLength(1);
    expect(status.workloads![0]).toMatchObject({ workload: 'trainer', kind: 'Deployment', pods: 2 });
    expect(status.workloads![0]!.gap_percent).toBeCloseTo(20.31, 2);
    expect(status.energyHistory!.startHour).toBe('2025-04-30T11:00:00Z');
    expect(status.energyHistory!.hours).toBe(24);
    const series = status.energyHistory!.series[0]!;
    expect(series.workload).toBe('Deployment/trainer');
    expect(series.kWh.slice(-2)).toEqual([0.5, 0.5]);
    expect(series.kWh.filter((v) => v === null)).toHaveLength(22);
    expect(status.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Evaluated'],
      ['MetricsAvailable', 'True', 'Collected'],
      ['Compliant', 'False', 'NonCompliant'],
      ['PUEKnown', 'True', 'PUEConfigured'],
      // No usage source in this reconciler: said, not silently skipped.
      ['UsageAvailable', 'False', 'NoUsageSource'],
    ]);
    expect(t.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'ComplianceChanged' })]);
    expect(t.events[0]!.message).toContain('none → NON_COMPLIANT');
  });

  it('does not write when nothing but the evaluation time changed, and keeps transition times', async () => {
    const t = setup();
    t.source.readings.set('ai-team/trainer-abc-1', reading('trainer-abc-1', [['2025-05-01T10:00:00Z', 0.5]]));
    await t.make().handle('ai-team/ml');
    const first = t.status();
    t.setNow('2025-05-01T10:35:00Z');
    const outcome = await t.make().reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    expect(outcome.written).toBe(false);
    expect(t.store.writes).toBe(1);
    // More energy in the current hour: a write, but the conditions' lastTransitionTime stays.
    t.source.readings.set('ai-team/trainer-abc-1', reading('trainer-abc-1', [['2025-05-01T10:00:00Z', 0.7]]));
    await t.make().handle('ai-team/ml');
    expect(t.store.writes).toBe(2);
    expect(t.status().conditions).toEqual(first.conditions);
    expect(t.status().lastEvaluationTime).toBe('2025-05-01T10:35:00Z');
  });

  it('keeps the previous assessment and marks it stale when the source fails; recovery clears it', async () => {
    const t = setup();
    t.source.readings.set('ai-team/trainer-abc-1', reading('trainer-abc-1', [['2025-05-01T10:00:00Z', 0.5]]));
    await t.make().handle('ai-team/ml');
    const before = t.status();
    t.source.failWith = new MetricsUnavailableError('tls-error', 'certificate signed by unknown authority');
    t.setNow('2025-05-01T10:40:00Z');
    await expect(t.make().handle('ai-team/ml')).rejects.toBeInstanceOf(ReconcileRetryError);
    const stale = t.status();
    expect(stale.summary).toEqual(before.summary);
    expect(stale.workloads).toEqual(before.workloads);
    expect(stale.energyHistory).toEqual(before.energyHistory);
    expect(stale.stale).toEqual({ since: '2025-05-01T10:40:00Z', reason: 'TlsError' });
    const metrics = stale.conditions!.find((c) => c.type === 'MetricsAvailable')!;
    expect(metrics).toMatchObject({
      status: 'False',
      reason: 'TlsError',
      lastTransitionTime: '2025-05-01T10:40:00Z',
    });
    expect(metrics.message).toContain('certificate signed by unknown authority');
    // A second failure later keeps the first "since".
    t.setNow('2025-05-01T10:45:00Z');
    await expect(t.make().handle('ai-team/ml')).rejects.toThrow('certificate');
    expect(t.status().stale!.since).toBe('2025-05-01T10:40:00Z');
    // Recovery.
    t.source.failWith = undefined;
    t.setNow('2025-05-01T10:50:00Z');
    await t.make().handle('ai-team/ml');
    expect(t.status().stale).toBeUndefined();
    expect(t.status().conditions!.find((c) => c.type === 'MetricsAvailable')!.status).toBe('True');
  });

  it('times out a source that hangs', async () => {
    const t = setup();
    t.source.collect = () => new Promise(() => undefined);
    const reconciler = new PolicyReconciler({
      policies: { get: (ns, name) => t.store.objects.get(`${ns}/${name}`) },
      pods: { list: () => [] },
      owners,
      source: t.source,
      evaluator: t.evaluator,
      store: t.store,
      logger: pino({ level: 'silent' }),
      options: { collectTimeoutMs: 50 },
    });
    await expect(reconciler.handle('ai-team/ml')).rejects.toThrow('no answer within 50 ms');
    expect(t.status().conditions!.find((c) => c.type === 'MetricsAvailable')!.reason).toBe('Timeout');
  });

  it('re-reads and retries on 409 Conflict', async () => {
    const t = setup();
    t.source.readings.set('ai-team/trainer-abc-1', reading('trainer-abc-1', [['2025-05-01T10:00:00Z', 0.5]]));
    t.store.conflictsToInject = 2;
    const outcome = await t.make().reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    expect(outcome).toMatchObject({ result: 'evaluated', written: true, conflicts: 2 });
    expect(t.status().summary!.status).toBe('NON_COMPLIANT');
  });

  it('a restarted operator resumes from the hourly buckets in status', async () => {
    const t = setup();
    t.source.readings.set(
      'ai-team/trainer-abc-1',
      reading('trainer-abc-1', [
        ['2025-05-01T09:00:00Z', 0.4],
        ['2025-05-01T10:00:00Z', 0.3],
      ]),
    );
    await t.make().handle('ai-team/ml');
    // New process: the source only knows the current hour, and only the part since the restart.
    t.source.readings.clear();
    t.source.readings.set(
      'ai-team/trainer-abc-1',
      reading('trainer-abc-1', [
        ['2025-05-01T10:00:00Z', 0.1],
        ['2025-05-01T11:00:00Z', 0.2],
      ]),
    );
    t.setNow('2025-05-01T11:10:00Z');
    await t.make().handle('ai-team/ml');
    const status = t.status();
    expect(status.energyHistory!.startHour).toBe('2025-04-30T12:00:00Z');
    expect(status.energyHistory!.series[0]!.kWh.slice(-3)).toEqual([0.4, 0.3, 0.2]);
    expect(status.summary!.energy_kWh).toBeCloseTo(0.9, 9);
  });

  it('keeps a 1,000-workload namespace well under 256 KiB', async () => {
    const t = setup({ selector: {}, window: '24h' });
    const pods: PodView[] = [];
    for (let w = 0; w < 1000; w++) {
      for (let p = 0; p < 10; p++) {
        const pod = toPodView({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `w${w}-${p}`, namespace: 'ai-team' },
        });
        pods.push({
          ...pod,
          metadata: {
            ...pod.metadata,
            ownerReferences: [{ kind: 'StatefulSet', name: `w${w}`, controller: true }],
          },
        });
        const hours: Array<[string, number]> = [];
        for (let h = 0; h < 24; h++)
          hours.push([
            new Date(Date.parse('2025-04-30T11:00:00Z') + h * 3_600_000).toISOString().replace('.000', ''),
            0.001 * (w + 1) + h * 1e-5,
          ]);
        t.source.readings.set(`ai-team/w${w}-${p}`, reading(`w${w}-${p}`, hours));
      }
    }
    const reconciler = new PolicyReconciler({
      policies: { get: (ns, name) => t.store.objects.get(`${ns}/${name}`) },
      pods: { list: () => pods },
      owners,
      source: t.source,
      evaluator: t.evaluator,
      store: t.store,
      logger: pino({ level: 'silent' }),
      clock: () => new Date('2025-05-01T10:30:00Z'),
    });
    const outcome = await reconciler.reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    const status = t.status();
    expect(status.summary!.workloads).toBe(1000);
    expect(status.workloads).toHaveLength(100);
    expect(status.workloadsOmitted).toBe(900);
    expect(status.energyHistory!.series).toHaveLength(250);
    expect(status.energyHistory!.seriesOmitted).toBe(750);
    // The largest emitters are the ones listed.
    expect(status.workloads![0]!.workload).toBe('w999');
    expect(outcome.statusBytes).toBeLessThan(200 * 1024);
  });

  it('a policy one minute old projects 30 days from the minute observed, not from its 24 h window', async () => {
    const t = setup({ selector: { matchLabels: { app: 'ml-training-job' } }, window: '24h' });
    t.setNow('2025-05-01T10:31:00Z');
    // The source began observing one minute ago; each pod drew 100 W for that minute (6,000 J).
    t.source.extra = { observedSinceMs: Date.parse('2025-05-01T10:30:00Z') };
    for (const pod of ['trainer-abc-1', 'trainer-abc-2'])
      t.source.readings.set(`ai-team/${pod}`, reading(pod, [['2025-05-01T10:00:00Z', 6_000 / 3.6e6]]));
    await t
      .make({ evaluator: createPolicyEvaluator() })
      .reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    const status = t.status();
    const w = status.workloads![0]!;
    expect(w.window.observedHours).toBeCloseTo(1 / 60, 4);
    // 30 days = 43,200 observed minutes: the projection is the minute's figures × 43,200.
    expect(w.monthly_projection.energy_kWh).toBeCloseTo(w.energy_kWh * 43_200, 3);
    expect(status.summary!.emissions_kgCO2eq_per_30d).toBeCloseTo((w.emissions_gCO2eq * 43_200) / 1000, 1);
    expect(w.monthly_projection.basis).toMatch(/0\.01667 h observed by the source \(of a 24 h window\)/);
    // Kept in status, so that a restarted operator still knows since when it observed.
    expect(status.energyHistory!.observedSince).toBe('2025-05-01T10:30:00Z');
  });

  it('p95 usage below the requests gives a right-sizing proposal with the source and sample count in status', async () => {
    const t = setup();
    for (const pod of ['trainer-abc-1', 'trainer-abc-2'])
      t.source.readings.set(`ai-team/${pod}`, reading(pod, [['2025-05-01T10:00:00Z', 0.5]]));
    const usage = new ScriptedUsage();
    // Each pod requests 2 cores and 4 GiB; p95 0.5 cores and 1 GiB on 40 and 42 samples.
    usage.pods.set('ai-team/trainer-abc-1', {
      cpuP95_cores: 0.5,
      memoryP95_bytes: 2 ** 30,
      cpuSamples: 40,
      memorySamples: 42,
    });
    usage.pods.set('ai-team/trainer-abc-2', {
      cpuP95_cores: 0.5,
      memoryP95_bytes: 2 ** 30,
      cpuSamples: 41,
      memorySamples: 41,
    });
    const reconciler = t.make({ evaluator: createPolicyEvaluator(), usage });
    await reconciler.reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    expect(usage.retained.get('ai-team/ml')).toBe(24 * 3_600_000);
    const w = t.status().workloads![0]!;
    expect(w.usage).toEqual({
      assessed: true,
      cpuRequest_cores: 4,
      cpuP95_cores: 1,
      memoryRequest_bytes: 8 * 2 ** 30,
      memoryP95_bytes: 2 * 2 ** 30,
      samples: 40,
    });
    expect(w.sources.usage).toBe('measured: scripted; 40 samples per pod at least');
    const sizing = w.optimizations.find((o) => o.type === 'right_sizing')!;
    // p95 + 20 % headroom per pod: 0.6 cores and 1229 MiB.
    expect(sizing.resourcesPatch).toEqual({
      spec: {
        template: {
          spec: { containers: [{ name: 'c', resources: { requests: { cpu: '600m', memory: '1229Mi' } } }] },
        },
      },
    });
    expect(sizing.capacity_freed).toEqual({ cpu_cores: 2.8, memory_GiB: 5.6 });
    const condition = t.status().conditions!.find((c) => c.type === 'UsageAvailable')!;
    expect(condition).toMatchObject({ status: 'True', reason: 'Collected' });
    expect(condition.message).toBe(
      '2 of 2 selected pods have a p95 of CPU and memory usage from scripted usage, 40–41 samples per pod',
    );

    // Too few samples: no p95, right-sizing not assessed, and the status says so.
    usage.pods.set('ai-team/trainer-abc-2', {
      cpuP95_cores: null,
      memoryP95_bytes: null,
      cpuSamples: 3,
      memorySamples: 3,
    });
    await reconciler.reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    const few = t.status().workloads![0]!;
    expect(few.optimizations.map((o) => o.type)).not.toContain('right_sizing');
    expect(few.usage).toMatchObject({ assessed: false, cpuP95_cores: null, cpuRequest_cores: 4 });
    expect(few.usage!.reason).toBe('only 3 usage samples in the window from scripted usage (a p95 needs 20)');
    expect(few.sources.usage).toBe(`not assessed: ${few.usage!.reason}`);

    // The source fails: the verdict stands, UsageAvailable=False names the reason.
    usage.failWith = new UsageUnavailableError('metrics-api-unavailable', 'not served (HTTP 404)');
    await reconciler.reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    expect(t.status().summary!.status).toBe('NON_COMPLIANT');
    expect(t.status().conditions!.find((c) => c.type === 'UsageAvailable')).toMatchObject({
      status: 'False',
      reason: 'MetricsApiUnavailable',
      message: 'right-sizing not assessed: scripted usage: not served (HTTP 404)',
    });
    expect(t.status().workloads![0]!.sources.usage).toBe(
      'not assessed: scripted usage: not served (HTTP 404)',
    );
  });

  it('carries the idle share beside the active energy into status and back after a restart', async () => {
    const t = setup();
    t.source.extra = {
      idleShareProvenance: 'allocated: test node idle',
      observedSinceMs: Date.parse('2025-05-01T09:00:00Z'),
    };
    for (const pod of ['trainer-abc-1', 'trainer-abc-2']) {
      t.source.readings.set(`ai-team/${pod}`, {
        namespace: 'ai-team',
        pod,
        hours: podHoursOf([
          { hourStart: '2025-05-01T09:00:00Z', energy_kWh: 0.01, idleShare_kWh: 0.03 },
          { hourStart: '2025-05-01T10:00:00Z', energy_kWh: 0.005, idleShare_kWh: 0.015 },
        ]),
        power_watts: 10,
        idleShare_watts: 30,
      });
    }
    const evaluator = createPolicyEvaluator();
    await t.make({ evaluator }).reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    const w = t.status().workloads![0]!;
    expect(w.energy_kWh).toBeCloseTo(0.03, 9);
    expect(w.idle_share_kWh).toBeCloseTo(0.09, 9);
    expect(w.idle_share_watts).toBe(60);
    expect(w.idle_share_source).toBe('allocated: test node idle');
    expect(w.footprint!.active.emissions_gCO2eq).toBe(w.emissions_gCO2eq);
    const full = w.footprint!.active_plus_idle_share!;
    expect(full.basis).toBe('active + idle share');
    expect(full.energy_kWh).toBeCloseTo(0.12, 9);
    expect(full.emissions_gCO2eq).toBeGreaterThan(3.9 * w.emissions_gCO2eq);
    expect(t.status().energyHistory!.series[0]!.idleKWh!.filter((v) => v !== null)).toEqual([0.06, 0.03]);
    expect(t.status().summary!.idleShare_kWh).toBeCloseTo(0.09, 9);

    // Restart: the source lost its history; status brings both series back.
    t.source.readings.clear();
    t.source.extra = {
      idleShareProvenance: 'allocated: test node idle',
      observedSinceMs: Date.parse('2025-05-01T10:29:00Z'),
    };
    await t.make({ evaluator }).reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    const again = t.status().workloads![0]!;
    expect(again.idle_share_kWh).toBeCloseTo(0.09, 9);
    expect(t.status().energyHistory!.observedSince).toBe('2025-05-01T09:00:00Z');
  });

  it('reports the idle share as unavailable, with the reason, when a pod has none', async () => {
    const t = setup();
    t.source.extra = { idleShareProvenance: 'allocated: test node idle' };
    t.source.readings.set('ai-team/trainer-abc-1', {
      ...reading('trainer-abc-1', [['2025-05-01T10:00:00Z', 0.01]]),
      idleShareUnavailable: 'no idle figure for node node-1 in the Kepler scrape',
    });
    await t
      .make({ evaluator: createPolicyEvaluator() })
      .reconcile('ai-team', 'ml', pino({ level: 'silent' }));
    const w = t.status().workloads![0]!;
    expect(w.idle_share_kWh).toBeNull();
    expect(w.idle_share_watts).toBeNull();
    expect(w.idle_share_source).toBe('unavailable: no idle figure for node node-1 in the Kepler scrape');
    expect(w.footprint!.active_plus_idle_share).toBeNull();
    expect(t.status().summary!.emissionsActivePlusIdleShare_kgCO2eq_per_30d).toBeNull();
  });

  it('shows GridDataLive and StandardsCatalogue from the evaluation, removes them when absent, warns once per bad edit', async () => {
    const t = setup();
    t.source.readings.set('ai-team/trainer-abc-1', reading('trainer-abc-1', [['2025-05-01T10:00:00Z', 0.5]]));
    let extra: Pick<Evaluation, 'gridLive' | 'catalogueError'> = {};
    const evaluator = {
      evaluate: (request: EvaluationRequest) => ({ ...t.evaluator.evaluate(request), ...extra }),
    };
    const types = () => t.status().conditions!.map((c) => `${c.type}=${c.status}/${c.reason}`);

    extra = {
      gridLive: {
        status: 'False',
        reason: 'RateLimited',
        message: 'HTTP 429 rate limited (retry after 120 s)',
      },
      catalogueError: {
        reason: 'InvalidCatalogue',
        message: 'standards.yaml: not valid YAML: at line 4, column 1',
      },
    };
    await t.make({ evaluator }).handle('ai-team/ml');
    expect(types()).toEqual(
      expect.arrayContaining(['GridDataLive=False/RateLimited', 'StandardsCatalogue=False/InvalidCatalogue']),
    );
    const warnings = () => t.events.filter((e) => e.reason === 'StandardsCatalogueInvalid');
    expect(warnings()).toEqual([
      {
        type: 'Warning',
        reason: 'StandardsCatalogueInvalid',
        message: 'standards.yaml: not valid YAML: at line 4, column 1',
      },
    ]);
    // The same bad edit on the next evaluation: no second Event.
    t.setNow('2025-05-01T10:40:00Z');
    t.source.readings.set('ai-team/trainer-abc-1', reading('trainer-abc-1', [['2025-05-01T10:00:00Z', 0.6]]));
    await t.make({ evaluator }).handle('ai-team/ml');
    expect(warnings()).toHaveLength(1);

    // Fixed catalogue, live data back; then no provider at all and no watched file: the conditions go.
    extra = { gridLive: { status: 'True', reason: 'LiveDataInUse', message: 'ok' }, catalogueError: null };
    await t.make({ evaluator }).handle('ai-team/ml');
    expect(types()).toEqual(
      expect.arrayContaining(['GridDataLive=True/LiveDataInUse', 'StandardsCatalogue=True/Loaded']),
    );
    extra = {};
    await t.make({ evaluator }).handle('ai-team/ml');
    expect(types().filter((c) => /GridDataLive|StandardsCatalogue/.test(c))).toEqual([]);
  });
});
