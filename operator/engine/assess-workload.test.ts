import fc from 'fast-check';
import {
  assessWorkloadCore,
  combineReductions,
  EngineInputError,
  finishAssessment,
  type AssessmentContext,
} from './assess-workload.js';
import { resolveTargets } from './targets.js';
import {
  energyInput,
  flatProfile,
  krCarbon2050,
  krPueGreenDc,
  rampProfile,
} from '../../hack/testenv/engine-inputs.js';
import type { Optimization } from '../domain/types.js';

const window = { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z', hours: 24 };

function ctx(overrides: Partial<AssessmentContext> = {}): AssessmentContext {
  return {
    site: { zone: 'KR', pue: { value: 1.17, source: 'configured: policy spec.site.pue' } },
    profile: flatProfile(436),
    standardCode: 'KR_CARBON_2050',
    targets: resolveTargets({ standard: krCarbon2050, companions: [krPueGreenDc], year: 2026 }),
    window,
    language: 'en',
    ...overrides,
  };
}

function optimization(percent: number): Optimization {
  return {
    type: 'temporal_shift',
    estimated_reduction_percent: percent,
    description: 'test',
    savings_per_month: { kgCO2eq: 0, kWh: 0, KRW: 0, USD: 0 },
    source: 'test',
  };
}

describe('assessWorkloadCore: the seed worked examples', () => {
  it('436 g/kWh × PUE 1.17 = 510.1 g/kWh against 424: NON_COMPLIANT, gap +20.3 %', () => {
    const core = assessWorkloadCore(energyInput([['2026-04-01T03:00:00Z', 2]]), ctx());
    expect(core.current_carbon_intensity_gCO2eq_kWh).toBe(510.1);
    expect(core.grid_intensity_gCO2eq_kWh).toBe(436);
    expect(core.target_carbon_intensity_gCO2eq_kWh).toBe(424);
    expect(core.gap_percent).toBe(20.3);
    expect(core.carbon_status).toBe('NON_COMPLIANT');
    expect(core.pue_status).toBe('COMPLIANT');
    expect(core.status).toBe('NON_COMPLIANT');
    expect(core.emissions_gCO2eq).toBeCloseTo(2 * 436 * 1.17, 6);
    expect(core.energy_kWh).toBe(2);
    expect(core.sources.pue).toBe('configured: policy spec.site.pue');
    expect(core.sources.target).toMatch(/KR_CARBON_2050.*max PUE: default: standard KR_PUE_GREEN_DC/);
  });

  it('PUE 1.6 against max 1.4 (+14.3 %) fails the PUE criterion even when carbon passes', () => {
    const targets = resolveTargets({
      standard: krPueGreenDc,
      overrides: { carbonIntensityGCO2eqPerKWh: 1000 },
      year: 2026,
    });
    const core = assessWorkloadCore(
      energyInput([['2026-04-01T03:00:00Z', 1]]),
      ctx({ targets, site: { zone: 'KR', pue: { value: 1.6, source: 'configured: policy' } } }),
    );
    expect(core.pue_status).toBe('NON_COMPLIANT');
    expect(core.max_pue).toBe(1.4);
    expect(Math.round(((core.pue - core.max_pue!) / core.max_pue!) * 1000) / 10).toBe(14.3);
    expect(core.carbon_status).toBe('COMPLIANT');
    expect(core.status).toBe('NON_COMPLIANT');
    expect(core.target_carbon_intensity_gCO2eq_kWh).toBe(1000);
    expect(core.sources.target).toMatch(/^configured: policy spec\.targets/);
  });

  it('a compliant workload has negative gap (headroom)', () => {
    const core = assessWorkloadCore(
      energyInput([['2026-04-01T03:00:00Z', 1]]),
      ctx({ profile: flatProfile(300), site: { zone: 'KR', pue: { value: 1.1, source: 'configured' } } }),
    );
    expect(core.current_carbon_intensity_gCO2eq_kWh).toBe(330);
    expect(core.gap_percent).toBe(-22.2);
    expect(core.status).toBe('COMPLIANT');
  });
});

describe('assessWorkloadCore: hourly weighting', () => {
  it('weights the grid intensity by energy at the KST local hour', () => {
    // 00:00Z = 09:00 KST (390), 05:00Z = 14:00 KST (440); 1 kWh and 3 kWh.
    const core = assessWorkloadCore(
      energyInput([
        ['2026-04-01T00:00:00Z', 1],
        ['2026-04-01T05:00:00Z', 3],
      ]),
      ctx({ profile: rampProfile, site: { zone: 'KR', pue: { value: 1, source: 'configured' } } }),
    );
    expect(core.exact.gridIntensity).toBeCloseTo((390 + 3 * 440) / 4, 9);
    expect(core.window.hoursWithData).toBe(2);
  });

  it('uses the season of the local date (summer shape in July)', () => {
    const core = assessWorkloadCore(
      energyInput([['2026-07-01T03:00:00Z', 1]]),
      ctx({ profile: rampProfile, site: { zone: 'KR', pue: { value: 1, source: 'configured' } } }),
    );
    expect(core.exact.gridIntensity).toBe(612);
  });

  it('a live point for the exact hour overrides the shape', () => {
    const profile = {
      ...rampProfile,
      points: [{ hourStart: '2026-04-01T03:00:00Z', intensity_gCO2eq_kWh: 100 }],
    };
    const core = assessWorkloadCore(
      energyInput([['2026-04-01T03:00:00Z', 1]]),
      ctx({ profile, site: { zone: 'KR', pue: { value: 1, source: 'configured' } } }),
    );
    expect(core.exact.gridIntensity).toBe(100);
  });

  it('projects a month by scaling the window to 720 h and says so', () => {
    const core = assessWorkloadCore(energyInput([['2026-04-01T03:00:00Z', 2]]), ctx());
    expect(core.monthly_projection.energy_kWh).toBe(60);
    expect(core.monthly_projection.emissions_kgCO2eq).toBeCloseTo((2 * 436 * 1.17 * 30) / 1000, 2);
    expect(core.monthly_projection.basis).toMatch(/24 h scaled .*30 days/);
  });
});

describe('assessWorkloadCore: no data is never a verdict', () => {
  it('an idle 0 W workload (all-zero buckets) is INSUFFICIENT_DATA even with a failing PUE', () => {
    const core = assessWorkloadCore(
      energyInput([['2026-04-01T03:00:00Z', 0]], { power_watts: 0 }),
      ctx({ site: { zone: 'KR', pue: { value: 2.5, source: 'configured' } } }),
    );
    expect(core.status).toBe('INSUFFICIENT_DATA');
    expect(core.carbon_status).toBe('INSUFFICIENT_DATA');
    expect(core.current_carbon_intensity_gCO2eq_kWh).toBeNull();
    expect(core.gap_percent).toBeNull();
    expect(core.emissions_gCO2eq).toBe(0);
    expect(core.energy_kWh).toBe(0);
  });

  it('no buckets at all is INSUFFICIENT_DATA, not COMPLIANT', () => {
    const core = assessWorkloadCore(energyInput([]), ctx());
    expect(core.status).toBe('INSUFFICIENT_DATA');
    expect(core.window.hoursWithData).toBe(0);
    expect(core.sci_gCO2eq_per_workload_hour).toBeNull();
  });

  it('never yields NaN for any valid input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 23 }), fc.double({ min: 0, max: 1e6, noNaN: true })), {
          maxLength: 24,
        }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        (buckets, pue) => {
          const hourly = buckets.map(
            ([h, e]) => [`2026-04-01T${String(h).padStart(2, '0')}:00:00Z`, e] as [string, number],
          );
          const core = assessWorkloadCore(
            energyInput(hourly),
            ctx({ profile: rampProfile, site: { zone: 'KR', pue: { value: pue, source: 'c' } } }),
          );
          for (const v of [
            core.emissions_gCO2eq,
            core.energy_kWh,
            core.current_carbon_intensity_gCO2eq_kWh,
          ]) {
            expect(Number.isNaN(v)).toBe(false);
          }
          expect(core.status === 'INSUFFICIENT_DATA').toBe(core.exact.energy_kWh === 0);
        },
      ),
    );
  });
});

