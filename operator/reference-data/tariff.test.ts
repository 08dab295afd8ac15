import { readFileSync } from 'node:fs';

import { assessWorkloadCore } from '../engine/assess-workload.js';
import { monthlyBasis, monthlySavings } from '../engine/savings.js';
import { resolveTargets } from '../engine/targets.js';
import { energyInput, flatProfile, krCarbon2050 } from '../../hack/testenv/engine-inputs.js';
import { readDataFile } from './data-files.js';
import {
  kepcoSeasonOfMonth,
  kepcoTableAt,
  kepcoTariff,
  ketsAllowancePrice,
  krwPerUsd,
} from './tariff-file.js';
import { parseTariffFile, TariffNotInForceError, toKepcoSeason } from './tariff.js';

const kst = (local: string) => new Date(`${local}+09:00`);

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

  it('applies each table from its effectiveFrom (KST), the previous one before it', () => {
    expect(kepcoTableAt(kst('2026-05-31T23:59:59')).effectiveFrom).toBe('2024-10-24');
    expect(kepcoTableAt(kst('2026-06-01T00:00:00')).effectiveFrom).toBe('2026-06-01');
    expect(kepcoTableAt(kst('2024-10-23T12:00:00')).effectiveFrom).toBe('2024-01-01');
    expect(kepcoTableAt(kst('2024-10-24T00:00:00')).effectiveFrom).toBe('2024-10-24');
    expect(() => kepcoTableAt(kst('2023-12-31T23:00:00'))).toThrow(TariffNotInForceError);
    expect(() => kepcoTableAt(kst('2023-12-31T23:00:00'))).toThrow(/2023-12-31T14:00:00\.000Z.*2024-01-01/);
    // Before the reform 19:00 was mid-peak and 11:00 peak; after it, 19:00 is peak and 11:00 mid-peak.
    const before = kepcoTariff({ at: kst('2026-05-15T12:00:00') });
    expect(before.band(19)).toBe('mid-peak');
    expect(before.band(11)).toBe('peak');
    expect(before.rate_KRW_per_kWh(19, 'summer')).toBe(121.5);
    expect(before.rate_KRW_per_kWh(11, 'winter')).toBe(149.4);
    // No 50 % weekend discount before the reform.
    expect(before.rate_KRW_per_kWh(12, 'spring', 'weekend')).toBe(100.5);
    expect(before.source).toMatch(/table effective 2024-10-24/);
    const after = kepcoTariff({ at: kst('2026-06-01T00:00:00') });
    expect(after.rate_KRW_per_kWh(19, 'summer')).toBeCloseTo(155.0 - 16.9, 5);
    // An hour with its own date is priced by the table in force then, whatever the tariff's date.
    expect(after.rate_KRW_per_kWh(3, 'winter', 'weekday', kst('2024-03-01T03:00:00'))).toBe(94.6);
    expect(tariff.rate_KRW_per_kWh(3, 'winter', 'weekday', kst('2025-01-10T03:00:00'))).toBe(103.1);
    expect(tariff.inForceAt?.(kst('2023-12-31T23:00:00'))).toBe(false);
    expect(tariff.inForceAt?.(kst('2024-01-01T00:00:00'))).toBe(true);
    expect(tariff.source).toMatch(/tables from 2024-01-01, 2024-10-24, 2026-06-01/);
  });

  describe('what a month costs at the tariff (engine savings with the tariff as every caller binds it)', () => {
    const targets = resolveTargets({ standard: krCarbon2050, year: 2026 });
    // 1 kWh at 19:00 KST on `local` (a weekday), assessed over that UTC day.
    function basisFor(localHour: string, t = kepcoTariff()) {
      const at = kst(localHour);
      const input = energyInput([[at.toISOString().replace('.000Z', 'Z'), 1]]);
      const dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
      const window = {
        start: new Date(dayStart).toISOString(),
        end: new Date(dayStart + 86_400_000).toISOString(),
        hours: 24,
      };
      const ctx = {
        site: { zone: 'KR', pue: { value: 1, source: 'configured: policy spec.site.pue' } },
        profile: flatProfile(417.3),
        standardCode: 'KR_CARBON_2050',
        targets,
        window,
        language: 'en' as const,
        now: new Date(window.end),
        embodied_gCO2eq: null,
      };
      const core = assessWorkloadCore(input, ctx);
      return monthlyBasis({ core, input, tariff: t, timeZone: 'Asia/Seoul', now: ctx.now });
    }

    it('bills November as winter, for the bare kepcoTariff() as much as for any other caller', () => {
      expect(kepcoTariff().seasonOfMonth(11)).toBe('winter');
      // 2026-11-18 19:00 KST: winter peak after the reform, 132.5 (spring/autumn would be 106.5).
      const nov = basisFor('2026-11-18T19:00:00');
      expect(nov.rate_KRW_per_kWh).toBe(132.5);
      expect(nov.season).toBe('winter');
      // October stays spring/autumn.
      expect(basisFor('2026-10-14T19:00:00').rate_KRW_per_kWh).toBe(106.5);
    });

    it('prices each hour with the table in force then, and none before the first table', () => {
      // 2026-05-20 19:00: the 2024-10-24 table (mid-peak, spring/autumn 100.5); 2026-06-17: the reform (peak).
      expect(basisFor('2026-05-20T19:00:00').rate_KRW_per_kWh).toBe(100.5);
      expect(basisFor('2026-06-17T19:00:00').rate_KRW_per_kWh).toBe(138.1);
      expect(basisFor('2023-12-13T19:00:00').rate_KRW_per_kWh).toBeNull();
    });

    it('labels the KRW/USD rate as the data file does', () => {
      const fx = krwPerUsd();
      const file = parseTariffFile(readDataFile('tariffs-kepco.json')).exchangeRate;
      expect(fx.label).toBe(`${file.basis}, as of ${file.date}`);
      const { costBasis } = monthlySavings(
        { emissionsFraction: 0.1, facilityEnergySaved_kWh: 0, energyCostSaved_KRW: -120 },
        basisFor('2026-06-17T19:00:00'),
        { krwPerUsd: fx, kets_KRW_per_tCO2eq: ketsAllowancePrice() },
      );
      expect(costBasis).toContain(`USD at ${file.KRW_per_USD} KRW/USD (${fx.label})`);
      expect(costBasis).toContain('KRW: energy −120 at the tariff');
      // The methodology states the same rate and basis (it once called the annual average a year-end rate).
      const doc = readFileSync(new URL('../../docs/methodology.md', import.meta.url), 'utf8').replace(
        /\s+/g,
        ' ',
      );
      expect(doc).toContain(
        `USD (${file.KRW_per_USD.toLocaleString('en-US')} KRW/USD, the ${file.basis}, as of ${file.date}`,
      );
      expect(doc).not.toMatch(/KRW\/USD, the 2025 year-end/);
    });
  });

  it('bad files name the field', () => {
    const good = JSON.parse(readDataFile('tariffs-kepco.json')) as {
      tariff: {
        tables: Array<{
          effectiveFrom: string;
          bands: { byHour: string[] };
          rates_KRW_per_kWh: { winter: Record<string, unknown> };
        }>;
      };
      exchangeRate: Record<string, unknown>;
    };
    const b1 = structuredClone(good);
    b1.tariff.tables[2]!.bands.byHour.pop();
    expect(() => parseTariffFile(JSON.stringify(b1))).toThrow(
      /tariffs-kepco\.json: tariff\.tables\.2\.bands\.byHour/,
    );
    const b2 = structuredClone(good);
    b2.tariff.tables[1]!.rates_KRW_per_kWh.winter.peak = -1;
    expect(() => parseTariffFile(JSON.stringify(b2))).toThrow(
      /tariff\.tables\.1\.rates_KRW_per_kWh\.winter\.peak/,
    );
    const b3 = structuredClone(good);
    delete b3.exchangeRate.source;
    expect(() => parseTariffFile(JSON.stringify(b3))).toThrow(/exchangeRate\.source/);
    const b4 = structuredClone(good);
    b4.tariff.tables[2]!.effectiveFrom = '2024-06-01';
    expect(() => parseTariffFile(JSON.stringify(b4))).toThrow(/tariff\.tables: tables must be in order/);
  });
});
