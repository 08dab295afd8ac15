// The operator's boundary to energy data. Implementations: Kepler endpoints scraped directly
// (discovered from the Kepler Service's EndpointSlices, or a fixed URL list) and Prometheus.
// Which one is used is the OPERATOR's configuration: a policy never names a URL.
export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
  nodeName?: string;
  /** Σ of the containers' CPU requests, cores (the CCF estimate's vCPUs). */
  cpuRequest_cores?: number;
  /** status.startTime, and when the pod's containers last finished (Succeeded/Failed pods). */
  startTime?: string;
  finishedTime?: string;
}

/** One pod's energy as a metrics source collected it over the requested range (hourly kWh and latest
 * power). Not to be confused with one Kepler scrape's counters of a pod (kepler/kepler-metrics.ts). */
export interface CollectedPodEnergy {
  namespace: string;
  pod: string;
  /** kWh per UTC clock hour inside the requested range. */
  hours: PodHours;
  /** Latest active IT power, watts, when the source knows it. hours.energy_kWh is active energy;
   * hours.idleShare_kWh the pod's share of node idle, when the source has one. */
  power_watts?: number;
  /** Latest idle-share power, watts, when known. */
  idleShare_watts?: number;
  /** Set when this pod has no idle share: why (e.g. its node exports no idle counters). */
  idleShareUnavailable?: string;
}

/**
 * A pod's energy per UTC clock hour: entry i is the hour starting firstHourMs + i h. NaN: no figure that
 * hour (energy_kWh NaN: no measurement at all that hour). Built and read with ./pod-hours.ts.
 */
export interface PodHours {
  firstHourMs: number;
  /** Active energy (an hour with only an idle share or an estimate has 0 here). */
  energy_kWh: Float64Array;
  /** The pod's share of its node's idle energy, where the source has one. */
  idleShare_kWh?: Float64Array;
  /** The part of energy_kWh estimated with the CCF model (--estimate-unmeasured-power). */
  estimated_kWh?: Float64Array;
}

export interface MetricsCollection {
  /** Key `namespace/pod`. */
  pods: Map<string, CollectedPodEnergy>;
  zonesCounted: string[];
  /** Where the energy figures come from (their provenance), e.g. 'measured: kepler 0.11.4 (rapl)'. */
  energyProvenance: string;
  dataQuality: string[];
  /** How the pods' idle shares were obtained (e.g. node idle allocated by active share), or
   * undefined when the source gives none (then every pod's idle share is unavailable). */
  idleShareProvenance?: string;
  /** Since when the source has observed energy (its first scrape or first sample); undefined when
   * it keeps history of its own for the whole requested range (Prometheus). */
  observedSinceMs?: number;
  /** Partial failures (one node's exporter down): the rest of the data is still used. */
  errors: Array<{ target: string; reason: string; message: string }>;
  /**
   * Per node (name): whether Kepler gives it real readings, and if not why (no package/dram zone, zero
   * counters, fake meter). A node absent from the map has no Kepler series at all. Undefined when the
   * source cannot tell per node; the CCF fallback then estimates nothing and says so.
   */
  nodeReadings?: ReadonlyMap<string, NodeReadingState>;
  /** Set by the CCF fallback (--estimate-unmeasured-power): what it estimated and how. */
  estimate?: EnergyEstimateReport;
}

export interface NodeReadingState {
  measured: boolean;
  /** Why the node has no real readings; for a measured node, what was seen. */
  reason: string;
}

/** What the CCF fallback did in one collection: every figure it added is in pods[].hours.estimated_kWh. */
export interface EnergyEstimateReport {
  /** 'estimated: CCF (…)' with the coefficients' source: the estimate's provenance. */
  provenance: string;
  /** Selected pods on nodes with real Kepler readings. */
  podsMeasured: number;
  /** Selected pods estimated with the CCF model. */
  podsEstimated: number;
  /** Nodes without real Kepler readings that selected pods run on: why, and the coefficients used. */
  nodes: Array<{ node: string; reason: string; coefficients: string; assumed: boolean }>;
  /** Pods that needed an estimate and could not have one (no CPU request, no node yet). */
  notEstimated: Array<{ pod: string; reason: string }>;
  /** Where the CPU figure behind the estimate comes from. */
  cpuBasis: string;
  /** Set when the estimate could not run at all (the source cannot tell nodes apart, node lookup failed). */
  unavailable?: string;
}

export interface MetricsSource {
  /** For status messages and logs: 'kepler (3 endpoints)', 'prometheus'. */
  readonly description: string;
  collect(request: {
    pods: PodRef[];
    from: Date;
    to: Date;
    signal?: AbortSignal;
  }): Promise<MetricsCollection>;
  /**
   * Retention hint for sources that keep history in memory (direct Kepler): the pods `policy`
   * (`namespace/name`) selects and its window in ms; an empty list releases the policy. Sources with
   * history of their own (Prometheus) do not implement it.
   */
  retain?(policy: string, pods: readonly PodRef[], windowMs: number): void;
}

/** The whole source failed: nothing usable came back. `reason` goes into the MetricsAvailable condition. */
export class MetricsUnavailableError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'MetricsUnavailableError';
  }
}
