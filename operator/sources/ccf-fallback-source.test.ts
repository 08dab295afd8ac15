// The CCF fallback's decisions, with a scripted inner source and a scripted node lookup (both
// hand-written stand-ins, named so; the real direct-scrape source and real Nodes are in
// operator/controller/power-estimate.itest.ts): which pods are estimated, over which time, with which
// coefficients, and what the report says when something is missing.
import type { MetricsCollection, MetricsSource, PodRef } from './metrics-source.js';
import type { NodeHardware } from '../kepler/ccf-power-model.js';
import { CcfFallbackSource, type NodeHardwareLookup } from './ccf-fallback-source.js';
import { bucketsOf, podHoursOf } from './pod-hours.js';

const H = 3_600_000;
const from = new Date(Date.UTC(2026, 2, 1, 0, 0));
const to = new Date(Date.UTC(2026, 2, 1, 4, 0));

/** Scripted stand-in for a metrics source: returns the collection it is given. */
class ScriptedSource implements MetricsSource {
  description = 'scripted';
  constructor(private readonly collection: MetricsCollection) {}
  collect(): Promise<MetricsCollection> {
    return Promise.resolve(this.collection);
  }
}

/** Scripted stand-in for the Node lookup. */
class ScriptedNodes implements NodeHardwareLookup {
  calls = 0;
  constructor(private readonly nodes: Record<string, NodeHardware | Error>) {}
  get(name: string): Promise<NodeHardware | undefined> {
    this.calls += 1;
    const hit = this.nodes[name];
    return hit instanceof Error ? Promise.reject(hit) : Promise.resolve(hit);
  }
}

const collection = (extra: Partial<MetricsCollection> = {}): MetricsCollection => ({
  pods: new Map(),
  zonesCounted: ['package', 'dram'],
  energyProvenance: 'measured: kepler v0.11.4 (rapl)',
  dataQuality: [],
  errors: [],
  ...extra,
});
const pod = (name: string, node: string, extra: Partial<PodRef> = {}): PodRef => ({
  namespace: 'ns',
  name,
  nodeName: node,
  cpuRequest_cores: 1,
  startTime: from.toISOString(),
  ...extra,
});
const total = (c: MetricsCollection, key: string) =>
  bucketsOf(c.pods.get(key)!.hours).reduce((s, h) => s + h.energy_kWh, 0);

