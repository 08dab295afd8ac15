import { gridProfileFor } from './grid-profile.js';
import { UnknownZoneError } from './grid-factors.js';

describe('gridProfileFor', () => {
  it('KR: the modelled profile anchored to the official factor of the year', () => {
    const kr = gridProfileFor('KR');
    expect(kr.kind).toBe('modelled');
    expect(kr.annualMean_gCO2eq_kWh).toBe(417.3);
    expect(kr.hourly_gCO2eq_kWh.spring).toHaveLength(24);
    expect(gridProfileFor('KR', { year: 2022 }).annualMean_gCO2eq_kWh).toBe(454.1); // official 2020–2022 average
    const em = gridProfileFor('KR', { provider: 'electricity-maps', year: 2024 });
    expect(em.annualMean_gCO2eq_kWh).toBe(423);
    expect(em.source).toMatch(/Electricity Maps/);
  });

  it('other zones: annual-flat from the dataset, saying so', () => {
    const se = gridProfileFor('SE-SE3');
    expect(se.kind).toBe('annual-flat');
    expect(se.hourly_gCO2eq_kWh.all).toEqual(Array.from({ length: 24 }, () => 21));
    expect(se.source).toMatch(/annual-flat/);
    expect(gridProfileFor('JP-TK', { year: 2023 }).annualMean_gCO2eq_kWh).toBeGreaterThan(0);
    expect(() => gridProfileFor('ZZ')).toThrow(UnknownZoneError);
  });
});
