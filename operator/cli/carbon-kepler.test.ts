// The CLI in-process (run() with captured output), on the real Kepler fixtures: the seed's worked
// example, counters from two real Kepler 0.7 scrapes, --all, and every kind of bad input (exit 2).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rangeJsonToExposition } from '../../hack/testenv/range-json-exposition.js';
import type { WorkloadAssessment } from '../domain/types.js';
import { cliAt } from '../../hack/testenv/cli-in-process.js';

const FIXTURES = join(process.cwd(), 'hack/testenv/data/kepler');
const V011 = join(FIXTURES, 'kepler-v0.11-SYNTHETIC-from-code.prom');
const V07_ONE = join(FIXTURES, 'kepler-v0.7-DERIVED-model-server-idle.prom');
const AT = '2026-05-04T10:00:00Z';

const cli = cliAt(AT);

let dir: string;
let v07First: string;
let v07Last: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'carbon-kepler-cli-'));
  // Two real scrapes of a Kepler 0.7 exporter, 87 s apart (kepler-model-server test data).
  const json = readFileSync(join(FIXTURES, 'kepler-v0.7-model-server-idle.promapi.json'), 'utf8');
  v07First = join(dir, 'v07-first.prom');
  v07Last = join(dir, 'v07-last.prom');
  writeFileSync(v07First, rangeJsonToExposition(json, 1702462599));
  writeFileSync(v07Last, rangeJsonToExposition(json, 1702462686));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seed = ['assess', '--metrics', V011, '--workload', 'web', '--namespace', 'shop', '--at', AT];

