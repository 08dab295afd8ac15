// Regional migration: like against like. Each candidate region's annual grid intensity × its PUE
// against the current site's annual grid intensity × its PUE (an hourly profile exists for few
// zones, so annual means on both sides); the reduction is then applied to the workload's measured
// emissions. The status and the MCP get_regional_comparison tool use this one method. A move out of
// Korea carries the personal-information cross-border transfer caveat (PIPA Art. 28-8).
import type { CoreAssessment } from './assess-workload.js';
import { messages } from './messages.js';
import { briefSource } from './presentation.js';
import type { Effect, MonthlyBasis } from './savings.js';
import type { HourlyIntensityProfile, Language, Optimization, Sourced } from '../domain/types.js';

/** The comparison basis of a site: its annual mean grid intensity × PUE. */
export function siteAnnualBasis(
  profile: HourlyIntensityProfile,
  pue: Sourced<number>,
): { value_gCO2eq_kWh: number; source: string } {
  return {
    value_gCO2eq_kWh: profile.annualMean_gCO2eq_kWh * pue.value,
    source: `annual mean grid ${profile.annualMean_gCO2eq_kWh} gCO2eq/kWh (${briefSource(profile.source)}) × PUE ${pue.value} (${briefSource(pue.source)})`,
  };
}

export interface CandidateRegion {
  region: string; // 'aws/ap-northeast-1' or a zone name
  zone: string;
  intensity: Sourced<number>;
  pue: Sourced<number>;
}

export interface RegionComparison {
  region: string;
  zone: string;
  grid_gCO2eq_kWh: number;
  pue: number;
  effective_gCO2eq_kWh: number;
  reduction_percent: number;
  sameCountry: boolean;
  caveat: string;
  source: string;
}

/** Below this the difference is within the datasets' own uncertainty. */
const MIN_REDUCTION_PERCENT = 1;

/** Every candidate, cleanest first (ties: lower PUE first). */
export function compareRegions(args: {
  currentIntensity_gCO2eq_kWh: number;
  currentZone: string;
  candidates: CandidateRegion[];
  language: Language;
}): RegionComparison[] {
  return args.candidates
    .map((c) => {
      const effective = c.intensity.value * c.pue.value;
      const sameCountry = c.zone === args.currentZone;
      return {
        region: c.region,
        zone: c.zone,
        grid_gCO2eq_kWh: c.intensity.value,
        pue: c.pue.value,
        effective_gCO2eq_kWh: effective,
        reduction_percent: (1 - effective / args.currentIntensity_gCO2eq_kWh) * 100,
        sameCountry,
        caveat: sameCountry
          ? messages.sameCountryCaveat(args.language)
          : messages.residencyCaveat(args.language),
        source: `grid: ${briefSource(c.intensity.source)}; PUE: ${briefSource(c.pue.source)}`,
      };
    })
    .sort((a, b) => b.reduction_percent - a.reduction_percent || a.pue - b.pue);
}

export function regionalMigration(args: {
  core: CoreAssessment;
  /** The site's annual grid intensity (the profile's annual mean), for a like-for-like comparison. */
  siteAnnualGrid_gCO2eq_kWh: number;
  currentZone: string;
  candidates: CandidateRegion[];
  basis: MonthlyBasis;
  language: Language;
  /** When a PUE improvement is also proposed, the migration is counted from the site at its
   * improved PUE, so that the two (which both change the facility) are not counted twice. */
  referencePue?: number;
}): { optimization: Omit<Optimization, 'savings_per_month'>; effect: Effect } | null {
  const sitePue = args.referencePue ?? args.basis.pue;
  const current = args.core.exact.intensity === null ? null : args.siteAnnualGrid_gCO2eq_kWh * sitePue;
  if (current === null || args.candidates.length === 0) return null;
  const best = compareRegions({
    currentIntensity_gCO2eq_kWh: current,
    currentZone: args.currentZone,
    candidates: args.candidates,
    language: args.language,
  })[0]!;
  if (best.reduction_percent < MIN_REDUCTION_PERCENT) return null;
  const fraction = best.reduction_percent / 100;
  const saved = args.basis.itEnergy_kWh * (sitePue - best.pue);
  // The tariff is the current site's: it prices the energy change only for a move within the country.
  const cost =
    best.sameCountry && args.basis.rate_KRW_per_kWh !== null ? saved * args.basis.rate_KRW_per_kWh : null;
  return {
    optimization: {
      type: 'regional_migration',
      reduces: 'intensity',
      estimated_reduction_percent: Math.round(best.reduction_percent * 10) / 10,
      description: messages.regionalMigration(args.language, {
        region: best.region,
        effective: best.effective_gCO2eq_kWh,
        current,
        percent: best.reduction_percent,
      }),
      targetRegion: best.region,
      caveat: best.caveat,
      source:
        `like for like: annual grid intensity × PUE of the candidate vs of the current site, the cut applied to the workload's measured emissions` +
        `${args.referencePue !== undefined ? ` at the improved PUE ${sitePue}` : ''}; ${best.source}`,
    },
    effect: { emissionsFraction: fraction, facilityEnergySaved_kWh: saved, energyCostSaved_KRW: cost },
  };
}
