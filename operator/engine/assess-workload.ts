// The carbon engine's formula, in one place (docs/methodology.md § 3):
//   C      = Σ_h E_it(h) · PUE · I(h)                 gCO2e, location-based Scope 2
//   CI_eff = C / Σ_h E_it(h)                          gCO2e per kWh of IT energy
//   gap    = (CI_eff − target) / target · 100         % (negative = headroom)
//   market = location × (1 − covered share)            declared renewable supply (GHG Protocol Scope 2)
// carbon_status = COMPLIANT iff CI_eff ≤ target on the policy's accounting basis; pue_status =
// COMPLIANT iff PUE ≤ max PUE; a criterion the standard does not define is NOT_ASSESSED;
// status = NON_COMPLIANT if either fails; INSUFFICIENT_DATA when the window holds no energy.
// Pure: every input is a parameter (the clock too), inputs are validated at the entry.
import { z } from 'zod';
import { combineReductions } from './combine-reductions.js';
import { EngineInputError } from './engine-input-error.js';
import { emptyGridHours } from './grid-intensity-at.js';
import { emissionsOf, gridWeightedHour } from './hourly-emissions.js';
import { roundTo, significant } from './presentation.js';
import type { ResolvedTargets } from './targets.js';
import type {
  AccountingBasis,
  ComplianceStatus,
  CriterionStatus,
  FootprintFigures,
  HourlyIntensityProfile,
  Language,
  Optimization,
  RenewableCoverage,
  SiteContext,
  WorkloadAssessment,
  WorkloadEnergyInput,
} from '../domain/types.js';

const HOURS_PER_30_DAYS = 720;

export { EngineInputError };

const finiteNonNegative = z.number().finite().nonnegative();
const HOUR_START = /^\d{4}-\d{2}-\d{2}T\d{2}:00:00(\.000)?Z$/;

const isFiniteNonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * The first problem in a workload's hourly buckets, with the path to the field. The buckets are
 * checked in place with the checks zod's per-bucket object schema made: at 5,000 workloads × 24 hours
 * that schema (a parsed copy of every bucket) was a third of the engine's time in a reconcile.
 */
function hourlyIssue(hourly: unknown): { path: Array<string | number>; message: string } | undefined {
  if (!Array.isArray(hourly)) return { path: [], message: 'expected an array of hourly buckets' };
  for (let i = 0; i < hourly.length; i++) {
    const h: unknown = hourly[i];
    if (typeof h !== 'object' || h === null || Array.isArray(h))
      return { path: [i], message: 'expected an object' };
    const bucket = h as Record<string, unknown>;
    if (typeof bucket.hourStart !== 'string' || !HOUR_START.test(bucket.hourStart))
      return { path: [i, 'hourStart'], message: 'an ISO UTC hour start like 2026-01-01T13:00:00Z' };
    for (const field of ['energy_kWh', 'idleShare_kWh', 'estimated_kWh'] as const) {
      const value = bucket[field];
      if (value === undefined && field !== 'energy_kWh') continue;
      if (!isFiniteNonNegative(value)) return { path: [i, field], message: 'expected a finite number >= 0' };
    }
    if (((bucket.estimated_kWh as number | undefined) ?? 0) > (bucket.energy_kWh as number) * (1 + 1e-9))
      return {
        path: [i, 'estimated_kWh'],
        message: 'estimated_kWh is the estimated part of energy_kWh and cannot exceed it',
      };
  }
  return undefined;
}

const hourlySchema = z.custom<WorkloadEnergyInput['hourly']>().superRefine((hourly, ctx) => {
  const issue = hourlyIssue(hourly);
  // Fatal: the input's own checks (estimateSource) read the buckets.
  if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, continue: false });
});

