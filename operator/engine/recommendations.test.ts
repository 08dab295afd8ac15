import { assessWorkload } from './assess.js';
import { assessWorkloadCore } from './assess-workload.js';
import { compareRegions } from './regional-migration.js';
import { cpuQuantity, memoryQuantity, rightSizingPlan } from './right-sizing.js';
import { monthlyBasis, monthlySavings } from './savings.js';
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
const now = new Date(window.end);
const targets = resolveTargets({ standard: krCarbon2050, companions: [krPueGreenDc], year: 2026 });
// 100 KRW/kWh from 08:00 to 21:59 local, 50 otherwise.
const tariff: Tariff = {
  currency: 'KRW',
  rate_KRW_per_kWh: (hour) => (hour >= 8 && hour < 22 ? 100 : 50),
  source: 'test tariff',
};
const prices = {
  kets_KRW_per_tCO2eq: { value: 10_000, source: 'test K-ETS' },
  krwPerUsd: { value: 1_400, source: 'test FX' },
};

// Ran 22:00–02:00 KST (13:00–16:00Z), 0.5 kWh an hour.
const nightJob = (overrides: Partial<WorkloadEnergyInput> = {}) =>
  energyInput(
    ['13', '14', '15', '16'].map((h) => [`2026-04-01T${h}:00:00Z`, 0.5] as [string, number]),
    { runLength_hours: 4, ...overrides },
  );

function assess(input: WorkloadEnergyInput, pue = 1.17, extra: Record<string, unknown> = {}) {
  return assessWorkload(input, {
    site: { zone: 'KR', pue: { value: pue, source: 'configured: policy spec.site.pue' } },
    profile: rampProfile,
    standardCode: 'KR_CARBON_2050',
    targets,
    window,
    language: 'en',
    now,
    tariff,
    prices,
    ...extra,
  });
}

