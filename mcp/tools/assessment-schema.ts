// zod mirror of the engine's WorkloadAssessment, for tool output schemas (MCP outputSchema, OpenAPI).
// Objects are loose so that fields the engine adds later pass through; a compile-time check below
// keeps this mirror in step with operator/domain/types.ts.
import { z } from 'zod';
import type {
  CarbonBudgetStatus,
  EmissionsChange,
  Optimization,
  WorkloadAssessment,
} from '../../operator/public-api.js';

export const complianceStatusSchema = z.enum(['COMPLIANT', 'NON_COMPLIANT', 'INSUFFICIENT_DATA']);
export const criterionStatusSchema = z
  .enum(['COMPLIANT', 'NON_COMPLIANT', 'INSUFFICIENT_DATA', 'NOT_ASSESSED'])
  .describe('NOT_ASSESSED: the standard defines no such criterion (a PUE standard has no carbon target)');
export const workloadKindSchema = z.enum([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Pod',
  'ReplicaSet',
]);
export const optimizationTypeSchema = z.enum([
  'temporal_shift',
  'right_sizing',
  'regional_migration',
  'pue_improvement',
]);

export const savingsSchema = z.looseObject({
  kgCO2eq: z.number(),
  kWh: z.number(),
  KRW: z.number(),
  USD: z.number(),
});

export const optimizationSchema = z.looseObject({
  type: optimizationTypeSchema,
  estimated_reduction_percent: z.number(),
  description: z.string(),
  savings_per_month: savingsSchema,
  schedule: z
    .looseObject({
      startLocalHour: z.number(),
      durationHours: z.number(),
      cron: z.string(),
      timeZone: z.string(),
      windowIntensity_gCO2eq_kWh: z.number(),
    })
    .optional(),
  capacity_freed: z
    .looseObject({ cpu_cores: z.number(), memory_GiB: z.number() })
    .optional()
    .describe('right_sizing: capacity the new requests free across the pods'),
  resourcesPatch: z.record(z.string(), z.unknown()).optional(),
  patch: z
    .string()
    .optional()
    .describe(
      "ready-to-commit strategic-merge YAML for the workload's manifest (temporal shift of a CronJob: spec.schedule and spec.timeZone; right-sizing: the container requests); absent where the measure is no manifest change",
    ),
  targetRegion: z.string().optional(),
  caveat: z.string().optional(),
  reduces: z
    .enum(['intensity', 'energy'])
    .optional()
    .describe(
      'intensity: lowers gCO2eq per kWh (shift, region, PUE); energy: fewer kWh at the same intensity (right-sizing)',
    ),
  cost_basis: z.string().optional(),
  source: z.string(),
});

const footprintFiguresSchema = z.looseObject({
  basis: z.enum(['active', 'active + idle share']),
  energy_kWh: z.number(),
  emissions_gCO2eq: z.number(),
  emissions_kgCO2eq_per_30d: z.number(),
  sci_gCO2eq_per_workload_hour: z.number().nullable(),
});
/** Hours counted by where their grid intensity came from: live → modelled → annual. */
const gridHoursBySourceSchema = z
  .object({ live: z.number(), modelled: z.number(), annual: z.number() })
  .describe(
    'hours counted by the source of their grid intensity: live provider point, modelled hourly profile, or annual factor',
  );

