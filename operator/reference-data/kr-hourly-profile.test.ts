import { readDataFile } from './data-files.js';
import { krHourlyModel, krHourlyProfile, krModelError, krModelInputs } from './kr-hourly-profile-file.js';
import { modelDay, parseKrModel, SEASONS } from './kr-hourly-profile.js';

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

  it('spring and autumn: midday is the cleanest, the evening dirtier than the night', () => {
    for (const s of ['spring', 'autumn'] as const) {
      const v = profile.hourly_gCO2eq_kWh[s] as number[];
      expect(at(v, MIDDAY)).toBeLessThan(at(v, NIGHT));
      expect(at(v, EVENING)).toBeGreaterThan(at(v, NIGHT));
      expect(v.indexOf(Math.min(...v))).toBeGreaterThanOrEqual(10);
      expect(v.indexOf(Math.min(...v))).toBeLessThanOrEqual(14);
    }
    // Spring (lowest demand, most solar) dips clearly; autumn less than its real days do (the model
    // understates them: its measured autumn error says so).
    const spring = profile.hourly_gCO2eq_kWh.spring as number[];
    expect(at(spring, MIDDAY)).toBeLessThan(at(spring, NIGHT) * 0.95);
    // Night (02–05) is never the cleanest period in the seasons the real days cover, nor in spring.
    for (const s of ['spring', 'autumn', 'winter']) {
      const v = profile.hourly_gCO2eq_kWh[s] as number[];
      expect(Math.min(...[2, 3, 4, 5].map((h) => v[h] as number))).toBeGreaterThan(Math.min(...v));
    }
    // Summer has no real day: its whole spread stays within the stated (assumed) error, so no hour of
    // it, night or midday, is ever advised over another.
    const summer = profile.hourly_gCO2eq_kWh.summer as number[];
    expect((1 - Math.min(...summer) / Math.max(...summer)) * 100).toBeLessThan(
      profile.error_percent_by_season?.summer?.percent as number,
    );
  });

  it('winter: the midday dip is no deeper than on the real winter day (market mix, like the real days)', () => {
    // Dip = cleanest midday hour (10–14) below the dirtiest evening hour (17–21).
    const dip = (at: (h: number) => number) =>
      (1 - Math.min(...[10, 11, 12, 13, 14].map(at)) / Math.max(...[17, 18, 19, 20, 21].map(at))) * 100;
    const winter = profile.hourly_gCO2eq_kWh.winter as number[];
    const realWinter = Object.values(real.days).filter((d) => d.season === 'winter');
    expect(realWinter.length).toBeGreaterThan(0);
    for (const day of realWinter) {
      const realDip = dip((h) => day.values[real.hours.indexOf(h)] as number);
      expect(realDip).toBeCloseTo(5.06, 1); // 2025-01-05: 375 at h11–13 vs 395 at h18–19
      expect(dip((h) => winter[h] as number)).toBeLessThanOrEqual(realDip);
    }
  });

  it('states its error against the real KPX days per season, measured where a real day exists', () => {
    const errors = profile.error_percent_by_season ?? {};
    expect(Object.keys(errors).sort()).toEqual([...SEASONS].sort());
    // Recomputed here from the real days and the modelled days of the same season and day type.
    const bySeason = new Map<string, { pct: number[]; abs: number[]; dates: string[] }>();
    for (const [date, day] of Object.entries(real.days)) {
      const modelled = modelDay(krModelInputs(), day.season, day.dayType).intensity_gCO2eq_kWh;
      const e = bySeason.get(day.season) ?? { pct: [], abs: [], dates: [] };
      e.dates.push(date);
      real.hours.forEach((h, k) => {
        const d = Math.abs((modelled[h] as number) - (day.values[k] as number));
        e.abs.push(d);
        e.pct.push((d / (day.values[k] as number)) * 100);
      });
      bySeason.set(day.season, e);
    }
    expect([...bySeason.keys()].sort()).toEqual(['autumn', 'winter']);
    for (const [season, e] of bySeason) {
      const stated = errors[season]!;
      expect(stated.kind).toBe('measured');
      expect(stated.realDays).toEqual(e.dates);
      expect(stated.percent).toBeCloseTo(mean(e.pct), 1);
      expect(stated.meanAbsolute_gCO2eq_kWh).toBeCloseTo(mean(e.abs), 1);
      expect(stated.maxHourly_percent).toBeCloseTo(Math.max(...e.pct), 1);
      expect(stated.maxHourly_gCO2eq_kWh).toBeCloseTo(Math.max(...e.abs), 1);
    }
    // The figures docs/methodology.md states.
    expect(errors.winter).toMatchObject({ percent: 2, maxHourly_percent: 4.8, maxHourly_gCO2eq_kWh: 18.3 });
    expect(errors.autumn).toMatchObject({ percent: 8, maxHourly_percent: 30.2, maxHourly_gCO2eq_kWh: 93.9 });
    // No real day in spring or summer: the largest measured error, marked assumed.
    for (const season of ['spring', 'summer']) {
      expect(errors[season]).toMatchObject({
        kind: 'assumed',
        percent: 8,
        realDays: [],
        maxHourly_percent: null,
      });
      expect(errors[season]?.basis).toMatch(/no real KPX day/);
    }
    expect(profile.source).toMatch(/winter 2 % \(measured\)/);
    expect(krModelError()).toEqual(errors);
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
