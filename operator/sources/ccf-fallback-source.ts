// Power where Kepler cannot measure (operator flag --estimate-unmeasured-power): wraps the configured
// metrics source and, for every selected pod on a node without real Kepler readings (no series for
// the node, no package/dram zone, counters that never moved, the fake meter), estimates its energy with
// the Cloud Carbon Footprint model (kepler/ccf-power-model.ts) from the pod's CPU requests and the
// node's instance type or cloud provider (a cached GET of the Node). Every estimated kWh is marked in
// hourly[].estimated_kWh and the collection carries a report (estimate) that the status shows; nothing
// estimated is ever presented as measured, and a pod that cannot be estimated is listed with why.
import type { KubeRestClient } from '../kube/kube-rest-client.js';
import { podHoursOf } from './pod-hours.js';
import {
  type EnergyEstimateReport,
  type MetricsCollection,
  type MetricsSource,
  type CollectedPodEnergy,
  type PodRef,
} from './metrics-source.js';
import {
  coefficientsForNode,
  estimatedHours,
  estimatePodWatts,
  estimateSourceLabel,
  loadCcfCoefficients,
  requestsBasis,
  type CcfCoefficientChoice,
  type CcfCoefficients,
  type NodeHardware,
} from '../kepler/ccf-power-model.js';

/** The node facts the model needs, by node name. Throws when the node cannot be read. */
export interface NodeHardwareLookup {
  get(name: string): Promise<NodeHardware | undefined>;
}

/** Nodes read with GET /api/v1/nodes/{name} (RBAC: get nodes), kept 10 minutes; one request per node
 * however many pods ask at once. A 404 is "no such node" (undefined), other errors are thrown. */
export class CachedNodeHardwareLookup implements NodeHardwareLookup {
  private readonly cache = new Map<string, { value: NodeHardware | undefined; at: number }>();
  private readonly pending = new Map<string, Promise<NodeHardware | undefined>>();

