// The CLI's energy as issue "One truth" §3 and §6 define it, in-process on the real Kepler
// expositions: active energy for both Kepler generations with the idle share beside it, N snapshots
// with a gap, a 0.11 scrape that also carries container, process and GPU series, pods known only by
// UID, kinds that pod names cannot tell, and the sources block printed once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rangeJsonToExposition } from '../../hack/testenv/range-json-exposition.js';
import type { WorkloadAssessment } from '../domain/types.js';
import { cliAt } from '../../hack/testenv/cli-in-process.js';

const FIXTURES = join(process.cwd(), 'hack/testenv/data/kepler');
const V011 = join(FIXTURES, 'kepler-v0.11-SYNTHETIC-from-code.prom');
const AT = '2026-05-04T10:00:00Z';
const FLAT = ['--grid-intensity', '436', '--pue', '1.17', '--lang', 'en'];

const cli = cliAt(AT);

let dir: string;
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'carbon-kepler-energy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('energy with one meaning', () => {
  it('two real Kepler 0.7 scrapes: energy_kWh is the dynamic (active) energy, the idle share beside it', async () => {
    const json = readFileSync(join(FIXTURES, 'kepler-v0.7-model-server-idle.promapi.json'), 'utf8');
    const first = file('v07-first.prom', rangeJsonToExposition(json, 1702462599));
    const last = file('v07-last.prom', rangeJsonToExposition(json, 1702462686));
    const r = await cli(
      'assess',
      '--metrics',
      `${first}@2023-12-13T10:16:39Z`,
      '--metrics',
      `${last}@2023-12-13T10:18:06Z`,
      '--workload',
      'coredns-565d847f94-lgfg6',
      '--namespace',
      'kube-system',
      ...FLAT,
      '--output',
      'json',
    );
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    // Hand sums over package+dram+other+gpu of the fixture's coredns-565d847f94-lgfg6 (87 s apart):
    // dynamic 39.246 − 32.733 = 6.513 J (active); idle 1293.969 − 1043.514 = 250.455 J. Before, the
    // CLI reported both modes together as energy: 256.968 J, 39× the active energy.
    expect(a.energy_kWh * 3.6e6).toBeCloseTo(6.513, 2);
    expect(a.idle_share_kWh! * 3.6e6).toBeCloseTo(250.455, 2);
    expect(a.idle_share_source).toMatch(/mode="idle"/);
    // Emissions on both bases, named; the existing emissions_gCO2eq is the active one.
    expect(a.footprint!.active.emissions_gCO2eq).toBe(a.emissions_gCO2eq);
    expect(a.footprint!.active_plus_idle_share!.energy_kWh).toBeCloseTo(a.energy_kWh + a.idle_share_kWh!, 9);
    expect(a.emissions_gCO2eq).toBeCloseTo(a.energy_kWh * 436 * 1.17, 6);
    // The 30-day projection scales the 87 s observed.
    expect(a.window.observedHours).toBeCloseTo(87 / 3600, 4);
    expect(a.monthly_projection.energy_kWh).toBeCloseTo((a.energy_kWh * 720 * 3600) / 87, 2);
  });

  it('the same physical load reads the same active energy from a 0.7 and a 0.11 pair of scrapes', async () => {
    const legacy = (pkg: number, idle: number) =>
      `kepler_exporter_build_info{version="v0.7.12"} 1\n` +
      `kepler_container_package_joules_total{container_id="c1",container_name="web",container_namespace="shop",mode="dynamic",pod_name="web-7d9f8b6c5-x2k4p",source="rapl-sysfs"} ${pkg}\n` +
      `kepler_container_package_joules_total{container_id="c1",container_name="web",container_namespace="shop",mode="idle",pod_name="web-7d9f8b6c5-x2k4p",source="rapl-sysfs"} ${idle}\n`;
    const rewrite = (pkg: number, nodeIdle: number) =>
      `kepler_build_info{version="v0.11.4"} 1\n` +
      `kepler_node_cpu_idle_joules_total{node_name="n1",path="/host/sys/class/powercap/intel-rapl:0",zone="package"} ${nodeIdle}\n` +
      `kepler_pod_cpu_joules_total{node_name="n1",pod_id="u1",pod_name="web-7d9f8b6c5-x2k4p",pod_namespace="shop",state="running",zone="package"} ${pkg}\n`;
    const assess = async (a: string, b: string) =>
      JSON.parse(
        (
          await cli(
            'assess',
            '--metrics',
            `${a}@2026-05-04T09:00:00Z`,
            '--metrics',
            `${b}@2026-05-04T10:00:00Z`,
            '--workload',
            'web',
            '--namespace',
            'shop',
            ...FLAT,
            '--output',
            'json',
          )
        ).stdout,
      ) as WorkloadAssessment;
    // One hour at 12 W active, 90 W node idle (all of it this pod's share in both generations here).
    const old = await assess(file('l1.prom', legacy(1_000, 5_000)), file('l2.prom', legacy(44_200, 329_000)));
    const neu = await assess(
      file('r1.prom', rewrite(1_000, 5_000)),
      file('r2.prom', rewrite(44_200, 329_000)),
    );
    expect(old.energy_kWh).toBeCloseTo(0.012, 9);
    expect(neu.energy_kWh).toBeCloseTo(0.012, 9);
    expect(old.power_watts).toBeCloseTo(12, 6);
    expect(neu.power_watts).toBeCloseTo(12, 6);
    expect(old.idle_share_kWh).toBeCloseTo(0.09, 9);
    expect(neu.idle_share_kWh).toBeCloseTo(0.09, 9);
    expect(old.idle_share_watts).toBeCloseTo(90, 6);
  });

  it('N snapshots: a pod missing from one scrape and back later is counted once (1,100 → absent → 2,596 J)', async () => {
    const scrape = (pods: string) => `kepler_build_info{version="v0.11.4"} 1\n${pods}`;
    const pod = (j: number | string) =>
      `kepler_pod_cpu_joules_total{node_name="n1",pod_id="u1",pod_name="etl-h7k2p",pod_namespace="data",state="running",zone="package"} ${j}\n`;
    const other = `kepler_pod_cpu_joules_total{node_name="n1",pod_id="u2",pod_name="db-0",pod_namespace="data",state="running",zone="package"} 5\n`;
    const metrics = (files: string[]) =>
      files.flatMap((f, i) => ['--metrics', `${f}@2026-05-04T09:0${i}:00Z`]);
    for (const [name, middle] of [
      ['absent', scrape(other)],
      ['NaN', scrape(pod('NaN') + other)],
    ] as const) {
      const r = await cli(
        'assess',
        ...metrics([
          file(`a-${name}.prom`, scrape(pod(1_100) + other)),
          file(`b-${name}.prom`, middle),
          file(`c-${name}.prom`, scrape(pod(2_596) + other)),
        ]),
        '--workload',
        'etl',
        '--namespace',
        'data',
        '--kind',
        'Job',
        ...FLAT,
        '--output',
        'json',
      );
      const a = JSON.parse(r.stdout) as WorkloadAssessment;
      expect([name, a.energy_kWh * 3.6e6]).toEqual([name, expect.closeTo(1_496, 1)]);
    }
  });
});

