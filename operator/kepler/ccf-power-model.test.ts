// The CCF fallback model: coefficients chosen by instance type → provider → assumed average, the
// formula, and the hourly split. Expected values are computed by hand from the coefficients file.
import { readDataFile } from '../reference-data/data-files.js';
import {
  coefficientsForNode,
  estimatedHours,
  estimatePodWatts,
  estimateSourceLabel,
  loadCcfCoefficients,
  providerOf,
  requestsBasis,
} from './ccf-power-model.js';

const table = loadCcfCoefficients();

describe('CCF coefficients file', () => {
  test('every microarchitecture carries min < max watts per vCPU and a source', () => {
    for (const [key, entry] of Object.entries(table.cpuWattsByMicroarchitecture)) {
      expect(entry.maxWattsPerVcpu).toBeGreaterThan(entry.minWattsPerVcpu);
      expect(entry.source).toMatch(/cloud-carbon-footprint@b7a049c/);
      expect(key).toMatch(/^[a-z0-9-]+$/);
    }
    expect(table.cpuWattsByMicroarchitecture.skylake).toMatchObject({
      minWattsPerVcpu: 0.65,
      maxWattsPerVcpu: 4.26,
    });
  });

  test('a family naming an unknown microarchitecture is rejected with the field named', () => {
    const doc = JSON.parse(readDataFile('ccf-coefficients.json')) as {
      awsInstanceFamilies: { families: Record<string, { microarchitectures: string[] }> };
    };
    doc.awsInstanceFamilies.families.m5!.microarchitectures = ['sapphire-rapids'];
    expect(() => loadCcfCoefficients(JSON.stringify(doc))).toThrow(
      'operator/data/ccf-coefficients.json: awsInstanceFamilies.families.m5: microarchitecture "sapphire-rapids" is not in cpuWattsByMicroarchitecture',
    );
  });

  test('a bad number names its field', () => {
    const doc = JSON.parse(readDataFile('ccf-coefficients.json')) as {
      defaultCpuUtilisation: { value: number };
    };
    doc.defaultCpuUtilisation.value = 1.5;
    expect(() => loadCcfCoefficients(JSON.stringify(doc))).toThrow(
      /ccf-coefficients\.json: defaultCpuUtilisation\.value/,
    );
  });
});

describe('coefficientsForNode', () => {
  test('AWS instance type → its microarchitecture', () => {
    const c = coefficientsForNode(
      { instanceType: 'm5.large', providerID: 'aws:///ap-northeast-2a/i-0abc' },
      table,
    );
    expect(c).toMatchObject({ minWattsPerVcpu: 0.65, maxWattsPerVcpu: 4.26, assumed: false });
    expect(c.basis).toBe('instance type m5.large → Skylake');
    expect(c.source).toMatch(/AWSInstanceTypes\.ts/);
  });

  test('a family of two microarchitectures averages them; a size listed apart uses its own', () => {
    const mixed = coefficientsForNode({ instanceType: 'c5.xlarge' }, table);
    expect(mixed.minWattsPerVcpu).toBeCloseTo((0.64 + 0.65) / 2, 12);
    expect(mixed.maxWattsPerVcpu).toBeCloseTo((3.97 + 4.26) / 2, 12);
    expect(mixed.basis).toBe('instance type c5.xlarge → Cascade Lake + Skylake (average)');
    const big = coefficientsForNode({ instanceType: 'c5.24xlarge' }, table);
    expect(big).toMatchObject({ minWattsPerVcpu: 0.64, maxWattsPerVcpu: 3.97 });
  });

  test('unknown instance type on a known cloud → that provider average', () => {
    const c = coefficientsForNode(
      { instanceType: 'n2-standard-4', providerID: 'gce://p/asia-northeast3-a/n' },
      table,
    );
    expect(c).toMatchObject({ minWattsPerVcpu: 0.68, maxWattsPerVcpu: 4.11, assumed: false });
    expect(c.basis).toMatch(
      /^cloud provider gcp \(median .*\); instance type n2-standard-4 is not in the CCF table$/,
    );
    expect(coefficientsForNode({ providerID: 'azure:///subscriptions/x/vm' }, table)).toMatchObject({
      minWattsPerVcpu: 0.74,
      maxWattsPerVcpu: 3.54,
    });
  });

  test('nothing known → the assumed average, labelled assumed', () => {
    const c = coefficientsForNode({}, table);
    expect(c).toMatchObject({ minWattsPerVcpu: 0.74, maxWattsPerVcpu: 3.5, assumed: true });
    expect(c.basis).toMatch(/^assumed: aws average .*no instance-type label and no cloud providerID$/);
    expect(coefficientsForNode(undefined, table).assumed).toBe(true);
    expect(
      coefficientsForNode({ instanceType: 'weird.type', providerID: 'kind://docker/x' }, table).basis,
    ).toMatch(/instance type weird\.type, not in the CCF table, and no cloud providerID/);
  });

  test('providerOf reads the cloud-controller-manager scheme', () => {
    expect(providerOf('aws:///us-east-1a/i-1')).toBe('aws');
    expect(providerOf('gce://project/zone/name')).toBe('gcp');
    expect(providerOf('azure:///subscriptions/s')).toBe('azure');
    expect(providerOf('kwok://node')).toBeUndefined();
    expect(providerOf(undefined)).toBeUndefined();
  });
});

describe('estimatePodWatts and estimatedHours', () => {
  test('W = vCPUs × (min + u × (max − min)) with the requests basis at CCF default utilisation', () => {
    const cpu = requestsBasis(2, table);
    expect(cpu).toMatchObject({ vcpus: 2, utilisation: 0.5 });
    expect(cpu.basis).toMatch(/^CPU requests 2 cores × assumed utilisation 50 % \(CCF default/);
    const skylake = coefficientsForNode({ instanceType: 'm5.large' }, table);
    // 2 × (0.65 + 0.5 × (4.26 − 0.65)) = 2 × 2.455 = 4.91 W
    expect(estimatePodWatts(cpu, skylake)).toBeCloseTo(4.91, 12);
    expect(estimatePodWatts({ vcpus: 1, utilisation: 0, basis: 'idle' }, skylake)).toBeCloseTo(0.65, 12);
    expect(estimatePodWatts({ vcpus: 1, utilisation: 1, basis: 'busy' }, skylake)).toBeCloseTo(4.26, 12);
    expect(() => estimatePodWatts({ vcpus: 1, utilisation: 2, basis: 'x' }, skylake)).toThrow(RangeError);
  });

  test('spreads constant watts over UTC hours, every kWh marked estimated', () => {
    const from = Date.UTC(2026, 2, 1, 9, 30);
    const to = Date.UTC(2026, 2, 1, 11, 0);
    // 4 W × 1.5 h = 6 Wh: 2 Wh in hour 09, 4 Wh in hour 10.
    const hours = estimatedHours(4, from, to);
    expect(hours.map((h) => h.hourStart)).toEqual(['2026-03-01T09:00:00Z', '2026-03-01T10:00:00Z']);
    expect(hours[0]!.energy_kWh).toBeCloseTo(0.002, 12);
    expect(hours[1]!.energy_kWh).toBeCloseTo(0.004, 12);
    for (const h of hours) expect(h.estimated_kWh).toBe(h.energy_kWh);
    expect(estimatedHours(0, from, to)).toEqual([]);
    expect(estimatedHours(4, to, from)).toEqual([]);
  });

  test('the label says estimated: CCF and cites the methodology', () => {
    expect(estimateSourceLabel(table)).toMatch(/^estimated: CCF \(Cloud Carbon Footprint .*Methodology\.md/);
  });
});
