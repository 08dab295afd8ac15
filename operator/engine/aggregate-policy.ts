// A policy's summary over its workloads: totals, counts by status, and the policy-level effective
// intensity (Σ emissions / Σ IT energy, the same formula one level up). Energy, power and emissions
// are on the active basis; the idle share and the full footprint are beside them.
import { roundTo, significant } from './presentation.js';
import type { PueCertification } from './targets.js';
import type {
  AccountingBasis,
  ComplianceStatus,
  PolicySummary,
  RenewableCoverage,
  Sourced,
  WorkloadAssessment,
} from '../domain/types.js';

export interface SummaryContext {
  /** Null when the carbon criterion is not assessed (a PUE standard). */
  target_gCO2eq_kWh: number | null;
  pue: Sourced<number>;
  pueAssumed?: boolean;
  pueCertification?: PueCertification | null;
  accounting?: AccountingBasis;
  renewable?: RenewableCoverage | null;
  windowHours: number;
}

export function summarizeAssessments(
  assessments: WorkloadAssessment[],
  context: SummaryContext,
): PolicySummary {
  let energy = 0;
  let estimated = 0;
  const byBasis = { measured: 0, estimated: 0, mixed: 0 };
  const estimateSources = new Set<string>();
  let emissions = 0;
  let locationEmissions = 0;
  let marketEmissions = 0;
  let emissionsPer30d_kg = 0;
  let power = 0;
  // Full footprint only while every workload with energy has an idle share (never partly guessed).
  let idle: number | null = 0;
  let fullPer30d_kg: number | null = 0;
  let observedHours = 0;
  let compliant = 0;
  let nonCompliant = 0;
  let insufficientData = 0;
  for (const a of assessments) {
    energy += a.energy_kWh;
    estimated += a.energy_estimated_kWh ?? 0;
    if (a.energy_basis && a.energy_basis !== 'none') byBasis[a.energy_basis] += 1;
    if (a.sources.energy_estimate) estimateSources.add(a.sources.energy_estimate);
    emissions += a.emissions_gCO2eq;
    locationEmissions += a.accounting.location_based_emissions_gCO2eq;
    marketEmissions += a.accounting.market_based_emissions_gCO2eq;
    power += a.power_watts;
    // 30 days from the hours the source observed (the same scale as each workload's projection).
    const observed = a.window.observedHours ?? context.windowHours;
    observedHours = Math.max(observedHours, observed);
    const scale = observed > 0 ? 720 / observed : 0;
    emissionsPer30d_kg += (a.emissions_gCO2eq * scale) / 1000;
    const full = a.footprint?.active_plus_idle_share;
    if (a.energy_kWh > 0 || (a.idle_share_kWh ?? 0) > 0) {
      if (full && a.idle_share_kWh !== null && a.idle_share_kWh !== undefined) {
        if (idle !== null) idle += a.idle_share_kWh;
        if (fullPer30d_kg !== null) fullPer30d_kg += (full.emissions_gCO2eq * scale) / 1000;
      } else {
        idle = null;
        fullPer30d_kg = null;
      }
    }
    if (a.status === 'COMPLIANT') compliant += 1;
    else if (a.status === 'NON_COMPLIANT') nonCompliant += 1;
    else insufficientData += 1;
  }
  // The policy fails if any workload fails; it has no verdict while none has data.
  const status: ComplianceStatus =
    nonCompliant > 0 ? 'NON_COMPLIANT' : compliant > 0 ? 'COMPLIANT' : 'INSUFFICIENT_DATA';
  return {
    status,
    workloads: assessments.length,
    compliant,
    nonCompliant,
    insufficientData,
    effectiveIntensity_gCO2eq_kWh: energy > 0 ? roundTo(emissions / energy, 1) : null,
    target_gCO2eq_kWh: context.target_gCO2eq_kWh === null ? null : roundTo(context.target_gCO2eq_kWh, 1),
    pue: roundTo(context.pue.value, 3),
    pueSource: context.pue.source,
    pueAssumed: context.pueAssumed ?? false,
    pueCertificationPoints: context.pueCertification?.points ?? null,
    accounting: {
      basis: context.accounting ?? 'location',
      locationBasedIntensity_gCO2eq_kWh: energy > 0 ? roundTo(locationEmissions / energy, 1) : null,
      marketBasedIntensity_gCO2eq_kWh: energy > 0 ? roundTo(marketEmissions / energy, 1) : null,
      renewableCoveragePercent: roundTo((context.renewable?.share ?? 0) * 100, 1),
    },
    energy_kWh: significant(energy, 6),
    // Measured and estimated energy side by side: the total above includes the estimate.
    energyMeasured_kWh: significant(Math.max(0, energy - estimated), 6),
    energyEstimated_kWh: significant(estimated, 6),
    workloadsByEnergyBasis: byBasis,
    ...(estimateSources.size > 0 ? { energyEstimateSource: [...estimateSources].sort().join('; ') } : {}),
    emissions_gCO2eq: significant(emissions, 6),
    emissions_kgCO2eq_per_30d: significant(emissionsPer30d_kg, 4),
    power_watts: significant(power, 4),
    idleShare_kWh: idle === null ? null : significant(idle, 6),
    emissionsActivePlusIdleShare_kgCO2eq_per_30d:
      fullPer30d_kg === null ? null : significant(fullPer30d_kg, 4),
    observedHours: significant(assessments.length > 0 ? observedHours : 0, 4),
  };
}

/** Non-compliant first, then by emissions (largest first); the first `limit` are kept, the rest counted. */
export function rankAndCap<T extends Pick<WorkloadAssessment, 'status' | 'emissions_gCO2eq' | 'workload'>>(
  assessments: T[],
  limit: number,
): { kept: T[]; omitted: number } {
  const rank = (s: ComplianceStatus) => (s === 'NON_COMPLIANT' ? 0 : s === 'COMPLIANT' ? 1 : 2);
  const sorted = [...assessments].sort(
    (a, b) =>
      rank(a.status) - rank(b.status) ||
      b.emissions_gCO2eq - a.emissions_gCO2eq ||
      a.workload.localeCompare(b.workload),
  );
  return { kept: sorted.slice(0, limit), omitted: Math.max(0, sorted.length - limit) };
}
