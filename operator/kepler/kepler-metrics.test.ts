import { readFileSync } from 'node:fs';
import { parseExposition } from './exposition-parser.js';
import { rangeJsonToExposition } from '../../hack/testenv/range-json-exposition.js';
import { chooseCpuZones, interpretKeplerScrape, podKey, totalJoules, totalWatts } from './kepler-metrics.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../hack/testenv/data/kepler/${name}`, import.meta.url), 'utf8');
const T = Date.UTC(2026, 0, 1);

describe('Kepler 0.11 (synthetic fixture from the v0.11.4 descriptors)', () => {
  const snap = interpretKeplerScrape(parseExposition(fixture('kepler-v0.11-SYNTHETIC-from-code.prom')), {
    scrapedAtMs: T,
  });

  test('detects the generation and version from kepler_build_info', () => {
    expect(snap.generation).toBe('rewrite');
    expect(snap.version).toBe('v0.11.4');
    expect(snap.energySource).toBe('measured: kepler v0.11.4 (rapl)');
    expect(snap.countedZones).toEqual(['package', 'dram']);
    expect(snap.dataQuality).toEqual(['active-power-only']);
  });

  test('pod energy is package + dram from pod series, containers not added on top', () => {
    expect(snap.pods.size).toBe(3);
    const web = snap.pods.get(podKey('shop', 'web-7d9f8b6c5-x2k4p', '3f2a9c1e-7b4d-4e8a-9f61-2c5d8e7a1b90'))!;
    // 10800.25 J package + 1620.5 J dram; the container series carry the same values and must not double it.
    expect(web.joulesByZone).toEqual({ package: 10800.25, dram: 1620.5 });
    expect(totalJoules(web)).toBeCloseTo(12420.75, 9);
    expect(totalWatts(web)).toBeCloseTo(13.8, 9); // 12 W + 1.8 W
    expect(web).toMatchObject({
      node: 'worker-1',
      level: 'pod',
      terminated: false,
      countedZones: ['package', 'dram'],
    });
    expect(web.counters).toHaveLength(2);
  });

  test('a terminated pod keeps its last counters and is marked terminated', () => {
    const batch = snap.pods.get(
      podKey('batch', 'batch-28391-qz7lm', 'b7e6d5c4-3b2a-4190-8f7e-6d5c4b3a2910'),
    )!;
    expect(batch.terminated).toBe(true);
    expect(totalJoules(batch)).toBe(4968); // 4320 + 648
    expect(totalWatts(batch)).toBeCloseTo(3.45, 9);
  });

  test('node readings use the active + idle counters and the usage ratio', () => {
    expect(snap.nodes).toHaveLength(1);
    const node = snap.nodes[0]!;
    expect(node.name).toBe('worker-1');
    expect(node.joulesByZone.package).toBeCloseTo(27000.125 + 81000.375, 9);
    expect(node.joulesByZone.dram).toBeCloseTo(4050.5 + 12151.5, 9);
    expect(node.wattsByZone).toEqual({ package: 120, dram: 18 });
    expect(node.cpuUsageRatio).toBe(0.25);
    expect(node.counters).toHaveLength(4);
  });

  test('a running and a terminated copy of one pod merge by pod identity', () => {
    const text = `# TYPE kepler_build_info gauge
kepler_build_info{arch="amd64",branch="",goversion="go1.24",revision="x",version="v0.10.2"} 1
# TYPE kepler_pod_cpu_joules_total counter
kepler_pod_cpu_joules_total{node_name="n1",pod_id="u1",pod_name="p",pod_namespace="ns",state="running",zone="package"} 100
kepler_pod_cpu_joules_total{node_name="n1",pod_id="u1",pod_name="p",pod_namespace="ns",state="terminated",zone="package"} 130
`;
    const s = interpretKeplerScrape(parseExposition(text), { scrapedAtMs: T });
    expect(s.version).toBe('v0.10.2');
    const p = s.pods.get('ns/p/u1')!;
    expect(p.joulesByZone).toEqual({ package: 130 });
    expect(p.counters).toEqual([{ seriesId: 'pod:ns/p/u1|zone=package', zone: 'package', joules: 130 }]);
    expect(p.terminated).toBe(false);
  });

  test('never adds core/uncore to package; without package, psys alone; flags the zones', () => {
    expect(chooseCpuZones(['package', 'core', 'uncore', 'dram', 'psys']).zones).toEqual(['package', 'dram']);
    expect(chooseCpuZones(['psys', 'core', 'dram'])).toEqual({ zones: ['psys'], withoutPackage: true });
    expect(chooseCpuZones(['core', 'uncore'])).toEqual({ zones: ['core', 'uncore'], withoutPackage: true });
    const text = `kepler_pod_cpu_joules_total{pod_id="u",pod_name="p",pod_namespace="n",state="running",zone="core"} 5
kepler_pod_cpu_joules_total{pod_id="u",pod_name="p",pod_namespace="n",state="running",zone="uncore"} 2
`;
    const s = interpretKeplerScrape(parseExposition(text), { scrapedAtMs: T, nodeName: 'node-a' });
    expect(s.generation).toBe('rewrite');
    expect(s.dataQuality).toContain('zones-without-package:core+uncore');
    expect(totalJoules(s.pods.get('n/p/u')!)).toBe(7);
    expect(s.pods.get('n/p/u')!.node).toBe('node-a');
  });

  test('containers are summed per pod UID only when pod series are absent', () => {
    const text = `kepler_build_info{version="v0.11.0"} 1
kepler_container_cpu_joules_total{container_id="c1",container_name="a",node_name="n",pod_id="u9",runtime="containerd",state="running",zone="package"} 40
kepler_container_cpu_joules_total{container_id="c2",container_name="b",node_name="n",pod_id="u9",runtime="containerd",state="running",zone="package"} 2.5
kepler_container_cpu_joules_total{container_id="c2",container_name="b",node_name="n",pod_id="u9",runtime="containerd",state="running",zone="core"} 2
`;
    const s = interpretKeplerScrape(parseExposition(text), { scrapedAtMs: T });
    const p = s.pods.get('uid:u9')!;
    expect(p).toMatchObject({ level: 'container-sum', uid: 'u9', joulesByZone: { package: 42.5 } });
    expect(p.dataQuality).toContain('container-sum: pod known by UID only');
  });

  test('GPU pod energy is counted as zone gpu when present', () => {
    const text = `kepler_build_info{version="v0.11.4"} 1
kepler_pod_cpu_joules_total{pod_id="u",pod_name="p",pod_namespace="n",state="running",zone="package"} 10
kepler_pod_gpu_joules_total{pod_id="u",pod_name="p",pod_namespace="n",state="running"} 90
kepler_pod_gpu_watts{pod_id="u",pod_name="p",pod_namespace="n",state="running"} 45
`;
    const s = interpretKeplerScrape(parseExposition(text), { scrapedAtMs: T });
    expect(s.countedZones).toEqual(['package', 'gpu']);
    expect(s.pods.get('n/p/u')!.joulesByZone).toEqual({ package: 10, gpu: 90 });
    expect(s.pods.get('n/p/u')!.wattsByZone).toEqual({ gpu: 45 });
  });

  test('fake meter and hwmon paths are flagged', () => {
    const fake = `kepler_build_info{version="v0.11.4"} 1
kepler_node_cpu_joules_total{node_name="n",path="/sys/class/powercap/intel-rapl/energy_package",zone="package"} 1
`;
    const s = interpretKeplerScrape(parseExposition(fake), { scrapedAtMs: T });
    expect(s.dataQuality).toContain('fake-meter');
    expect(s.energySource).toBe('measured: kepler v0.11.4 (fake meter)');
    const hw = fake.replace('/sys/class/powercap/intel-rapl/energy_package', '/sys/class/hwmon/hwmon3');
    expect(interpretKeplerScrape(parseExposition(hw), { scrapedAtMs: T }).dataQuality).toContain('hwmon');
  });
});

