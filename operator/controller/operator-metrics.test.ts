// The operator's /metrics follow Prometheus naming: counters end in _total and nothing else does,
// Node's process metrics keep their usual names, per-workload series appear and disappear with
// the workloads, and the informer restart count only goes up.
import { createRequire } from 'node:module';
import { policySpecSchema } from '../api/v1alpha1/types.js';
import { HttpMetrics } from '../../mcp/http/http-metrics.js';
import { advanceLedger, carbonBudgetStatus } from '../engine/emissions-ledger.js';
import { OperatorMetrics } from './operator-metrics.js';
import { FormulaEvaluator } from '../../hack/testenv/formula-evaluator.js';
import { createPolicyEvaluator, type EvaluationRequest } from './policy-evaluator.js';

// An independent parser of the exposition format (it ships no types): text in, families out.
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => unknown[];

interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string }>;
}

async function families(registry: { metrics(): Promise<string> }): Promise<Family[]> {
  return parsePrometheusTextFormat(await registry.metrics()) as Family[];
}

function request(workloads: Array<{ name: string; kWh: number }>): EvaluationRequest {
  return {
    namespace: 'ai-team',
    spec: policySpecSchema.parse({}),
    inputs: workloads.map((w) => ({
      workload: w.name,
      namespace: 'ai-team',
      kind: 'Deployment' as const,
      pods: 1,
      hourly: w.kWh > 0 ? [{ hourStart: '2026-05-01T10:00:00Z', energy_kWh: w.kWh }] : [],
      power_watts: w.kWh * 1000,
      zonesCounted: ['package'],
      energySource: 'test',
    })),
    window: { start: '2026-05-01T10:00:00Z', end: '2026-05-01T11:00:00Z', hours: 1 },
    now: new Date('2026-05-01T11:00:00Z'),
  };
}

/** Prometheus units and counts the names may end with (https://prometheus.io/docs/practices/naming/). */
const ENDINGS =
  /_(total|seconds|bytes|kwh|watts|kgco2eq|kgco2eq_per_day|gco2eq_per_kwh|compliant|workloads|leader|depth|info|sessions|policies|ratio|count|sum|bucket|created)$/;