export const workloadAssessmentSchema = z.looseObject({
  workload: z.string(),
  namespace: z.string(),
  kind: workloadKindSchema,
  kind_ambiguous: z
    .array(workloadKindSchema)
    .optional()
    .describe('set when the kind is a guess from pod names that fits several controllers'),
  pods: z.number(),
  standard: z.string(),
  status: complianceStatusSchema,
  carbon_status: criterionStatusSchema,
  pue_status: criterionStatusSchema,
  current_carbon_intensity_gCO2eq_kWh: z
    .number()
    .nullable()
    .describe("effective intensity on the verdict's accounting basis (accounting.basis)"),
  target_carbon_intensity_gCO2eq_kWh: z
    .number()
    .nullable()
    .describe('null when the standard assesses PUE only'),
  grid_intensity_gCO2eq_kWh: z.number().nullable(),
  grid_hours_by_source: gridHoursBySourceSchema.optional(),
  gap_percent: z.number().nullable(),
  pue: z.number(),
  pue_source: z.string(),
  max_pue: z.number().nullable(),
  pue_certification_points: z
    .number()
    .nullable()
    .describe('green data-centre certification points the PUE earns (2012 bands); null when no bands apply'),
  accounting: z.looseObject({
    basis: z.enum(['location', 'market']),
    location_based_intensity_gCO2eq_kWh: z.number().nullable(),
    market_based_intensity_gCO2eq_kWh: z.number().nullable(),
    location_based_emissions_gCO2eq: z.number(),
    market_based_emissions_gCO2eq: z.number(),
    renewable_coverage_percent: z.number(),
    source: z.string(),
  }),
  power_watts: z.number(),
  energy_kWh: z.number(),
  energy_measured_kWh: z.number().optional().describe('the part of energy_kWh measured by Kepler'),
  energy_estimated_kWh: z
    .number()
    .optional()
    .describe(
      'the part of energy_kWh estimated with Cloud Carbon Footprint coefficients (pods on nodes without Kepler readings)',
    ),
  cpuRequested_cores: z
    .number()
    .nullable()
    .optional()
    .describe("Σ of the pods' CPU requests, cores; null when a pod has none"),
  energy_basis: z
    .enum(['measured', 'estimated', 'mixed', 'none'])
    .optional()
    .describe('how energy_kWh was obtained: measured, estimated (CCF), or both (mixed)'),
  idle_share_watts: z
    .number()
    .nullable()
    .optional()
    .describe(
      "the workload's share of node idle power, beside power_watts (active); null when Kepler exports no idle figure",
    ),
  idle_share_kWh: z
    .number()
    .nullable()
    .optional()
    .describe("the workload's share of node idle energy, beside energy_kWh (active); null when unavailable"),
  idle_share_source: z
    .string()
    .optional()
    .describe("how the idle share was obtained, or 'unavailable: <why>'"),
  emissions_gCO2eq: z.number().describe('on the active basis (energy_kWh); see footprint for both bases'),
  footprint: z
    .looseObject({
      active: footprintFiguresSchema,
      active_plus_idle_share: footprintFiguresSchema.nullable(),
    })
    .optional()
    .describe('emissions and SCI on each basis, named: active alone, and active + idle share'),
  monthly_projection: z.looseObject({
    energy_kWh: z.number(),
    emissions_kgCO2eq: z.number(),
    basis: z.string(),
  }),
  sci_gCO2eq_per_workload_hour: z.number().nullable(),
  usage: z
    .looseObject({
      assessed: z.boolean(),
      reason: z.string().optional(),
      cpuRequest_cores: z.number().nullable(),
      cpuP95_cores: z.number().nullable(),
      memoryRequest_bytes: z.number().nullable(),
      memoryP95_bytes: z.number().nullable(),
      samples: z.number().nullable(),
    })
    .optional()
    .describe(
      "requests and p95 usage of the workload's pods (right-sizing input); assessed false: right-sizing was not assessed, reason says why",
    ),
  recommendation: z.string(),
  optimizations: z.array(optimizationSchema),
  combined: z
    .looseObject({
      reduction_percent: z.number(),
      intensity_reduction_percent: z.number().optional(),
      projected_intensity_gCO2eq_kWh: z.number().nullable(),
      reaches_target: z.boolean(),
    })
    .nullable(),
  window: z.looseObject({
    start: z.string(),
    end: z.string(),
    hours: z.number(),
    hoursWithData: z.number(),
    observedHours: z
      .number()
      .optional()
      .describe('hours the energy source actually observed; the 30-day projection scales from these'),
  }),
  sources: z.looseObject({
    energy: z.string(),
    zones_counted: z.array(z.string()),
    grid_intensity: z.string(),
    pue: z.string(),
    target: z.string(),
    pue_certification: z.string().optional(),
    data_quality: z.array(z.string()),
    usage: z
      .string()
      .optional()
      .describe('where the p95 usage came from and on how many samples, or "not assessed: <why>"'),
    energy_estimate: z
      .string()
      .optional()
      .describe("how the estimated part of the energy was obtained ('estimated: CCF …')"),
  }),
});

/** The policy's carbon budget for the KST calendar month (status.budget, written by the operator). */
export const carbonBudgetSchema = z.object({
  month: z.string().describe('KST calendar month of the figures, YYYY-MM'),
  timeZone: z.literal('Asia/Seoul'),
  budget_kgCO2eq: z.number().describe('the monthly budget, kgCO2e (spec.budget.kgCO2eqPerMonth)'),
  budgetSource: z.string(),
  monthToDate_kgCO2eq: z.number().describe('emissions of the month so far, kgCO2e'),
  usedPercent: z.number().describe('month-to-date as a percentage of the budget'),
  since: z.string().describe('from when the month was counted (UTC ISO 8601)'),
  burnRate_kgCO2eq_per_day: z.number().describe('month-to-date per day counted, kgCO2e/day'),
  projectedMonthEnd_kgCO2eq: z.number().describe('month-to-date plus the burn rate to the month end, kgCO2e'),
  projectedExhaustionDate: z
    .string()
    .nullable()
    .describe('KST date the budget runs out at the burn rate (or ran out); null when it lasts the month'),
  state: z.enum(['within', 'projected_over', 'exceeded']),
  thresholdsNotified: z
    .array(z.object({ percent: z.number(), at: z.string() }))
    .describe('thresholds (percent) announced by an Event this month'),
  basis: z.string(),
});

