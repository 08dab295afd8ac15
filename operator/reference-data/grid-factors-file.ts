// The shipped grid-factor file (operator/data/grid-factors.json), read once; the lookups of
// grid-factors.ts bound to it. Reading lives here, parsing and the lookups in grid-factors.ts (pure;
// the @tgwf/co2 datasets it also reads are a package's data, imported, not files read here).
import { readDataFile } from './data-files.js';
import * as factors from './grid-factors.js';

let cached: factors.GridFactorsFile | undefined;

function shippedGridFactors(): factors.GridFactorsFile {
  cached ??= factors.parseGridFactors(readDataFile('grid-factors.json'));
  return cached;
}

export const officialFactor = (zone: string, year?: number, file = shippedGridFactors()) =>
  factors.officialFactor(zone, year, file);

/** Annual mean grid intensity in gCO2eq/kWh for a zone, with its source. */
export const annualGridIntensity = (zone: string, options: factors.AnnualIntensityOptions = {}) =>
  factors.annualGridIntensity(zone, options, shippedGridFactors());

/** Zones that annualGridIntensity answers for, per dataset. */
export const gridZones = () => factors.gridZones(shippedGridFactors());

/** The zone's IANA time zone where the data file records one. */
export const zoneTimeZone = (zone: string) => factors.zoneTimeZone(zone, shippedGridFactors());
