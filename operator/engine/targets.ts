// Which thresholds a workload is held to, and where each comes from: the policy's own override
// ('configured: policy'), the standard named by the policy, or the companion Korean standard for
// the criterion the named one does not define (KR_CARBON_2050 has no PUE limit; KR_PUE_GREEN_DC
// has no carbon target). A standard with neither and no override cannot be evaluated.
import type { Sourced, StandardDefinition } from './types.js';

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
  carbonTarget: Sourced<number>;
  maxPue: Sourced<number> | null;
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
  overrides?: { carbonIntensity_gCO2eq_kWh?: number; maxPue?: number };
  /** Standards that supply a criterion the named one lacks (in order of preference). */
  companions?: StandardDefinition[];
  year: number;
}): ResolvedTargets {
  const { standard, overrides, year } = args;
  const companions = args.companions ?? [];
  let carbonTarget: Sourced<number> | null =
    overrides?.carbonIntensity_gCO2eq_kWh !== undefined
      ? { value: overrides.carbonIntensity_gCO2eq_kWh, source: 'configured: policy spec.targets' }
      : carbonTargetOf(standard, year);
  for (const companion of companions) {
    if (carbonTarget) break;
    carbonTarget = carbonTargetOf(companion, year);
  }
  if (!carbonTarget) {
    throw new TargetResolutionError(
      'spec.targets.carbonIntensity_gCO2eq_kWh',
      `standard ${standard.code} defines no carbon-intensity target; set spec.targets.carbonIntensity_gCO2eq_kWh`,
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