describe('operator metrics', () => {
  test('counters and only counters end in _total; every carbon_ name ends in its unit or what it counts', async () => {
    const metrics = new OperatorMetrics();
    metrics.informerRestartsObserved('pods', 0);
    metrics.reconcileFailed('ai-team', 'carbon', 'Timeout', 0.1);
    metrics.policyEvaluated(
      'ai-team',
      'carbon',
      new FormulaEvaluator().evaluate(request([{ name: 'web', kWh: 1 }])),
    );
    const all = await families(metrics.registry);
    // prom-client's own nodejs_active_*_total gauges keep their usual (upstream) names.
    const wrong = all
      .filter((f) => f.name.startsWith('carbon_') || f.type === 'COUNTER')
      .filter((f) => (f.type === 'COUNTER') !== f.name.endsWith('_total'))
      .map((f) => `${f.name} (${f.type})`);
    expect(wrong).toEqual([]);
    const carbon = all.filter((f) => f.name.startsWith('carbon_')).map((f) => f.name);
    expect(carbon.filter((name) => !ENDINGS.test(name))).toEqual([]);
    expect(all.find((f) => f.name === 'carbon_operator_informer_restarts_total')?.type).toBe('COUNTER');
    // Node's defaults under their usual names.
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ])
      expect(all.map((f) => f.name)).toContain(name);
  });

  test('the MCP server exports Node process metrics under their usual names too', async () => {
    const names = (await families(new HttpMetrics().registry)).map((f) => f.name);
    expect(names).toContain('process_resident_memory_bytes');
    expect(
      names.filter((n) => n.startsWith('carbon_mcp_process') || n.startsWith('carbon_mcp_nodejs')),
    ).toEqual([]);
    const counters = (await families(new HttpMetrics().registry)).filter((f) => f.type === 'COUNTER');
    expect(counters.filter((f) => !f.name.endsWith('_total'))).toEqual([]);
  });

  test('informer restarts only go up, by the difference in the cumulative count', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    metrics.informerRestartsObserved('policies', 2);
    metrics.informerRestartsObserved('policies', 2);
    metrics.informerRestartsObserved('policies', 5);
    const restarts = (await families(metrics.registry)).find(
      (f) => f.name === 'carbon_operator_informer_restarts_total',
    )!;
    expect(restarts.metrics).toEqual([{ labels: { informer: 'policies' }, value: '5' }]);
  });

  test('per-workload series follow the workloads and go with the policy', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    const evaluator = new FormulaEvaluator();
    const series = async (name: string) =>
      ((await families(metrics.registry)).find((f) => f.name === name)?.metrics ?? []).map(
        (m) => `${m.labels!.workload}=${m.value}`,
      );
    metrics.policyEvaluated(
      'ai-team',
      'carbon',
      evaluator.evaluate(
        request([
          { name: 'web', kWh: 0.5 },
          { name: 'batch', kWh: 0 },
        ]),
      ),
    );
    expect(await series('carbon_workload_power_watts')).toEqual(['web=500', 'batch=0']);
    const intensity = await series('carbon_workload_effective_intensity_gco2eq_per_kwh');
    expect(intensity.map((s) => s.split('=')[0])).toEqual(['web']);
    expect(Number(intensity[0]!.split('=')[1])).toBeCloseTo(436 * 1.17, 6);
    expect(await series('carbon_workload_compliant')).toEqual(['web=0']);
    metrics.policyEvaluated('ai-team', 'carbon', evaluator.evaluate(request([{ name: 'batch', kWh: 0.25 }])));
    expect(await series('carbon_workload_power_watts')).toEqual(['batch=250']);
    metrics.forgetPolicy('ai-team', 'carbon');
    expect(await series('carbon_workload_power_watts')).toEqual([]);
    expect(await series('carbon_workload_emissions_30d_projection_kgco2eq')).toEqual([]);
  });

  test('budget gauges follow status.budget and go with the budget or the policy', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    const value = async (name: string) =>
      ((await families(metrics.registry)).find((f) => f.name === name)?.metrics ?? []).map((m) => m.value);
    const now = Date.parse('2026-12-10T03:30:00Z');
    const ledger = advanceLedger(
      undefined,
      [
        {
          hourStart: '2026-12-10T02:00:00Z',
          energy_kWh: 100,
          gridIntensity_gCO2eq_kWh: 400,
          gridWeighted_gCO2eq: 40_000,
          locationEmissions_gCO2eq: 48_000,
          emissions_gCO2eq: 48_000,
        },
      ],
      now,
    );
    metrics.budgetObserved('ai-team', 'carbon', carbonBudgetStatus(ledger, 60, now, undefined).status);
    expect(await value('carbon_policy_budget_kgco2eq')).toEqual(['60']);
    expect(await value('carbon_policy_budget_month_to_date_kgco2eq')).toEqual(['48']);
    expect(await value('carbon_policy_budget_used_ratio')).toEqual(['0.8']);
    metrics.budgetObserved('ai-team', 'carbon', undefined);
    expect(await value('carbon_policy_budget_used_ratio')).toEqual([]);
    metrics.budgetObserved('ai-team', 'carbon', carbonBudgetStatus(ledger, 60, now, undefined).status);
    metrics.forgetPolicy('ai-team', 'carbon');
    expect(await value('carbon_policy_budget_burn_rate_kgco2eq_per_day')).toEqual([]);
  });

  test('the CCF-estimated part of the energy has a gauge of its own, gone with the policy', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    const req = request([{ name: 'web', kWh: 0.5 }]);
    req.inputs[0]!.hourly = [{ hourStart: '2026-05-01T10:00:00Z', energy_kWh: 0.5, estimated_kWh: 0.2 }];
    req.inputs[0]!.estimateSource = 'estimated: CCF (test)';
    // The real engine (the split is the engine's): 0.2 of the 0.5 kWh estimated.
    metrics.policyEvaluated('ai-team', 'carbon', createPolicyEvaluator().evaluate(req));
    const value = async (name: string) =>
      (await families(metrics.registry)).find((f) => f.name === name)?.metrics.map((m) => Number(m.value));
    expect(await value('carbon_policy_energy_kwh')).toEqual([0.5]);
    expect(await value('carbon_policy_estimated_energy_kwh')).toEqual([0.2]);
    metrics.forgetPolicy('ai-team', 'carbon');
    expect(await value('carbon_policy_estimated_energy_kwh')).toEqual([]);
  });
});
