import {
  nodeExposition,
  RunningPodLedger,
  simulatedPower,
  type SimulatedPod,
  type WatchedPod,
} from './simulated-kepler.js';

const pods: SimulatedPod[] = [
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

function watched(
  name: string,
  uid: string,
  nodeName: string,
  phase: string,
  packageWatts?: string,
): WatchedPod {
  return {
    metadata: {
      name,
      namespace: 'production',
      uid,
      annotations:
        packageWatts === undefined
          ? undefined
          : {
              'simulation.carbon-aware.dev/package-watts': packageWatts,
              'simulation.carbon-aware.dev/dram-watts': '1',
            },
    },
    spec: { nodeName, containers: [{ name: 'web' }] },
    status: { phase },
  };
}

function nodeJoules(text: string, zone: string): number {
  const family = families(text).get('kepler_node_cpu_joules_total')!;
  return Number(family.metrics.find((m) => m.labels.zone === zone)!.value);
}

describe('RunningPodLedger (what the watch feeds the exporter)', () => {
  it('gives a pod series only while it runs on a node of the exporter, counting from when it started', () => {
    const ledger = new RunningPodLedger(new Set(['node-a', 'node-b']));
    ledger.observe(watched('web-1', 'uid-1', 'node-a', 'Pending', '10'), 100);
    expect(ledger.podsOn('node-a')).toEqual([]);
    ledger.observe(watched('web-1', 'uid-1', 'node-a', 'Running', '10'), 100);
    ledger.observe(watched('elsewhere', 'uid-9', 'node-z', 'Running', '10'), 100);
    expect(ledger.podsOn('node-a').map((p) => p.name)).toEqual(['web-1']);
    // 600 s later (one whole wave period) the counter holds exactly 10 W × 600 s.
    expect(podJoules(ledger.exposition('node-a', 700), 'web-1', 'package')).toBeCloseTo(6000, 6);
    expect(families(ledger.exposition('node-b', 700)).get('kepler_pod_cpu_joules_total')!.metrics).toEqual(
      [],
    );
  });

  it("drops a stopped pod's series and keeps its energy in the node counter", () => {
    const ledger = new RunningPodLedger(new Set(['node-a']));
    ledger.observe(watched('web-1', 'uid-1', 'node-a', 'Running', '10'), 0);
    const before = nodeJoules(ledger.exposition('node-a', 600), 'package');
    ledger.observe(watched('web-1', 'uid-1', 'node-a', 'Running', '10'), 600, true);
    const after = ledger.exposition('node-a', 600);
    expect(families(after).get('kepler_pod_cpu_joules_total')!.metrics).toEqual([]);
    expect(nodeJoules(after, 'package')).toBeCloseTo(before, 6);
    // The node counter keeps growing (idle power) and never goes back.
    expect(nodeJoules(ledger.exposition('node-a', 601), 'package')).toBeGreaterThan(before);
    // A completed pod (Succeeded) stops the same way.
    ledger.observe(watched('job-1', 'uid-2', 'node-a', 'Running', '30'), 600);
    ledger.observe(watched('job-1', 'uid-2', 'node-a', 'Succeeded', '30'), 660);
    expect(ledger.podsOn('node-a')).toEqual([]);
  });

  it('reads power from the pod annotations, with a labelled default, and names a bad annotation', () => {
    expect(simulatedPower(watched('a', 'u', 'n', 'Running', '12.5'))).toEqual({
      package_watts: 12.5,
      dram_watts: 1,
    });
    expect(simulatedPower(watched('a', 'u', 'n', 'Running'))).toEqual({ package_watts: 2, dram_watts: 0.5 });
    expect(() => simulatedPower(watched('a', 'u', 'n', 'Running', 'lots'))).toThrow(
      /simulation\.carbon-aware\.dev\/package-watts must be a non-negative number of watts, got "lots"/,
    );
  });
});
