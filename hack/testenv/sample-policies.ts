// Policy objects with status as the operator writes it, for tests and the benchmark. The numbers
// follow the seed's worked example: grid 436 gCO2eq/kWh × PUE 1.17 ≈ 510 against a 424 target.
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import { policySpecSchema } from '../../operator/api/v1alpha1/types.js';
import { decomposeEmissionsChange } from '../../operator/engine/emissions-change.js';
import { carbonBudgetStatus } from '../../operator/engine/emissions-ledger.js';
import type {
  ComplianceStatus,
  EmissionsLedger,
  MonthEmissions,
  Optimization,
  WorkloadAssessment,
} from '../../operator/domain/types.js';

export interface WorkloadSketch {
  workload: string;
  namespace: string;
  power_watts: number;
  grid?: number;
  pue?: number;
  target?: number;
  noData?: boolean;
  kind?: WorkloadAssessment['kind'];
  optimizations?: Optimization[];
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

function assessment(s: WorkloadSketch, standard = 'KR_CARBON_2050'): WorkloadAssessment {
  const grid = s.grid ?? 436;
  const pue = s.pue ?? 1.17;
  const target = s.target ?? 424;
  const energy_kWh = s.noData ? 0 : round((s.power_watts * 24) / 1000, 4);
  const intensity = s.noData ? null : round(grid * pue, 2);
  const carbon: ComplianceStatus =
    intensity === null ? 'INSUFFICIENT_DATA' : intensity <= target ? 'COMPLIANT' : 'NON_COMPLIANT';
  const pueStatus: ComplianceStatus = pue <= 1.4 ? 'COMPLIANT' : 'NON_COMPLIANT';
  const status: ComplianceStatus =
    carbon === 'INSUFFICIENT_DATA'
      ? 'INSUFFICIENT_DATA'
      : carbon === 'NON_COMPLIANT' || pueStatus === 'NON_COMPLIANT'
        ? 'NON_COMPLIANT'
        : 'COMPLIANT';
  const emissions = intensity === null ? 0 : round(energy_kWh * intensity, 3);
  return {
    workload: s.workload,
    namespace: s.namespace,
    kind: s.kind ?? 'Deployment',
    pods: 2,
    standard,
    status,
    carbon_status: carbon,
    pue_status: pueStatus,
    current_carbon_intensity_gCO2eq_kWh: intensity,
    target_carbon_intensity_gCO2eq_kWh: target,
    grid_intensity_gCO2eq_kWh: s.noData ? null : grid,
    gap_percent: intensity === null ? null : round(((intensity - target) / target) * 100, 1),
    pue,
    pue_source: 'configured: policy',
    max_pue: 1.4,
    pue_certification_points: null,
    accounting: {
      basis: 'location',
      location_based_intensity_gCO2eq_kWh: intensity,
      market_based_intensity_gCO2eq_kWh: intensity,
      location_based_emissions_gCO2eq: emissions,
      market_based_emissions_gCO2eq: emissions,
      renewable_coverage_percent: 0,
      source: 'test: no renewable supply declared',
    },
    power_watts: s.noData ? 0 : s.power_watts,
    energy_kWh,
    emissions_gCO2eq: emissions,
    monthly_projection: {
      energy_kWh: round(energy_kWh * 30, 3),
      emissions_kgCO2eq: round((emissions * 30) / 1000, 4),
      basis: '24h window scaled to 30 days',
    },
    sci_gCO2eq_per_workload_hour: intensity === null ? null : round(emissions / 24, 3),
    recommendation: status,
    optimizations: s.optimizations ?? [],
    combined: null,
    window: {
      start: '2025-04-01T00:00:00Z',
      end: '2025-04-02T00:00:00Z',
      hours: 24,
      hoursWithData: s.noData ? 0 : 24,
    },
    sources: {
      energy: 'measured: kepler 0.11 (rapl)',
      zones_counted: ['package', 'dram'],
      grid_intensity: 'modelled: KR hourly profile',
      pue: 'configured: policy',
      target: `default: standard ${standard}`,
      data_quality: [],
    },
  };
}

export function temporalShift(reduction: number): Optimization {
  return {
    type: 'temporal_shift',
    estimated_reduction_percent: reduction,
    description: 'run in the cleanest window',
    savings_per_month: { kgCO2eq: 1, kWh: 0, KRW: 100, USD: 0.07 },
    schedule: {
      startLocalHour: 11,
      durationHours: 4,
      cron: '0 11 * * *',
      timeZone: 'Asia/Seoul',
      windowIntensity_gCO2eq_kWh: 400,
    },
    source: 'modelled: KR hourly profile',
  };
}

export function policy(
  namespace: string,
  name: string,
  workloads: WorkloadSketch[],
  options: { language?: 'ko' | 'en'; standard?: string } = {},
): CarbonCompliancePolicy {
  const standard = options.standard ?? 'KR_CARBON_2050';
  const assessments = workloads.map((w) => assessment({ ...w, namespace }, standard));
  const spec = policySpecSchema.parse({
    standard,
    site: { zone: 'KR', pue: 1.17 },
    language: options.language ?? 'ko',
  });
  return {
    apiVersion: 'carbon-aware.dev/v1alpha1',
    kind: 'CarbonCompliancePolicy',
    metadata: { name, namespace, generation: 1 },
    spec,
    status: {
      observedGeneration: 1,
      lastEvaluationTime: '2025-04-02T00:00:00Z',
      summary: {
        status: assessments.some((a) => a.status === 'NON_COMPLIANT') ? 'NON_COMPLIANT' : 'COMPLIANT',
        workloads: assessments.length,
        compliant: assessments.filter((a) => a.status === 'COMPLIANT').length,
        nonCompliant: assessments.filter((a) => a.status === 'NON_COMPLIANT').length,
        insufficientData: assessments.filter((a) => a.status === 'INSUFFICIENT_DATA').length,
        effectiveIntensity_gCO2eq_kWh: 510.12,
        target_gCO2eq_kWh: 424,
        pue: 1.17,
        pueSource: 'configured: policy',
        energy_kWh: assessments.reduce((s, a) => s + a.energy_kWh, 0),
        emissions_gCO2eq: assessments.reduce((s, a) => s + a.emissions_gCO2eq, 0),
        emissions_kgCO2eq_per_30d: assessments.reduce(
          (s, a) => s + a.monthly_projection.emissions_kgCO2eq,
          0,
        ),
        power_watts: assessments.reduce((s, a) => s + a.power_watts, 0),
      },
      workloads: assessments,
    },
  };
}

/** A small cluster: two namespaces, one English policy, one workload with no data. */
export function samplePolicies(): CarbonCompliancePolicy[] {
  return [
    policy('ai-team', 'carbon', [
      {
        workload: 'ml-training-job',
        namespace: 'ai-team',
        power_watts: 57.5,
        kind: 'Job',
        optimizations: [temporalShift(12.5)],
      },
      { workload: 'inference', namespace: 'ai-team', power_watts: 20, grid: 300, pue: 1.2 },
      { workload: 'idle-batch', namespace: 'ai-team', power_watts: 0, noData: true },
    ]),
    policy(
      'web',
      'carbon-en',
      [
        { workload: 'frontend', namespace: 'web', power_watts: 5, grid: 300, pue: 1.2 },
        { workload: 'api', namespace: 'web', power_watts: 12 },
      ],
      { language: 'en' },
    ),
  ];
}

/** Three KST months of a policy's emissions ledger (October, November complete; December running). */
export function sampleLedgerMonths(): MonthEmissions[] {
  return [
    {
      month: '2026-10',
      hours: 744,
      since: '2026-09-30T15:00:00Z',
      energy_kWh: 1000,
      gridWeighted_kgCO2eq: 420,
      locationEmissions_kgCO2eq: 504,
      emissions_kgCO2eq: 504,
      meanGridIntensity_gCO2eq_kWh: 420,
    },
    {
      month: '2026-11',
      hours: 720,
      since: '2026-10-31T15:00:00Z',
      energy_kWh: 1100,
      gridWeighted_kgCO2eq: 396,
      locationEmissions_kgCO2eq: 475.2,
      emissions_kgCO2eq: 475.2,
      meanGridIntensity_gCO2eq_kWh: 410,
    },
    {
      month: '2026-12',
      hours: 219,
      since: '2026-11-30T15:00:00Z',
      energy_kWh: 300,
      gridWeighted_kgCO2eq: 120,
      locationEmissions_kgCO2eq: 144,
      emissions_kgCO2eq: 144,
      meanGridIntensity_gCO2eq_kWh: 415,
    },
  ];
}

/** A policy's status with the ledger, a carbon budget and the month-over-month change, computed by the
 * operator's own engine functions at `nowMs` (10 December 2026, 12:30 KST). */
export function withBudgetAndLedger(
  p: CarbonCompliancePolicy,
  budget_kgCO2eq: number,
  nowMs = Date.parse('2026-12-10T03:30:00Z'),
): CarbonCompliancePolicy {
  const months = sampleLedgerMonths();
  const ledger: EmissionsLedger = { timeZone: 'Asia/Seoul', countedThrough: '2026-12-10T03:00:00Z', months };
  p.spec.budget = { kgCO2eqPerMonth: budget_kgCO2eq };
  p.status!.emissionsLedger = ledger;
  p.status!.budget = carbonBudgetStatus(ledger, budget_kgCO2eq, nowMs, undefined).status;
  p.status!.summary!.emissionsChange = decomposeEmissionsChange(months[0]!, months[1]!);
  return p;
}

/** The policy as the API server stores it: null values dropped (they come back as absent fields). */
export function storedByApiServer(p: CarbonCompliancePolicy): CarbonCompliancePolicy {
  return JSON.parse(
    JSON.stringify(p, (_k, v: unknown) => (v === null ? undefined : v)),
  ) as CarbonCompliancePolicy;
}