describe('CcfFallbackSource', () => {
  test('a source that cannot tell nodes apart: nothing estimated, and the report says why', async () => {
    const inner = collection();
    const c = await new CcfFallbackSource(new ScriptedSource(inner), new ScriptedNodes({})).collect({
      pods: [pod('a', 'n1')],
      from,
      to,
    });
    expect(c.pods.size).toBe(0);
    expect(c.estimate!.unavailable).toBe(
      'scripted cannot tell which nodes Kepler measures, so nothing is estimated',
    );
  });

  test('measured nodes keep their readings; a fake-meter reading is replaced by the estimate', async () => {
    const inner = collection({
      nodeReadings: new Map([
        ['real', { measured: true, reason: 'Kepler zones package, dram' }],
        ['fake', { measured: false, reason: 'Kepler runs its fake meter (random values for development)' }],
      ]),
      pods: new Map([
        [
          'ns/m',
          {
            namespace: 'ns',
            pod: 'm',
            hours: podHoursOf([{ hourStart: '2026-03-01T00:00:00Z', energy_kWh: 0.5 }]),
          },
        ],
        [
          'ns/f',
          {
            namespace: 'ns',
            pod: 'f',
            hours: podHoursOf([{ hourStart: '2026-03-01T00:00:00Z', energy_kWh: 9 }]),
          },
        ],
      ]),
    });
    const nodes = new ScriptedNodes({ fake: { instanceType: 'm5.large' } });
    const c = await new CcfFallbackSource(new ScriptedSource(inner), nodes).collect({
      pods: [
        pod('m', 'real'),
        pod('f', 'fake'),
        pod('f2', 'fake'),
        pod('pending', '', { nodeName: undefined }),
      ],
      from,
      to,
    });
    expect(bucketsOf(c.pods.get('ns/m')!.hours)).toEqual([
      { hourStart: '2026-03-01T00:00:00Z', energy_kWh: 0.5 },
    ]);
    // 1 core on Skylake at 50 %: 2.455 W for 4 h = 9.82 Wh, every hour estimated.
    expect(total(c, 'ns/f')).toBeCloseTo(0.00982, 12);
    for (const h of bucketsOf(c.pods.get('ns/f')!.hours)) expect(h.estimated_kWh).toBe(h.energy_kWh);
    expect(c.pods.get('ns/f')!.idleShareUnavailable).toMatch(/^CCF estimate/);
    expect(c.estimate).toMatchObject({ podsMeasured: 1, podsEstimated: 2, notEstimated: [] });
    expect(c.estimate!.nodes).toEqual([
      {
        node: 'fake',
        reason: 'Kepler runs its fake meter (random values for development)',
        coefficients: 'instance type m5.large → Skylake: 0.65–4.26 W per vCPU',
        assumed: false,
      },
    ]);
    expect(nodes.calls).toBe(1); // one lookup per node, not per pod
  });

  test('the estimate starts at the later of pod start and the source’s first observation, ends at finish', async () => {
    const inner = collection({ nodeReadings: new Map(), observedSinceMs: from.getTime() + H });
    const c = await new CcfFallbackSource(
      new ScriptedSource(inner),
      new ScriptedNodes({ n: { providerID: 'gce://p/z/n' } }),
    ).collect({
      pods: [
        pod('late', 'n', { startTime: new Date(from.getTime() + 2 * H).toISOString() }),
        pod('done', 'n', { finishedTime: new Date(from.getTime() + 3 * H).toISOString() }),
      ],
      from,
      to,
    });
    // GCP median 0.68–4.11 at 50 %: 2.395 W per core.
    expect(bucketsOf(c.pods.get('ns/late')!.hours).map((h) => h.hourStart)).toEqual([
      '2026-03-01T02:00:00Z',
      '2026-03-01T03:00:00Z',
    ]);
    expect(total(c, 'ns/late')).toBeCloseTo((2.395 * 2) / 1000, 12);
    expect(total(c, 'ns/done')).toBeCloseTo((2.395 * 2) / 1000, 12); // 01:00 (observed) → 03:00 (finished)
    expect(c.pods.get('ns/done')!.power_watts).toBe(0);
    expect(c.pods.get('ns/late')!.power_watts).toBeCloseTo(2.395, 12);
    expect(c.estimate!.nodes[0]).toMatchObject({ node: 'n', reason: 'no Kepler series for this node' });
  });

  test('pods without CPU requests or not started are listed, not guessed; an unreadable Node falls back to assumed', async () => {
    const forbidden = Object.assign(new Error('forbidden: cannot get nodes'), { statusCode: 403 });
    const c = await new CcfFallbackSource(
      new ScriptedSource(collection({ nodeReadings: new Map() })),
      new ScriptedNodes({ n: forbidden }),
    ).collect({
      pods: [
        pod('nocpu', 'n', { cpuRequest_cores: undefined }),
        pod('zero', 'n', { cpuRequest_cores: 0 }),
        pod('unstarted', 'n', { startTime: undefined }),
        pod('ok', 'n'),
      ],
      from,
      to,
    });
    expect(c.estimate!.notEstimated).toEqual([
      {
        pod: 'ns/nocpu',
        reason: 'no CPU request: the CCF estimate needs resources.requests.cpu on its containers',
      },
      {
        pod: 'ns/zero',
        reason: 'no CPU request: the CCF estimate needs resources.requests.cpu on its containers',
      },
      { pod: 'ns/unstarted', reason: 'the pod has not started (no status.startTime)' },
    ]);
    expect([...c.pods.keys()]).toEqual(['ns/ok']);
    expect(c.estimate!.nodes[0]!.assumed).toBe(true);
    expect(c.estimate!.nodes[0]!.coefficients).toMatch(
      /^assumed: aws average .*: 0\.74–3\.5 W per vCPU \(the Node could not be read: forbidden: cannot get nodes\)$/,
    );
    // The assumed AWS average 0.74–3.5 at 50 %: 2.12 W for 4 h.
    expect(total(c, 'ns/ok')).toBeCloseTo(0.00848, 12);
  });
});
