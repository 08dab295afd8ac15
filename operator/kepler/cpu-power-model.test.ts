import { readFileSync } from 'node:fs';
import {
  cpuModelHourly,
  estimateCpuModelEnergy,
  loadCcfCoefficients,
  microarchitectureKey,
} from './cpu-power-model.js';

describe('CCF cpu-model fallback', () => {
  test('every coefficient in the data file has a source', () => {
    const raw = JSON.parse(readFileSync(new URL('../data/ccf-coefficients.json', import.meta.url), 'utf8'));
    const t = loadCcfCoefficients(JSON.stringify(raw));
    for (const e of Object.values(t.cpuWattsByMicroarchitecture))
      expect(e.source).toMatch(/cloud-carbon-footprint/);
    expect(t.memory_kWh_per_GB_hour.value).toBe(0.000392);
    expect(() =>
      loadCcfCoefficients(JSON.stringify({ ...raw, memory_kWh_per_GB_hour: { value: 1 } })),
    ).toThrow(/memory_kWh_per_GB_hour\.source/);
  });

  test('Broadwell, 4 vCPU at 25 % for 10 h, 16 GB', () => {
    // W/vCPU = 0.71 + 0.25 × (3.69 − 0.71) = 1.455; × 4 vCPU = 5.82 W; × 10 h = 0.0582 kWh.
    // Memory: 16 GB × 10 h × 0.000392 = 0.06272 kWh.
    const e = estimateCpuModelEnergy({
      vcpus: 4,
      cpuUtilization: 0.25,
      memoryGB: 16,
      microarchitecture: 'Broadwell',
      hours: 10,
    });
    expect(e.cpuPower_watts).toBeCloseTo(5.82, 12);
    expect(e.cpuEnergy_kWh).toBeCloseTo(0.0582, 12);
    expect(e.memoryEnergy_kWh).toBeCloseTo(0.06272, 12);
    expect(e.energy_kWh).toBeCloseTo(0.12092, 12);
    expect(e.power_watts).toBeCloseTo(5.82 + 6.272, 12);
    expect(e.source).toBe('estimated: cpu-model (Cloud Carbon Footprint coefficients, Broadwell)');
  });

  test('unknown microarchitecture: provider fallback and the CCF default utilisation, both stated', () => {
    // AWS average 0.74–3.5 W at 50 %: 0.74 + 0.5 × 2.76 = 2.12 W/vCPU; × 2 vCPU × 24 h = 0.10176 kWh.
    const e = estimateCpuModelEnergy({ vcpus: 2, hours: 24 });
    expect(e.energy_kWh).toBeCloseTo(0.10176, 12);
    expect(e.assumptions.join('\n')).toMatch(/unknown: aws fallback/);
    expect(e.assumptions.join('\n')).toMatch(/CPU utilisation 50 %/);
    // GCP median 0.68–4.11 at 100 %: 4.11 W per vCPU.
    expect(
      estimateCpuModelEnergy({
        vcpus: 1,
        cpuUtilization: 1,
        provider: 'gcp',
        microarchitecture: 'Ice Lake',
        hours: 1,
      }).cpuPower_watts,
    ).toBe(4.11);
  });

  test('names as Kepler and nodes report them map to table keys', () => {
    expect(microarchitectureKey('Broadwell')).toBe('broadwell');
    expect(microarchitectureKey('cascadelake')).toBe('cascade-lake');
    expect(microarchitectureKey('AMD EPYC 2nd gen')).toBe('epyc-2nd-gen');
    expect(microarchitectureKey('Ice Lake')).toBeUndefined();
  });

  test('hourly split: 2 vCPU EPYC 2nd gen at 40 % from 09:30 to 11:00 UTC', () => {
    // 0.47 + 0.4 × 1.22 = 0.958 W/vCPU → 1.916 W; 1.5 h → 2.874 Wh = 0.002874 kWh, 1/3 then 2/3.
    const { hourly, estimate } = cpuModelHourly(
      { vcpus: 2, cpuUtilization: 0.4, microarchitecture: 'epyc-2nd-gen' },
      Date.UTC(2026, 2, 1, 9, 30),
      Date.UTC(2026, 2, 1, 11),
    );
    expect(estimate.energy_kWh).toBeCloseTo(0.002874, 12);
    expect(hourly.map((h) => h.hourStart)).toEqual(['2026-03-01T09:00:00Z', '2026-03-01T10:00:00Z']);
    expect(hourly[0]!.energy_kWh).toBeCloseTo(0.000958, 12);
    expect(hourly[1]!.energy_kWh).toBeCloseTo(0.001916, 12);
  });
});
