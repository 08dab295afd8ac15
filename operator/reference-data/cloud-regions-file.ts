// The shipped cloud-region table (operator/data/cloud-regions.json), read once; the lookups of
// cloud-regions.ts bound to it. Reading lives here, parsing and the lookups in cloud-regions.ts (pure).
import * as regions from './cloud-regions.js';
import { readDataFile } from './data-files.js';

let cached: Record<string, regions.CloudRegionEntry> | undefined;

function shippedCloudRegions(): Record<string, regions.CloudRegionEntry> {
  cached ??= regions.parseCloudRegions(readDataFile('cloud-regions.json'));
  return cached;
}

/** 'aws/ap-northeast-2' → its location, zone, PUE and grid factor. */
export const cloudRegion = (key: string) => regions.cloudRegion(key, shippedCloudRegions());

export const cloudRegions = () => regions.cloudRegions(shippedCloudRegions());

/** Every factor the research table holds for the region (several datasets and years). */
export const cloudRegionFactors = (key: string) => regions.cloudRegionFactors(key, shippedCloudRegions());
