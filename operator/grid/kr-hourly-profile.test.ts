import { readDataFile } from './data-files.js';
import {
  krHourlyModel,
  krHourlyProfile,
  krModelInputs,
  modelDay,
  parseKrModel,
  SEASONS,
} from './kr-hourly-profile.js';

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const at = (v: number[], hours: number[]) => mean(hours.map((h) => v[h] as number));
const NIGHT = [0, 1, 2, 3, 4, 5];
const MIDDAY = [11, 12, 13];
const EVENING = [17, 18, 19, 20, 21];

describe('KR modelled hourly profile', () => {
  const model = krHourlyModel();
  const profile = model.profile;
  const real = krModelInputs().realDays;

  it('is a modelled profile with 24 values per season and all', () => {
    expect(profile).toMatchObject({
      zone: 'KR',
      timeZone: 'Asia/Seoul',
      kind: 'modelled',
      annualMean_gCO2eq_kWh: 417.3,
    });
    for (const key of ['all', ...SEASONS]) expect(profile.hourly_gCO2eq_kWh[key]).toHaveLength(24);
    expect(profile.source).toMatch(/^modelled: /);
    expect(profile.source).toMatch(/417\.3/);
    expect(profile.source).toMatch(/gir-2023/);
  });

  it('is calibrated: the energy-weighted annual mean equals the anchor', () => {
    let num = 0;
    let den = 0;
    for (const s of SEASONS) {
      model.energyWeights_MWh[s].forEach((w, h) => {
        num += w * (profile.hourly_gCO2eq_kWh[s]?.[h] as number);
        den += w;
      });
    }
    expect(num / den).toBeCloseTo(417.3, 1);
    const em = krHourlyProfile({ anchor: 'electricity-maps-2024' });
    expect(em.annualMean_gCO2eq_kWh).toBe(423);
    const custom = krHourlyProfile({ anchor: { value_gCO2eq_kWh: 400, source: 'test anchor' } });
    expect(custom.annualMean_gCO2eq_kWh).toBe(400);
    expect(() => krHourlyProfile({ anchor: 'nope' })).toThrow(/nope/);
  });

  it('has the shape of the four real KPX days (printed side by side)', () => {
    const lines: string[] = [`hour   ${real.hours.map((h) => String(h).padStart(4)).join('')}`];
    for (const [date, day] of Object.entries(real.days)) {
      const modelled = modelDay(krModelInputs(), day.season, day.dayType).intensity_gCO2eq_kWh;
      lines.push(`${date} real    ${day.values.map((v) => String(v).padStart(4)).join('')}`);
      lines.push(
        `${date} model   ${real.hours.map((h) => String(Math.round(modelled[h] as number)).padStart(4)).join('')}`,
      );
      // Same ordering as the real day: midday cleaner than the evening peak on every day.
      const realAt = (h: number) => day.values[real.hours.indexOf(h)] as number;
      expect(realAt(12)).toBeLessThan(realAt(19));
      expect(modelled[12] as number).toBeLessThan(modelled[19] as number);
      // Level within 12 % of the real day's mean (same lifecycle factors, before calibration).
      const realMean = mean(day.values);
      const modelMean = at(modelled, real.hours);
      expect(Math.abs(modelMean - realMean) / realMean).toBeLessThan(0.12);
    }
    console.log(lines.join('\n'));
  });

  it('spring and autumn: midday clearly cleaner than night, evening dirtiest', () => {
    for (const s of ['spring', 'autumn'] as const) {
      const v = profile.hourly_gCO2eq_kWh[s] as number[];
      expect(at(v, MIDDAY)).toBeLessThan(at(v, NIGHT) * 0.95);
      expect(at(v, EVENING)).toBeGreaterThan(at(v, NIGHT));
      expect(v.indexOf(Math.min(...v))).toBeGreaterThanOrEqual(10);
      expect(v.indexOf(Math.min(...v))).toBeLessThanOrEqual(14);
    }
    // Night (02–05) is never the cleanest period.
    for (const s of SEASONS) {
      const v = profile.hourly_gCO2eq_kWh[s] as number[];
      expect(Math.min(...[2, 3, 4, 5].map((h) => v[h] as number))).toBeGreaterThan(Math.min(...v));
    }
  });

  it('winter is flatter than spring and autumn; summer dips less than spring at midday', () => {
    const spread = (s: string) => {
      const v = profile.hourly_gCO2eq_kWh[s] as number[];
      return (Math.max(...v) - Math.min(...v)) / mean(v);
    };
    expect(spread('winter')).toBeLessThan(spread('spring'));
    expect(spread('winter')).toBeLessThan(spread('autumn'));
    expect(spread('winter')).toBeLessThan(spread('summer'));
    const dip = (s: string) =>
      at(profile.hourly_gCO2eq_kWh[s] as number[], MIDDAY) /
      at(profile.hourly_gCO2eq_kWh[s] as number[], EVENING);
    expect(dip('summer')).toBeGreaterThan(dip('spring'));
  });

  it('weekends in spring are cleaner at midday than weekdays (nuclear cut and low demand notwithstanding)', () => {
    const wd = krHourlyProfile({ dayType: 'weekday' }).hourly_gCO2eq_kWh.spring as number[];
    const we = krHourlyProfile({ dayType: 'weekend' }).hourly_gCO2eq_kWh.spring as number[];
    expect(at(we, MIDDAY)).toBeLessThan(at(wd, MIDDAY));
  });

  it('every input carries a source, and a bad file names the field', () => {
    const doc = JSON.parse(readDataFile('kr-hourly-model.json')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(doc)) {
      if (
        typeof value !== 'object' ||
        value === null ||
        key === 'emissionFactors_gCO2eq_kWh' ||
        key === 'anchors_gCO2eq_kWh'
      )
        continue;
      expect(String((value as { source?: string }).source ?? '').length).toBeGreaterThan(10);
    }
    for (const group of ['emissionFactors_gCO2eq_kWh', 'anchors_gCO2eq_kWh']) {
      for (const v of Object.values(doc[group] as Record<string, { source: string }>))
        expect(v.source.length).toBeGreaterThan(10);
    }
    const bad = structuredClone(doc) as {
      demand: { bySeason: { summer: { weekday: { shape: number[] } } } };
    };
    bad.demand.bySeason.summer.weekday.shape.pop();
    expect(() => parseKrModel(JSON.stringify(bad))).toThrow(
      /kr-hourly-model\.json: demand\.bySeason\.summer\.weekday\.shape/,
    );
    const badAnchor = { ...structuredClone(doc), defaultAnchor: 'x' };
    expect(() => parseKrModel(JSON.stringify(badAnchor))).toThrow(/defaultAnchor/);
  });
});