describe('carbon-kepler assess: verdicts', () => {
  it('seed worked example: grid 436 × PUE 1.17 = 510.1 g/kWh vs 424 → NON_COMPLIANT, +20.3 %, exit 1', async () => {
    const r = await cli(
      ...seed,
      '--grid-intensity',
      '436',
      '--pue',
      '1.17',
      '--lang',
      'en',
      '--output',
      'json',
    );
    expect(r.code).toBe(1);
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    expect(a.status).toBe('NON_COMPLIANT');
    expect(a.carbon_status).toBe('NON_COMPLIANT');
    expect(a.current_carbon_intensity_gCO2eq_kWh).toBe(510.1);
    expect(a.target_carbon_intensity_gCO2eq_kWh).toBe(424);
    expect(a.gap_percent).toBe(20.3);
    expect(a.kind).toBe('Deployment');
    // web pod: 12 W package + 1.8 W dram, held for the stated hour.
    expect(a.power_watts).toBeCloseTo(13.8, 6);
    expect(a.energy_kWh).toBeCloseTo(0.0138, 9);
    expect(a.emissions_gCO2eq).toBeCloseTo(0.0138 * 436 * 1.17, 4);
    expect(a.sources.grid_intensity).toMatch(/^configured: cli --grid-intensity 436/);
    expect(a.sources.pue).toBe('configured: cli --pue');
    expect(a.sources.energy).toMatch(/single snapshot.*watts assumed constant over the 1 h/);
    expect(a.sources.zones_counted).toEqual(['package', 'dram']);
    expect(a.window).toMatchObject({ start: '2026-05-04T09:00:00Z', end: AT, hours: 1 });
    expect(a.recommendation).toMatch(/510\.1/);
    expect(r.stderr).toBe('');
  });

  it('table output carries the same numbers', async () => {
    const r = await cli(...seed, '--grid-intensity', '436', '--pue', '1.17', '--lang', 'en');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/shop\/web\s+Deployment\s+1\s+NON_COMPLIANT\s+510\.1\s+424\s+\+20\.3\s+1\.17/);
  });

  it('compliant when grid × PUE is under the target (300 × 1.2 = 360) → exit 0', async () => {
    const r = await cli(...seed, '--grid-intensity', '300', '--pue', '1.2', '--output', 'json');
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    expect(a.status).toBe('COMPLIANT');
    expect(a.current_carbon_intensity_gCO2eq_kWh).toBe(360);
    expect(a.gap_percent).toBe(-15.1);
  });

  it('PUE above the KR green data-centre limit fails on PUE and advises a PUE improvement', async () => {
    const r = await cli(
      ...seed,
      '--grid-intensity',
      '250',
      '--pue',
      '1.6',
      '--lang',
      'en',
      '--output',
      'json',
    );
    expect(r.code).toBe(1);
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    expect(a.carbon_status).toBe('COMPLIANT'); // 400 ≤ 424
    expect(a.pue_status).toBe('NON_COMPLIANT');
    expect(a.max_pue).toBe(1.4);
    const pue = a.optimizations.find((o) => o.type === 'pue_improvement');
    expect(pue?.estimated_reduction_percent).toBeCloseTo((1 - 1.4 / 1.6) * 100, 1);
  });

  it('without overrides uses the KR modelled profile and an assumed PUE, and warns that it is assumed', async () => {
    const r = await cli(...seed, '--output', 'json', '--lang', 'ko');
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    expect(a.sources.grid_intensity).toMatch(/^modelled: KR hourly dispatch model/);
    expect(a.pue).toBe(1.56);
    expect(a.pue_source).toMatch(/^assumed: .*Uptime Institute/);
    expect(r.stderr).toMatch(/warning: PUE 1.56 is an assumed industry average.*set --pue/);
    expect(a.recommendation).toMatch(/[가-힣]/);
    expect(r.code).toBe(a.status === 'NON_COMPLIANT' ? 1 : 0);
  });

  it('a cloud region brings its zone and published PUE', async () => {
    const r = await cli(
      ...seed,
      '--cloud-region',
      'aws/ap-northeast-2',
      '--grid-intensity',
      '436',
      '--output',
      'json',
    );
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    expect(a.pue_source).toMatch(/^published: aws\/ap-northeast-2/);
    expect(a.pue).toBeGreaterThan(1);
    expect(a.pue).toBeLessThan(1.5);
  });

  it('two real Kepler 0.7 scrapes: energy is the counters’ increase over the 87 s between them', async () => {
    const r = await cli(
      'assess',
      '--metrics',
      `${v07First}@2023-12-13T10:16:39Z`,
      '--metrics',
      `${v07Last}@2023-12-13T10:18:06Z`,
      '--workload',
      'prometheus-k8s',
      '--namespace',
      'monitoring',
      '--grid-intensity',
      '436',
      '--pue',
      '1.17',
      '--lang',
      'en',
      '--output',
      'json',
    );
    expect(r.stderr).toBe('');
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    expect(a.kind).toBe('StatefulSet');
    expect(a.window).toMatchObject({ start: '2023-12-13T10:16:39Z', end: '2023-12-13T10:18:06Z' });
    expect(a.energy_kWh).toBeGreaterThan(0);
    // Mean power over the interval = energy / 87 s; an idle Prometheus draws watts, not kilowatts.
    expect(a.power_watts).toBeCloseTo((a.energy_kWh * 3.6e6) / 87, 1);
    expect(a.power_watts).toBeLessThan(100);
    expect(a.sources.energy).toMatch(/2 snapshots.*joule counter increases/);
    expect(a.current_carbon_intensity_gCO2eq_kWh).toBe(510.1);
    expect(r.code).toBe(1);
  });

  it('--all groups every pod into workloads and prints an array', async () => {
    const r = await cli(
      'assess',
      '--metrics',
      V011,
      '--all',
      '--at',
      AT,
      '--grid-intensity',
      '436',
      '--pue',
      '1.17',
      '--output',
      'json',
    );
    const list = JSON.parse(r.stdout) as WorkloadAssessment[];
    expect(list.map((a) => `${a.namespace}/${a.workload}`).sort()).toEqual([
      'batch/batch',
      'kepler/kepler',
      'shop/web',
    ]);
    // The terminated CronJob pod's last gauge is not power in the hour before the scrape: no data.
    expect(list.find((a) => a.workload === 'batch')?.status).toBe('INSUFFICIENT_DATA');
    expect(r.code).toBe(1);
  });
});

