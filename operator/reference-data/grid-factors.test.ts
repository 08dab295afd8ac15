import { annualGridIntensity, gridZones, officialFactor } from './grid-factors-file.js';
import { parseGridFactors, UnknownZoneError } from './grid-factors.js';
import { readDataFile } from './data-files.js';

describe('annualGridIntensity', () => {
  it('gives the official GIR 2023 consumption-side factor for KR by default', () => {
    const kr = annualGridIntensity('KR');
    expect(kr.value).toBe(417.3);
    expect(kr.source).toMatch(/2023/);
    expect(kr.source).toMatch(/0\.4173/);
  });

  it('picks the official factor of the year asked for', () => {
    // 2020–2022: the official 3-year average; the single years 2021 (0.4509) and 2022 (0.4312) were
    // published in Dec 2025 as reference values only.
    expect(annualGridIntensity('KR', { year: 2022 }).value).toBe(454.1);
    expect(annualGridIntensity('KR', { year: 2021 }).value).toBe(454.1);
    expect(annualGridIntensity('KR', { year: 2020 }).value).toBe(454.1);
    expect(officialFactor('KR', 2022)).toMatchObject({ id: 'GIR-2020-2022', value_tCO2eq_MWh: 0.4541 });
    expect(officialFactor('KR', 2023)).toMatchObject({ id: 'GIR-2023', value_tCO2eq_MWh: 0.4173 });
    expect(officialFactor('KR', 2024).id).toBe('GIR-2023');
    expect(annualGridIntensity('KR', { year: 2015 }).value).toBe(459.4); // 2014–2016 average
    expect(annualGridIntensity('KR', { year: 2011 }).value).toBe(443);
    expect(annualGridIntensity('KR', { year: 2026 }).value).toBe(417.3); // latest still applies
    expect(() => annualGridIntensity('KR', { year: 2005 })).toThrow(/2005/);
  });

  it('never picks the unverified 0.4781 factor by year', () => {
    expect(officialFactor('KR', 2018).id).toBe('GIR-2014-2016');
    expect(officialFactor('KR', 2019).id).toBe('GIR-2014-2016');
  });

  it('reads other zones from the @tgwf/co2 package datasets', () => {
    expect(annualGridIntensity('KR', { dataset: 'electricity-maps', year: 2024 }).value).toBe(423);
    expect(annualGridIntensity('KR', { dataset: 'electricity-maps', year: 2021 }).value).toBe(489);
    expect(annualGridIntensity('KOR', { dataset: 'ember' }).value).toBe(415.65);
    const se = annualGridIntensity('SE-SE3');
    expect(se.value).toBe(21);
    expect(se.source).toMatch(/Electricity Maps.*2024/);
    const jp = annualGridIntensity('JPN');
    expect(jp.value).toBe(483.73);
    expect(jp.source).toMatch(/Ember.*2024/);
  });

  it('names an unknown zone in a typed error', () => {
    expect(() => annualGridIntensity('XX-NOWHERE')).toThrow(UnknownZoneError);
    expect(() => annualGridIntensity('XX-NOWHERE')).toThrow(/XX-NOWHERE/);
    expect(() => annualGridIntensity('KR', { dataset: 'electricity-maps', year: 1999 })).toThrow(/1999/);
  });

  it('lists zones per dataset', () => {
    const zones = gridZones();
    expect(zones.official).toEqual(['KR']);
    expect(zones.electricityMaps).toEqual(expect.arrayContaining(['KR', 'JP-TK', 'SE-SE3', 'US-NW-PACW']));
    expect(zones.ember).toEqual(expect.arrayContaining(['KOR', 'JPN', 'WORLD']));
  });
});

describe('grid-factors.json validation', () => {
  const good = JSON.parse(readDataFile('grid-factors.json')) as {
    zones: { KR: { factors: Array<Record<string, unknown>>; default: string } };
  };

  it('every factor has a source', () => {
    for (const f of good.zones.KR.factors) expect(String(f.source).length).toBeGreaterThan(10);
  });

  it('names the field of a bad value', () => {
    const bad = structuredClone(good);
    bad.zones.KR.factors[0]!.value_tCO2eq_MWh = 417.3; // g/kWh written where t/MWh is expected
    expect(() => parseGridFactors(JSON.stringify(bad))).toThrow(
      /grid-factors\.json: zones\.KR\.factors\.0\.value_tCO2eq_MWh/,
    );
    const noSource = structuredClone(good);
    delete noSource.zones.KR.factors[1]!.source;
    expect(() => parseGridFactors(JSON.stringify(noSource))).toThrow(/zones\.KR\.factors\.1\.source/);
    const badDefault = structuredClone(good);
    badDefault.zones.KR.default = 'nope';
    expect(() => parseGridFactors(JSON.stringify(badDefault))).toThrow(/zones\.KR\.default/);
    expect(() => parseGridFactors('{')).toThrow(/grid-factors\.json: not valid JSON/);
  });
});

describe('Electricity Maps years', () => {
  it('answers a year past the newest published one with the newest, and says so', () => {
    const newest = annualGridIntensity('SE-SE3', { year: 2025 });
    const later = annualGridIntensity('SE-SE3', { year: 2026 });
    expect(later.value).toBe(newest.value);
    expect(later.source).toMatch(/year 2025 \(newest published year, used for 2026\)/);
  });

  it('still refuses a year before the first published one', () => {
    expect(() => annualGridIntensity('SE-SE3', { year: 2019 })).toThrow(/no year 2019 or earlier/);
  });
});
