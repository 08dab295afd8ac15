// The data the binding path works from, loaded once at the edge: the standards catalogue (the
// shipped file or the chart's ConfigMap), grid factors and profiles, cloud regions, the KEPCO tariff,
// K-ETS and exchange-rate prices, and the embodied-emissions coefficients. The binder itself reads
// no file, no environment and no clock.
import { parseEmbodiedCoefficients, type EmbodiedCoefficients } from '../engine/sci.js';
import type { HourlyIntensityProfile, Sourced, Tariff } from '../domain/types.js';
import { cloudRegions } from '../reference-data/cloud-regions-file.js';
import { UnknownCloudRegionError } from '../reference-data/cloud-regions.js';
import { annualGridIntensity, zoneTimeZone } from '../reference-data/grid-factors-file.js';
import { UnknownZoneError } from '../reference-data/grid-factors.js';
import { gridProfileFor } from '../reference-data/grid-profile.js';
import { readDataFile } from '../reference-data/data-files.js';
import { loadStandardsCatalogue } from '../reference-data/standards-catalogue-file.js';
import type { StandardsCatalogue } from '../reference-data/standards-catalogue.js';
import type { LiveGridView, LiveGridZone } from '../sources/live-grid-refresher.js';
import { kepcoTariff, ketsAllowancePrice, krwPerUsd } from '../reference-data/tariff-file.js';

/** A cloud region as the binder sees it. */
export interface BoundRegion {
  key: string; // 'aws/ap-northeast-2', or a zone name for a zone compared as a region
  zone: string;
  pue?: Sourced<number>;
}

export interface BindingData {
  catalogue: StandardsCatalogue;
  embodied: EmbodiedCoefficients;
  /** K-ETS allowance price and KRW/USD: the same on every surface. */
  prices: { kets_KRW_per_tCO2eq: Sourced<number>; krwPerUsd: Sourced<number> };
  cloudRegion(key: string): BoundRegion | undefined;
  cloudRegions(): BoundRegion[];
  /** A grid zone named where a region is expected (the MCP tool accepts 'KR', 'JP', …). */
  zoneAsRegion(zone: string, year: number): BoundRegion | undefined;
  unknownRegionMessage(key: string): string;
  zoneTimeZone(zone: string): string;
  /**
   * The zone's hourly profile for a year (the dataset's newest year when the year is not covered),
   * with the live provider's hourly points laid over it when one serves the zone.
   */
  profile(zone: string, year: number): { profile: HourlyIntensityProfile } | { error: string };
  /** The live provider's state for the zone; undefined when no live provider is configured for it. */
  liveGrid(zone: string): LiveGridZone | undefined;
  /** The zone's annual intensity for a year, else its dataset's default year; undefined if unknown. */
  annualIntensity(zone: string, year: number): Sourced<number> | undefined;
  /** The zone's tariff (tables by date); null where no tariff is claimed (outside Korea). */
  tariff(zone: string): Tariff | null;
}

export interface BindingDataOptions {
  /** Standards catalogue file (the chart mounts the ConfigMap); the shipped catalogue otherwise. */
  standardsFile?: string;
  catalogue?: StandardsCatalogue;
  /** Replaces the zone's hourly profile (tests feed a flat profile). */
  profileFor?: (zone: string, year: number | undefined) => HourlyIntensityProfile;
  /** Live grid points (the operator's Electricity Maps refresher); none when absent. */
  liveGrid?: LiveGridView;
}

/** The fallback chain live → modelled → annual: live points override the profile's hours they cover. */
function withLivePoints(
  profile: HourlyIntensityProfile,
  live: LiveGridZone | undefined,
): HourlyIntensityProfile {
  if (!live || live.points.length === 0) return profile;
  return {
    ...profile,
    points: live.points,
    source: `${live.source}; other hours: ${profile.source}`,
  };
}

export function loadBindingData(options: BindingDataOptions = {}): BindingData {
  const catalogue =
    options.catalogue ?? loadStandardsCatalogue(options.standardsFile ? { path: options.standardsFile } : {});
  const embodied = parseEmbodiedCoefficients(JSON.parse(readDataFile('embodied-emissions.json')));
  const profileFor =
    options.profileFor ?? ((zone, year) => gridProfileFor(zone, year === undefined ? {} : { year }));
  const profiles = new Map<string, { profile: HourlyIntensityProfile } | { error: string }>();
  const regions = cloudRegions().map((r) => ({
    key: `${r.provider}/${r.region}`,
    zone: r.zone,
    ...(r.pue ? { pue: r.pue } : {}),
  }));
  const byKey = new Map(regions.map((r) => [r.key, r]));
  const annual = (zone: string, year: number): Sourced<number> | undefined => {
    try {
      return annualGridIntensity(zone, { year });
    } catch (error) {
      if (!(error instanceof UnknownZoneError)) throw error;
    }
    try {
      return annualGridIntensity(zone);
    } catch (error) {
      if (error instanceof UnknownZoneError) return undefined;
      throw error;
    }
  };
  const prices = { kets_KRW_per_tCO2eq: ketsAllowancePrice(), krwPerUsd: krwPerUsd() };
  return {
    catalogue,
    embodied,
    prices,
    cloudRegion: (key) => byKey.get(key.trim().toLowerCase()),
    cloudRegions: () => regions,
    zoneAsRegion: (zone, year) => {
      const key = zone.trim().toUpperCase();
      return annual(key, year) ? { key, zone: key } : undefined;
    },
    unknownRegionMessage: (key) => new UnknownCloudRegionError(key).message,
    zoneTimeZone: (zone) => zoneTimeZone(zone) ?? (zone === 'KR' ? 'Asia/Seoul' : 'UTC'),
    profile: (zone, year) => {
      const cacheKey = `${zone}/${year}`;
      let found = profiles.get(cacheKey);
      if (!found) {
        try {
          try {
            found = { profile: profileFor(zone, year) };
          } catch (error) {
            // Annual datasets lag: a year they do not cover yet falls back to their default year.
            if (!(error instanceof UnknownZoneError)) throw error;
            found = { profile: profileFor(zone, undefined) };
          }
        } catch (error) {
          if (!(error instanceof UnknownZoneError)) throw error;
          found = { error: error.message };
        }
        profiles.set(cacheKey, found);
      }
      return 'error' in found
        ? found
        : { profile: withLivePoints(found.profile, options.liveGrid?.zone(zone)) };
    },
    liveGrid: (zone) => options.liveGrid?.zone(zone),
    annualIntensity: annual,
    // KEPCO bills Korean sites only; abroad no tariff is claimed. The tariff prices each hour by
    // the table in force then and owns its seasons (November is winter).
    tariff: (zone) => (zone === 'KR' ? kepcoTariff() : null),
  };
}
