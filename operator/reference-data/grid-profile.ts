// The hourly intensity profile for a zone: KR gets the modelled dispatch profile (no official
// hourly profile exists), anchored to the zone's annual figure; every other zone gets a flat
// profile at its annual mean, and says so. Reads the shipped data through the *-file modules.
import type { HourlyIntensityProfile } from '../domain/types.js';
import { annualGridIntensity, zoneTimeZone } from './grid-factors-file.js';
import type { GridDataset } from './grid-factors.js';
import { krHourlyProfile } from './kr-hourly-profile-file.js';

export interface GridProfileOptions {
  /** Year of the annual figure (the official KR factor of that year, or that Electricity Maps year). */
  year?: number;
  /** Which annual dataset anchors the profile; the zone's default otherwise (official for KR). */
  provider?: GridDataset;
}

export function gridProfileFor(zone: string, options: GridProfileOptions = {}): HourlyIntensityProfile {
  const annual = annualGridIntensity(zone, {
    ...(options.year !== undefined ? { year: options.year } : {}),
    ...(options.provider ? { dataset: options.provider } : {}),
  });
  if (zone === 'KR') {
    return krHourlyProfile({ anchor: { value_gCO2eq_kWh: annual.value, source: annual.source } });
  }
  const flat = Array.from({ length: 24 }, () => annual.value);
  return {
    zone,
    timeZone: zoneTimeZone(zone) ?? 'UTC',
    kind: 'annual-flat',
    annualMean_gCO2eq_kWh: annual.value,
    hourly_gCO2eq_kWh: { all: flat },
    source: `${annual.source}; annual-flat: the same value every hour (no hourly data for this zone)`,
  };
}