describe('recommendations from the data', () => {
  it('temporal shift: the run moves to the cleanest 4-hour window, with a CronJob schedule in KST', () => {
    const a = assess(nightJob({ kind: 'CronJob', cronSchedule: '0 22 * * *' }));
    const shift = a.optimizations.find((o) => o.type === 'temporal_shift')!;
    // Ramp 300 + 10·h: current hours 22, 23, 0, 1 → (520+530+300+310)/4 = 415; best 00–03 → 315.
    expect(a.grid_intensity_gCO2eq_kWh).toBe(415);
    expect(shift.schedule).toEqual({
      startLocalHour: 0,
      durationHours: 4,
      cron: '0 0 * * *',
      timeZone: 'Asia/Seoul',
      windowIntensity_gCO2eq_kWh: 315,
    });
    expect(shift.estimated_reduction_percent).toBeCloseTo((1 - 315 / 415) * 100, 1);
    // Same energy, less carbon: kWh unchanged, kg saved = monthly emissions × reduction.
    expect(shift.savings_per_month.kWh).toBe(0);
    const monthlyKg = (2 * 415 * 1.17 * 30) / 1000;
    expect(shift.savings_per_month.kgCO2eq).toBeCloseTo(monthlyKg * (1 - 315 / 415), 2);
    // Energy cost: hours 22,23 at 50 and 0,1 at 50 → mean 50 now; window 0–3 → 50: only the carbon price.
    expect(shift.savings_per_month.KRW).toBe(Math.round((shift.savings_per_month.kgCO2eq / 1000) * 10_000));
    expect(shift.description).toMatch(/00:00 Asia\/Seoul/);
  });

  it('a continuous Deployment gets no temporal shift', () => {
    const a = assess(nightJob({ kind: 'Deployment', runLength_hours: undefined }));
    expect(a.optimizations.map((o) => o.type)).not.toContain('temporal_shift');
  });

  it('right-sizing: p95 + 20 % headroom, a strategic-merge patch, capacity freed and zero savings with the reason', () => {
    const input = nightJob({
      kind: 'Deployment',
      runLength_hours: undefined,
      pods: 2,
      usage: {
        cpuRequest_cores: 4,
        cpuP95_cores: 1,
        memoryRequest_bytes: 8 * 2 ** 30,
        memoryP95_bytes: 2 * 2 ** 30,
        containerNames: ['api'],
      },
    });
    const plan = rightSizingPlan(input)!;
    expect(plan.perPod.cpu_cores).toEqual({ from: 2, to: 0.6 });
    expect(plan.cpuFreedShare).toBeCloseTo(0.7, 9);
    const a = assess(input);
    const rs = a.optimizations.find((o) => o.type === 'right_sizing')!;
    expect(rs.reduces).toBe('energy');
    // Lower requests do not change the energy Kepler attributes to the pods: capacity freed, no savings.
    expect(rs.estimated_reduction_percent).toBe(0);
    expect(rs.capacity_freed).toEqual({ cpu_cores: 2.8, memory_GiB: expect.closeTo(5.6, 2) });
    expect(rs.resourcesPatch).toEqual({
      spec: {
        template: {
          spec: { containers: [{ name: 'api', resources: { requests: { cpu: '600m', memory: '1229Mi' } } }] },
        },
      },
    });
    // The same change as ready-to-commit YAML (the status and the MCP tools carry it).
    expect(rs.patch).toMatch(/^# Deployment \S+\/\S+: requests from p95 usage plus headroom\n/);
    expect(rs.patch).toContain(
      'spec:\n  template:\n    spec:\n      containers:\n        - name: api\n          resources:\n            requests:\n              cpu: 600m\n              memory: 1229Mi\n',
    );
    expect(rs.savings_per_month).toEqual({ kgCO2eq: 0, kWh: 0, KRW: 0, USD: 0 });
    expect(rs.source).toMatch(/savings 0: lowering requests does not change the workload energy/);
    expect(rs.description).toMatch(/frees 2\.8 CPU cores and 5\.6 GiB/);
    // Right-sizing does not change the intensity per kWh.
    expect(a.combined!.intensity_reduction_percent).toBe(0);
    expect(a.combined!.projected_intensity_gCO2eq_kWh).toBe(a.current_carbon_intensity_gCO2eq_kWh);
  });

  it('no usage data, or requests that already fit, give no right-sizing', () => {
    expect(rightSizingPlan(nightJob())).toBeNull();
    expect(rightSizingPlan(nightJob({ usage: { cpuRequest_cores: 1 } }))).toBeNull();
    expect(rightSizingPlan(nightJob({ usage: { cpuRequest_cores: 1, cpuP95_cores: 0.9 } }))).toBeNull();
    expect(cpuQuantity(1)).toBe('1');
    expect(cpuQuantity(0.25)).toBe('250m');
    expect(memoryQuantity(512 * 1024 * 1024)).toBe('512Mi');
  });

  it("the usage figures and their source are in every assessment; without p95 the reason is the caller's", () => {
    const measured = assess(
      nightJob({
        usage: {
          cpuRequest_cores: 2,
          cpuP95_cores: 0.5,
          memoryRequest_bytes: 2 ** 30,
          samples: 42,
          source: 'measured: test',
        },
      }),
    );
    expect(measured.usage).toEqual({
      assessed: true,
      cpuRequest_cores: 2,
      cpuP95_cores: 0.5,
      memoryRequest_bytes: 2 ** 30,
      memoryP95_bytes: null,
      samples: 42,
    });
    expect(measured.sources.usage).toBe('measured: test; 42 samples per pod at least');
    const unavailable = assess(
      nightJob({ usage: { cpuRequest_cores: 2 }, usageUnavailable: 'only 3 samples' }),
    );
    expect(unavailable.usage).toMatchObject({
      assessed: false,
      reason: 'only 3 samples',
      cpuP95_cores: null,
    });
    expect(unavailable.sources.usage).toBe('not assessed: only 3 samples');
    expect(unavailable.optimizations.map((o) => o.type)).not.toContain('right_sizing');
    // Nobody said why: the text says that no usage source gave a p95, never a zero.
    expect(assess(nightJob()).sources.usage).toBe(
      'not assessed: no usage source gave a p95 of CPU or memory for this workload',
    );
  });

  it('regional migration: annual intensity × PUE, cleanest first, with the PIPA caveat abroad', () => {
    const rows = compareRegions({
      currentIntensity_gCO2eq_kWh: 510.12,
      currentZone: 'KR',
      language: 'ko',
      candidates: [
        {
          region: 'aws/ap-northeast-2',
          zone: 'KR',
          intensity: { value: 417.3, source: 'gir' },
          pue: { value: 1.135, source: 'ccf' },
        },
        {
          region: 'gcp/europe-north1',
          zone: 'FI',
          intensity: { value: 100, source: 'em' },
          pue: { value: 1.09, source: 'gcp' },
        },
      ],
    });
    expect(rows[0]!.region).toBe('gcp/europe-north1');
    expect(rows[0]!.effective_gCO2eq_kWh).toBeCloseTo(109, 9);
    expect(rows[0]!.caveat).toMatch(/개인정보 보호법 제28조의8/);
    expect(rows[1]!.reduction_percent).toBeCloseTo((1 - (417.3 * 1.135) / 510.12) * 100, 9);
    expect(rows[1]!.sameCountry).toBe(true);
  });

  it('PUE improvement when the PUE criterion fails; migration counted from the improved PUE', () => {
    const a = assess(nightJob(), 1.6, {
      candidateRegions: [
        {
          region: 'aws/ap-northeast-2',
          zone: 'KR',
          intensity: { value: 300, source: 'x' },
          pue: { value: 1.1, source: 'y' },
        },
      ],
    });
    const pue = a.optimizations.find((o) => o.type === 'pue_improvement')!;
    expect(pue.estimated_reduction_percent).toBe(12.5);
    expect(pue.savings_per_month.kWh).toBeCloseTo(2 * 30 * 0.2, 6);
    const move = a.optimizations.find((o) => o.type === 'regional_migration')!;
    // From 415 × 1.4 (the improved site) to 300 × 1.1.
    expect(move.estimated_reduction_percent).toBeCloseTo((1 - 330 / (415 * 1.4)) * 100, 1);
    // Together they reach exactly the new region's intensity.
    const withShift = a.combined!;
    const shift = a.optimizations.find((o) => o.type === 'temporal_shift')!;
    expect(withShift.projected_intensity_gCO2eq_kWh).toBeCloseTo(
      330 * (1 - shift.estimated_reduction_percent / 100),
      0,
    );
  });

  it('no PUE advice while PUE passes; no advice at all without energy', () => {
    expect(assess(nightJob()).optimizations.map((o) => o.type)).not.toContain('pue_improvement');
    const idle = assess(energyInput([]));
    expect(idle.optimizations).toEqual([]);
    expect(idle.recommendation).toMatch(/INSUFFICIENT_DATA/);
  });

  it('the recommendation sentence is computed from the numbers, in ko and en', () => {
    const en = assess(nightJob());
    expect(en.recommendation).toMatch(
      /^NON-COMPLIANT: effective carbon intensity 485\.6 gCO2eq\/kWh, \+14\.5 %/,
    );
    const ko = assessWorkload(nightJob(), {
      site: { zone: 'KR', pue: { value: 1.17, source: 'configured' } },
      profile: rampProfile,
      standardCode: 'KR_CARBON_2050',
      targets,
      window,
      language: 'ko',
      now,
    });
    expect(ko.recommendation).toMatch(/^미준수: 실효 탄소 집약도 485\.6 gCO2eq\/kWh/);
    expect(ko.optimizations[0]!.description).toMatch(/Asia\/Seoul 00:00부터 4시간/);
    // Without a tariff or prices, the money figures are 0 and say why.
    expect(ko.optimizations[0]!.savings_per_month.KRW).toBe(0);
    expect(ko.optimizations[0]!.cost_basis).toMatch(/no energy cost|no carbon price/);
  });

  it('advice off: verdict only', () => {
    const a = assess(nightJob(), 1.17, { recommendations: false });
    expect(a.optimizations).toEqual([]);
    expect(a.combined).toBeNull();
    expect(a.recommendation).toMatch(/^NON-COMPLIANT/);
  });
});

describe('monthly savings', () => {
  it('values avoided kWh at the tariff of the hours it ran and avoided CO2 at the K-ETS price', () => {
    const core = assessWorkloadCore(energyInput([['2026-04-01T03:00:00Z', 1]]), {
      site: { zone: 'KR', pue: { value: 1.5, source: 'c' } },
      profile: flatProfile(400),
      standardCode: 'KR_CARBON_2050',
      targets,
      window,
      language: 'en',
    });
    const basis = monthlyBasis({
      core,
      input: energyInput([['2026-04-01T03:00:00Z', 1]]),
      tariff,
      timeZone: 'Asia/Seoul',
      now,
    });
    expect(basis.itEnergy_kWh).toBe(30);
    expect(basis.facilityEnergy_kWh).toBe(45);
    expect(basis.emissions_kgCO2eq).toBeCloseTo(18, 9);
    expect(basis.rate_KRW_per_kWh).toBe(100); // 12:00 KST
    const { savings } = monthlySavings(
      { emissionsFraction: 0.5, facilityEnergySaved_kWh: 10, energyCostSaved_KRW: 1000 },
      basis,
      prices,
    );
    expect(savings).toEqual({ kgCO2eq: 9, kWh: 10, KRW: 1090, USD: 0.78 });
  });
});

describe('tariff seasons', () => {
  it('prices hours in the tariff’s own season when it has one (KEPCO: November is winter)', () => {
    const seasonal: Tariff = {
      currency: 'KRW',
      rate_KRW_per_kWh: (_hour, season) => (season === 'winter' ? 200 : 100),
      seasonOfMonth: (month) => (month === 11 || month <= 2 || month === 12 ? 'winter' : 'other'),
      source: 'test seasonal tariff',
    };
    const input = energyInput([['2026-11-10T03:00:00Z', 1]]);
    const core = assessWorkloadCore(input, {
      site: { zone: 'KR', pue: { value: 1, source: 'c' } },
      profile: flatProfile(400),
      standardCode: 'KR_CARBON_2050',
      targets,
      window,
      language: 'en',
    });
    const basis = monthlyBasis({
      core,
      input,
      tariff: seasonal,
      timeZone: 'Asia/Seoul',
      now: new Date('2026-11-11T00:00:00Z'),
    });
    expect(basis.rate_KRW_per_kWh).toBe(200);
    expect(basis.season).toBe('winter');
    const { seasonOfMonth: _omit, ...plain } = seasonal;
    // Without it, November is meteorological autumn.
    expect(monthlyBasis({ core, input, tariff: plain, timeZone: 'Asia/Seoul', now }).rate_KRW_per_kWh).toBe(
      100,
    );
  });
});

describe('measures not proposed say why', () => {
  it('a continuous Deployment is told why it gets no temporal shift, in its language', () => {
    const input = nightJob({ kind: 'Deployment', runLength_hours: undefined });
    expect(assess(input).recommendation).toMatch(/continuously running workload .* not batch-like/);
    expect(assess(input, 1.17, { language: 'ko' }).recommendation).toMatch(/상시 실행 워크로드/);
    // A batch job that is shifted gets no such sentence.
    expect(assess(nightJob()).recommendation).not.toMatch(/continuously/);
  });
});