const emissionsFactorsSchema = z.object({
  month: z.string().describe('KST calendar month, YYYY-MM'),
  partial: z
    .boolean()
    .describe(
      "the month was still running, or not all its hours were counted (compare hours with the month's)",
    ),
  hours: z.number().int().describe('hours of the month the operator counted'),
  energy_kWh: z.number().describe('E: active IT energy, kWh'),
  emissions_kgCO2eq: z.number().describe('C: location-based emissions, kgCO2e (C = E · T · PUE · G)'),
  pue: z.number().nullable().describe('effective PUE of the month (null without energy)'),
  meanGridIntensity_gCO2eq_kWh: z.number().describe("G: the grid's mean intensity over the month's hours"),
  energyWeightedGridIntensity_gCO2eq_kWh: z
    .number()
    .nullable()
    .describe('the grid intensity the workloads drew at, energy-weighted (null without energy)'),
  timingFactor: z
    .number()
    .nullable()
    .describe(
      'T: energy-weighted ÷ mean grid intensity; below 1 = the work ran in cleaner hours than average',
    ),
});

/** Month-over-month change split into effects (engine/emissions-change.ts; status.summary.emissionsChange). */
export const emissionsChangeSchema = z.object({
  from: emissionsFactorsSchema,
  to: emissionsFactorsSchema,
  change_kgCO2eq: z.number().describe('C(to) − C(from), kgCO2e'),
  effects_kgCO2eq: z
    .object({
      energy: z.number().describe('effect of the change in IT energy, kgCO2e'),
      timing: z.number().describe('effect of when the energy was used against the grid hours, kgCO2e'),
      pue: z.number().describe('effect of the change in PUE, kgCO2e'),
      gridFactor: z.number().describe("effect of the change in the grid's mean intensity, kgCO2e"),
    })
    .describe('the change split into effects that sum to it (LMDI-I)'),
  residual_kgCO2eq: z.number().describe('change − Σ effects: rounding only'),
  method: z.string(),
  basis: z.string(),
});

/** Where an answer came from: which policy's status, evaluated when. */
export const policyReferenceSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  evaluated_at: z.string().nullable().describe('status.lastEvaluationTime of the policy (ISO 8601)'),
  stale_since: z
    .string()
    .nullable()
    .describe('set when the last evaluation failed and an older assessment is shown'),
  budget: carbonBudgetSchema
    .nullable()
    .describe("the policy's monthly carbon budget (status.budget); null when spec.budget is not set"),
});

const changeSideSchema = z.object({
  schedule: z.string().optional(),
  timeZone: z.string().optional(),
  pue: z.number().optional(),
  zone: z.string().optional(),
});

/** status.verifiedSavings entries (engine/verified-savings.ts), as the operator wrote them. */
export const verifiedSavingsSchema = z
  .looseObject({
    workload: z.string().describe('Kind/name, or * for the whole site (a PUE or zone change)'),
    change: z.looseObject({
      kind: z.enum(['schedule', 'pue', 'zone']),
      since: z.string(),
      source: z.string().describe('applied by the operator, or observed'),
      before: changeSideSchema,
      after: changeSideSchema,
    }),
    since: z.string().describe('first whole hour (UTC) counted after the change'),
    verdict: z
      .enum(['verified', 'not_realized', 'too_early'])
      .describe('too_early until the stated minimum of data exists'),
    kgCO2eq: z.number().describe('counterfactual − measured emissions since the change (positive: a saving)'),
    percent: z.number().nullable().optional().describe('of the counterfactual'),
    measured_kgCO2eq: z.number(),
    counterfactual_kgCO2eq: z.number(),
    energy_kWh: z.number(),
    minimum: z.string(),
    method: z.string(),
  })
  .describe(
    'an adopted change verified against its counterfactual (same energy at the old hours or old PUE)',
  );

/** status.actions.cronJobs entries: what the operator did to a CronJob's schedule, and why. */
export const scheduleActionSchema = z
  .looseObject({
    name: z.string(),
    state: z.enum(['Applied', 'Restored', 'Recommended', 'LeftAlone', 'Waiting', 'NotApplied', 'Forbidden']),
    reason: z.string(),
    message: z.string(),
    schedule: z.string().optional(),
    timeZone: z.string().optional(),
    originalSchedule: z.string().optional(),
  })
  .describe("spec.actions at work on this CronJob's schedule (state, reason, message)");

export type AssessmentOutput = z.output<typeof workloadAssessmentSchema>;
export type OptimizationOutput = z.output<typeof optimizationSchema>;

// Compile-time agreement on the field names (both directions). Loose objects carry an index
// signature that interfaces lack, hence the key comparison rather than plain assignability.
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type Assert<T extends true> = T;
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Checked when the type is instantiated: the alias is never used on purpose.
type _AssessmentKeysMatch = Assert<SameKeys<KnownKeys<AssessmentOutput>, keyof WorkloadAssessment>>;
type _OptimizationKeysMatch = Assert<SameKeys<KnownKeys<OptimizationOutput>, keyof Optimization>>;
type _BudgetKeysMatch = Assert<SameKeys<keyof z.output<typeof carbonBudgetSchema>, keyof CarbonBudgetStatus>>;
type _EmissionsChangeKeysMatch = Assert<
  SameKeys<keyof z.output<typeof emissionsChangeSchema>, keyof EmissionsChange>
>;

/** A status assessment as tool output (status is written by the operator from the same types). */
export const assessmentOutput = (a: WorkloadAssessment) => a as unknown as AssessmentOutput;
export const optimizationOutput = (o: Optimization) => o as unknown as OptimizationOutput;
