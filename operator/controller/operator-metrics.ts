// The operator's own Prometheus metrics (prom-client, one registry per process). Units are in
// the metric names; per-policy series are removed when the policy is deleted.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Evaluation } from './policy-evaluator.js';

export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly reconcileDuration: Histogram<'result'>;
  private readonly reconcileErrors: Counter<'reason'>;
  private readonly effectiveIntensity: Gauge<'namespace' | 'policy'>;
  private readonly emissions30d: Gauge<'namespace' | 'policy'>;
  private readonly energy: Gauge<'namespace' | 'policy'>;
  private readonly compliant: Gauge<'namespace' | 'policy'>;
  private readonly workloads: Gauge<'namespace' | 'policy' | 'status'>;
  readonly isLeader: Gauge;
  readonly informerRestarts: Gauge<'informer'>;
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
      name: 'carbon_policy_emissions_kgco2eq_per_30d',
      help: "The policy window's emissions scaled to 30 days, kgCO2e",
      labelNames: ['namespace', 'policy'],
      registers,
    });
    this.energy = new Gauge({
      name: 'carbon_policy_energy_kwh',
      help: "IT energy of the selected workloads over the policy's window, kWh (measured: Kepler)",
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
    this.isLeader = new Gauge({
      name: 'carbon_operator_leader',
      help: '1 while this instance holds the leader Lease',
      registers,
    });
    this.informerRestarts = new Gauge({
      name: 'carbon_operator_informer_restarts',
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
    if (s.status === 'INSUFFICIENT_DATA') this.compliant.remove(labels);
    else this.compliant.set(labels, s.status === 'COMPLIANT' ? 1 : 0);
    this.workloads.set({ ...labels, status: 'COMPLIANT' }, s.compliant);
    this.workloads.set({ ...labels, status: 'NON_COMPLIANT' }, s.nonCompliant);
    this.workloads.set({ ...labels, status: 'INSUFFICIENT_DATA' }, s.insufficientData);
  }

  forgetPolicy(namespace: string, policy: string): void {
    const labels = { namespace, policy };
    this.effectiveIntensity.remove(labels);
    this.emissions30d.remove(labels);
    this.energy.remove(labels);
    this.compliant.remove(labels);
    for (const status of ['COMPLIANT', 'NON_COMPLIANT', 'INSUFFICIENT_DATA'])
      this.workloads.remove({ ...labels, status });
  }
}
