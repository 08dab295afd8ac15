// The LMDI decomposition: the four effects sum to the change (the issue asks for 0.1 %; LMDI-I is exact
// up to floating point), each effect moves only with its own factor, and months without emissions
// give the change to the factor that is zero.
import { decomposeEmissionsChange, lastTwoCompleteMonths, lmdiEffects } from './emissions-change.js';
import type { MonthEmissions } from '../domain/types.js';

/** A month from its factors: C = E · T · PUE · G. */
function month(
  name: string,
  f: { energy: number; timing: number; pue: number; grid: number; hours?: number },
): MonthEmissions {
  const weighted = (f.energy * f.timing * f.grid) / 1000; // kg before PUE
  return {
    month: name,
    hours: f.hours ?? 720,
    since: '2026-10-31T15:00:00Z',
    energy_kWh: f.energy,
    gridWeighted_kgCO2eq: weighted,
    locationEmissions_kgCO2eq: weighted * f.pue,
    emissions_kgCO2eq: weighted * f.pue,
    meanGridIntensity_gCO2eq_kWh: f.grid,
  };
}

const sum = (e: Record<string, number>) => Object.values(e).reduce((s, v) => s + v, 0);

/** A small deterministic generator (no Math.random: the test is reproducible). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('emissions change (LMDI)', () => {
  test('the effects sum to the change within 0.1 % over 1,000 random month pairs', () => {
    const rnd = lcg(42);
    let worst = 0;
    for (let i = 0; i < 1000; i++) {
      const pick = () => ({
        energy: 1 + rnd() * 5000,
        timing: 0.6 + rnd() * 0.8,
        pue: 1 + rnd() * 1.5,
        grid: 50 + rnd() * 800,
      });
      const from = month('2026-10', pick());
      const to = month('2026-11', pick());
      const change = to.locationEmissions_kgCO2eq - from.locationEmissions_kgCO2eq;
      const effects = lmdiEffects(from, to);
      worst = Math.max(worst, Math.abs(sum(effects) - change) / Math.max(Math.abs(change), 1e-9));
    }
    expect(worst).toBeLessThan(0.001);
  });

  test('one factor moved: only its effect, and it equals the whole change', () => {
    const base = { energy: 1000, timing: 1, pue: 1.5, grid: 400 };
    const cases = [
      ['energy', { ...base, energy: 1200 }],
      ['timing', { ...base, timing: 0.8 }],
      ['pue', { ...base, pue: 1.2 }],
      ['gridFactor', { ...base, grid: 380 }],
    ] as const;
    for (const [factor, moved] of cases) {
      const r = decomposeEmissionsChange(month('2026-10', base), month('2026-11', moved));
      for (const [name, value] of Object.entries(r.effects_kgCO2eq))
        if (name === factor) expect(value).toBeCloseTo(r.change_kgCO2eq, 6);
        else expect(value).toBe(0);
    }
  });

  test('a worked example: 600 → 475.2 kg split by hand', () => {
    // From: 1000 kWh, T 1, PUE 1.5, G 400 → 600 kg. To: 1100 kWh, T 0.9, PUE 1.2, G 400 → 475.2 kg.
    const r = decomposeEmissionsChange(
      month('2026-10', { energy: 1000, timing: 1, pue: 1.5, grid: 400 }),
      month('2026-11', { energy: 1100, timing: 0.9, pue: 1.2, grid: 400 }),
    );
    const L = (475.2 - 600) / Math.log(475.2 / 600);
    expect(r.change_kgCO2eq).toBeCloseTo(-124.8, 6);
    expect(r.effects_kgCO2eq.energy).toBeCloseTo(L * Math.log(1.1), 3);
    expect(r.effects_kgCO2eq.timing).toBeCloseTo(L * Math.log(0.9), 3);
    expect(r.effects_kgCO2eq.pue).toBeCloseTo(L * Math.log(0.8), 3);
    expect(r.effects_kgCO2eq.gridFactor).toBe(0);
    expect(Math.abs(r.residual_kgCO2eq)).toBeLessThan(1e-6);
    expect(r.from.timingFactor).toBe(1);
    expect(r.to.timingFactor).toBe(0.9);
    expect(r.to.pue).toBe(1.2);
    expect(r.to.energyWeightedGridIntensity_gCO2eq_kWh).toBe(360);
  });

  test('zero energy in one month: the whole change is the energy effect', () => {
    const some = month('2026-11', { energy: 500, timing: 0.9, pue: 1.3, grid: 420 });
    const none = month('2026-10', { energy: 0, timing: 1, pue: 1, grid: 410 });
    none.gridWeighted_kgCO2eq = 0;
    none.locationEmissions_kgCO2eq = 0;
    const up = decomposeEmissionsChange(none, some);
    expect(up.effects_kgCO2eq).toEqual({ energy: up.change_kgCO2eq, timing: 0, pue: 0, gridFactor: 0 });
    expect(up.from.timingFactor).toBeNull();
    expect(up.from.pue).toBeNull();
    const down = decomposeEmissionsChange(some, { ...none, month: '2026-12' });
    expect(down.effects_kgCO2eq.energy).toBeCloseTo(-some.locationEmissions_kgCO2eq, 6);
    expect(sum(down.effects_kgCO2eq)).toBeCloseTo(down.change_kgCO2eq, 6);
  });

  test('zero in both months: no change, no effects; equal emissions: effects that cancel', () => {
    const none = month('2026-10', { energy: 0, timing: 1, pue: 1, grid: 410 });
    none.gridWeighted_kgCO2eq = 0;
    none.locationEmissions_kgCO2eq = 0;
    const r = decomposeEmissionsChange(none, { ...none, month: '2026-11' });
    expect(r.change_kgCO2eq).toBe(0);
    expect(r.effects_kgCO2eq).toEqual({ energy: 0, timing: 0, pue: 0, gridFactor: 0 });
    // Same emissions from more energy at a better PUE: L(C, C) = C, effects ±C·ln(1.25).
    const a = month('2026-10', { energy: 1000, timing: 1, pue: 1.5, grid: 400 });
    const b = month('2026-11', { energy: 1250, timing: 1, pue: 1.2, grid: 400 });
    const eq = decomposeEmissionsChange(a, b);
    expect(eq.change_kgCO2eq).toBeCloseTo(0, 9);
    expect(eq.effects_kgCO2eq.energy).toBeCloseTo(600 * Math.log(1.25), 3);
    expect(eq.effects_kgCO2eq.pue).toBeCloseTo(-600 * Math.log(1.25), 3);
  });

  test('a grid at zero intensity in one month: the change is the grid-factor effect', () => {
    const clean = month('2026-10', { energy: 800, timing: 1, pue: 1.4, grid: 0 });
    clean.gridWeighted_kgCO2eq = 0;
    clean.locationEmissions_kgCO2eq = 0;
    const dirty = month('2026-11', { energy: 800, timing: 1, pue: 1.4, grid: 300 });
    const r = decomposeEmissionsChange(clean, dirty);
    expect(r.effects_kgCO2eq.gridFactor).toBeCloseTo(r.change_kgCO2eq, 6);
    expect(r.effects_kgCO2eq.energy).toBe(0);
  });

  test('compares the last two complete months, never the month in progress', () => {
    const m = (name: string) => month(name, { energy: 1, timing: 1, pue: 1, grid: 1 });
    expect(
      lastTwoCompleteMonths([m('2026-10'), m('2026-11'), m('2026-12')], '2026-12')?.map((x) => x.month),
    ).toEqual(['2026-10', '2026-11']);
    expect(lastTwoCompleteMonths([m('2026-11'), m('2026-12')], '2026-12')).toBeNull();
  });
});

describe('partial months', () => {
  test('a month with fewer hours counted than it has is flagged partial, like the running month', () => {
    const f = { energy: 100, timing: 1, pue: 1.2, grid: 400 };
    const r = decomposeEmissionsChange(
      month('2026-11', { ...f, hours: 500 }),
      month('2026-12', { ...f, hours: 744 }),
      {
        from: false,
        to: true,
      },
    );
    expect([r.from.partial, r.to.partial]).toEqual([true, true]);
    const whole = decomposeEmissionsChange(
      month('2026-11', { ...f, hours: 720 }),
      month('2026-12', { ...f, hours: 744 }),
    );
    expect([whole.from.partial, whole.to.partial]).toEqual([false, false]);
  });
});
