// A hand-written MetricsSource for reconciler tests (the Kepler and Prometheus sources have their own
// tests against real exporters and a real Prometheus): it returns the readings the test put in, or fails
// with `failWith`.
import type {
  MetricsCollection,
  MetricsSource,
  CollectedPodEnergy,
} from '../../operator/sources/metrics-source.js';

export class ScriptedMetricsSource implements MetricsSource {
  failWith: Error | undefined;
  /** Readings by `namespace/pod`. */
  readings = new Map<string, CollectedPodEnergy>();
  constructor(readonly description = 'scripted test source') {}
  collect(): Promise<MetricsCollection> {
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve({
      pods: new Map(this.readings),
      zonesCounted: ['package'],
      energyProvenance: 'measured: test',
      dataQuality: [],
      errors: [],
    });
  }
}
