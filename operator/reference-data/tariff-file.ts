// The shipped KEPCO tariff file (operator/data/tariffs-kepco.json), read once; the tariff lookups of
// tariff.ts bound to it. Reading lives here, parsing and the lookups in tariff.ts (pure).
import { readDataFile } from './data-files.js';
import * as tariff from './tariff.js';

let cached: tariff.TariffFile | undefined;

function shippedTariffFile(): tariff.TariffFile {
  cached ??= tariff.parseTariffFile(readDataFile('tariffs-kepco.json'));
  return cached;
}

export const kepcoSeasonOfMonth = (month: number, file = shippedTariffFile()) =>
  tariff.kepcoSeasonOfMonth(month, file);

export const kepcoTableAt = (at: Date, file = shippedTariffFile()) => tariff.kepcoTableAt(at, file);

export const kepcoTariff = (options: tariff.KepcoTariffOptions = {}, file = shippedTariffFile()) =>
  tariff.kepcoTariff(options, file);

export const ketsAllowancePrice = (file = shippedTariffFile()) => tariff.ketsAllowancePrice(file);

export const krwPerUsd = (file = shippedTariffFile()) => tariff.krwPerUsd(file);
