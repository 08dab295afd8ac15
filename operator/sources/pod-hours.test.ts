import fc from 'fast-check';
import { bucketsOf, hoursWithEnergy, NO_POD_HOURS, PodHourSums, podHoursOf } from './pod-hours.js';

const H = 3_600_000;
const T0 = Date.parse('2026-04-01T00:00:00Z');

describe('PodHourSums', () => {
  it('sums parts per hour; any part gives its hour an energy figure; hours may arrive in any order', () => {
    const sums = new PodHourSums(T0 + 3 * H);
    sums.add(T0 + 2 * H, 'energy_kWh', 1);
    sums.add(T0 + 2 * H + 1_800_000, 'energy_kWh', 0.5); // the same clock hour
    sums.add(T0 + 2 * H, 'idleShare_kWh', 0.25);
    sums.add(T0, 'idleShare_kWh', 0.125); // before the first hour seen: the arrays grow backwards
    sums.add(T0 + 4 * H, 'estimated_kWh', 2); // after the expected end: they grow forwards
    expect(bucketsOf(sums.hours())).toEqual([
      { hourStart: '2026-04-01T00:00:00Z', energy_kWh: 0, idleShare_kWh: 0.125 },
      { hourStart: '2026-04-01T02:00:00Z', energy_kWh: 1.5, idleShare_kWh: 0.25 },
      { hourStart: '2026-04-01T04:00:00Z', energy_kWh: 0, estimated_kWh: 2 },
    ]);
    expect(hoursWithEnergy(sums.hours())).toBe(3);
  });

  it('no hours: no buckets', () => {
    expect(bucketsOf(NO_POD_HOURS)).toEqual([]);
    expect(hoursWithEnergy(NO_POD_HOURS)).toBe(0);
    expect(podHoursOf([])).toBe(NO_POD_HOURS);
  });

  it('property: buckets survive podHoursOf then bucketsOf (sorted by hour, one per hour)', () => {
    const bucket = fc.record(
      {
        hour: fc.integer({ min: 0, max: 200 }),
        energy_kWh: fc.double({ min: 0, max: 1e6, noNaN: true }),
        idleShare_kWh: fc.double({ min: 0, max: 1e6, noNaN: true }),
        estimated_kWh: fc.double({ min: 0, max: 1e6, noNaN: true }),
      },
      { requiredKeys: ['hour', 'energy_kWh'] },
    );
    fc.assert(
      fc.property(fc.uniqueArray(bucket, { selector: (b) => b.hour, maxLength: 30 }), (list) => {
        const buckets = list.map(({ hour, ...parts }) => ({
          hourStart: new Date(T0 + hour * H).toISOString().replace('.000Z', 'Z'),
          ...parts,
        }));
        const sorted = [...buckets].sort((a, b) => (a.hourStart < b.hourStart ? -1 : 1));
        expect(bucketsOf(podHoursOf(buckets))).toEqual(sorted);
      }),
      { numRuns: 500 },
    );
  });
});