describe('carbon-kepler assess: insufficient data → exit 2', () => {
  it('one Kepler 0.7 snapshot has no watts gauges', async () => {
    const r = await cli(
      'assess',
      '--metrics',
      V07_ONE,
      '--workload',
      'prometheus-k8s',
      '--namespace',
      'monitoring',
      '--at',
      AT,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/insufficient data for monitoring\/prometheus-k8s/);
  });

  it('an idle 0 W workload is INSUFFICIENT_DATA, never NON_COMPLIANT', async () => {
    const idle = join(dir, 'idle.prom');
    writeFileSync(
      idle,
      readFileSync(V011, 'utf8').replace(
        /^(kepler_pod_cpu_watts\{[^}]*pod_name="web-[^}]*\}) [0-9.]+$/gm,
        '$1 0',
      ),
    );
    const r = await cli(
      'assess',
      '--metrics',
      idle,
      '--workload',
      'web',
      '--namespace',
      'shop',
      '--at',
      AT,
      '--output',
      'json',
    );
    expect(r.code).toBe(2);
    const a = JSON.parse(r.stdout) as WorkloadAssessment;
    expect(a.status).toBe('INSUFFICIENT_DATA');
    expect(a.current_carbon_intensity_gCO2eq_kWh).toBeNull();
  });
});

describe('carbon-kepler: bad input → exit 2 naming the problem', () => {
  const notKepler = () => {
    const f = join(dir, 'node-exporter.prom');
    writeFileSync(f, '# TYPE node_load1 gauge\nnode_load1 0.5\n');
    return f;
  };
  const garbage = () => {
    const f = join(dir, 'garbage.prom');
    writeFileSync(f, 'kepler_pod_cpu_watts{pod_name="x" 12\n');
    return f;
  };
  const cases: Array<[string, () => string[], RegExp]> = [
    ['no command', () => ['--metrics', V011], /unknown command/],
    ['unknown command', () => ['check'], /unknown command 'check'/],
    ['no --metrics', () => ['assess', '--workload', 'web', '--namespace', 'shop'], /--metrics/],
    [
      'missing file',
      () => ['assess', '--metrics', join(dir, 'nope.prom'), '--all'],
      /nope\.prom: cannot read the file \(ENOENT\)/,
    ],
    ['not Kepler', () => ['assess', '--metrics', notKepler(), '--all'], /no Kepler metrics found/],
    [
      'not an exposition',
      () => ['assess', '--metrics', garbage(), '--all'],
      /not a Prometheus\/OpenMetrics exposition/,
    ],
    ['--pue not a number', () => [...seed, '--pue', 'abc'], /--pue: 'abc' is not a number/],
    ['--pue below 1', () => [...seed, '--pue', '0.5'], /--pue:/],
    ['--grid-intensity negative', () => [...seed, '--grid-intensity', '-3'], /--grid-intensity/],
    [
      '--grid-intensity NaN',
      () => [...seed, '--grid-intensity', 'NaN'],
      /--grid-intensity: 'NaN' is not a number/,
    ],
    ['--lang', () => [...seed, '--lang', 'fr'], /--lang:/],
    ['--output', () => [...seed, '--output', 'xml'], /--output:/],
    ['--at', () => [...seed.slice(0, -2), '--at', 'yesterday'], /--at:/],
    [
      '--workload without --namespace',
      () => ['assess', '--metrics', V011, '--workload', 'web'],
      /--namespace: required with --workload/,
    ],
    ['neither --workload nor --all', () => ['assess', '--metrics', V011], /--workload: name a workload/],
    ['--all and --workload', () => [...seed, '--all'], /--all: use either --all or --workload/],
    [
      '--zone and --cloud-region',
      () => [...seed, '--zone', 'KR', '--cloud-region', 'aws/ap-northeast-2'],
      /--zone: use either/,
    ],
    [
      'unknown cloud region',
      () => [...seed, '--cloud-region', 'aws/mars-1'],
      /--cloud-region: unknown cloud region 'aws\/mars-1'/,
    ],
    [
      'unknown standard',
      () => [...seed, '--standard', 'EU_TAXONOMY'],
      /--standard: unknown standard 'EU_TAXONOMY' \(known: .*KR_CARBON_2050/,
    ],
    [
      'unknown workload',
      () => ['assess', '--metrics', V011, '--workload', 'checkout', '--namespace', 'shop', '--at', AT],
      /no pod of workload 'checkout' in namespace 'shop'.*shop\/web-7d9f8b6c5-x2k4p/,
    ],
    ['unknown option', () => [...seed, '--colour'], /Unknown option '--colour'/],
    ['unknown --kind', () => [...seed, '--kind', 'Cluster'], /--kind:/],
    [
      'two snapshots without times',
      () => ['assess', '--metrics', v07First, '--metrics', v07Last, '--all'],
      /time of this snapshot is unknown.*@<ISO 8601>/,
    ],
    [
      'two snapshots at the same time',
      () => [
        'assess',
        '--metrics',
        `${v07First}@2023-12-13T10:16:39Z`,
        '--metrics',
        `${v07Last}@2023-12-13T10:16:39Z`,
        '--all',
      ],
      /taken at the same time/,
    ],
    [
      'bad @time',
      () => ['assess', '--metrics', `${v07First}@2023-13-45T99:00:00Z`, '--all'],
      /is not a valid ISO 8601 time/,
    ],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const r = await cli(...argv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('--help prints the usage with the pod-naming rule and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NAME-<hash>-<5 chars>/);
    expect(r.stdout).toMatch(/Exit status: 0 compliant, 1 non-compliant, 2/);
  });
});