  constructor(
    private readonly client: KubeRestClient,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  get(name: string): Promise<NodeHardware | undefined> {
    const hit = this.cache.get(name);
    if (hit && Date.now() - hit.at < this.ttlMs) return Promise.resolve(hit.value);
    const inFlight = this.pending.get(name);
    if (inFlight) return inFlight;
    const request = this.fetch(name).finally(() => this.pending.delete(name));
    this.pending.set(name, request);
    return request;
  }

  private async fetch(name: string): Promise<NodeHardware | undefined> {
    let value: NodeHardware | undefined;
    try {
      const node = await this.client.get<{
        metadata?: { labels?: Record<string, string> };
        spec?: { providerID?: string };
      }>(`/api/v1/nodes/${encodeURIComponent(name)}`);
      const instanceType =
        node.metadata?.labels?.['node.kubernetes.io/instance-type'] ??
        node.metadata?.labels?.['beta.kubernetes.io/instance-type'];
      value = {
        ...(instanceType ? { instanceType } : {}),
        ...(node.spec?.providerID ? { providerID: node.spec.providerID } : {}),
      };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    this.cache.set(name, { value, at: Date.now() });
    return value;
  }
}

const NO_IDLE_SHARE =
  "CCF estimate: the figure already includes the reserved vCPUs' minimum power, so there is no separate idle share";

export class CcfFallbackSource implements MetricsSource {
  readonly description: string;
  readonly retain?: MetricsSource['retain'];

  constructor(
    private readonly inner: MetricsSource,
    private readonly nodes: NodeHardwareLookup,
    private readonly table: CcfCoefficients = loadCcfCoefficients(),
  ) {
    this.description = `${inner.description}, CCF estimate where Kepler has no readings`;
    if (inner.retain) this.retain = inner.retain.bind(inner);
  }

  async collect(request: {
    pods: PodRef[];
    from: Date;
    to: Date;
    signal?: AbortSignal;
  }): Promise<MetricsCollection> {
    const collection = await this.inner.collect(request);
    const report: EnergyEstimateReport = {
      provenance: estimateSourceLabel(this.table),
      podsMeasured: 0,
      podsEstimated: 0,
      nodes: [],
      notEstimated: [],
      cpuBasis: `pod CPU requests at CCF's default utilisation ${this.table.defaultCpuUtilisation.value * 100} %, assumed (${this.table.defaultCpuUtilisation.source})`,
    };
    const verdicts = collection.nodeReadings;
    if (!verdicts) {
      report.unavailable = `${this.inner.description} cannot tell which nodes Kepler measures, so nothing is estimated`;
      return { ...collection, estimate: report };
    }
    const pods = new Map(collection.pods);
    const choices = new Map<string, CcfCoefficientChoice>();
    const fromMs = request.from.getTime();
    const toMs = request.to.getTime();
    // Estimates start where the source's observation starts, so that the 30-day projection (scaled
    // from the hours observed) counts estimated and measured hours alike.
    const observedFromMs = Math.max(fromMs, collection.observedSinceMs ?? fromMs);
    for (const ref of request.pods) {
      const key = `${ref.namespace}/${ref.name}`;
      if (!ref.nodeName) continue; // not scheduled: no energy to measure or estimate
      const verdict = verdicts.get(ref.nodeName);
      if (verdict?.measured) {
        report.podsMeasured += 1;
        continue;
      }
      // Whatever the source returned for this pod is not a real reading (zero counters, fake meter).
      pods.delete(key);
      let choice = choices.get(ref.nodeName);
      if (!choice) {
        let hardware: NodeHardware | undefined;
        let lookupError: string | undefined;
        try {
          hardware = await this.nodes.get(ref.nodeName);
        } catch (error) {
          lookupError = (error as Error).message;
        }
        choice = coefficientsForNode(hardware, this.table);
        choices.set(ref.nodeName, choice);
        report.nodes.push({
          node: ref.nodeName,
          reason: verdict?.reason ?? 'no Kepler series for this node',
          coefficients:
            `${choice.basis}: ${round(choice.minWattsPerVcpu)}–${round(choice.maxWattsPerVcpu)} W per vCPU` +
            (lookupError ? ` (the Node could not be read: ${lookupError})` : ''),
          assumed: choice.assumed,
        });
      }
      if (!(ref.cpuRequest_cores !== undefined && ref.cpuRequest_cores > 0)) {
        report.notEstimated.push({
          pod: key,
          reason: 'no CPU request: the CCF estimate needs resources.requests.cpu on its containers',
        });
        continue;
      }
      const startMs = ref.startTime ? Date.parse(ref.startTime) : Number.NaN;
      if (!Number.isFinite(startMs)) {
        report.notEstimated.push({ pod: key, reason: 'the pod has not started (no status.startTime)' });
        continue;
      }
      const finishedMs = ref.finishedTime ? Date.parse(ref.finishedTime) : Number.NaN;
      const from = Math.max(observedFromMs, startMs);
      const to = Math.min(toMs, Number.isFinite(finishedMs) ? finishedMs : toMs);
      const watts = estimatePodWatts(requestsBasis(ref.cpuRequest_cores, this.table), choice);
      const reading: CollectedPodEnergy = {
        namespace: ref.namespace,
        pod: ref.name,
        hours: podHoursOf(estimatedHours(watts, from, to)),
        power_watts: Number.isFinite(finishedMs) ? 0 : watts,
        idleShareUnavailable: NO_IDLE_SHARE,
      };
      pods.set(key, reading);
      report.podsEstimated += 1;
    }
    return { ...collection, pods, estimate: report };
  }
}

const round = (value: number) => Number(value.toPrecision(4));

/** Wraps the configured source when --estimate-unmeasured-power is on. */
export function withCcfFallback(inner: MetricsSource, client: KubeRestClient): MetricsSource {
  // A broken coefficients file stops the operator at start-up with the file and field named.
  const table = loadCcfCoefficients();
  return new CcfFallbackSource(inner, new CachedNodeHardwareLookup(client), table);
}
