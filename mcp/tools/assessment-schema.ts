// zod mirror of the engine's WorkloadAssessment, for tool output schemas (MCP outputSchema, OpenAPI).
// Objects are loose so that fields the engine adds later pass through; a compile-time check below
// keeps this mirror in step with operator/engine/types.ts.
import { z } from 'zod';
import type { Optimization, WorkloadAssessment } from '../../operator/engine/types.js';

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
  cpu_request_cores: z
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
    energy_estimate: z
      .string()
      .optional()
      .describe("how the estimated part of the energy was obtained ('estimated: CCF …')"),
  }),
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
});

export type AssessmentOutput = z.output<typeof workloadAssessmentSchema>;
export type OptimizationOutput = z.output<typeof optimizationSchema>;

// Compile-time agreement on the field names (both directions). Loose objects carry an index
// signature that interfaces lack, hence the key comparison rather than plain assignability.
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type Assert<T extends true> = T;
// Checked when the type is instantiated: the alias is never used on purpose.
type _AssessmentKeysMatch = Assert<
  [KnownKeys<AssessmentOutput>] extends [keyof WorkloadAssessment]
    ? [keyof WorkloadAssessment] extends [KnownKeys<AssessmentOutput>]
      ? true
      : false
    : false
>;
type _OptimizationKeysMatch = Assert<
  [KnownKeys<OptimizationOutput>] extends [keyof Optimization]
    ? [keyof Optimization] extends [KnownKeys<OptimizationOutput>]
      ? true
      : false
    : false
>;

/** A status assessment as tool output (status is written by the operator from the same types). */
export const assessmentOutput = (a: WorkloadAssessment) => a as unknown as AssessmentOutput;
export const optimizationOutput = (o: Optimization) => o as unknown as OptimizationOutput;
