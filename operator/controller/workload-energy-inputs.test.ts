import { toPodView } from '../kube/pod-view.js';
import type { HourlyEnergy } from '../domain/types.js';
import type { CollectedPodEnergy, MetricsCollection } from '../sources/metrics-source.js';
import { podHoursOf } from '../sources/pod-hours.js';
import type { EnergyHistory } from '../api/v1alpha1/types.js';
import { windowEndingAt } from './energy-history.js';
import { mergeHistory } from './workload-energy-inputs.js';
import type { Workload } from './workload-grouping.js';

const NOW = new Date('2026-04-01T03:30:00Z');
// Four hours: 00:00, 01:00, 02:00 and the current 03:00.
const window = windowEndingAt(NOW, 4);

function workload(name: string, pods: string[]): Workload {
  return {
    key: `Deployment/${name}`,
    kind: 'Deployment',
    name,
    namespace: 'shop',
    pods: pods.map((pod) => toPodView({ metadata: { name: pod, namespace: 'shop' } })),
  };
}

function collection(readings: Array<[string, HourlyEnergy[]]>): MetricsCollection {
  return {
    pods: new Map<string, CollectedPodEnergy>(
      readings.map(([pod, buckets]) => [
        `shop/${pod}`,
        { namespace: 'shop', pod, hours: podHoursOf(buckets) },
      ]),
    ),
    zonesCounted: ['package'],
    energyProvenance: 'measured: test',
    dataQuality: [],
    idleShareProvenance: 'allocated: test',
    errors: [],
  };
}

describe('mergeHistory: pods summed per workload onto the window, merged with the stored history', () => {
  it('sums the pods per hour and field, keeps idle and estimated series only where the source has them', () => {
    const history = mergeHistory(
      undefined,
      [workload('web', ['web-a', 'web-b']), workload('api', ['api-a'])],
      collection([
        [
          'web-a',
          [
            { hourStart: '2026-04-01T01:00:00Z', energy_kWh: 1, idleShare_kWh: 0.25 },
            { hourStart: '2026-04-01T02:00:00Z', energy_kWh: 2 },
          ],
        ],
        [
          'web-b',
          [
            { hourStart: '2026-04-01T01:00:00Z', energy_kWh: 0.5, idleShare_kWh: 0.5, estimated_kWh: 0.5 },
            // Before the window: dropped.
            { hourStart: '2026-03-31T23:00:00Z', energy_kWh: 9 },
            { hourStart: '2026-04-01T03:00:00Z', energy_kWh: 0.125 },
          ],
        ],
        ['api-a', [{ hourStart: '2026-04-01T00:00:00Z', energy_kWh: 4 }]],
      ]),
      window,
      NOW,
    );
    expect([...history.series]).toEqual([
      ['Deployment/web', [null, 1.5, 2, 0.125]],
      ['Deployment/api', [4, null, null, null]],
    ]);
    expect([...history.idleSeries]).toEqual([['Deployment/web', [null, 0.75, null, null]]]);
    expect([...history.estimatedSeries]).toEqual([['Deployment/web', [null, 0.5, null, null]]]);
    expect(history.podReadings.get('Deployment/web')!.map((r) => r?.pod)).toEqual(['web-a', 'web-b']);
  });

  it('keeps the larger of stored and fresh per hour, drops negative or non-finite sums, and a pod without readings adds nothing', () => {
    const stored: EnergyHistory = {
      startHour: '2026-03-31T23:00:00Z',
      hours: 4,
      series: [{ workload: 'Deployment/web', kWh: [7, 3, 1, null] }],
    };
    const history = mergeHistory(
      stored,
      [workload('web', ['web-a', 'web-gone']), workload('bad', ['bad-a'])],
      collection([
        [
          'web-a',
          [
            { hourStart: '2026-04-01T00:00:00Z', energy_kWh: 2 },
            { hourStart: '2026-04-01T01:00:00Z', energy_kWh: 0.5 },
            { hourStart: '2026-04-01T02:00:00Z', energy_kWh: 5 },
          ],
        ],
        [
          'bad-a',
          [
            { hourStart: '2026-04-01T00:00:00Z', energy_kWh: -1 },
            { hourStart: '2026-04-01T01:00:00Z', energy_kWh: Number.NaN },
          ],
        ],
      ]),
      window,
      NOW,
    );
    // Stored 23:00 fell out of the window; 00:00 stored 3 vs fresh 2; 01:00 stored 1 vs fresh 0.5.
    expect([...history.series]).toEqual([['Deployment/web', [3, 1, 5, null]]]);
    expect(history.podReadings.get('Deployment/web')).toEqual([
      expect.objectContaining({ pod: 'web-a' }),
      undefined,
    ]);
  });

  it('pods whose hours start at different hours are summed hour by hour', () => {
    const history = mergeHistory(
      undefined,
      [workload('web', ['web-a', 'web-b'])],
      collection([
        [
          'web-a',
          [
            { hourStart: '2026-04-01T00:00:00Z', energy_kWh: 1 },
            { hourStart: '2026-04-01T01:00:00Z', energy_kWh: 2 },
          ],
        ],
        ['web-b', [{ hourStart: '2026-04-01T01:00:00.000Z', energy_kWh: 3 }]],
      ]),
      window,
      NOW,
    );
    expect(history.series.get('Deployment/web')).toEqual([1, 5, null, null]);
  });
});