describe('Kepler 0.11 Redfish doc fixture (verbatim)', () => {
  test('platform watts per node, no pods', () => {
    const s = interpretKeplerScrape(parseExposition(fixture('kepler-v0.11-operator-redfish-doc.prom')), {
      scrapedAtMs: T,
    });
    // No build info and no cpu families: kepler_platform_watts alone does not identify a generation.
    expect(s.generation).toBe('unknown');
    expect(s.pods.size).toBe(0);
    expect(s.dataQuality).toEqual(['no-kepler-metrics']);
  });

  test('with a 0.11 build info line it yields the platform power of the node (245 W + 345 W)', () => {
    const text =
      'kepler_build_info{version="v0.11.4"} 1\n' + fixture('kepler-v0.11-operator-redfish-doc.prom');
    const s = interpretKeplerScrape(parseExposition(text), { scrapedAtMs: T });
    expect(s.nodes.map((n) => [n.name, n.platformWatts])).toEqual([['kind-worker', 590]]);
  });
});

describe('Kepler 0.7 (real data: DERIVED text fixture and the verbatim query_range JSON)', () => {
  const snap = interpretKeplerScrape(parseExposition(fixture('kepler-v0.7-DERIVED-model-server-idle.prom')), {
    scrapedAtMs: T,
  });

  test('detects the legacy generation from kepler_exporter_build_info', () => {
    expect(snap.generation).toBe('legacy');
    expect(snap.version).toBe('unknown'); // this build's info line has no version label
    expect(snap.countedZones).toEqual(['package', 'dram', 'other', 'gpu']);
    expect(snap.energySource).toBe('measured: kepler 0.7-line (rapl; mode dynamic = active energy)');
    expect(snap.idleShare.method).toBe('pod-idle-counters');
    expect(snap.dataQuality).toEqual(['unattributed-system-energy']);
  });

  test('sums containers into pods over package+dram+other+gpu; active energy is mode dynamic only', () => {
    expect(snap.pods.size).toBe(30); // 31 namespace/pod pairs minus the system_processes pseudo-pod
    const coredns = snap.pods.get('kube-system/coredns-565d847f94-lgfg6')!;
    // Hand sum from the fixture: dynamic 39.246 J (active) + idle 1293.969 J (the idle share, apart).
    expect(totalJoules(coredns)).toBeCloseTo(39.246, 6);
    const idleCounters = coredns.counters.filter((c) => c.part === 'idle');
    expect(idleCounters.reduce((s, c) => s + c.joules, 0)).toBeCloseTo(1293.969, 6);
    expect(coredns.joulesByMode!.dynamic).toBeCloseTo(39.246, 6);
    expect(coredns.joulesByMode!.idle).toBeCloseTo(1293.969, 6);
    const prom = snap.pods.get('monitoring/prometheus-k8s-0')!; // two containers
    expect(totalJoules(prom)).toBeCloseTo(prom.joulesByMode!.dynamic, 9);
    expect(prom.joulesByMode!.dynamic + prom.joulesByMode!.idle).toBeCloseTo(2441.646, 6);
    expect(prom.level).toBe('container-sum');
  });

  test("each pod's component sum equals Kepler's own kepler_container_joules_total{mode=dynamic}", () => {
    const aggregate = new Map<string, number>();
    const text = fixture('kepler-v0.7-DERIVED-model-server-idle.prom');
    const e = parseExposition(text);
    for (const s of e.families.get('kepler_container_joules_total')!.samples) {
      if (s.label('mode') !== 'dynamic') continue;
      const key = podKey(s.label('container_namespace')!, s.label('pod_name')!);
      aggregate.set(key, (aggregate.get(key) ?? 0) + s.value);
    }
    for (const [key, pod] of snap.pods) expect(totalJoules(pod)).toBeCloseTo(aggregate.get(key)!, 6);
  });

  test('node counters: two sockets, both modes', () => {
    expect(snap.nodes.map((n) => n.name)).toEqual(['kind-fms-control-plane']);
    const node = snap.nodes[0]!;
    expect(node.joulesByZone.package).toBeCloseTo(9555.395 + 9870.445 + 17209.048 + 17303.296, 6);
    expect(node.joulesByZone.dram).toBeCloseTo(3996.259 + 4163.342 + 7211.384 + 7426.032, 6);
    expect(node.activeJoulesByZone.other).toBeCloseTo(48.772, 6);
    expect(node.platformJoules).toBe(441 + 42828);
  });

  test('the verbatim query_range JSON at its last timestamp reads the same as the DERIVED text', () => {
    const json = fixture('kepler-v0.7-model-server-idle.promapi.json');
    const last = interpretKeplerScrape(parseExposition(rangeJsonToExposition(json, 1702462686)), {
      scrapedAtMs: T,
    });
    expect(totalJoules(last.pods.get('kube-system/coredns-565d847f94-lgfg6')!)).toBeCloseTo(39.246, 6);
    const first = interpretKeplerScrape(parseExposition(rangeJsonToExposition(json, 1702462599)), {
      scrapedAtMs: T,
    });
    // 87 s earlier the same pod's dynamic counters summed to 32.733 J (1076.247 J with idle).
    expect(totalJoules(first.pods.get('kube-system/coredns-565d847f94-lgfg6')!)).toBeCloseTo(32.733, 6);
  });

  test('model-estimated sources are flagged', () => {
    const text = `kepler_exporter_build_info{version="v0.7.12"} 1
kepler_container_package_joules_total{container_id="c",container_name="x",container_namespace="n",mode="dynamic",pod_name="p",source="trained_power_model"} 3
kepler_node_info{components_power_source="estimator",cpu_architecture="x"} 1
`;
    const s = interpretKeplerScrape(parseExposition(text), { scrapedAtMs: T });
    expect(s.version).toBe('v0.7.12');
    expect(s.dataQuality).toContain('model-estimated');
    expect(s.energySource).toBe('measured: kepler v0.7.12 (model-estimated; mode dynamic = active energy)');
  });
});