describe('--all on any valid Kepler scrape', () => {
  // The real-shaped 0.11 fixture (pod, container and process series) plus GPU series (v0.11.4
  // experimental GPU families) and a pod that Kepler shows only at container level (pod_id, no name).
  const gpu =
    '# TYPE kepler_pod_gpu_joules_total counter\n' +
    'kepler_pod_gpu_joules_total{gpu="0",node_name="worker-1",pod_id="3f2a9c1e-7b4d-4e8a-9f61-2c5d8e7a1b90",pod_name="web-7d9f8b6c5-x2k4p",pod_namespace="shop",state="running"} 500\n' +
    '# TYPE kepler_pod_gpu_watts gauge\n' +
    'kepler_pod_gpu_watts{gpu="0",node_name="worker-1",pod_id="3f2a9c1e-7b4d-4e8a-9f61-2c5d8e7a1b90",pod_name="web-7d9f8b6c5-x2k4p",pod_namespace="shop",state="running"} 50\n' +
    '# TYPE kepler_container_gpu_watts gauge\n' +
    'kepler_container_gpu_watts{container_id="1a2b",container_name="web",gpu="0",node_name="worker-1",pod_id="3f2a9c1e-7b4d-4e8a-9f61-2c5d8e7a1b90",runtime="containerd",state="running"} 50\n' +
    '# TYPE kepler_node_gpu_watts gauge\n' +
    'kepler_node_gpu_watts{gpu="0",gpu_name="A100",gpu_uuid="GPU-1",node_name="worker-1",vendor="nvidia"} 80\n';
  const containerOnly =
    'kepler_container_cpu_watts{container_id="77aa",container_name="agent",node_name="worker-1",pod_id="aa11bb22-0000-4000-8000-000000000001",runtime="containerd",state="running",zone="package"} 2\n';

  it('assesses every named workload; pods known only by UID are named on stderr, not a crash', async () => {
    const scrape = file('mixed.prom', readFileSync(V011, 'utf8') + gpu + containerOnly);
    const r = await cli('assess', '--metrics', `${scrape}@${AT}`, '--all', ...FLAT, '--output', 'json');
    expect(r.stderr).not.toMatch(/Too small/);
    expect(r.stderr).toMatch(
      /1 pod\(s\) appear only in Kepler's container-level series.*aa11bb22-0000-4000-8000-000000000001.*--kubeconfig/,
    );
    const list = JSON.parse(r.stdout) as WorkloadAssessment[];
    expect(list.map((a) => `${a.namespace}/${a.workload}`).sort()).toEqual([
      'batch/batch',
      'kepler/kepler',
      'shop/web',
    ]);
    // web: 12 + 1.8 W CPU + 50 W GPU, held for the hour before the scrape.
    expect(list.find((a) => a.workload === 'web')!.energy_kWh).toBeCloseTo(0.0638, 9);
    expect(r.code).toBe(1);
  });

  it('a container-level-only scrape without --kubeconfig says plainly what is missing (exit 2)', async () => {
    const scrape = file('containers.prom', readFileSync(V011, 'utf8').replace(/^kepler_pod_.*\n/gm, ''));
    const r = await cli('assess', '--metrics', `${scrape}@${AT}`, '--all', ...FLAT);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/Too small/);
    expect(r.stderr).toMatch(
      /3 pod\(s\) appear only in Kepler's container-level series, which carry the pod UID but no pod name/,
    );
    expect(r.stderr).toMatch(/give --kubeconfig/);
  });
});

