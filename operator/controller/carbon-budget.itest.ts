// The carbon budget on a real API server with the real carbon engine: status.budget and the emissions
// ledger survive the CRD's schema (nothing pruned), the 80 % and 100 % Events are created once per
// threshold and month — across repeated evaluations and a restarted operator (a new reconciler reading
// what status recorded) — and a new KST month starts afresh. Energy comes from a scripted source.
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import pino from 'pino';
import { testKubeConfig } from '../../hack/testenv/env.js';
import { ScriptedMetricsSource } from '../../hack/testenv/scripted-metrics-source.js';
import {
  installPolicyCrd,
  kubectl,
  reconcilerOnTestPlane,
  startOperatorInformers,
  waitUntil,
} from '../../hack/testenv/cluster-fixtures.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { createPolicyEvaluator } from './policy-evaluator.js';
import { KubeEventRecorder } from '../kube/event-recorder.js';
import { KubeRestClient } from '../kube/kube-rest-client.js';
import type { CollectedPodEnergy } from '../sources/metrics-source.js';
import { OperatorMetrics } from './operator-metrics.js';
import type { PodView } from '../kube/pod-view.js';
import { policyPath } from './status-writer.js';
import type { SupervisedInformer } from '../kube/supervised-informer.js';
import { podHoursOf } from '../sources/pod-hours.js';

const NS = 'budget-team';
const POLICY = 'monthly-budget';
const logger = pino({ level: 'silent' });

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** 2 kWh in each of the 24 hours ending with the hour of `now`. */
function dayOfEnergy(now: Date): CollectedPodEnergy {
  const current = Math.floor(now.getTime() / H) * H;
  return {
    namespace: NS,
    pod: 'meter-1',
    hours: podHoursOf(
      Array.from({ length: 24 }, (_, k) => ({ hourStart: iso(current - (23 - k) * H), energy_kWh: 2 })),
    ),
  };
}

interface EventList {
  items: Array<{ reason: string; type: string; message: string; involvedObject: { name: string } }>;
}

