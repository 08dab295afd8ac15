// Which thresholds a workload is held to, and where each comes from: the policy's own override
// ('configured: policy'), the standard named by the policy, or, for a carbon standard, the companion
// Korean standard's PUE limit (KR_CARBON_2050 has none of its own). A PUE standard (KR_PUE_GREEN_DC)
// is assessed on PUE alone: it borrows no carbon target, so its carbon criterion is 'not assessed'
// unless the policy configures one.
import type { Sourced, StandardDefinition } from '../domain/types.js';

export class TargetResolutionError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'TargetResolutionError';
  }
}

export interface ResolvedTargets {
  /** Null for a PUE standard without a configured carbon target: the carbon criterion is not assessed. */
  carbonTarget: Sourced<number> | null;
  maxPue: Sourced<number> | null;
  /** Green data-centre certification points for the site's PUE, when a standard defines score bands. */
  pueCertification?: PueCertification | null;
}

export interface PueCertification {
  points: number;
  /** The top of the bands (the most a PUE can earn). */
  maxPoints: number;
  standard: string;
  source: string;
}

/** A standard that defines a PUE limit and no carbon target of its own. */
function isPueStandard(standard: StandardDefinition): boolean {
  return !standard.carbonTarget_gCO2eq_kWh && !standard.carbonTrajectory && standard.maxPue !== undefined;
}

/** Certification points for a PUE from the standard's score bands: a PUE at or below a band's bound
 * earns its points, above the last band none. Null when the standard has no bands. */
export function pueCertificationPoints(standard: StandardDefinition, pue: number): PueCertification | null {
  const bands = standard.pueScoreBands;
  if (!bands || bands.length === 0) return null;
  const sorted = [...bands].sort((a, b) => a.maxPue - b.maxPue);
  const band = sorted.find((b) => pue <= b.maxPue + 1e-9);
  return {
    points: band ? band.points : 0,
    maxPoints: Math.max(...sorted.map((b) => b.points)),
    standard: standard.code,
    source: `standard ${standard.code} PUE score bands (${standard.pueScoreBandsSource ?? 'catalogue'})`,
  };
}

export function carbonTargetOf(standard: StandardDefinition, year: number): Sourced<number> | null {
  if (standard.carbonTrajectory) {
    const t = standard.carbonTrajectory;
    const clamped = Math.min(Math.max(year, t.fromYear), t.toYear);
    const share = (clamped - t.fromYear) / (t.toYear - t.fromYear);
    const value = t.from_gCO2eq_kWh + share * (t.to_gCO2eq_kWh - t.from_gCO2eq_kWh);
    return {
      value,
      source: `default: standard ${standard.code}, trajectory evaluated for ${year} (${t.source})`,
    };
  }
  if (standard.carbonTarget_gCO2eq_kWh) {
    return {
      value: standard.carbonTarget_gCO2eq_kWh.value,
      source: `default: standard ${standard.code} (${standard.carbonTarget_gCO2eq_kWh.source})`,
    };
  }
  return null;
}

function maxPueOf(standard: StandardDefinition): Sourced<number> | null {
  if (!standard.maxPue) return null;
  return {
    value: standard.maxPue.value,
    source: `default: standard ${standard.code} (${standard.maxPue.source})`,
  };
}

export function resolveTargets(args: {
  standard: StandardDefinition;
  overrides?: { carbonIntensityGCO2eqPerKWh?: number; maxPue?: number };
  /** Standards that supply a criterion the named one lacks (in order of preference). */
  companions?: StandardDefinition[];
  year: number;
}): ResolvedTargets {
  const { standard, overrides, year } = args;
  const companions = args.companions ?? [];
  const carbonTarget: Sourced<number> | null =
    overrides?.carbonIntensityGCO2eqPerKWh !== undefined
      ? { value: overrides.carbonIntensityGCO2eqPerKWh, source: 'configured: policy spec.targets' }
      : carbonTargetOf(standard, year);
  if (!carbonTarget && !isPueStandard(standard)) {
    throw new TargetResolutionError(
      'spec.targets.carbonIntensityGCO2eqPerKWh',
      `standard ${standard.code} defines no carbon-intensity target; set spec.targets.carbonIntensityGCO2eqPerKWh`,
    );
  }
  let maxPue: Sourced<number> | null =
    overrides?.maxPue !== undefined
      ? { value: overrides.maxPue, source: 'configured: policy spec.targets' }
      : maxPueOf(standard);
  for (const companion of companions) {
    if (maxPue) break;
    maxPue = maxPueOf(companion);
  }
  return { carbonTarget, maxPue };
}