const workloadEnergyInputSchema = z
  .object({
    workload: z.string().min(1),
    namespace: z.string().min(1),
    kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet']),
    kindAmbiguous: z
      .array(z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet']))
      .optional(),
    pods: z.number().int().nonnegative(),
    hourly: hourlySchema,
    power_watts: finiteNonNegative,
    idleShare: z
      .discriminatedUnion('available', [
        z.object({ available: z.literal(true), source: z.string().min(1), power_watts: finiteNonNegative }),
        z.object({ available: z.literal(false), reason: z.string().min(1) }),
      ])
      .optional(),
    observed_hours: z.number().finite().positive().optional(),
    zonesCounted: z.array(z.string()),
    energySource: z.string().min(1),
    dataQuality: z.array(z.string()).optional(),
    estimateSource: z.string().min(1).optional(),
    usage: z
      .object({
        cpuRequest_cores: finiteNonNegative.optional(),
        cpuP95_cores: finiteNonNegative.optional(),
        memoryRequest_bytes: finiteNonNegative.optional(),
        memoryP95_bytes: finiteNonNegative.optional(),
        vcpus: finiteNonNegative.optional(),
        containerNames: z.array(z.string().min(1)).optional(),
        source: z.string().min(1).optional(),
        samples: z.number().int().nonnegative().optional(),
      })
      .optional(),
    usageUnavailable: z.string().min(1).optional(),
    runLength_hours: z.number().finite().positive().optional(),
    cronSchedule: z.string().optional(),
  })
  .refine((i) => i.estimateSource !== undefined || !i.hourly.some((h) => (h.estimated_kWh ?? 0) > 0), {
    message: 'estimated energy needs its source (estimateSource)',
    path: ['estimateSource'],
  });

const siteSchema = z.object({
  zone: z.string().min(1),
  cloudRegion: z.string().optional(),
  pue: z.object({ value: z.number().finite().min(1).max(5), source: z.string().min(1) }),
});

function validateEngineInput(input: unknown, site: unknown): void {
  for (const [schema, value, root] of [
    [workloadEnergyInputSchema, input, 'input'],
    [siteSchema, site, 'site'],
  ] as const) {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new EngineInputError([root, ...issue.path.map(String)].join('.'), issue.message);
    }
  }
}

export interface AssessmentContext {
  site: SiteContext;
  profile: HourlyIntensityProfile;
  standardCode: string;
  targets: ResolvedTargets;
  window: { start: string; end: string; hours: number };
  language: Language;
  /** Grid-intensity source text (profile.source unless the caller says more). */
  gridSource?: string;
  /** Embodied emissions attributed to the workload over the window, for SCI. */
  embodied_gCO2eq?: number | null;
  /** The verdict's basis (spec.accounting); location when absent. */
  accounting?: AccountingBasis;
  /** Declared renewable supply's share of the facility energy; none when absent. */
  renewable?: RenewableCoverage | null;
}

/** Korea publishes no residual mix, so the uncovered share keeps the location-based grid factor. */
const UNCOVERED_SHARE_FACTOR =
  'the uncovered share is counted at the location-based grid intensity (no residual mix is published for Korea; none is invented)';

/** The numbers of one workload before advice is added (recommendations.ts adds it). */
export type CoreAssessment = Omit<WorkloadAssessment, 'recommendation' | 'optimizations' | 'combined'> & {
  /** Full-precision values the advisers work from. */
  exact: {
    energy_kWh: number;
    emissions_gCO2eq: number;
    intensity: number | null;
    gridIntensity: number | null;
    /** Hours observed by the source (the 30-day scale's denominator). */
    observedHours: number;
    idleShare_kWh: number | null;
    idleShareEmissions_gCO2eq: number | null;
  };
};