describe('assessWorkloadCore: invalid input is rejected naming the field', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['NaN energy', () => energyInput([['2026-04-01T03:00:00Z', Number.NaN]]), /input\.hourly\.0\.energy_kWh/],
    ['negative energy', () => energyInput([['2026-04-01T03:00:00Z', -1]]), /input\.hourly\.0\.energy_kWh/],
    ['bad hour', () => energyInput([['2026-04-01T03:30:00Z', 1]]), /input\.hourly\.0\.hourStart/],
    ['negative watts', () => energyInput([], { power_watts: -5 }), /input\.power_watts/],
    ['infinite watts', () => energyInput([], { power_watts: Infinity }), /input\.power_watts/],
    ['empty name', () => energyInput([], { workload: '' }), /input\.workload/],
    ['hourly not a list', () => energyInput([], { hourly: 5 as never }), /input\.hourly: /],
    ['null bucket', () => energyInput([], { hourly: [null] as never }), /input\.hourly\.0: /],
    [
      'bucket without energy',
      () => energyInput([], { hourly: [{ hourStart: '2026-04-01T03:00:00Z' }] as never }),
      /input\.hourly\.0\.energy_kWh/,
    ],
    [
      'negative idle share in the second bucket',
      () =>
        energyInput([], {
          hourly: [
            { hourStart: '2026-04-01T03:00:00Z', energy_kWh: 1 },
            { hourStart: '2026-04-01T04:00:00Z', energy_kWh: 1, idleShare_kWh: -1 },
          ],
        }),
      /input\.hourly\.1\.idleShare_kWh/,
    ],
    [
      'estimated part above the energy',
      () =>
        energyInput([], {
          hourly: [{ hourStart: '2026-04-01T03:00:00Z', energy_kWh: 1, estimated_kWh: 2 }],
          estimateSource: 'estimated: test',
        }),
      /input\.hourly\.0\.estimated_kWh/,
    ],
    [
      'estimated energy without its source',
      () =>
        energyInput([], { hourly: [{ hourStart: '2026-04-01T03:00:00Z', energy_kWh: 1, estimated_kWh: 1 }] }),
      /input\.estimateSource/,
    ],
  ];
  it.each(cases)('%s', (_name, make, field) => {
    expect(() => assessWorkloadCore(make() as never, ctx())).toThrow(EngineInputError);
    expect(() => assessWorkloadCore(make() as never, ctx())).toThrow(field);
  });

  it('a PUE below 1 or NaN names site.pue.value', () => {
    for (const value of [0.9, Number.NaN]) {
      expect(() =>
        assessWorkloadCore(energyInput([]), ctx({ site: { zone: 'KR', pue: { value, source: 'x' } } })),
      ).toThrow(/site\.pue\.value/);
    }
  });
});

describe('combineReductions and finishAssessment', () => {
  it('combines multiplicatively: 20 % and 50 % make 60 %, not 70 %', () => {
    expect(combineReductions([20, 50])).toBeCloseTo(60, 9);
    expect(combineReductions([])).toBe(0);
    expect(combineReductions([150, -10])).toBe(100);
  });

  it('projects the intensity after the combined reductions and says whether it reaches the target', () => {
    const core = assessWorkloadCore(energyInput([['2026-04-01T03:00:00Z', 2]]), ctx());
    const small = finishAssessment(core, [optimization(10)], 'r');
    expect(small.combined!.projected_intensity_gCO2eq_kWh).toBeCloseTo(459.1, 1);
    expect(small.combined!.reaches_target).toBe(false);
    const enough = finishAssessment(core, [optimization(10), optimization(10)], 'r');
    expect(enough.combined!.reduction_percent).toBe(19);
    expect(enough.combined!.reaches_target).toBe(true);
    expect('exact' in enough).toBe(false);
    expect(finishAssessment(core, [], 'r').combined).toBeNull();
  });
});
