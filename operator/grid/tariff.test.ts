import { readDataFile } from './data-files.js';
import {
  kepcoSeasonOfMonth,
  kepcoTariff,
  ketsAllowancePrice,
  krwPerUsd,
  parseTariffFile,
  toKepcoSeason,
} from './tariff.js';

describe('KEPCO TOU tariff (산업용(갑)Ⅱ 고압A 선택Ⅰ, 2026 reform)', () => {
  const tariff = kepcoTariff();

  it('has the 2026 bands: off-peak 22–08, mid 08–15 and 21–22, peak 15–21', () => {
    const bands = Array.from({ length: 24 }, (_, h) => tariff.band(h));
    expect(bands.slice(0, 8).every((b) => b === 'off-peak')).toBe(true);
    expect(bands.slice(9, 15).every((b) => b === 'mid-peak')).toBe(true); // reform: 09–15 all mid-peak
    expect(bands.slice(18, 21).every((b) => b === 'peak')).toBe(true); // reform: 18–21 moved to peak
    expect(bands[22]).toBe('off-peak');
    expect(() => tariff.band(24)).toThrow(/24/);
  });

  it('applies the reform deltas to the 2024-10-24 rates', () => {
    expect(tariff.rate_KRW_per_kWh(3, 'summer')).toBeCloseTo(95.7 + 5.1, 5);
    expect(tariff.rate_KRW_per_kWh(19, 'summer')).toBeCloseTo(155.0 - 16.9, 5);
    expect(tariff.rate_KRW_per_kWh(19, 'winter')).toBeCloseTo(149.4 - 16.9, 5);
    expect(tariff.rate_KRW_per_kWh(19, 'spring')).toBeCloseTo(119.7 - 13.2, 5);
    expect(tariff.rate_KRW_per_kWh(10, 'autumn')).toBe(100.5);
    expect(tariff.rate_KRW_per_kWh(10, 'winter')).toBe(120.0);
  });

  it('halves spring/autumn weekend 11–14 h only', () => {
    expect(tariff.rate_KRW_per_kWh(12, 'spring', 'weekend')).toBeCloseTo(100.5 / 2, 5);
    expect(tariff.rate_KRW_per_kWh(14, 'spring', 'weekend')).toBe(100.5);
    expect(tariff.rate_KRW_per_kWh(12, 'summer', 'weekend')).toBe(121.5);
  });

  it('adds surcharges only when asked', () => {
    expect(kepcoTariff({ includeSurcharges: true }).rate_KRW_per_kWh(3, 'summer')).toBeCloseTo(100.8 + 14, 5);
    expect(tariff.source).toMatch(/산업용\(갑\)Ⅱ/);
  });

  it('maps months to KEPCO seasons and meteorological seasons onto them', () => {
    expect(kepcoSeasonOfMonth(11)).toBe('winter');
    expect(kepcoSeasonOfMonth(10)).toBe('spring-autumn');
    expect(kepcoSeasonOfMonth(7)).toBe('summer');
    expect(toKepcoSeason('autumn')).toBe('spring-autumn');
    expect(() => toKepcoSeason('monsoon')).toThrow(/monsoon/);
  });

  it('gives the K-ETS allowance price and the KRW/USD rate with dates and sources', () => {
    const kau = ketsAllowancePrice();
    expect(kau.value).toBe(9630);
    expect(kau.source).toMatch(/KAU24/);
    const fx = krwPerUsd();
    expect(fx.value).toBe(1422);
    expect(fx.date).toBe('2025-12-31');
    expect(fx.source).toMatch(/kbthink/);
  });

  it('bad files name the field', () => {
    const good = JSON.parse(readDataFile('tariffs-kepco.json')) as {
      tariff: { bands: { byHour: string[] }; rates_KRW_per_kWh: { winter: Record<string, unknown> } };
      exchangeRate: Record<string, unknown>;
    };
    const b1 = structuredClone(good);
    b1.tariff.bands.byHour.pop();
    expect(() => parseTariffFile(JSON.stringify(b1))).toThrow(/tariffs-kepco\.json: tariff\.bands\.byHour/);
    const b2 = structuredClone(good);
    b2.tariff.rates_KRW_per_kWh.winter.peak = -1;
    expect(() => parseTariffFile(JSON.stringify(b2))).toThrow(/tariff\.rates_KRW_per_kWh\.winter\.peak/);
    const b3 = structuredClone(good);
    delete b3.exchangeRate.source;
    expect(() => parseTariffFile(JSON.stringify(b3))).toThrow(/exchangeRate\.source/);
  });
});