export function assessWorkloadCore(input: WorkloadEnergyInput, ctx: AssessmentContext): CoreAssessment {
  validateEngineInput(input, ctx.site);
  const pue = ctx.site.pue.value;
  let energy = 0;
  let estimated = 0;
  let gridWeighted = 0;
  let idle = 0;
  let idleGridWeighted = 0;
  let hoursWithData = 0;
  const gridHours = emptyGridHours();
  for (const bucket of input.hourly) {
    const idleKWh = bucket.idleShare_kWh ?? 0;
    if (bucket.energy_kWh <= 0 && idleKWh <= 0) continue;
    const hour = gridWeightedHour(ctx.profile, bucket.hourStart, bucket.energy_kWh);
    idle += idleKWh;
    idleGridWeighted += idleKWh * hour.intensity_gCO2eq_kWh;
    if (bucket.energy_kWh <= 0) continue;
    gridHours[hour.source] += 1;
    energy += bucket.energy_kWh;
    estimated += Math.min(bucket.energy_kWh, bucket.estimated_kWh ?? 0);
    gridWeighted += hour.gridWeighted_gCO2eq;
    hoursWithData += 1;
  }
  const hasEnergy = energy > 0;
  const coverage = Math.min(1, Math.max(0, ctx.renewable?.share ?? 0));
  const basis: AccountingBasis = ctx.accounting ?? 'location';
  const {
    location_gCO2eq: locationEmissions,
    market_gCO2eq: marketEmissions,
    verdict_gCO2eq: emissions,
  } = emissionsOf(gridWeighted, pue, coverage, basis);
  const gridIntensity = hasEnergy ? gridWeighted / energy : null;
  const intensity = hasEnergy ? emissions / energy : null;
  const target = ctx.targets.carbonTarget?.value ?? null;
  const maxPue = ctx.targets.maxPue?.value ?? null;

  const carbon_status: CriterionStatus =
    target === null
      ? 'NOT_ASSESSED'
      : intensity === null
        ? 'INSUFFICIENT_DATA'
        : intensity <= target
          ? 'COMPLIANT'
          : 'NON_COMPLIANT';
  const pue_status: CriterionStatus =
    maxPue === null ? 'NOT_ASSESSED' : pue <= maxPue ? 'COMPLIANT' : 'NON_COMPLIANT';
  // No energy: the workload cannot be judged at all (an idle pod must not fail on PUE alone).
  const status: ComplianceStatus = !hasEnergy
    ? 'INSUFFICIENT_DATA'
    : carbon_status === 'NON_COMPLIANT' || pue_status === 'NON_COMPLIANT'
      ? 'NON_COMPLIANT'
      : 'COMPLIANT';

  // 30 days from the hours the source actually observed (a policy one minute old has one minute of
  // energy: scaling it by the window's nominal 24 h would report 1/1440 of its emissions).
  const observedHours = Math.min(ctx.window.hours, input.observed_hours ?? ctx.window.hours);
  const scale = observedHours > 0 ? HOURS_PER_30_DAYS / observedHours : 0;
  const projectionBasis =
    input.observed_hours === undefined
      ? `window of ${ctx.window.hours} h scaled linearly to 30 days (720 h); the source did not report its coverage`
      : `${significant(observedHours, 4)} h observed by the source (of a ${ctx.window.hours} h window) scaled linearly to 30 days (720 h)`;
  const embodied = ctx.embodied_gCO2eq ?? null;
  // SCI is location-based by definition (GSF SCI v1.1.0: market-based measures cannot lower it).
  const sciOf = (locationOperational: number): number | null =>
    hasEnergy && hoursWithData > 0 && embodied !== null
      ? (locationOperational + embodied) / hoursWithData
      : null;
  const sci = sciOf(locationEmissions);
  const certification = ctx.targets.pueCertification ?? null;
  const idleInput = input.idleShare ?? {
    available: false as const,
    reason: 'the energy source reports no idle share for this workload',
  };
  // The idle share has no contract of its own: market-based, it is covered like the rest.
  const { location_gCO2eq: idleLocationEmissions, verdict_gCO2eq: idleEmissions } = emissionsOf(
    idleGridWeighted,
    pue,
    coverage,
    basis,
  );
  const figures = (
    footprintBasis: FootprintFigures['basis'],
    kWh: number,
    gCO2eq: number,
    locationGCO2eq: number,
  ): FootprintFigures => {
    const s = sciOf(locationGCO2eq);
    return {
      basis: footprintBasis,
      energy_kWh: significant(kWh, 6),
      emissions_gCO2eq: significant(gCO2eq, 6),
      emissions_kgCO2eq_per_30d: significant((gCO2eq * scale) / 1000, 4),
      sci_gCO2eq_per_workload_hour: s === null ? null : significant(s, 4),
    };
  };

  return {
    workload: input.workload,
    namespace: input.namespace,
    kind: input.kind,
    ...(input.kindAmbiguous && input.kindAmbiguous.length > 1 ? { kind_ambiguous: input.kindAmbiguous } : {}),
    pods: input.pods,
    standard: ctx.standardCode,
    status,
    carbon_status,
    pue_status,
    current_carbon_intensity_gCO2eq_kWh: intensity === null ? null : roundTo(intensity, 1),
    target_carbon_intensity_gCO2eq_kWh: target === null ? null : roundTo(target, 1),
    grid_intensity_gCO2eq_kWh: gridIntensity === null ? null : roundTo(gridIntensity, 1),
    grid_hours_by_source: gridHours,
    gap_percent:
      intensity === null || target === null ? null : roundTo(((intensity - target) / target) * 100, 1),
    pue: roundTo(pue, 3),
    pue_source: ctx.site.pue.source,
    max_pue: maxPue,
    pue_certification_points: certification?.points ?? null,
    accounting: {
      basis,
      location_based_intensity_gCO2eq_kWh: hasEnergy ? roundTo(locationEmissions / energy, 1) : null,
      market_based_intensity_gCO2eq_kWh: hasEnergy ? roundTo(marketEmissions / energy, 1) : null,
      location_based_emissions_gCO2eq: significant(locationEmissions, 6),
      market_based_emissions_gCO2eq: significant(marketEmissions, 6),
      renewable_coverage_percent: roundTo(coverage * 100, 1),
      source: ctx.renewable
        ? `market-based: ${ctx.renewable.source}; ${UNCOVERED_SHARE_FACTOR}`
        : `no renewable supply declared (spec.site.renewableSupply): market-based equals location-based; ${UNCOVERED_SHARE_FACTOR}`,
    },
    power_watts: significant(input.power_watts),
    energy_kWh: significant(energy, 6),
    energy_measured_kWh: significant(energy - estimated, 6),
    energy_estimated_kWh: significant(estimated, 6),
    cpuRequested_cores: input.usage?.cpuRequest_cores ?? null,
    energy_basis: !hasEnergy
      ? 'none'
      : estimated <= 0
        ? 'measured'
        : estimated >= energy * (1 - 1e-9)
          ? 'estimated'
          : 'mixed',
    idle_share_watts: idleInput.available ? significant(idleInput.power_watts) : null,
    idle_share_kWh: idleInput.available ? significant(idle, 6) : null,
    idle_share_source: idleInput.available ? idleInput.source : `unavailable: ${idleInput.reason}`,
    emissions_gCO2eq: significant(emissions, 6),
    monthly_projection: {
      energy_kWh: significant(energy * scale, 4),
      emissions_kgCO2eq: significant((emissions * scale) / 1000, 4),
      basis: `active energy; ${projectionBasis}`,
    },
    sci_gCO2eq_per_workload_hour: sci === null ? null : significant(sci, 4),
    footprint: {
      active: figures('active', energy, emissions, locationEmissions),
      active_plus_idle_share: idleInput.available
        ? figures(
            'active + idle share',
            energy + idle,
            emissions + idleEmissions,
            locationEmissions + idleLocationEmissions,
          )
        : null,
    },
    window: {
      start: ctx.window.start,
      end: ctx.window.end,
      hours: ctx.window.hours,
      hoursWithData,
      observedHours: significant(observedHours, 4),
    },
    sources: {
      energy: input.energySource,
      zones_counted: input.zonesCounted,
      grid_intensity: ctx.gridSource ?? ctx.profile.source,
      pue: ctx.site.pue.source,
      target:
        (ctx.targets.carbonTarget?.source ??
          'carbon criterion not assessed: the standard defines no carbon target') +
        (ctx.targets.maxPue
          ? `; max PUE: ${ctx.targets.maxPue.source}`
          : '; PUE criterion not assessed: no PUE limit'),
      ...(certification ? { pue_certification: certification.source } : {}),
      data_quality: input.dataQuality ?? [],
      ...(estimated > 0 && input.estimateSource ? { energy_estimate: input.estimateSource } : {}),
    },
    exact: {
      energy_kWh: energy,
      emissions_gCO2eq: emissions,
      intensity,
      gridIntensity,
      observedHours,
      idleShare_kWh: idleInput.available ? idle : null,
      idleShareEmissions_gCO2eq: idleInput.available ? idleEmissions : null,
    },
  };
}