describe('kinds the pod names cannot tell', () => {
  const kepler = [
    'assess',
    '--metrics',
    `${V011}@2026-05-04T12:00:00Z`,
    '--workload',
    'kepler',
    '--namespace',
    'kepler',
    ...FLAT.slice(4),
  ];

  it('a NAME-<5> pod (Job or DaemonSet) is labelled ambiguous and gets no kind-specific advice', async () => {
    const a = JSON.parse((await cli(...kepler, '--output', 'json')).stdout) as WorkloadAssessment;
    expect(a.kind_ambiguous).toEqual(['Job', 'DaemonSet']);
    expect(a.optimizations.map((o) => o.type)).not.toContain('temporal_shift');
    expect(a.optimizations.some((o) => o.schedule !== undefined || o.resourcesPatch !== undefined)).toBe(
      false,
    );
    expect(a.recommendation).toMatch(/cannot be told from the pod names \(Job or DaemonSet\)/);
  });

  it('--kind settles it: a Job gets its batch advice (a CronJob schedule)', async () => {
    const a = JSON.parse(
      (await cli(...kepler, '--kind', 'Job', '--output', 'json')).stdout,
    ) as WorkloadAssessment;
    expect(a.kind_ambiguous).toBeUndefined();
    expect(a.optimizations.find((o) => o.type === 'temporal_shift')?.schedule?.cron).toBeDefined();
  });

  it('--kind CronJob: the table prints the ready-to-commit schedule patch under the shift', async () => {
    const r = await cli(...kepler, '--kind', 'CronJob');
    const shift = r.stdout.match(/^ {2}- temporal_shift: .*\n((?: {6}.*\n)+)/m);
    expect(shift?.[1]).toMatch(/^ {6}# CronJob kepler\/kepler: start at \d\d:00 Asia\/Seoul/);
    expect(shift?.[1]).toMatch(/^ {6}spec:\n {8}schedule: 0 \d+ \* \* \*\n {8}timeZone: Asia\/Seoul$/m);
  });

  it('the table labels the guess and prints the sources block once for all workloads', async () => {
    const r = await cli('assess', '--metrics', `${V011}@${AT}`, '--all', ...FLAT);
    expect(r.stdout).toMatch(/kepler\/kepler\s+Job\|DaemonSet\?/);
    expect(r.stdout.match(/^sources:$/gm)).toHaveLength(1);
    expect(r.stdout.match(/^ {2}grid: /gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^ {2}energy basis: kWh, gCO2eq, gCO2eq\/kWh and kgCO2eq\/30d are active/m);
  });
});
