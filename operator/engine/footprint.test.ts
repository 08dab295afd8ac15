// Emissions on two named bases (active; active + idle share), savings only from the energy a measure
// changes, and the 30-day projection from the hours observed (issue "One truth" §3).
import { assessWorkload } from './assess.js';
import { summarizeAssessments } from './aggregate-policy.js';
import { resolveTargets } from './targets.js';
import {
  energyInput,
  flatProfile,
  krCarbon2050,
  krPueGreenDc,
  rampProfile,
} from '../../hack/testenv/engine-inputs.js';
import type { Tariff, WorkloadEnergyInput } from '../domain/types.js';

const window = { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z', hours: 24 };
const targets = resolveTargets({ standard: krCarbon2050, companions: [krPueGreenDc], year: 2026 });
const tariff: Tariff = {
  currency: 'KRW',
  rate_KRW_per_kWh: (h) => (h >= 8 && h < 22 ? 100 : 50),
  source: 'test tariff',
};
const pue = { value: 1.2, source: 'configured: policy spec.site.pue' };

function assess(input: WorkloadEnergyInput, profile = rampProfile) {
  return assessWorkload(input, {
    site: { zone: 'KR', pue },
    profile,
    standardCode: 'KR_CARBON_2050',
    targets,
    window,
    language: 'en',
    now: new Date(window.end),
    tariff,
    prices: {
      kets_KRW_per_tCO2eq: { value: 10_000, source: 'test' },
      krwPerUsd: { value: 1_400, source: 'test' },
    },
  });
}

// A night job (22:00–02:00 KST), 0.5 kWh active and 1.5 kWh idle share an hour.
const night = ['13', '14', '15', '16'].map((h) => `2026-04-01T${h}:00:00Z`);
const withIdle = (): WorkloadEnergyInput => ({
  ...energyInput(night.map((h) => [h, 0.5])),
  hourly: night.map((hourStart) => ({ hourStart, energy_kWh: 0.5, idleShare_kWh: 1.5 })),
  runLength_hours: 4,
  idleShare: { available: true, source: 'allocated: test', power_watts: 1_500 },
});

describe('two bases, named', () => {
  it('the full footprint adds the idle share; the existing fields stay on the active basis', () => {
    const a = assess(withIdle(), flatProfile(400));
    expect(a.energy_kWh).toBe(2);
    expect(a.idle_share_kWh).toBe(6);
    expect(a.idle_share_watts).toBe(1_500);
    expect(a.emissions_gCO2eq).toBeCloseTo(2 * 400 * 1.2, 6);
    expect(a.footprint!.active).toMatchObject({
      basis: 'active',
      energy_kWh: 2,
      emissions_gCO2eq: a.emissions_gCO2eq,
    });
    expect(a.footprint!.active_plus_idle_share).toMatchObject({
      basis: 'active + idle share',
      energy_kWh: 8,
      emissions_gCO2eq: 8 * 400 * 1.2,
      emissions_kgCO2eq_per_30d: (8 * 400 * 1.2 * 30) / 1000,
    });
    // The intensity (and verdict) does not depend on the basis chosen for emissions.
    expect(a.current_carbon_intensity_gCO2eq_kWh).toBe(480);
  });

  it('without an idle figure the full footprint is null with the reason, never guessed', () => {
    const a = assess(energyInput(night.map((h) => [h, 0.5])), flatProfile(400));
    expect(a.idle_share_kWh).toBeNull();
    expect(a.idle_share_watts).toBeNull();
    expect(a.idle_share_source).toMatch(/^unavailable: /);
    expect(a.footprint!.active_plus_idle_share).toBeNull();
  });

  it('savings count only the energy a measure changes: the idle share moves no saving', () => {
    const plain = withIdle();
    const without: WorkloadEnergyInput = {
      ...plain,
      hourly: plain.hourly.map(({ hourStart, energy_kWh }) => ({ hourStart, energy_kWh })),
      idleShare: { available: false, reason: 'test' },
    };
    const a = assess(plain);
    const b = assess(without);
    expect(a.optimizations.length).toBeGreaterThan(0);
    expect(a.optimizations.map((o) => [o.type, o.savings_per_month])).toEqual(
      b.optimizations.map((o) => [o.type, o.savings_per_month]),
    );
  });
});

describe('30 days from the hours observed', () => {
  it('one observed minute of a 24 h window scales by 43,200, and the summary agrees', () => {
    const minute = energyInput([['2026-04-01T23:00:00Z', 0.001]], {
      observed_hours: 1 / 60,
      kind: 'Deployment',
    });
    const a = assess(minute, flatProfile(400));
    expect(a.window.observedHours).toBeCloseTo(1 / 60, 4);
    expect(a.monthly_projection.energy_kWh).toBeCloseTo(0.001 * 43_200, 6);
    expect(a.monthly_projection.emissions_kgCO2eq).toBeCloseTo((0.001 * 480 * 43_200) / 1000, 1); // 4 significant digits;
    const summary = summarizeAssessments([a], { target_gCO2eq_kWh: 424, pue, windowHours: 24 });
    expect(summary.emissions_kgCO2eq_per_30d).toBeCloseTo(a.monthly_projection.emissions_kgCO2eq, 1);
    expect(summary.observedHours).toBeCloseTo(1 / 60, 4);
  });

  it('an input without coverage says the window was used', () => {
    const a = assess(
      energyInput([['2026-04-01T23:00:00Z', 0.001]], { kind: 'Deployment' }),
      flatProfile(400),
    );
    expect(a.monthly_projection.basis).toMatch(/the source did not report its coverage/);
    expect(a.monthly_projection.energy_kWh).toBeCloseTo(0.03, 9);
  });
});
