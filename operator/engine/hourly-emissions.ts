// One hour of the formula, C(h) = E_it(h) · PUE · I(h), in one place: the workload assessment sums
// it over a workload's hours, and the policy's hourly ledger (the carbon budget, the month-over-month
// decomposition) sums it over the policy's workloads. Pure.
import { gridHourAt } from './grid-intensity-at.js';
import type {
  PolicyHour,
  AccountingBasis,
  GridHourSource,
  HourlyIntensityProfile,
  WorkloadEnergyInput,
} from '../domain/types.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

/** E(h) · I(h): the hour's energy weighted by the grid intensity of that hour, gCO2e before PUE. */
export function gridWeightedHour(
  profile: HourlyIntensityProfile,
  hourStart: string,
  energy_kWh: number,
): { intensity_gCO2eq_kWh: number; source: GridHourSource; gridWeighted_gCO2eq: number } {
  const { intensity_gCO2eq_kWh, source } = gridHourAt(profile, hourStart);
  return { intensity_gCO2eq_kWh, source, gridWeighted_gCO2eq: energy_kWh * intensity_gCO2eq_kWh };
}

/** Location- and market-based emissions of grid-weighted energy, and the one the verdict uses. */
export function emissionsOf(
  gridWeighted_gCO2eq: number,
  pue: number,
  renewableShare: number,
  basis: AccountingBasis,
): { location_gCO2eq: number; market_gCO2eq: number; verdict_gCO2eq: number } {
  const location = gridWeighted_gCO2eq * pue;
  const market = location * (1 - Math.min(1, Math.max(0, renewableShare)));
  return {
    location_gCO2eq: location,
    market_gCO2eq: market,
    verdict_gCO2eq: basis === 'market' ? market : location,
  };
}

export type { PolicyHour };

/** Every hour of the window, summed over the policy's workloads (active energy, as the verdict). */
export function policyHours(
  inputs: WorkloadEnergyInput[],
  context: {
    profile: HourlyIntensityProfile;
    pue: number;
    renewableShare: number;
    basis: AccountingBasis;
    window: { start: string; hours: number };
  },
): PolicyHour[] {
  const startMs = Date.parse(context.window.start);
  const energyByHour = new Map<number, number>();
  // Every workload has the same few hour stamps: each is parsed once.
  const msOf = new Map<string, number>();
  for (const input of inputs)
    for (const bucket of input.hourly) {
      if (!(bucket.energy_kWh > 0) || !Number.isFinite(bucket.energy_kWh)) continue;
      let ms = msOf.get(bucket.hourStart);
      if (ms === undefined) msOf.set(bucket.hourStart, (ms = Date.parse(bucket.hourStart)));
      energyByHour.set(ms, (energyByHour.get(ms) ?? 0) + bucket.energy_kWh);
    }
  const hours: PolicyHour[] = [];
  for (let k = 0; k < context.window.hours; k++) {
    const ms = startMs + k * HOUR_MS;
    const hourStart = isoSeconds(ms);
    // Σ_w E_w(h)·I(h) = (Σ_w E_w(h))·I(h): the grid intensity is the policy's, one per hour.
    const energy = energyByHour.get(ms) ?? 0;
    const weighted = gridWeightedHour(context.profile, hourStart, energy);
    const emissions = emissionsOf(
      weighted.gridWeighted_gCO2eq,
      context.pue,
      context.renewableShare,
      context.basis,
    );
    hours.push({
      hourStart,
      energy_kWh: energy,
      gridIntensity_gCO2eq_kWh: weighted.intensity_gCO2eq_kWh,
      gridWeighted_gCO2eq: weighted.gridWeighted_gCO2eq,
      locationEmissions_gCO2eq: emissions.location_gCO2eq,
      emissions_gCO2eq: emissions.verdict_gCO2eq,
    });
  }
  return hours;
}
