import { policySpecSchema } from '../api/v1alpha1/types.js';
import { createPolicyEvaluator, PolicyConfigurationError } from './policy-evaluator.js';
import type { HourlyIntensityProfile, WorkloadEnergyInput } from '../domain/types.js';

const flat436: HourlyIntensityProfile = {
  zone: 'KR',
  timeZone: 'Asia/Seoul',
  kind: 'annual-flat',
  annualMean_gCO2eq_kWh: 436,
  hourly_gCO2eq_kWh: { all: Array.from({ length: 24 }, () => 436) },
  source: 'test: the seed worked example, 436 g/kWh',
};

const window = { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z', hours: 24 };

function workload(name: string, hourly: Array<[string, number]>, watts = 100): WorkloadEnergyInput {
  return {
    workload: name,
    namespace: 'ai-team',
    kind: 'Deployment',
    pods: 2,
    hourly: hourly.map(([hourStart, energy_kWh]) => ({ hourStart, energy_kWh })),
    power_watts: watts,
    zonesCounted: ['package', 'dram'],
    energySource: 'measured: kepler 0.11.4 (rapl)',
  };
}

describe('policy evaluation (engine + sourced data)', () => {
  it('reproduces the seed worked example: 436 g/kWh × PUE 1.17 ≈ 510 g/kWh, +20.3 % over 424', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const spec = policySpecSchema.parse({ site: { zone: 'KR', pue: 1.17 } });
    const { assessments, summary } = evaluator.evaluate({
      namespace: 'ai-team',
      spec,
      inputs: [
        workload('ml-training-job', [
          ['2026-04-01T03:00:00Z', 0.5],
          ['2026-04-01T04:00:00Z', 0.5],
        ]),
      ],
      window,
      now: new Date(window.end),
    });
    const a = assessments[0]!;
    expect(a.current_carbon_intensity_gCO2eq_kWh).toBeCloseTo(510.1, 1);
    expect(a.gap_percent).toBeCloseTo(20.3, 1);
    expect(a.target_carbon_intensity_gCO2eq_kWh).toBe(424);
    expect(a.status).toBe('NON_COMPLIANT');
    expect(a.carbon_status).toBe('NON_COMPLIANT');
    // KR_CARBON_2050 has no PUE limit: the Korean green data-centre criterion supplies 1.4.
    expect(a.pue_status).toBe('COMPLIANT');
    expect(a.max_pue).toBe(1.4);
    expect(a.pue_source).toBe('configured: policy spec.site.pue');
    expect(a.sources.target).toMatch(/KR_CARBON_2050/);
    expect(a.emissions_gCO2eq).toBeCloseTo(510.12, 2);
    expect(summary.status).toBe('NON_COMPLIANT');
    // 510.12 g over 24 h → ×30 days, shown to 4 significant digits.
    expect(summary.emissions_kgCO2eq_per_30d).toBe(15.3);
  });

  it('applies the PUE criterion: 1.6 against 1.4 is +14.3 % and non-compliant', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const spec = policySpecSchema.parse({
      standard: 'KR_PUE_GREEN_DC',
      site: { zone: 'KR', pue: 1.6 },
      targets: { carbonIntensityGCO2eqPerKWh: 1000 },
    });
    const a = evaluator.evaluate({
      namespace: 'ai-team',
      spec,
      inputs: [workload('web', [['2026-04-01T03:00:00Z', 1]])],
      window,
      now: new Date(window.end),
    }).assessments[0]!;
    expect(a.pue_status).toBe('NON_COMPLIANT');
    expect(((a.pue - a.max_pue!) / a.max_pue!) * 100).toBeCloseTo(14.3, 1);
    expect(a.carbon_status).toBe('COMPLIANT');
    expect(a.status).toBe('NON_COMPLIANT');
  });

  it('never turns an idle 0 W workload into NON_COMPLIANT, even with a failing PUE', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const spec = policySpecSchema.parse({ site: { zone: 'KR', pue: 2.5 } });
    const { assessments, summary } = evaluator.evaluate({
      namespace: 'ai-team',
      spec,
      inputs: [workload('idle', [['2026-04-01T03:00:00Z', 0]], 0), workload('empty', [], 0)],
      window,
      now: new Date(window.end),
    });
    for (const a of assessments) {
      expect(a.status).toBe('INSUFFICIENT_DATA');
      expect(a.current_carbon_intensity_gCO2eq_kWh).toBeNull();
      expect(a.gap_percent).toBeNull();
      expect(Number.isNaN(a.emissions_gCO2eq)).toBe(false);
    }
    expect(summary.status).toBe('INSUFFICIENT_DATA');
    expect(summary.effectiveIntensity_gCO2eq_kWh).toBeNull();
  });

  it('uses the modelled KR profile by default: the same energy at spring midday is cleaner than at night', () => {
    const evaluator = createPolicyEvaluator();
    const spec = policySpecSchema.parse({ site: { zone: 'KR', pue: 1.2 } });
    const run = (hourStart: string) =>
      evaluator.evaluate({
        namespace: 'ns',
        spec,
        inputs: [workload('job', [[hourStart, 1]])],
        window,
        now: new Date(window.end),
      }).assessments[0]!;
    const noonKst = run('2026-04-01T03:00:00Z'); // 12:00 KST
    const nightKst = run('2026-04-01T13:00:00Z'); // 22:00 KST
    expect(noonKst.current_carbon_intensity_gCO2eq_kWh!).toBeLessThan(
      nightKst.current_carbon_intensity_gCO2eq_kWh!,
    );
    expect(noonKst.sources.grid_intensity).toMatch(/modelled/i);
  });

  it('takes a cloud region’s published PUE and zone', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const spec = policySpecSchema.parse({ site: { cloudRegion: 'aws/ap-northeast-2' } });
    const a = evaluator.evaluate({
      namespace: 'ns',
      spec,
      inputs: [workload('api', [['2026-04-01T03:00:00Z', 1]])],
      window,
      now: new Date(window.end),
    }).assessments[0]!;
    expect(a.pue).toBe(1.135);
    expect(a.pue_source).toMatch(/^published: aws\/ap-northeast-2/);
  });

  it('names the field of a policy it cannot evaluate', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const request = (spec: unknown) => ({
      namespace: 'ns',
      spec: policySpecSchema.parse(spec),
      inputs: [],
      window,
      now: new Date(window.end),
    });
    expect(() => evaluator.evaluate(request({ standard: 'NO_SUCH' }))).toThrow(PolicyConfigurationError);
    expect(() => evaluator.evaluate(request({ standard: 'NO_SUCH' }))).toThrow(/spec\.standard/);
    expect(() => evaluator.evaluate(request({ site: { cloudRegion: 'aws/nowhere-1' } }))).toThrow(
      /spec\.site\.cloudRegion/,
    );
    const real = createPolicyEvaluator();
    expect(() => real.evaluate(request({ site: { zone: 'ZZ' } }))).toThrow(/spec\.site\.zone/);
  });
});

