// Reference data from the operator's data layer (operator/reference-data): the standards catalogue (or
// the file named by --standards-file / STANDARDS_FILE, the chart's ConfigMap), grid profiles, and the
// operator's binding path (operator/binding) for figures that must match the policy status.
import type { Logger } from 'pino';
import {
  cloudRegion,
  cloudRegions,
  createSiteBinder,
  gridProfileFor,
  gridZones,
  loadBindingData,
  loadStandardsCatalogue,
  ReloadingCatalogue,
  type HourlyIntensityProfile,
  type SiteBinder,
  type StandardDefinition,
  type StandardsCatalogue,
} from '../operator/public-api.js';
import type { ReferenceData } from './reference-data.js';

interface RegionData {
  regionKeys: readonly string[];
  regionZone(key: string): string | undefined;
}

function referenceDataFrom(
  standards: readonly StandardDefinition[],
  gridProfileFor: (zone: string) => HourlyIntensityProfile | undefined,
  zones: readonly string[],
  regions: RegionData,
  binder: SiteBinder,
): ReferenceData {
  const byCode = new Map(standards.map((s) => [s.code, s]));
  const zoneSet = new Set(zones);
  const profiles = new Map<string, HourlyIntensityProfile | undefined>();
  return {
    standards: () => standards,
    standard: (code) => byCode.get(code),
    zones: () => zones,
    gridProfile: (zone) => {
      const key = zone.toUpperCase();
      if (!zoneSet.has(key)) return undefined; // one code form: the listed zones only
      if (!profiles.has(key)) {
        try {
          profiles.set(key, gridProfileFor(key));
        } catch {
          profiles.set(key, undefined); // unknown zone
        }
      }
      return profiles.get(key);
    },
    regionKeys: () => regions.regionKeys,
    regionZone: (key) => regions.regionZone(key),
    binder,
  };
}

/**
 * The shipped catalogue (or --standards-file / STANDARDS_FILE, the chart's ConfigMap) and the grid
 * data files. A standards file is watched: an edit takes effect without a restart (tools, resources
 * and the binder answer from the new catalogue); a bad edit is logged and the last good one stays.
 */
export async function loadReferenceData(
  standardsFile: string | undefined,
  logger: Logger,
): Promise<ReferenceData> {
  if (!standardsFile) return referenceDataFor(loadStandardsCatalogue(), logger);
  let current: ReferenceData | undefined;
  const watched = new ReloadingCatalogue({
    path: standardsFile,
    logger,
    onChange: ({ catalogue, error }) => {
      if (!error) current = referenceDataFor(catalogue, logger);
    },
  });
  current = referenceDataFor(watched.catalogue, logger);
  watched.start();
  const now = () => current!;
  return {
    standards: () => now().standards(),
    standard: (code) => now().standard(code),
    zones: () => now().zones(),
    gridProfile: (zone) => now().gridProfile(zone),
    regionKeys: () => now().regionKeys(),
    regionZone: (key) => now().regionZone(key),
    get binder() {
      return now().binder;
    },
  };
}

function referenceDataFor(catalogue: StandardsCatalogue, logger: Logger): ReferenceData {
  const standards = catalogue.standards;
  const zones = gridZones();
  // One code form everywhere: official and Electricity Maps zone keys (alpha-2 with sub-zones). The
  // Ember dataset's alpha-3 keys (AUS, …) would list each country twice and fail the tools' zone field.
  const known = [...new Set([...zones.official, ...zones.electricityMaps])].sort();
  logger.debug({ standards: standards.length, zones: known.length }, 'reference data loaded');
  return referenceDataFrom(
    standards,
    (zone) => gridProfileFor(zone),
    known,
    {
      regionKeys: cloudRegions()
        .map((r) => `${r.provider}/${r.region}`)
        .sort(),
      regionZone: (key) => {
        try {
          return cloudRegion(key).zone;
        } catch {
          return undefined; // unknown region
        }
      },
    },
    createSiteBinder(loadBindingData({ catalogue })),
  );
}