export { combineReductions };

export function finishAssessment(
  core: CoreAssessment,
  optimizations: Optimization[],
  recommendation: string,
): WorkloadAssessment {
  const { exact, ...rest } = core;
  const combinedPercent = combineReductions(optimizations.map((o) => o.estimated_reduction_percent));
  // Right-sizing saves kWh, not gCO2eq per kWh: only the other measures move the intensity.
  const intensityPercent = combineReductions(
    optimizations.filter((o) => o.reduces !== 'energy').map((o) => o.estimated_reduction_percent),
  );
  const projected = exact.intensity === null ? null : exact.intensity * (1 - intensityPercent / 100);
  // A failing PUE criterion is only cured by a measure that addresses it.
  const pueCured =
    core.pue_status !== 'NON_COMPLIANT' || optimizations.some((o) => o.type === 'pue_improvement');
  return {
    ...rest,
    recommendation,
    optimizations,
    combined:
      optimizations.length === 0
        ? null
        : {
            reduction_percent: roundTo(combinedPercent, 1),
            intensity_reduction_percent: roundTo(intensityPercent, 1),
            projected_intensity_gCO2eq_kWh: projected === null ? null : roundTo(projected, 1),
            reaches_target:
              (core.target_carbon_intensity_gCO2eq_kWh === null ||
                (projected !== null && projected <= core.target_carbon_intensity_gCO2eq_kWh)) &&
              pueCured,
          },
  };
}
