import { nodeExposition } from './simulated-kepler.js';
import type { DemoPod } from './demo-workloads.js';

const pods: DemoPod[] = [
  {
    namespace: 'ai-team',
    name: 'ml-training-job-abcde',
    uid: '0b9f3c1e-1111-4a4a-9a9a-000000000001',
    nodeName: 'demo-node-1',
    containers: ['trainer'],
    workload: 'Job/ml-training-job',
    power: { package_watts: 95, dram_watts: 12 },
  },
  {
    namespace: 'production',
    name: 'web-app-xyz-12345',
    uid: '0b9f3c1e-1111-4a4a-9a9a-000000000002',
    nodeName: 'demo-node-1',
    containers: ['web'],
    workload: 'Deployment/web-app',
    power: { package_watts: 8, dram_watts: 1.5 },
  },
];

type Family = {
  name: string;
  type: string;
  metrics: Array<{ labels: Record<string, string>; value: string }>;
};

/** A strict reading of the classic text format: every sample line must match, every family be typed. */
function families(text: string): Map<string, Family> {
  const result = new Map<string, Family>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP') || line.startsWith('# SIMULATED')) continue;
    const type = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
    if (type) {
      result.set(type[1]!, { name: type[1]!, type: type[2]!.toUpperCase(), metrics: [] });
      continue;
    }
    const sample = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const pairs = [...sample[2]!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)];
    const family = result.get(sample[1]!);
    if (!family) throw new Error(`sample before its TYPE line: ${line}`);
    if (!Number.isFinite(Number(sample[3]))) throw new Error(`not a number: ${line}`);
    family.metrics.push({ labels: Object.fromEntries(pairs.map((m) => [m[1]!, m[2]!])), value: sample[3]! });
  }
  return result;
}

function podJoules(text: string, pod: string, zone: string): number {
  const family = families(text).get('kepler_pod_cpu_joules_total')!;
  return Number(family.metrics.find((m) => m.labels.pod_name === pod && m.labels.zone === zone)!.value);
}

describe('nodeExposition', () => {
  it('says it is simulated and uses Kepler 0.11 families and labels', () => {
    const text = nodeExposition('demo-node-1', pods, 100);
    expect(text.split('\n')[0]).toMatch(/^# SIMULATED DATA/);
    const parsed = families(text);
    expect(parsed.get('kepler_build_info')!.metrics[0]!.labels.version).toBe('0.11.4-simulated');
    const joules = parsed.get('kepler_pod_cpu_joules_total')!;
    expect(joules.type).toBe('COUNTER');
    expect(Object.keys(joules.metrics[0]!.labels).sort()).toEqual([
      'node_name',
      'pod_id',
      'pod_name',
      'pod_namespace',
      'state',
      'zone',
    ]);
    expect(joules.metrics).toHaveLength(4);
    expect(parsed.get('kepler_node_cpu_usage_ratio')!.metrics[0]!.labels).toEqual({
      node_name: 'demo-node-1',
    });
  });

  it('counters grow with time and average to the base power', () => {
    let previous = -1;
    for (let t = 0; t <= 1200; t += 37) {
      const value = podJoules(nodeExposition('demo-node-1', pods, t), 'ml-training-job-abcde', 'package');
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
    // Over whole wave periods the mean power is the base power (95 W).
    const oneHour = podJoules(nodeExposition('demo-node-1', pods, 3600), 'ml-training-job-abcde', 'package');
    expect(oneHour / 3600).toBeCloseTo(95, 5);
  });

  it('node energy is at least the sum of its pods (idle power stays at node level)', () => {
    const text = nodeExposition('demo-node-1', pods, 900);
    const node = families(text).get('kepler_node_cpu_joules_total')!;
    const nodePackage = Number(node.metrics.find((m) => m.labels.zone === 'package')!.value);
    const podsPackage = pods.reduce((sum, p) => sum + podJoules(text, p.name, 'package'), 0);
    expect(nodePackage).toBeGreaterThan(podsPackage);
  });
});
