import {
  dailyShape,
  forecastHoursIn,
  gridHourAt,
  gridIntensityAt,
  gridSourcesOfWindow,
  localMonthAndHour,
  seasonOfMonth,
} from './grid-intensity-at.js';
import { rampProfile } from '../../hack/testenv/engine-inputs.js';

describe('gridIntensityAt', () => {
  it('reads the local hour in the profile’s time zone (KST = UTC+9), wrapping the date', () => {
    expect(localMonthAndHour(new Date('2026-03-31T15:00:00Z'), 'Asia/Seoul')).toEqual({ month: 4, hour: 0 });
    expect(gridIntensityAt(rampProfile, '2026-04-01T14:00:00Z')).toBe(300 + 10 * 23);
    expect(gridIntensityAt(rampProfile, '2026-04-01T15:00:00Z')).toBe(300);
  });

  it('picks the season of the local date; the KST date decides at a month boundary', () => {
    // 2026-05-31T15:00Z is 00:00 on 1 June in Seoul: summer.
    expect(gridIntensityAt(rampProfile, '2026-05-31T15:00:00Z')).toBe(600);
    expect(gridIntensityAt(rampProfile, '2026-05-31T14:00:00Z')).toBe(300 + 230);
  });

  it('maps months to meteorological seasons and falls back to the all-year shape', () => {
    expect([1, 3, 6, 9, 12].map(seasonOfMonth)).toEqual(['winter', 'spring', 'summer', 'autumn', 'winter']);
    expect(dailyShape(rampProfile, 'winter')[5]).toBe(350);
    expect(() => dailyShape({ ...rampProfile, hourly_gCO2eq_kWh: { all: [1, 2] } }, 'spring')).toThrow(
      /no 24-hour shape/,
    );
  });
});

describe('the fallback chain live → modelled → annual, hour by hour', () => {
  const withPoints = {
    ...rampProfile,
    points: [
      { hourStart: '2026-04-01T03:00:00Z', intensity_gCO2eq_kWh: 111 },
      { hourStart: '2026-04-01T05:00:00Z', intensity_gCO2eq_kWh: 222, forecast: true },
    ],
  };

  it('takes a live point for its exact hour, else the modelled shape, else the annual factor', () => {
    expect(gridHourAt(withPoints, '2026-04-01T03:00:00Z')).toEqual({
      intensity_gCO2eq_kWh: 111,
      source: 'live',
      forecast: false,
    });
    expect(gridHourAt(withPoints, '2026-04-01T04:00:00.000Z').source).toBe('modelled');
    expect(gridHourAt(withPoints, '2026-04-01T04:00:00Z').intensity_gCO2eq_kWh).toBe(
      gridIntensityAt(rampProfile, '2026-04-01T04:00:00Z'),
    );
    const annual = { ...rampProfile, kind: 'annual-flat' as const };
    expect(gridHourAt(annual, '2026-04-01T04:00:00Z').source).toBe('annual');
  });

  it('lists and counts the source of every hour of a window, and the forecast hours of a run', () => {
    expect(gridSourcesOfWindow(withPoints, '2026-04-01T02:00:00Z', 5)).toEqual({
      sources: ['modelled', 'live', 'modelled', 'live', 'modelled'],
      counts: { live: 2, modelled: 3, annual: 0 },
    });
    expect(forecastHoursIn(withPoints, '2026-04-01T03:00:00Z', 3)).toBe(1);
    expect(forecastHoursIn(rampProfile, '2026-04-01T03:00:00Z', 3)).toBe(0);
  });
});
