// The operator's own Prometheus metrics (prom-client, one registry per process), named the
// Prometheus way: counters end in _total, the unit is the last part of the name (_seconds, _kwh,
// _watts, _kgco2eq, _gco2eq_per_kwh), and Node's default process metrics keep their usual names
// (process_*, nodejs_*). Per-policy and per-workload series are removed when they go away.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { rankAndCap } from '../engine/aggregate-policy.js';
import type { CarbonBudgetStatus } from '../domain/types.js';
import type { Evaluation } from './policy-evaluator.js';

/** Per-workload series per policy: the first ones in status order (non-compliant, largest emitters). */
const MAX_WORKLOAD_SERIES_PER_POLICY = 100;

type WorkloadLabels = 'namespace' | 'policy' | 'workload' | 'kind';

export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly reconcileDuration: Histogram<'result'>;
  private readonly reconcileErrors: Counter<'reason'>;
  private readonly effectiveIntensity: Gauge<'namespace' | 'policy'>;
  private readonly emissions30d: Gauge<'namespace' | 'policy'>;
  private readonly energy: Gauge<'namespace' | 'policy'>;
  private readonly estimatedEnergy: Gauge<'namespace' | 'policy'>;
  private readonly compliant: Gauge<'namespace' | 'policy'>;
  private readonly workloads: Gauge<'namespace' | 'policy' | 'status'>;
  private readonly workloadIntensity: Gauge<WorkloadLabels>;
  private readonly workloadPower: Gauge<WorkloadLabels>;
  private readonly workloadEmissions30d: Gauge<WorkloadLabels>;
  private readonly workloadCompliant: Gauge<WorkloadLabels>;
  /** Label sets of each policy's workload series, to remove the ones that disappear. */
  private readonly workloadSeries = new Map<string, Array<Record<WorkloadLabels, string>>>();
  private readonly budget: Gauge<'namespace' | 'policy'>;
  private readonly budgetMonthToDate: Gauge<'namespace' | 'policy'>;
  private readonly budgetUsed: Gauge<'namespace' | 'policy'>;
  private readonly budgetBurnRate: Gauge<'namespace' | 'policy'>;
  private readonly budgetProjected: Gauge<'namespace' | 'policy'>;
  readonly isLeader: Gauge;
  private readonly informerRestarts: Counter<'informer'>;
  private readonly informerRestartsSeen = new Map<string, number>();
  readonly queueDepth: Gauge;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.reconcileDuration = new Histogram({
      name: 'carbon_operator_reconcile_duration_seconds',
      help: 'Time to reconcile one CarbonCompliancePolicy, by result',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'carbon_operator_reconcile_errors_total',
      help: 'Failed reconciles by reason (e.g. Timeout, TlsError, ReconcileError)',
      labelNames: ['reason'],
      registers,
    });
    this.effectiveIntensity = new Gauge({
      name: 'carbon_policy_effective_intensity_gco2eq_per_kwh',
      help: 'Effective carbon intensity (grid intensity x PUE) of the policy, gCO2e per kWh of IT energy',
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.emissions30d = new Gauge({
      name: 'carbon_policy_emissions_30d_projection_kgco2eq',
      help: "The policy window's emissions scaled to 30 days, kgCO2e",
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.energy = new Gauge({
      name: 'carbon_policy_energy_kwh',
      help: "IT energy of the selected workloads over the policy's window, kWh (measured: Kepler, plus any CCF estimate in carbon_policy_estimated_energy_kwh)",
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.estimatedEnergy = new Gauge({
      name: 'carbon_policy_estimated_energy_kwh',
      help: 'The part of carbon_policy_energy_kwh estimated with Cloud Carbon Footprint coefficients (pods on nodes without Kepler readings), kWh',
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.compliant = new Gauge({
      name: 'carbon_policy_compliant',
      help: '1 when the policy is COMPLIANT, 0 when NON_COMPLIANT; absent with insufficient data',
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.workloads = new Gauge({
      name: 'carbon_policy_workloads',
      help: 'Workloads of the policy by compliance status',
      labelNames: ['namespace', 'policy', 'status'],
      registers,
    });
    const workloadLabels: WorkloadLabels[] = ['namespace', 'policy', 'workload', 'kind'];
    this.workloadIntensity = new Gauge({
      name: 'carbon_workload_effective_intensity_gco2eq_per_kwh',
      help: `Effective carbon intensity of a workload (grid intensity x PUE), gCO2e per kWh of IT energy; the first ${MAX_WORKLOAD_SERIES_PER_POLICY} workloads per policy in status order`,
      labelNames: workloadLabels,
      registers,
    });
    this.workloadPower = new Gauge({
      name: 'carbon_workload_power_watts',
      help: "Mean IT power of a workload over the policy's window, watts (measured: Kepler)",
      labelNames: workloadLabels,
      registers,
    });
    this.workloadEmissions30d = new Gauge({
      name: 'carbon_workload_emissions_30d_projection_kgco2eq',
      help: 'Emissions of a workload, the hours observed scaled to 30 days, kgCO2e',
      labelNames: workloadLabels,
      registers,
    });
    this.workloadCompliant = new Gauge({
      name: 'carbon_workload_compliant',
      help: '1 when the workload is COMPLIANT, 0 when NON_COMPLIANT; absent with insufficient data',
      labelNames: workloadLabels,
      registers,
    });
    this.budget = new Gauge({
      name: 'carbon_policy_budget_kgco2eq',
      help: 'Monthly carbon budget of the policy (configured: spec.budget.kgCO2eqPerMonth), kgCO2e per KST calendar month',
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.budgetMonthToDate = new Gauge({
      name: 'carbon_policy_budget_month_to_date_kgco2eq',
      help: "Emissions of the policy's workloads in the KST calendar month so far (verdict basis), kgCO2e",
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.budgetUsed = new Gauge({
      name: 'carbon_policy_budget_used_ratio',
      help: 'Month-to-date emissions divided by the monthly carbon budget (1 = budget used up)',
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.budgetBurnRate = new Gauge({
      name: 'carbon_policy_budget_burn_rate_kgco2eq_per_day',
      help: 'Month-to-date emissions per day counted this month, kgCO2e per day',
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.budgetProjected = new Gauge({
      name: 'carbon_policy_budget_projected_month_end_kgco2eq',
      help: 'Month-to-date emissions plus the burn rate over the rest of the KST month, kgCO2e',
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.isLeader = new Gauge({
      name: 'carbon_operator_leader',
      help: '1 while this instance holds the leader Lease',
      registers,
    });
    this.informerRestarts = new Counter({
      name: 'carbon_operator_informer_restarts_total',
      help: 'Watch restarts (after errors, 410 relists and watchdog timeouts) per informer',
      labelNames: ['informer'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'carbon_operator_queue_depth',
      help: 'Policies waiting in the work queue',
      registers,
    });
  }

  /** Brings the restart counter up to an informer's cumulative restart count (a counter never goes down). */
  informerRestartsObserved(informer: string, total: number): void {
    const seen = this.informerRestartsSeen.get(informer) ?? 0;
    if (total > seen) this.informerRestarts.inc({ informer }, total - seen);
    else if (!this.informerRestartsSeen.has(informer)) this.informerRestarts.inc({ informer }, 0);
    this.informerRestartsSeen.set(informer, Math.max(seen, total));
  }

  reconciled(namespace: string, policy: string, result: string, seconds: number): void {
    this.reconcileDuration.observe({ result }, seconds);
    void namespace;
    void policy;
  }

  reconcileFailed(_namespace: string, _policy: string, reason: string, seconds: number): void {
    this.reconcileErrors.inc({ reason });
    this.reconcileDuration.observe({ result: 'error' }, seconds);
  }

  policyEvaluated(namespace: string, policy: string, evaluation: Evaluation): void {
    const s = evaluation.summary;
    const labels = { namespace, policy };
    if (s.effectiveIntensity_gCO2eq_kWh === null) this.effectiveIntensity.remove(labels);
    else this.effectiveIntensity.set(labels, s.effectiveIntensity_gCO2eq_kWh);
    this.emissions30d.set(labels, s.emissions_kgCO2eq_per_30d);
    this.energy.set(labels, s.energy_kWh);
    this.estimatedEnergy.set(labels, s.energyEstimated_kWh ?? 0);
    if (s.status === 'INSUFFICIENT_DATA') this.compliant.remove(labels);
    else this.compliant.set(labels, s.status === 'COMPLIANT' ? 1 : 0);
    this.workloads.set({ ...labels, status: 'COMPLIANT' }, s.compliant);
    this.workloads.set({ ...labels, status: 'NON_COMPLIANT' }, s.nonCompliant);
    this.workloads.set({ ...labels, status: 'INSUFFICIENT_DATA' }, s.insufficientData);
    this.workloadsEvaluated(namespace, policy, evaluation);
  }

  private workloadsEvaluated(namespace: string, policy: string, evaluation: Evaluation): void {
    const { kept } = rankAndCap(evaluation.assessments, MAX_WORKLOAD_SERIES_PER_POLICY);
    const series = kept.map((a) => ({ namespace, policy, workload: a.workload, kind: a.kind }));
    const current = new Set(series.map((l) => `${l.kind}/${l.workload}`));
    for (const old of this.workloadSeries.get(`${namespace}/${policy}`) ?? [])
      if (!current.has(`${old.kind}/${old.workload}`)) this.removeWorkloadSeries(old);
    kept.forEach((a, i) => {
      const labels = series[i]!;
      if (a.current_carbon_intensity_gCO2eq_kWh === null) this.workloadIntensity.remove(labels);
      else this.workloadIntensity.set(labels, a.current_carbon_intensity_gCO2eq_kWh);
      this.workloadPower.set(labels, a.power_watts);
      this.workloadEmissions30d.set(labels, a.monthly_projection.emissions_kgCO2eq);
      if (a.status === 'INSUFFICIENT_DATA') this.workloadCompliant.remove(labels);
      else this.workloadCompliant.set(labels, a.status === 'COMPLIANT' ? 1 : 0);
    });
    this.workloadSeries.set(`${namespace}/${policy}`, series);
  }

  private removeWorkloadSeries(labels: Record<WorkloadLabels, string>): void {
    this.workloadIntensity.remove(labels);
    this.workloadPower.remove(labels);
    this.workloadEmissions30d.remove(labels);
    this.workloadCompliant.remove(labels);
  }

  /** The policy's carbon budget (status.budget); a policy without one has no budget series. */
  budgetObserved(namespace: string, policy: string, budget: CarbonBudgetStatus | undefined): void {
    const labels = { namespace, policy };
    if (!budget) {
      this.removeBudget(labels);
      return;
    }
    this.budget.set(labels, budget.budget_kgCO2eq);
    this.budgetMonthToDate.set(labels, budget.monthToDate_kgCO2eq);
    this.budgetUsed.set(labels, budget.usedPercent / 100);
    this.budgetBurnRate.set(labels, budget.burnRate_kgCO2eq_per_day);
    this.budgetProjected.set(labels, budget.projectedMonthEnd_kgCO2eq);
  }

  private removeBudget(labels: { namespace: string; policy: string }): void {
    for (const gauge of [
      this.budget,
      this.budgetMonthToDate,
      this.budgetUsed,
      this.budgetBurnRate,
      this.budgetProjected,
    ])
      gauge.remove(labels);
  }

  forgetPolicy(namespace: string, policy: string): void {
    const labels = { namespace, policy };
    this.removeBudget(labels);
    this.effectiveIntensity.remove(labels);
    this.emissions30d.remove(labels);
    this.energy.remove(labels);
    this.estimatedEnergy.remove(labels);
    this.compliant.remove(labels);
    for (const status of ['COMPLIANT', 'NON_COMPLIANT', 'INSUFFICIENT_DATA'])
      this.workloads.remove({ ...labels, status });
    for (const series of this.workloadSeries.get(`${namespace}/${policy}`) ?? [])
      this.removeWorkloadSeries(series);
    this.workloadSeries.delete(`${namespace}/${policy}`);
  }
}