describe('policy evaluation: advice, savings and data fallbacks', () => {
  const nightRun: Array<[string, number]> = ['13', '14', '15', '16'].map((h) => [
    `2026-04-01T${h}:00:00Z`,
    0.5,
  ]);

  it('puts sourced advice into the assessment: a Job is moved to the modelled profile’s clean hours', () => {
    const evaluator = createPolicyEvaluator();
    const spec = policySpecSchema.parse({ site: { zone: 'KR', pue: 1.6 }, language: 'en' });
    const input = { ...workload('train', nightRun), kind: 'Job' as const, runLength_hours: 4 };
    const a = evaluator.evaluate({
      namespace: 'ns',
      spec,
      inputs: [input],
      window,
      now: new Date(window.end),
    }).assessments[0]!;
    const types = a.optimizations.map((o) => o.type);
    expect(types).toEqual(expect.arrayContaining(['temporal_shift', 'pue_improvement']));
    const shift = a.optimizations.find((o) => o.type === 'temporal_shift')!;
    // Spring in the KR model: the cleanest 4 h start late morning, not at night.
    expect(shift.schedule!.startLocalHour).toBeGreaterThanOrEqual(9);
    expect(shift.schedule!.startLocalHour).toBeLessThanOrEqual(13);
    // April 2026 is before the 2026-06-01 TOU reform: the 2024-10-24 table's midday is peak (119.7) against
    // the night's off-peak 95.7, so the cleaner window costs more, and the advice says so.
    expect(shift.savings_per_month.KRW).toBeLessThan(0);
    expect(shift.description).toMatch(/energy costs [\d,]+ KRW\/month MORE/);
    expect(a.sources.cost).toMatch(/KEPCO/);
    expect(a.sources.cost).toMatch(/K-ETS/);
    expect(a.combined!.reaches_target).toBe(true);
    expect(a.recommendation).toMatch(/^NON-COMPLIANT/);
  });

  it('turns advice off when the policy says so', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const spec = policySpecSchema.parse({
      site: { zone: 'KR', pue: 1.6 },
      recommendations: { enabled: false },
    });
    const a = evaluator.evaluate({
      namespace: 'ns',
      spec,
      inputs: [workload('web', nightRun)],
      window,
      now: new Date(window.end),
    }).assessments[0]!;
    expect(a.optimizations).toEqual([]);
    expect(a.recommendation).toMatch(/^미준수/);
  });

  it('assesses a non-KR zone in a year its annual dataset does not cover yet (default year, named)', () => {
    const evaluator = createPolicyEvaluator();
    const spec = policySpecSchema.parse({
      site: { zone: 'FR', pue: 1.2 },
      targets: { carbonIntensityGCO2eqPerKWh: 100 },
    });
    const late = { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z', hours: 24 };
    const a = evaluator.evaluate({
      namespace: 'ns',
      spec,
      inputs: [workload('api', nightRun)],
      window: late,
      now: new Date(late.end),
    }).assessments[0]!;
    expect(a.status).not.toBe('INSUFFICIENT_DATA');
    expect(a.sources.grid_intensity).toMatch(/year 20\d\d/);
  });

  it('names an unknown candidate region', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const spec = policySpecSchema.parse({ recommendations: { candidateRegions: ['aws/nowhere-9'] } });
    expect(() =>
      evaluator.evaluate({
        namespace: 'ns',
        spec,
        inputs: [workload('a', nightRun)],
        window,
        now: new Date(window.end),
      }),
    ).toThrow(/spec\.recommendations\.candidateRegions/);
  });
});

