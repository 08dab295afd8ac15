import { readFileSync } from 'node:fs';
import { dataFilePath } from '../reference-data/data-files.js';
import { assessWorkload } from './assess.js';
import {
  embodiedEmissions_gCO2eq,
  lifespanHours,
  parseEmbodiedCoefficients,
  serverEmbodied_kgCO2eq,
  softwareCarbonIntensity,
} from './sci.js';
import { resolveTargets } from './targets.js';
import { energyInput, flatProfile, krCarbon2050 } from '../../hack/testenv/engine-inputs.js';

const coefficients = parseEmbodiedCoefficients(
  JSON.parse(readFileSync(dataFilePath('embodied-emissions.json'), 'utf8')),
);

describe('SCI (GSF v1.1.0 / ISO/IEC 21031:2024)', () => {
  it('reproduces the specification’s worked example: 1,000 kg over 4 years, 1 hour → ≈ 28 g', () => {
    const m = embodiedEmissions_gCO2eq({
      coefficients,
      server: { vcpus: 1 },
      hoursReserved: 1,
      vcpusReserved: 1,
    });
    expect(lifespanHours(coefficients)).toBe(35_040);
    expect(m).toBeCloseTo(1_000_000 / 35_040, 6); // 28.5 g; the spec writes ≈ 28
  });

  it('sizes TE by the server (CCF: extra CPUs, DRAM above 16 GB, GPUs) and shares it by vCPUs reserved', () => {
    const te = serverEmbodied_kgCO2eq(coefficients, { vcpus: 48, memory_GB: 192, cpus: 2, gpus: 1 });
    expect(te.value).toBeCloseTo(1000 + 100 + (192 - 16) * 1.388 + 150, 6);
    expect(te.source).toMatch(/CCF/);
    const m = embodiedEmissions_gCO2eq({
      coefficients,
      server: { vcpus: 48, memory_GB: 192, cpus: 2 },
      hoursReserved: 10,
      vcpusReserved: 4,
    });
    expect(m).toBeCloseTo((1000 + 100 + 176 * 1.388) * 1000 * (10 / 35_040) * (4 / 48), 6);
  });

  it('SCI = (O + M) / R, and null without a functional unit', () => {
    expect(
      softwareCarbonIntensity({ operational_gCO2eq: 100, embodied_gCO2eq: 20, functionalUnits: 4 }),
    ).toBe(30);
    expect(
      softwareCarbonIntensity({ operational_gCO2eq: 100, embodied_gCO2eq: 20, functionalUnits: 0 }),
    ).toBeNull();
  });

  it('fills sci_gCO2eq_per_workload_hour with its source; the stated default server when the node is unknown', () => {
    const input = energyInput(
      [
        ['2026-04-01T03:00:00Z', 1],
        ['2026-04-01T04:00:00Z', 1],
      ],
      { usage: { cpuRequest_cores: 2 } },
    );
    const ctx = {
      site: { zone: 'KR', pue: { value: 1.17, source: 'c' } },
      profile: flatProfile(436),
      standardCode: 'KR_CARBON_2050',
      targets: resolveTargets({ standard: krCarbon2050, year: 2026 }),
      window: { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z', hours: 24 },
      language: 'en' as const,
      now: new Date('2026-04-02T00:00:00Z'),
    };
    expect(assessWorkload(input, ctx).sci_gCO2eq_per_workload_hour).toBeNull();
    // No CPU request known: no M, no SCI (not a made-up share).
    expect(
      assessWorkload({ ...input, usage: {} }, { ...ctx, embodied: { coefficients } })
        .sci_gCO2eq_per_workload_hour,
    ).toBeNull();
    const known = assessWorkload(input, {
      ...ctx,
      embodied: { coefficients, server: { vcpus: 16, cpus: 1 } },
    });
    const m = 1000 * 1000 * (2 / 35_040) * (2 / 16);
    expect(known.sci_gCO2eq_per_workload_hour).toBeCloseTo((2 * 436 * 1.17 + m) / 2, 1);
    const assumed = assessWorkload(input, { ...ctx, embodied: { coefficients } });
    expect(assumed.sources.sci).toMatch(/assumption/);
    expect(assumed.sci_gCO2eq_per_workload_hour).toBeGreaterThan(436 * 1.17);
  });

  it('rejects a data file with a missing coefficient, naming it', () => {
    expect(() => parseEmbodiedCoefficients({ server: {} })).toThrow(/server\.baseManufacturing_kgCO2eq/);
  });
});
