import { samplePolicies } from '../../../hack/testenv/sample-policies.js';
import {
  fromStoredPolicy,
  fromStoredStatus,
  renamedFields,
  storedFieldName,
  toStoredStatus,
} from './field-names.js';

/** Every key at any depth, except inside a patch (keyed by the workload's own names). */
function keys(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) keys(item, out);
  else if (typeof value === 'object' && value !== null)
    for (const [key, field] of Object.entries(value)) {
      out.push(key);
      if (key !== 'resourcesPatch' && key !== 'patch') keys(field, out);
    }
  return out;
}

describe('stored status field names', () => {
  it('reads a unit after a numerator unit as "per" and camel-cases the rest', () => {
    expect(storedFieldName('effectiveIntensity_gCO2eq_kWh')).toBe('effectiveIntensityGCO2eqPerKWh');
    expect(storedFieldName('emissions_kgCO2eq_per_30d')).toBe('emissionsKgCO2eqPer30d');
    expect(storedFieldName('sci_gCO2eq_per_workload_hour')).toBe('sciGCO2eqPerWorkloadHour');
    expect(storedFieldName('grid_hours_by_source')).toBe('gridHoursBySource');
    expect(storedFieldName('memory_GiB')).toBe('memoryGiB');
    expect(storedFieldName('KRW')).toBe('krw');
  });

  it('gives every part of status lowerCamelCase names, none twice', () => {
    for (const [part, table] of Object.entries(renamedFields())) {
      const stored = [...table.values()];
      for (const name of stored) expect(`${part}: ${name}`).toMatch(/^\w+: [a-z][A-Za-z0-9]*$/);
      expect(new Set(stored).size).toBe(stored.length);
    }
  });

  it('stores a full status with no snake_case key and reads it back unchanged', () => {
    const policies = samplePolicies();
    expect(keys(policies.map((p) => toStoredStatus(p.status!)))).toContain('savingsPerMonth');
    for (const policy of policies) {
      const status = policy.status!;
      const stored = toStoredStatus(status);
      const snake = keys(stored).filter((key) => key.includes('_') || key === 'KRW' || key === 'USD');
      expect(snake).toEqual([]);
      expect(keys(stored.summary)).toContain('effectiveIntensityGCO2eqPerKWh');
      expect(fromStoredStatus(JSON.parse(JSON.stringify(stored)))).toEqual(status);
    }
  });

  it('leaves a status already under engine names as it is, and a policy without status alone', () => {
    const [policy] = samplePolicies();
    expect(fromStoredStatus(policy!.status)).toEqual(policy!.status);
    const bare: { metadata: { name: string }; status?: unknown } = { metadata: { name: 'p' } };
    expect(fromStoredPolicy(bare)).toBe(bare);
  });

  it('copies a resources patch verbatim (its keys are container names)', () => {
    const status = {
      workloads: [
        { optimizations: [{ resourcesPatch: { energy_kWh: { cpu: '1' } }, savings_per_month: { KRW: 1 } }] },
      ],
    };
    const stored = toStoredStatus(status as never) as { workloads: Array<{ optimizations: unknown[] }> };
    expect(stored.workloads[0]!.optimizations[0]).toEqual({
      resourcesPatch: { energy_kWh: { cpu: '1' } },
      savingsPerMonth: { krw: 1 },
    });
  });
});