describe('carbon budget Events on a real API server', () => {
  const client = new KubeRestClient(testKubeConfig());
  const source = new ScriptedMetricsSource();
  const metrics = new OperatorMetrics({ defaultMetrics: false });
  let now = new Date('2026-12-10T03:30:00Z');
  let policies: SupervisedInformer<CarbonCompliancePolicy>;
  let pods: SupervisedInformer<PodView>;
  const evaluator = createPolicyEvaluator();

  /** A new reconciler is a restarted operator: it knows only what status holds. */
  const operator = () =>
    reconcilerOnTestPlane(client, {
      policies,
      pods,
      source,
      evaluator,
      events: new KubeEventRecorder(client, 'carbon-aware-operator', 'itest', logger),
      metrics,
      logger,
      clock: () => now,
    });

  const stored = async () =>
    fromStoredPolicy(await client.get<CarbonCompliancePolicy>(policyPath(NS, POLICY)));

  /** Reconciles once with the informer cache at the stored resourceVersion (what the operator sees). */
  async function reconcile(reconciler = operator()): Promise<CarbonCompliancePolicy> {
    const { metadata } = await stored();
    await waitUntil(
      'policy resourceVersion',
      () => policies.get(NS, POLICY)?.metadata.resourceVersion === metadata.resourceVersion,
      20_000,
    );
    await reconciler.handle(`${NS}/${POLICY}`);
    return stored();
  }

  async function budgetEvents(): Promise<string[]> {
    const list = await client.get<EventList>(`/api/v1/namespaces/${NS}/events`);
    return list.items
      .filter((e) => e.involvedObject.name === POLICY && e.reason.startsWith('CarbonBudget'))
      .map((e) => `${e.type}/${e.reason}: ${e.message.split(':')[0]}`)
      .sort();
  }

  async function setBudget(kg: number): Promise<void> {
    kubectl(
      'patch',
      'carboncompliance',
      '-n',
      NS,
      POLICY,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { budget: { kgCO2eqPerMonth: kg } } }),
    );
  }

  beforeAll(async () => {
    installPolicyCrd();
    kubectl('create', 'namespace', NS);
    await client.create(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'meter-1', labels: { app: 'meter' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    await client.create(policyPath(NS), {
      apiVersion: 'carbon-aware.dev/v1alpha1',
      kind: 'CarbonCompliancePolicy',
      metadata: { name: POLICY },
      spec: {
        selector: { matchLabels: { app: 'meter' } },
        site: { zone: 'KR', pue: 1.2 },
        language: 'en',
        budget: { kgCO2eqPerMonth: 1000 },
      },
    });
    ({ policies, pods } = await startOperatorInformers());
    await waitUntil('pod', () => pods.list(NS).length === 1, 20_000);
  }, 120_000);

  afterAll(() => {
    policies?.stop();
    pods?.stop();
  });

  it('fires the 80 % and the 100 % Event once each per month, also after a restart', async () => {
    source.readings.set(`${NS}/meter-1`, dayOfEnergy(now));
    // Under budget: status.budget as the API server stored it, and no Event.
    let policy = await reconcile();
    const budget = policy.status!.budget!;
    const ledger = policy.status!.emissionsLedger!;
    expect(budget.month).toBe('2026-12');
    expect(budget.budget_kgCO2eq).toBe(1000);
    // 23 ended hours and the running one, 2 kWh each, from the engine's hourly figures.
    expect(ledger.months.map((m) => [m.month, m.hours, m.energy_kWh])).toEqual([['2026-12', 23, 46]]);
    expect(ledger.openHour?.energy_kWh).toBe(2);
    const mtd = budget.monthToDate_kgCO2eq;
    // The ledger's figures are the engine's: the verdict's emissions for the same hours.
    expect(mtd).toBeCloseTo(policy.status!.summary!.emissions_gCO2eq / 1000, 3);
    expect(mtd).toBeGreaterThan(0);
    expect(budget.state).toBe('within');
    expect(budget.thresholdsNotified).toEqual([]);
    expect(await budgetEvents()).toEqual([]);

    // 85 % used: the 80 % Event, once, however often the policy is evaluated.
    await setBudget(Number((mtd / 0.85).toFixed(3)));
    policy = await reconcile();
    expect(policy.status!.budget!.usedPercent).toBeCloseTo(85, 0);
    expect(policy.status!.budget!.thresholdsNotified.map((t) => t.percent)).toEqual([80]);
    now = new Date(now.getTime() + 5 * 60_000);
    await reconcile();
    expect(await budgetEvents()).toEqual([
      'Warning/CarbonBudgetThreshold: 85 % of the 2026-12 carbon budget used (reached 80 %)',
    ]);

    // A restarted operator reads the notices from status: nothing again.
    now = new Date(now.getTime() + 5 * 60_000);
    await reconcile(operator());
    expect(await budgetEvents()).toHaveLength(1);

    // Over budget: the 100 % Event once, and the gauges say so.
    await setBudget(Number((mtd / 1.25).toFixed(3)));
    policy = await reconcile(operator());
    expect(policy.status!.budget!.state).toBe('exceeded');
    expect(policy.status!.budget!.projectedExhaustionDate).toBe('2026-12-10');
    await reconcile(operator());
    const events = await budgetEvents();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatch(
      /^Warning\/CarbonBudgetExceeded: 125 % of the 2026-12 carbon budget used \(reached 100 %\)$/,
    );
    const exposition = await metrics.registry.metrics();
    expect(exposition).toMatch(
      /carbon_policy_budget_used_ratio\{namespace="budget-team",policy="monthly-budget"\} 1\.25/,
    );
    expect(exposition).toContain(
      'carbon_policy_budget_month_to_date_kgco2eq{namespace="budget-team",policy="monthly-budget"}',
    );

    // January (KST) starts afresh: its first hours are over this budget too, and both thresholds fire
    // again, once each.
    now = new Date('2026-12-31T18:30:00Z');
    source.readings.set(`${NS}/meter-1`, dayOfEnergy(now));
    await setBudget(0.001);
    policy = await reconcile(operator());
    expect(policy.status!.budget!.month).toBe('2027-01');
    expect(policy.status!.emissionsLedger!.months.map((m) => m.month)).toEqual(['2026-12', '2027-01']);
    await reconcile(operator());
    const all = await budgetEvents();
    expect(all).toHaveLength(4);
    expect(all.filter((e) => e.includes('2027-01')).map((e) => e.split(':')[0])).toEqual([
      'Warning/CarbonBudgetExceeded',
      'Warning/CarbonBudgetThreshold',
    ]);
  });

  it('puts the month-over-month decomposition in the status summary once two months are complete', async () => {
    expect((await stored()).status!.summary!.emissionsChange ?? null).toBeNull();
    // 1 February 01:30 KST: December and January are complete.
    now = new Date('2027-01-31T16:30:00Z');
    source.readings.set(`${NS}/meter-1`, dayOfEnergy(now));
    const policy = await reconcile(operator());
    const change = policy.status!.summary!.emissionsChange!;
    const ledger = policy.status!.emissionsLedger!;
    expect(ledger.months.map((m) => m.month)).toEqual(['2026-12', '2027-01', '2027-02']);
    expect([change.from.month, change.to.month]).toEqual(['2026-12', '2027-01']);
    expect(change.change_kgCO2eq).toBeCloseTo(
      ledger.months[1]!.locationEmissions_kgCO2eq - ledger.months[0]!.locationEmissions_kgCO2eq,
      3,
    );
    const effects = Object.values(change.effects_kgCO2eq).reduce((a, b) => a + b, 0);
    expect(Math.abs(effects - change.change_kgCO2eq)).toBeLessThanOrEqual(
      Math.abs(change.change_kgCO2eq) * 0.001,
    );
    // Same PUE both months: no PUE effect beyond the ledger's 6 significant digits.
    expect(Math.abs(change.effects_kgCO2eq.pue)).toBeLessThan(change.to.emissions_kgCO2eq * 1e-5);
    expect(change.to.pue).toBe(1.2);
  });
});
