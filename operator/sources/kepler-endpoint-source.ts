// MetricsSource that scrapes Kepler directly: one endpoint per node, found from the Kepler Service's
// EndpointSlices (or a fixed URL list from the admin's configuration; a policy never names a URL).
// Every scrape interval it scrapes all endpoints, integrates each pod's energy since that endpoint's
// previous scrape (energy-integrator) and adds it to in-memory UTC hour buckets. collect() answers from
// those buckets; the controller persists them in the policy status so a restart loses no history.
import { DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { HourlyEnergy } from '../engine/types.js';
import {
  allocateNodeIdle,
  allocateNodeIdleWatts,
  CounterIntegrator,
  distributeToHours,
  hoursWithin,
  mergeHourly,
  nodeReadings,
  podReadings,
  type EnergyReadingLike,
} from '../kepler/energy-integrator.js';
import { totalWatts, type KeplerSnapshot, type PodEnergyReading } from '../kepler/kepler-metrics.js';
import {
  MetricsUnavailableError,
  type MetricsCollection,
  type MetricsSource,
  type PodEnergyReading as CollectedPod,
  type PodRef,
} from '../controller/metrics-source.js';
import type { OperatorConfig } from '../controller/operator-config.js';
import {
  KeplerEndpointScraper,
  MetricsSourceError,
  type KeplerEndpointOptions,
  type WarnLogger,
} from './kepler-endpoint-scraper.js';

export interface KeplerTarget {
  url: string;
  nodeName?: string;
}

export interface KeplerEndpointSourceOptions {
  /** Fixed targets, or a discovery function (called before every scrape round). */
  targets: KeplerTarget[] | (() => Promise<KeplerTarget[]>);
  /** TLS/auth/limits shared by all endpoints (url and nodeName come from the target). */
  endpoint?: Omit<KeplerEndpointOptions, 'url' | 'nodeName'>;
  scrapeIntervalMs: number;
  /** Hour buckets older than this are dropped from memory. Default 35 days. */
  retentionMs?: number;
  logger?: WarnLogger & { info?(obj: object, msg: string): void };
  clock?: () => number;
}

interface EndpointState {
  scraper: KeplerEndpointScraper;
  previous: KeplerSnapshot | undefined;
  lastError: MetricsSourceError | undefined;
  /** Per-series counter baselines of this endpoint's pods and nodes (gaps are not resets). */
  pods: CounterIntegrator<PodEnergyReading>;
  nodes: CounterIntegrator<EnergyReadingLike>;
}

interface PodHistory {
  namespace: string;
  name: string;
  uid: string | undefined;
  hourly: HourlyEnergy[];
  watts: number | undefined;
  idleWatts: number | undefined;
  /** Why the latest interval had no idle share, if it had none. */
  idleUnavailable: string | undefined;
  lastSeenMs: number;
}

export class KeplerEndpointSource implements MetricsSource {
  readonly description: string;
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly history = new Map<string, PodHistory>();
  private readonly zones = new Set<string>();
  private readonly flags = new Set<string>();
  private energySource = 'measured: kepler';
  private idleShareSource: string | undefined;
  private firstScrapeMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private lastRoundMs: number | undefined;
  private discoveryError: string | undefined;

  constructor(private readonly options: KeplerEndpointSourceOptions) {
    this.description = Array.isArray(options.targets)
      ? `kepler (${options.targets.length} endpoints)`
      : 'kepler (EndpointSlices)';
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.round = this.scrapeAll().catch((err) =>
        this.options.logger?.warn({ err: String(err) }, 'kepler scrape round failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, this.options.scrapeIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
    await Promise.all([...this.endpoints.values()].map((e) => e.scraper.close()));
    this.endpoints.clear();
  }

  /** One scrape of every endpoint; exposed for tests and for a first round before serving. */
  async scrapeAll(): Promise<void> {
    let targets: KeplerTarget[];
    try {
      targets = Array.isArray(this.options.targets) ? this.options.targets : await this.options.targets();
      this.discoveryError = undefined;
    } catch (err) {
      this.discoveryError = (err as Error).message;
      return;
    }
    const wanted = new Set(targets.map((t) => t.url));
    for (const [url, state] of this.endpoints) {
      if (!wanted.has(url)) {
        await state.scraper.close();
        this.endpoints.delete(url);
      }
    }
    await Promise.all(targets.map((t) => this.scrapeOne(t)));
    this.lastRoundMs = this.now();
    this.prune();
  }

  private async scrapeOne(target: KeplerTarget): Promise<void> {
    let state = this.endpoints.get(target.url);
    if (!state) {
      try {
        const scraper = await KeplerEndpointScraper.create({
          ...this.options.endpoint,
          url: target.url,
          ...(target.nodeName !== undefined ? { nodeName: target.nodeName } : {}),
          ...(this.options.logger ? { logger: this.options.logger } : {}),
        });
        state = {
          scraper,
          previous: undefined,
          lastError: undefined,
          pods: new CounterIntegrator(),
          nodes: new CounterIntegrator(),
        };
        this.endpoints.set(target.url, state);
      } catch (err) {
        this.options.logger?.warn({ target: target.url, err: String(err) }, 'kepler endpoint unusable');
        return;
      }
    }
    try {
      const { snapshot } = await state.scraper.scrape(undefined, this.now());
      this.absorb(state, snapshot);
      state.previous = snapshot;
      state.lastError = undefined;
    } catch (err) {
      state.lastError =
        err instanceof MetricsSourceError
          ? err
          : new MetricsSourceError('Unreachable', state.scraper.target, String(err));
      this.options.logger?.warn(
        { target: state.scraper.target, reason: state.lastError.reason },
        state.lastError.message,
      );
    }
  }

  private absorb(state: EndpointState, current: KeplerSnapshot): void {
    for (const z of current.countedZones) this.zones.add(z);
    for (const f of current.dataQuality) this.flags.add(f);
    this.energySource = current.energySource;
    this.firstScrapeMs ??= current.scrapedAtMs;
    const readings = new Map<string, PodEnergyReading>(current.pods);
    const nodeOf = (key: string) => readings.get(key)?.node;
    let intervals = state.pods.next(podReadings(current));
    const nodeIntervals = state.nodes.next(nodeReadings(current));
    // 0.10+ attributes no idle to pods: split each node's idle over its pods by active share.
    if (current.idleShare.method === 'node-idle-allocation')
      intervals = allocateNodeIdle(intervals, nodeOf, nodeIntervals);
    if (current.idleShare.method !== 'unavailable') this.idleShareSource = current.idleShare.text;
    const idleWatts =
      current.idleShare.method === 'node-idle-allocation'
        ? allocateNodeIdleWatts(
            [...readings.values()].map((r) => ({
              key: r.key,
              node: r.node,
              activeWatts: r.terminated ? 0 : totalWatts(r),
            })),
            new Map(
              current.nodes
                .filter((n) => Object.keys(n.idleWattsByZone).length > 0)
                .map((n) => [n.name, totalWatts({ wattsByZone: n.idleWattsByZone })]),
            ),
          )
        : undefined;
    for (const interval of intervals) {
      const r = readings.get(interval.key)!;
      // Pods are kept by namespace/name (uid-only container sums by uid until collect() can resolve them).
      const key = r.namespace || r.name ? `${r.namespace}/${r.name}` : interval.key;
      let h = this.history.get(key);
      if (!h) {
        h = {
          namespace: r.namespace,
          name: r.name,
          uid: r.uid,
          hourly: [],
          watts: undefined,
          idleWatts: undefined,
          idleUnavailable: undefined,
          lastSeenMs: current.scrapedAtMs,
        };
        this.history.set(key, h);
      }
      h.hourly = mergeHourly(
        h.hourly,
        distributeToHours(interval.fromMs, interval.toMs, interval.joules, interval.idleJoules),
      );
      h.watts = r.terminated ? 0 : totalWatts(r);
      h.idleWatts = r.terminated ? 0 : idleWatts?.get(r.key);
      h.idleUnavailable =
        interval.idleJoules !== undefined
          ? undefined
          : current.idleShare.method === 'unavailable'
            ? current.idleShare.text.replace(/^unavailable: /, '')
            : `no idle figure for node ${r.node ?? '(unknown)'} in the Kepler scrape`;
      h.lastSeenMs = current.scrapedAtMs;
      if (r.uid) h.uid = r.uid;
    }
  }

  private prune(): void {
    const cutoff = this.now() - (this.options.retentionMs ?? 35 * 24 * 3_600_000);
    for (const [key, h] of this.history) {
      h.hourly = h.hourly.filter((x) => Date.parse(x.hourStart) >= cutoff - 3_600_000);
      if (h.hourly.length === 0 && h.lastSeenMs < cutoff) this.history.delete(key);
    }
  }

  async collect(request: {
    pods: PodRef[];
    from: Date;
    to: Date;
    signal?: AbortSignal;
  }): Promise<MetricsCollection> {
    if (this.lastRoundMs === undefined) {
      // Before the first round completes there is nothing to answer from.
      if (!this.round) this.start();
      await this.round;
    }
    const errors = [...this.endpoints.values()]
      .filter((e) => e.lastError)
      .map((e) => ({ target: e.scraper.target, reason: e.lastError!.reason, message: e.lastError!.message }));
    const healthy = [...this.endpoints.values()].some((e) => e.previous && !e.lastError);
    // No endpoint answered in the last round: what history holds is not current, so say the
    // source is unavailable and let the reconciler keep the last assessment, marked stale.
    if (!healthy) {
      if (this.discoveryError) throw new MetricsUnavailableError('DiscoveryFailed', this.discoveryError);
      if (errors.length > 0)
        throw new MetricsUnavailableError(errors[0]!.reason, errors.map((e) => e.message).join('; '));
      throw new MetricsUnavailableError('NoEndpoints', 'no Kepler endpoints found');
    }
    const pods = new Map<string, CollectedPod>();
    const fromMs = request.from.getTime();
    const toMs = request.to.getTime();
    for (const ref of request.pods) {
      const key = `${ref.namespace}/${ref.name}`;
      const h = this.history.get(key) ?? (ref.uid ? this.history.get(`uid:${ref.uid}`) : undefined);
      if (!h) continue;
      pods.set(key, {
        namespace: ref.namespace,
        pod: ref.name,
        hourly: hoursWithin(h.hourly, fromMs, toMs),
        ...(h.watts !== undefined ? { power_watts: h.watts } : {}),
        ...(h.idleWatts !== undefined ? { idleShare_watts: h.idleWatts } : {}),
        ...(h.idleUnavailable !== undefined ? { idleShareUnavailable: h.idleUnavailable } : {}),
      });
    }
    return {
      pods,
      zonesCounted: [...this.zones],
      energySource: this.energySource,
      dataQuality: [...this.flags].sort(),
      ...(this.idleShareSource !== undefined ? { idleShareSource: this.idleShareSource } : {}),
      // Energy exists only between scrapes: the first one starts the observation.
      ...(this.firstScrapeMs !== undefined ? { observedSinceMs: this.firstScrapeMs } : {}),
      errors,
    };
  }
}

/** Kepler endpoints from the Service's EndpointSlices: one ready address per node. */
export function endpointSliceDiscovery(
  kubeConfig: KubeConfig,
  opts: { namespace: string; service: string; portName: string; scheme: 'http' | 'https'; path?: string },
): () => Promise<KeplerTarget[]> {
  const api = kubeConfig.makeApiClient(DiscoveryV1Api);
  return async () => {
    const list = await api.listNamespacedEndpointSlice({
      namespace: opts.namespace,
      labelSelector: `kubernetes.io/service-name=${opts.service}`,
    });
    const targets = new Map<string, KeplerTarget>();
    for (const slice of list.items) {
      const port =
        slice.ports?.find((p) => p.name === opts.portName) ??
        (slice.ports?.length === 1 ? slice.ports[0] : undefined);
      if (!port?.port) continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        const address = ep.addresses?.[0];
        if (!address) continue;
        const host = slice.addressType === 'IPv6' ? `[${address}]` : address;
        const url = `${opts.scheme}://${host}:${port.port}${opts.path ?? '/metrics'}`;
        targets.set(url, { url, ...(ep.nodeName ? { nodeName: ep.nodeName } : {}) });
      }
    }
    return [...targets.values()];
  };
}

/** Entry point the operator's metrics-source factory loads (operator/controller/metrics-source-factory.ts). */
export function createMetricsSource(options: {
  config: OperatorConfig;
  kubeConfig: KubeConfig;
  logger: WarnLogger & { info?(obj: object, msg: string): void };
}): MetricsSource {
  const { config, kubeConfig, logger } = options;
  const targets: KeplerEndpointSourceOptions['targets'] = config.keplerEndpoints?.length
    ? config.keplerEndpoints.map((url) => ({ url }))
    : endpointSliceDiscovery(kubeConfig, {
        namespace: config.keplerNamespace,
        service: config.keplerService,
        portName: config.keplerPortName,
        scheme: config.keplerScheme,
      });
  const source = new KeplerEndpointSource({
    targets,
    scrapeIntervalMs: config.keplerScrapeInterval * 1000,
    endpoint: {
      ...(config.keplerCaFile ? { caFile: config.keplerCaFile } : {}),
      ...(config.keplerCertFile ? { certFile: config.keplerCertFile } : {}),
      ...(config.keplerKeyFile ? { keyFile: config.keplerKeyFile } : {}),
      ...(config.keplerTokenFile ? { tokenFile: config.keplerTokenFile } : {}),
    },
    logger,
  });
  source.start();
  return source;
}
