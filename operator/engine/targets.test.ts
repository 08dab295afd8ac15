import { carbonTargetOf, resolveTargets, TargetResolutionError } from './targets.js';
import { krCarbon2050, krNdc2030, krPueGreenDc } from '../../hack/testenv/engine-inputs.js';

describe('resolveTargets', () => {
  it('takes the named standard’s carbon target and a companion’s max PUE', () => {
    const t = resolveTargets({ standard: krCarbon2050, companions: [krPueGreenDc], year: 2026 });
    expect(t.carbonTarget!.value).toBe(424);
    expect(t.carbonTarget!.source).toMatch(/^default: standard KR_CARBON_2050/);
    expect(t.maxPue!.value).toBe(1.4);
    expect(t.maxPue!.source).toMatch(/KR_PUE_GREEN_DC/);
  });

  it('a PUE standard borrows no carbon target from its companion: it is assessed on PUE alone', () => {
    const t = resolveTargets({ standard: krPueGreenDc, companions: [krCarbon2050], year: 2026 });
    expect(t.carbonTarget).toBeNull();
    expect(t.maxPue!.value).toBe(1.4);
  });

  it('a PUE standard with a configured carbon target assesses both', () => {
    const t = resolveTargets({
      standard: krPueGreenDc,
      overrides: { carbonIntensityGCO2eqPerKWh: 450 },
      year: 2026,
    });
    expect(t.carbonTarget).toEqual({ value: 450, source: 'configured: policy spec.targets' });
  });

  it('policy overrides win and say they were configured', () => {
    const t = resolveTargets({
      standard: krCarbon2050,
      companions: [krPueGreenDc],
      overrides: { carbonIntensityGCO2eqPerKWh: 300, maxPue: 1.3 },
      year: 2026,
    });
    expect(t.carbonTarget).toEqual({ value: 300, source: 'configured: policy spec.targets' });
    expect(t.maxPue).toEqual({ value: 1.3, source: 'configured: policy spec.targets' });
  });

  it('a standard with neither criterion names the field to set', () => {
    const empty = { ...krCarbon2050, code: 'EMPTY', carbonTarget_gCO2eq_kWh: undefined };
    expect(() => resolveTargets({ standard: empty, year: 2026 })).toThrow(TargetResolutionError);
    try {
      resolveTargets({ standard: empty, year: 2026 });
    } catch (error) {
      expect((error as TargetResolutionError).field).toBe('spec.targets.carbonIntensityGCO2eqPerKWh');
    }
  });

  it('no max PUE anywhere means the PUE criterion is not applied (null), not invented', () => {
    expect(resolveTargets({ standard: krCarbon2050, year: 2026 }).maxPue).toBeNull();
  });
});

describe('carbon trajectories', () => {
  it('evaluates linearly at the year and clamps outside the range', () => {
    expect(carbonTargetOf(krNdc2030, 2018)!.value).toBeCloseTo(459.4, 9);
    expect(carbonTargetOf(krNdc2030, 2030)!.value).toBeCloseTo(275.64, 9);
    expect(carbonTargetOf(krNdc2030, 2024)!.value).toBeCloseTo(459.4 + 0.5 * (275.64 - 459.4), 9);
    expect(carbonTargetOf(krNdc2030, 2010)!.value).toBeCloseTo(459.4, 9);
    expect(carbonTargetOf(krNdc2030, 2040)!.value).toBeCloseTo(275.64, 9);
    expect(carbonTargetOf(krNdc2030, 2026)!.source).toMatch(/trajectory evaluated for 2026/);
  });
});