describe('policy evaluation: one bad measurement', () => {
  it('reports the workload without a verdict, naming the field, and still assesses the others', () => {
    const evaluator = createPolicyEvaluator({ profileFor: () => flat436 });
    const spec = policySpecSchema.parse({ site: { zone: 'KR', pue: 1.17 } });
    const { assessments, summary } = evaluator.evaluate({
      namespace: 'ns',
      spec,
      inputs: [
        workload('broken', [['2026-04-01T03:00:00Z', Number.NaN]]),
        workload('fine', [['2026-04-01T03:00:00Z', 1]]),
      ],
      window,
      now: new Date(window.end),
    });
    expect(assessments[0]!.status).toBe('INSUFFICIENT_DATA');
    expect(assessments[0]!.sources.data_quality.join(' ')).toMatch(
      /invalid-input: input\.hourly\.0\.energy_kWh/,
    );
    expect(assessments[1]!.status).toBe('NON_COMPLIANT');
    expect(summary.nonCompliant).toBe(1);
    expect(summary.insufficientData).toBe(1);
  });
});

describe('standards that mean what they say', () => {
  const evaluate = (spec: unknown, inputs = [workload('w', [['2026-04-01T03:00:00Z', 1]])]) =>
    createPolicyEvaluator({ profileFor: () => flat436 }).evaluate({
      namespace: 'ns',
      spec: policySpecSchema.parse(spec),
      inputs,
      window,
      now: new Date(window.end),
    });

  it('a PUE standard is assessed on PUE alone: PUE 1.3 passes although 436 × 1.3 = 566.8 is far above 424', () => {
    const { assessments, summary } = evaluate({
      standard: 'KR_PUE_GREEN_DC',
      site: { zone: 'KR', pue: 1.3 },
    });
    const a = assessments[0]!;
    expect(a.status).toBe('COMPLIANT');
    expect(a.pue_status).toBe('COMPLIANT');
    expect(a.carbon_status).toBe('NOT_ASSESSED');
    expect(a.target_carbon_intensity_gCO2eq_kWh).toBeNull();
    expect(a.gap_percent).toBeNull();
    expect(a.current_carbon_intensity_gCO2eq_kWh).toBeCloseTo(566.8, 1); // shown for reference
    expect(a.recommendation).toMatch(/이 표준은 PUE만 평가합니다/);
    // The green data-centre certification points (2012 bands): PUE 1.3 ≤ 1.4 → 90 points.
    expect(a.pue_certification_points).toBe(90);
    expect(a.sources.pue_certification).toMatch(/KR_PUE_GREEN_DC PUE score bands/);
    expect(summary.target_gCO2eq_kWh).toBeNull();
    expect(summary.pueCertificationPoints).toBe(90);
    expect(evaluate({ standard: 'KR_PUE_GREEN_DC', site: { zone: 'KR', pue: 1.75 } }).summary).toMatchObject({
      status: 'NON_COMPLIANT',
      pueCertificationPoints: 50,
    });
  });

  it('a carbon standard in Korea shows the certification points of its PUE too', () => {
    expect(evaluate({ site: { zone: 'KR', pue: 1.55 } }).assessments[0]!.pue_certification_points).toBe(70);
  });

  it('outside Korea a carbon standard has no PUE limit: the PUE criterion is NOT_ASSESSED, not passed', () => {
    const a = evaluate({ site: { zone: 'SE', pue: 2 } }).assessments[0]!;
    expect(a.pue_status).toBe('NOT_ASSESSED');
    expect(a.max_pue).toBeNull();
  });

  it('market-based accounting: declared renewable supply lowers the market figure; spec.accounting picks the verdict basis', () => {
    const supply = [{ instrument: 'recPurchase', share: 0.3 }];
    const location = evaluate({ site: { zone: 'KR', pue: 1.17, renewableSupply: supply } }).assessments[0]!;
    expect(location.accounting.basis).toBe('location');
    expect(location.accounting.location_based_intensity_gCO2eq_kWh).toBeCloseTo(510.1, 1);
    expect(location.accounting.market_based_intensity_gCO2eq_kWh).toBeCloseTo(510.12 * 0.7, 1);
    expect(location.accounting.renewable_coverage_percent).toBe(30);
    expect(location.accounting.source).toMatch(
      /K-RE100 REC purchase.*no residual mix is published for Korea/,
    );
    expect(location.current_carbon_intensity_gCO2eq_kWh).toBeCloseTo(510.1, 1);
    expect(location.status).toBe('NON_COMPLIANT');

    const market = evaluate({
      site: { zone: 'KR', pue: 1.17, renewableSupply: supply },
      accounting: 'market',
    });
    const m = market.assessments[0]!;
    expect(m.current_carbon_intensity_gCO2eq_kWh).toBeCloseTo(357.1, 1);
    expect(m.status).toBe('COMPLIANT');
    expect(m.emissions_gCO2eq).toBeCloseTo(510.12 * 0.7, 2);
    // SCI stays location-based (GSF SCI: market-based measures cannot lower it).
    expect(market.summary.accounting).toEqual({
      basis: 'market',
      locationBasedIntensity_gCO2eq_kWh: 510.1,
      marketBasedIntensity_gCO2eq_kWh: 357.1,
      renewableCoveragePercent: 30,
    });
  });

  it('MWh per year is set against the projected annual facility energy, capped at 100 %', () => {
    // 1 kWh in one hour → 8,760 kWh/yr IT × 1.17 = 10.25 MWh/yr facility; 5 MWh/yr covers 48.8 %.
    const half = evaluate({
      site: { zone: 'KR', pue: 1.17, renewableSupply: [{ instrument: 'directPpa', mWhPerYear: 5 }] },
    }).assessments[0]!;
    expect(half.accounting.renewable_coverage_percent).toBeCloseTo((5000 / (8760 * 1.17)) * 100, 1);
    const all = evaluate({
      site: { zone: 'KR', pue: 1.17, renewableSupply: [{ instrument: 'selfGeneration', mWhPerYear: 50 }] },
    }).assessments[0]!;
    expect(all.accounting.renewable_coverage_percent).toBe(100);
    expect(all.accounting.source).toMatch(/capped at 100 %/);
  });

  it('unknown PUE: a recent sourced average marked assumed, never the 2011-12 2.3', () => {
    const { assessments, summary } = evaluate({ site: { zone: 'KR' } });
    expect(assessments[0]!.pue).toBe(1.56);
    expect(assessments[0]!.pue_source).toMatch(/^assumed: .*Uptime Institute/);
    expect(summary.pueAssumed).toBe(true);
    expect(evaluate({ site: { zone: 'KR', pue: 1.2 } }).summary.pueAssumed).toBe(false);
    expect(evaluate({ site: { cloudRegion: 'aws/ap-northeast-2' } }).summary.pueAssumed).toBe(false);
  });

  it("gives every hour of the window through the verdict's formula: the hours sum to the summary", () => {
    const evaluator = createPolicyEvaluator();
    const spec = policySpecSchema.parse({
      site: { zone: 'KR', pue: 1.3, renewableSupply: [{ instrument: 'recPurchase', share: 0.25 }] },
      accounting: 'market',
    });
    const evaluation = evaluator.evaluate({
      namespace: 'ai-team',
      spec,
      inputs: [
        workload('a', [
          ['2026-04-01T03:00:00Z', 0.5],
          ['2026-04-01T12:00:00Z', 0.25],
        ]),
        workload('b', [['2026-04-01T12:00:00Z', 1]]),
      ],
      window,
      now: new Date(window.end),
    });
    const hours = evaluation.hours!;
    expect(hours).toHaveLength(24);
    expect(hours[12]!.energy_kWh).toBeCloseTo(1.25, 12);
    const sum = (f: (h: (typeof hours)[number]) => number) => hours.reduce((s, h) => s + f(h), 0);
    expect(sum((h) => h.energy_kWh)).toBeCloseTo(evaluation.summary.energy_kWh, 6);
    // Market basis: 25 % covered.
    expect(sum((h) => h.emissions_gCO2eq)).toBeCloseTo(evaluation.summary.emissions_gCO2eq, 3);
    expect(sum((h) => h.locationEmissions_gCO2eq) * 0.75).toBeCloseTo(
      sum((h) => h.emissions_gCO2eq),
      9,
    );
    // Every hour has the grid's intensity, with or without energy.
    expect(hours.every((h) => h.gridIntensity_gCO2eq_kWh > 0)).toBe(true);
  });
});
