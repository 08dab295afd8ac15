import { assessWorkloadCore, finishAssessment } from './assess-workload.js';
import { rankAndCap, summarizeAssessments } from './aggregate-policy.js';
import { resolveTargets } from './targets.js';
import { energyInput, flatProfile, krCarbon2050, krPueGreenDc } from '../../hack/testenv/engine-inputs.js';

const window = { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z', hours: 24 };
const targets = resolveTargets({ standard: krCarbon2050, companions: [krPueGreenDc], year: 2026 });
const pue = { value: 1.17, source: 'configured: policy spec.site.pue' };

function assessed(name: string, kWh: number, intensity: number) {
  const core = assessWorkloadCore(
    energyInput(kWh > 0 ? [['2026-04-01T03:00:00Z', kWh]] : [], { workload: name }),
    {
      site: { zone: 'KR', pue },
      profile: flatProfile(intensity),
      standardCode: 'KR_CARBON_2050',
      targets,
      window,
      language: 'en',
    },
  );
  return finishAssessment(core, [], '');
}

describe('summarizeAssessments', () => {
  it('sums energy and emissions and takes the policy intensity as Σ emissions / Σ energy', () => {
    const list = [assessed('a', 1, 300), assessed('b', 3, 436), assessed('idle', 0, 436)];
    const s = summarizeAssessments(list, { target_gCO2eq_kWh: 424, pue, windowHours: 24 });
    expect(s.workloads).toBe(3);
    expect(s.compliant).toBe(1);
    expect(s.nonCompliant).toBe(1);
    expect(s.insufficientData).toBe(1);
    expect(s.status).toBe('NON_COMPLIANT');
    expect(s.energy_kWh).toBe(4);
    expect(s.effectiveIntensity_gCO2eq_kWh).toBeCloseTo(((300 + 3 * 436) * 1.17) / 4, 1);
    expect(s.emissions_kgCO2eq_per_30d).toBeCloseTo(((300 + 3 * 436) * 1.17 * 30) / 1000, 2);
    expect(s.pueSource).toBe(pue.source);
  });

  it('an empty or all-idle policy has no verdict', () => {
    const s = summarizeAssessments([], { target_gCO2eq_kWh: 424, pue, windowHours: 24 });
    expect(s.status).toBe('INSUFFICIENT_DATA');
    expect(s.effectiveIntensity_gCO2eq_kWh).toBeNull();
  });
});

describe('rankAndCap', () => {
  it('lists non-compliant first, then by emissions, and counts what it leaves out', () => {
    const list = [
      assessed('small-ok', 1, 300),
      assessed('idle', 0, 436),
      assessed('big-ok', 10, 300),
      assessed('bad', 1, 500),
    ];
    const { kept, omitted } = rankAndCap(list, 3);
    expect(kept.map((a) => a.workload)).toEqual(['bad', 'big-ok', 'small-ok']);
    expect(omitted).toBe(1);
    expect(rankAndCap(list, 10).omitted).toBe(0);
  });
});
