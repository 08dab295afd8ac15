// What the CLI measures against: zone or cloud region, grid profile (or a flat --grid-intensity),
// PUE with its source (--pue > the region's published PUE > the standard's default), the standard's
// targets (with the Korean companion standard for the criterion it lacks), tariff and prices for KR.
import { resolveTargets, TargetResolutionError, type ResolvedTargets } from '../engine/targets.js';
import type { Prices } from '../engine/savings.js';
import type {
  HourlyIntensityProfile,
  SiteContext,
  Sourced,
  StandardDefinition,
  Tariff,
} from '../engine/types.js';
import { cloudRegion, UnknownCloudRegionError, type CloudRegion } from '../grid/cloud-regions.js';
import { UnknownZoneError, zoneTimeZone } from '../grid/grid-factors.js';
import { gridProfileFor } from '../grid/grid-profile.js';
import { loadStandardsCatalogue } from '../grid/standards-catalogue.js';
import { kepcoTariff, ketsAllowancePrice, krwPerUsd } from '../grid/tariff.js';
import { CliInputError } from './metrics-snapshots.js';

/** Korean standards that supply a criterion the named one lacks (as the operator does for KR sites). */
const KR_COMPANIONS = ['KR_PUE_GREEN_DC', 'KR_CARBON_2050'];

export interface SiteOptions {
  zone?: string;
  cloudRegion?: string;
  pue?: number;
  gridIntensity?: number;
  standard: string;
  standardsFile?: string;
  year: number;
  carbonPrice: boolean;
}

export interface BoundSite {
  site: SiteContext;
  region: CloudRegion | null;
  profile: HourlyIntensityProfile;
  standard: StandardDefinition;
  targets: ResolvedTargets;
  tariff: Tariff | null;
  prices: Prices;
}

export function bindSite(options: SiteOptions): BoundSite {
  const catalogue = loadStandardsCatalogue(options.standardsFile ? { path: options.standardsFile } : {});
  const standard = catalogue.get(options.standard);
  if (!standard) {
    throw new CliInputError(
      `--standard ${options.standard}: unknown standard (known: ${catalogue.codes().join(', ')})`,
    );
  }
  let region: CloudRegion | null = null;
  if (options.cloudRegion) {
    try {
      region = cloudRegion(options.cloudRegion);
    } catch (error) {
      if (error instanceof UnknownCloudRegionError)
        throw new CliInputError(`--cloud-region: ${error.message}`);
      throw error;
    }
  }
  const zone = region?.zone ?? options.zone ?? 'KR';
  let profile: HourlyIntensityProfile;
  if (options.gridIntensity !== undefined) {
    const value = options.gridIntensity;
    profile = {
      zone,
      timeZone: zoneTimeZone(zone) ?? (zone === 'KR' ? 'Asia/Seoul' : 'UTC'),
      kind: 'annual-flat',
      annualMean_gCO2eq_kWh: value,
      hourly_gCO2eq_kWh: { all: Array.from({ length: 24 }, () => value) },
      source: `configured: cli --grid-intensity ${value} gCO2eq/kWh (flat, every hour)`,
    };
  } else {
    try {
      profile = gridProfileFor(zone, { year: options.year });
    } catch (error) {
      if (error instanceof UnknownZoneError) throw new CliInputError(`--zone ${zone}: ${error.message}`);
      throw new CliInputError(
        `--zone ${zone}: no grid intensity for ${options.year} (${(error as Error).message}); pass --grid-intensity`,
      );
    }
  }
  const pue: Sourced<number> | undefined =
    options.pue !== undefined
      ? { value: options.pue, source: 'configured: cli --pue' }
      : region?.pue
        ? {
            value: region.pue.value,
            source: `published: ${region.provider}/${region.region} (${region.pue.source})`,
          }
        : standard.defaultPue
          ? {
              value: standard.defaultPue.value,
              source: `default: standard ${standard.code} (${standard.defaultPue.source})`,
            }
          : undefined;
  if (!pue)
    throw new CliInputError(
      `--pue: standard ${standard.code} has no default PUE and no cloud region was named`,
    );
  const companions =
    zone === 'KR'
      ? KR_COMPANIONS.filter((c) => c !== standard.code)
          .map((c) => catalogue.get(c))
          .filter((s): s is NonNullable<typeof s> => s !== undefined)
      : [];
  let targets: ResolvedTargets;
  try {
    targets = resolveTargets({ standard, companions, year: options.year });
  } catch (error) {
    if (error instanceof TargetResolutionError) {
      throw new CliInputError(`--standard ${standard.code}: defines no carbon-intensity target`);
    }
    throw error;
  }
  // KEPCO bills Korean sites only; abroad no tariff is claimed.
  const tariff = zone === 'KR' ? kepcoTariff() : null;
  const prices: Prices = {
    krwPerUsd: krwPerUsd(),
    ...(options.carbonPrice ? { kets_KRW_per_tCO2eq: ketsAllowancePrice() } : {}),
  };
  return {
    site: { zone, ...(region ? { cloudRegion: `${region.provider}/${region.region}` } : {}), pue },
    region,
    profile,
    standard,
    targets,
    tariff,
    prices,
  };
}
