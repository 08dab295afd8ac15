// MetricsSource that scrapes Kepler directly: one endpoint per node, found from the Kepler Service's
// EndpointSlices (or a fixed URL list from the admin's configuration; a policy never names a URL).
// Every scrape interval it scrapes all endpoints, integrates each pod's energy since that endpoint's
// previous scrape (energy-integrator) and adds it to in-memory UTC hour buckets. collect() answers from
// those buckets; the controller persists them in the policy status so a restart loses no history.
// Memory is bounded by what policies need: the reconciler tells the source (retain()) which pods each
// policy selects and its window; those pods keep hourly buckets for their longest window, every other
// pod only its counter baselines and the last `unselectedGraceMs` of hours (so a pod selected at the
// next reconcile has its first minutes). Each round works in chunks and yields to the event loop, which
// also renews the leader Lease.
import { DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import {
  allocateNodeIdle,
  allocateNodeIdleWatts,
  CounterIntegrator,
  forEachHourShare,
  nodeReadings,
  podReadings,
  type EnergyReadingLike,
} from '../kepler/energy-integrator.js';
import { totalWatts, type KeplerSnapshot, type PodEnergyReading } from '../kepler/kepler-metrics.js';
import {
  MetricsUnavailableError,
  type MetricsCollection,
  type MetricsSource,
  type NodeReadingState,
  type CollectedPodEnergy,
  type PodHours,
  type PodRef,
} from './metrics-source.js';
import { NO_POD_HOURS } from './pod-hours.js';
import {
  KeplerEndpointScraper,
  MetricsSourceError,
  type KeplerEndpointOptions,
  type WarnLogger,
} from './kepler-endpoint-scraper.js';
import { HOUR_MS } from '../domain/time.js';

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
  /** Upper bound for any pod's hour buckets (and, until the first retain() hint, every pod's). Default 35 days. */
  retentionMs?: number;
  /** Hours kept for pods no policy selects (current and previous hour by default). Default 2 h. */
  unselectedGraceMs?: number;
  /** Pods handled between two yields to the event loop. Default 250. */
  chunkSize?: number;
  logger?: WarnLogger & { info?(obj: object, msg: string): void };
  clock?: () => number;
}

interface EndpointState {
  scraper: KeplerEndpointScraper;
  previous: KeplerSnapshot | undefined;
  lastError: MetricsSourceError | undefined;
}

/** Per-series counter baselines of one endpoint's pods and nodes (gaps are not resets). */
interface Baselines {
  pods: CounterIntegrator<PodEnergyReading>;
  nodes: CounterIntegrator<EnergyReadingLike>;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface PodHistory {
  namespace: string;
  name: string;
  uid: string | undefined;
  /** Hour of the first kept bucket. */
  firstHourMs: number;
  /** The kept hours as [active kWh, idle-share kWh] pairs: pair `offset + i` is the hour firstHourMs + i h,
   * for i < count. NaN = no bucket for that hour (active) or no idle share in it (idle); every pair outside
   * the kept ones is NaN. One typed array per pod, sized to the hours it keeps: 16 B per pod-hour, outside
   * the JS heap, instead of two growing number arrays (which held half as much again in spare capacity). */
  kWh: Float64Array;
  offset: number;
  count: number;
  watts: number | undefined;
  idleWatts: number | undefined;
  /** Why the latest interval had no idle share, if it had none. */
  idleUnavailable: string | undefined;
  lastSeenMs: number;
}

export class KeplerEndpointSource implements MetricsSource {
  readonly description: string;
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly baselines = new Map<string, Baselines>();
  /** retain() hints: policy key → the pods it selects and its window (ms). */
  private readonly hints = new Map<string, { keys: string[]; windowMs: number }>();
  /** Pod key → longest window (ms) of the policies selecting it; recomputed when hints change. */
  private keepByPod: Map<string, number> | undefined;
  private hinted = false;
  private readonly history = new Map<string, PodHistory>();
  private readonly zones = new Set<string>();
  /** Per node: whether its latest scrape had real readings, and when it was last seen. */
  private readonly nodeStates = new Map<string, NodeReadingState & { lastSeenMs: number }>();
  private readonly flags = new Set<string>();
  private energyProvenance = 'measured: kepler';
  private idleShareProvenance: string | undefined;
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
    for (const url of this.baselines.keys()) if (!wanted.has(url)) this.baselines.delete(url);
    const scraped = await Promise.all(targets.map((t) => this.scrapeOne(t)));
    await this.ingestRound(scraped.filter((s): s is { url: string; snapshot: KeplerSnapshot } => !!s));
    this.lastRoundMs = this.now();
  }

  /**
   * Integrates one round of snapshots (one per endpoint URL) into the hour buckets, then drops what no
   * policy needs. Yields to the event loop every `chunkSize` pods. scrapeAll() calls it after scraping.
   */
  async ingestRound(snapshots: ReadonlyArray<{ url: string; snapshot: KeplerSnapshot }>): Promise<void> {
    for (const { url, snapshot } of snapshots) {
      let baselines = this.baselines.get(url);
      if (!baselines) {
        baselines = { pods: new CounterIntegrator(), nodes: new CounterIntegrator() };
        this.baselines.set(url, baselines);
      }
      await this.absorb(baselines, snapshot);
    }
    await this.prune();
  }

  /**
   * Which pods a policy selects and the window it evaluates (the reconciler calls this before every
   * collect). Those pods keep hourly history for the longest window asking for them (at most
   * retentionMs); an empty list releases the policy's hint (policy deleted).
   */
  retain(policy: string, pods: readonly PodRef[], windowMs: number): void {
    if (pods.length === 0) this.hints.delete(policy);
    else {
      const keys: string[] = [];
      for (const p of pods) {
        keys.push(`${p.namespace}/${p.name}`);
        if (p.uid) keys.push(`uid:${p.uid}`);
      }
      this.hints.set(policy, { keys, windowMs });
    }
    this.hinted = true;
    this.keepByPod = undefined;
  }

  /** How long a pod's hours are kept (ms). Without any hint yet, every pod keeps retentionMs. */
  private keepMs(key: string): number {
    const retention = this.options.retentionMs ?? 35 * 24 * HOUR_MS;
    if (!this.hinted) return retention;
    if (!this.keepByPod) {
      this.keepByPod = new Map();
      for (const { keys, windowMs } of this.hints.values())
        for (const k of keys) this.keepByPod.set(k, Math.max(this.keepByPod.get(k) ?? 0, windowMs));
    }
    const window = this.keepByPod.get(key);
    return window === undefined
      ? Math.min(retention, this.options.unselectedGraceMs ?? 2 * HOUR_MS)
      : Math.min(retention, window + HOUR_MS);
  }

  private async scrapeOne(
    target: KeplerTarget,
  ): Promise<{ url: string; snapshot: KeplerSnapshot } | undefined> {
    let state = this.endpoints.get(target.url);
    if (!state) {
      try {
        const scraper = await KeplerEndpointScraper.create({
          ...this.options.endpoint,
          url: target.url,
          ...(target.nodeName !== undefined ? { nodeName: target.nodeName } : {}),
          ...(this.options.logger ? { logger: this.options.logger } : {}),
        });
        state = { scraper, previous: undefined, lastError: undefined };
        this.endpoints.set(target.url, state);
      } catch (err) {
        this.options.logger?.warn({ target: target.url, err: String(err) }, 'kepler endpoint unusable');
        return undefined;
      }
    }
    try {
      const { snapshot } = await state.scraper.scrape(undefined, this.now());
      state.previous = snapshot;
      state.lastError = undefined;
      return { url: target.url, snapshot };
    } catch (err) {
      state.lastError =
        err instanceof MetricsSourceError
          ? err
          : new MetricsSourceError('Unreachable', state.scraper.target, String(err));
      this.options.logger?.warn(
        { target: state.scraper.target, reason: state.lastError.reason },
        state.lastError.message,
      );
      return undefined;
    }
  }

  private async absorb(state: Baselines, current: KeplerSnapshot): Promise<void> {
    for (const [node, verdict] of nodeVerdicts(current))
      this.nodeStates.set(node, { ...verdict, lastSeenMs: current.scrapedAtMs });
    for (const z of current.countedZones) this.zones.add(z);
    for (const f of current.dataQuality) this.flags.add(f);
    this.energyProvenance = current.energySource;
    this.firstScrapeMs ??= current.scrapedAtMs;
    const readings: ReadonlyMap<string, PodEnergyReading> = current.pods;
    const nodeOf = (key: string) => readings.get(key)?.node;
    let intervals = state.pods.next(podReadings(current));
    const nodeIntervals = state.nodes.next(nodeReadings(current));
    // 0.10+ attributes no idle to pods: split each node's idle over its pods by active share.
    if (current.idleShare.method === 'node-idle-allocation')
      intervals = allocateNodeIdle(intervals, nodeOf, nodeIntervals);
    if (current.idleShare.method !== 'unavailable') this.idleShareProvenance = current.idleShare.text;
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
    const chunk = this.options.chunkSize ?? 250;
    let handled = 0;
    // One callback for every interval (no closure per pod): it adds to the pod being handled.
    let into: PodHistory | undefined;
    let room = 0;
    const addShare = (hourMs: number, kWh: number, idle: number | undefined): void =>
      addToHour(into!, hourMs, kWh, idle, room);
    for (const interval of intervals) {
      if (++handled % chunk === 0) await yieldToEventLoop();
      const r = readings.get(interval.key)!;
      // Pods are kept by namespace/name (uid-only container sums by uid until collect() can resolve them).
      const key = r.namespace || r.name ? `${r.namespace}/${r.name}` : interval.key;
      let h = this.history.get(key);
      if (!h) {
        h = {
          namespace: r.namespace,
          name: r.name,
          uid: r.uid,
          firstHourMs: 0,
          kWh: NO_HOURS,
          offset: 0,
          count: 0,
          watts: undefined,
          idleWatts: undefined,
          idleUnavailable: undefined,
          lastSeenMs: current.scrapedAtMs,
        };
        this.history.set(key, h);
      }
      into = h;
      // Once policies have said what they keep, a pod's array is sized for its whole keep at once: regrown
      // hour by hour, every pod left a trail of dead arrays that the allocator kept as resident memory.
      room = this.hinted ? Math.ceil(this.keepMs(key) / HOUR_MS) + 2 : 0; // as in prune()
      forEachHourShare(interval.fromMs, interval.toMs, interval.joules, interval.idleJoules, addShare);
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

  private async prune(): Promise<void> {
    const now = this.now();
    // A node unseen for an hour (its exporter gone) no longer counts as measured.
    for (const [node, state] of this.nodeStates)
      if (state.lastSeenMs < now - HOUR_MS) this.nodeStates.delete(node);
    const chunk = this.options.chunkSize ?? 250;
    let handled = 0;
    // The map itself, not a copy of its 10,000 entries per round (a copy alive across the yields below
    // reached the old generation every round); a Map iterator stays valid across deletions.
    for (const [key, h] of this.history) {
      if (++handled % chunk === 0) await yieldToEventLoop();
      const keep = this.keepMs(key);
      const cutoff = now - keep;
      // Buckets whose hour ends before the cutoff go (the hour the cutoff falls in stays whole).
      const keepFrom = Math.floor(cutoff / HOUR_MS) * HOUR_MS;
      dropHoursBefore(h, keepFrom, Math.ceil(keep / HOUR_MS) + 2);
      if (h.count === 0 && h.lastSeenMs < cutoff) this.history.delete(key);
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
    const pods = new Map<string, CollectedPodEnergy>();
    const fromMs = request.from.getTime();
    const toMs = request.to.getTime();
    for (const ref of request.pods) {
      const key = `${ref.namespace}/${ref.name}`;
      const h = this.history.get(key) ?? (ref.uid ? this.history.get(`uid:${ref.uid}`) : undefined);
      if (!h) continue;
      pods.set(key, {
        namespace: ref.namespace,
        pod: ref.name,
        hours: hoursOf(h, fromMs, toMs),
        ...(h.watts !== undefined ? { power_watts: h.watts } : {}),
        ...(h.idleWatts !== undefined ? { idleShare_watts: h.idleWatts } : {}),
        ...(h.idleUnavailable !== undefined ? { idleShareUnavailable: h.idleUnavailable } : {}),
      });
    }
    return {
      pods,
      zonesCounted: [...this.zones],
      energyProvenance: this.energyProvenance,
      dataQuality: [...this.flags].sort(),
      ...(this.idleShareProvenance !== undefined ? { idleShareProvenance: this.idleShareProvenance } : {}),
      // Energy exists only between scrapes: the first one starts the observation.
      ...(this.firstScrapeMs !== undefined ? { observedSinceMs: this.firstScrapeMs } : {}),
      errors,
      nodeReadings: new Map(
        [...this.nodeStates].map(([node, { measured, reason }]) => [node, { measured, reason }]),
      ),
    };
  }
}

/** Zones that are real energy readings of a node (docs/methodology.md § 2.11: package/dram RAPL, psys,
 * GPU, the platform meter). */
const REAL_ZONES = new Set(['package', 'dram', 'psys', 'core', 'uncore', 'gpu', 'other', 'platform']);

/**
 * Which nodes of one scrape have real readings. A node without RAPL shows as a node series with no
 * package/dram (or other real) zone, with counters that never moved, or with Kepler's fake meter
 * (random values for development); a node with no series at all is simply absent.
 */
function nodeVerdicts(snapshot: KeplerSnapshot): Map<string, NodeReadingState> {
  const out = new Map<string, NodeReadingState>();
  const fake = snapshot.dataQuality.includes('fake-meter');
  const podJoulesByNode = new Map<string, number>();
  for (const r of snapshot.pods.values()) {
    if (!r.node) continue;
    const joules = Object.values(r.joulesByZone).reduce((s, v) => s + v, 0);
    podJoulesByNode.set(r.node, (podJoulesByNode.get(r.node) ?? 0) + joules);
  }
  const names = new Set([...snapshot.nodes.map((n) => n.name), ...podJoulesByNode.keys()]);
  for (const name of names) {
    if (!name) continue;
    const node = snapshot.nodes.find((n) => n.name === name);
    const zones = (node?.countedZones ?? []).filter((z) => REAL_ZONES.has(z));
    const nodeJoules = zones.reduce((s, z) => s + (node?.joulesByZone[z] ?? 0), 0);
    const podJoules = podJoulesByNode.get(name) ?? 0;
    if (fake)
      out.set(name, {
        measured: false,
        reason: 'Kepler runs its fake meter (random values for development)',
      });
    else if (node && zones.length === 0 && podJoules === 0)
      out.set(name, {
        measured: false,
        reason: 'Kepler exports no package or dram zone for this node (no RAPL)',
      });
    else if (nodeJoules <= 0 && podJoules <= 0)
      out.set(name, { measured: false, reason: "Kepler's energy counters for this node are zero" });
    else out.set(name, { measured: true, reason: `Kepler zones ${zones.join(', ') || '(pod series only)'}` });
  }
  return out;
}

const NO_HOURS = new Float64Array(0);

/**
 * Moves a pod's kept pairs to start at pair `lead` of an array holding at least `needed` pairs: the same
 * array when it is large enough, else a new one of `room` pairs (the hours the pod keeps) or, when that is
 * too small or unknown, `needed` and a little room to grow. Offset becomes 0.
 */
function relocate(h: PodHistory, lead: number, needed: number, room: number): void {
  const from = 2 * h.offset;
  const to = 2 * (h.offset + h.count);
  if (needed <= h.kWh.length / 2) {
    h.kWh.copyWithin(2 * lead, from, to);
  } else {
    const grown = new Float64Array(2 * (room >= needed ? room : needed + Math.max(4, needed >> 3)));
    grown.set(h.kWh.subarray(from, to), 2 * lead);
    h.kWh = grown;
  }
  h.kWh.fill(Number.NaN, 0, 2 * lead);
  h.kWh.fill(Number.NaN, 2 * (lead + h.count));
  h.offset = 0;
}

/** The pair index of a pod's bucket for `hourMs`, adding NaN pairs up to it (before or after). */
function pairFor(h: PodHistory, hourMs: number, room: number): number {
  if (h.count === 0) {
    h.firstHourMs = hourMs;
    h.offset = 0;
  }
  if (hourMs < h.firstHourMs) {
    const missing = (h.firstHourMs - hourMs) / HOUR_MS;
    relocate(h, missing, missing + h.count, room);
    h.count += missing;
    h.firstHourMs = hourMs;
  }
  const i = (hourMs - h.firstHourMs) / HOUR_MS;
  if (i >= h.count) {
    if (h.offset + i + 1 > h.kWh.length / 2) relocate(h, 0, i + 1, room);
    h.count = i + 1;
  }
  return h.offset + i;
}

/** Adds one hour's share to a pod's buckets: the same sums as mergeHourly (existing + new). */
function addToHour(h: PodHistory, hourMs: number, kWh: number, idle: number | undefined, room: number): void {
  const at = 2 * pairFor(h, hourMs, room);
  const energy = h.kWh[at]!;
  if (Number.isNaN(energy)) {
    h.kWh[at] = kWh;
    h.kWh[at + 1] = idle ?? Number.NaN;
    return;
  }
  h.kWh[at] = energy + kWh;
  if (idle !== undefined) h.kWh[at + 1] = (Number.isNaN(h.kWh[at + 1]) ? 0 : h.kWh[at + 1]!) + idle;
}

/** Drops a pod's buckets of hours before `keepFromMs`; gives back the room of a pod whose array is well
 * over both what it holds and the `room` pairs it may keep (a policy stopped selecting it). */
function dropHoursBefore(h: PodHistory, keepFromMs: number, room: number): void {
  const drop = Math.min(h.count, Math.max(0, (keepFromMs - h.firstHourMs) / HOUR_MS));
  if (drop > 0) {
    h.kWh.fill(Number.NaN, 2 * h.offset, 2 * (h.offset + drop));
    h.offset += drop;
    h.count -= drop;
    h.firstHourMs += drop * HOUR_MS;
  }
  if (h.count === 0) {
    h.offset = 0;
    h.kWh = NO_HOURS;
  } else if (h.kWh.length / 2 > Math.max(room, 2 * h.count) + 16) {
    const kept = h.kWh.slice(2 * h.offset, 2 * (h.offset + h.count));
    h.kWh = kept;
    h.offset = 0;
  }
}

/** A pod's hours that start inside [fromMs, toMs) (as hoursWithin), copied out of its history. */
function hoursOf(h: PodHistory, fromMs: number, toMs: number): PodHours {
  const first = Math.max(h.firstHourMs, Math.floor(fromMs / HOUR_MS) * HOUR_MS);
  const start = Math.ceil((first - h.firstHourMs) / HOUR_MS);
  const end = Math.min(h.count, Math.ceil((toMs - h.firstHourMs) / HOUR_MS));
  if (end <= start) return NO_POD_HOURS;
  const energy = new Float64Array(end - start);
  let idle: Float64Array | undefined;
  for (let i = start; i < end; i++) {
    const at = 2 * (h.offset + i);
    energy[i - start] = h.kWh[at]!;
    const idleKWh = h.kWh[at + 1]!;
    if (Number.isNaN(idleKWh)) continue;
    idle ??= new Float64Array(end - start).fill(Number.NaN);
    // An idle share is kept only beside an energy figure, as the buckets were.
    if (!Number.isNaN(h.kWh[at]!)) idle[i - start] = idleKWh;
  }
  return {
    firstHourMs: h.firstHourMs + start * HOUR_MS,
    energy_kWh: energy,
    ...(idle ? { idleShare_kWh: idle } : {}),
  };
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

/**
 * Where the cluster admin says Kepler is (the operator's --kepler-* flags): a fixed list of `/metrics`
 * URLs, or the Kepler Service whose EndpointSlices list them; TLS and auth for every endpoint.
 */
export interface KeplerEndpointSettings {
  /** Fixed URLs; when empty or absent, endpoints are discovered from `discovery`. */
  endpoints?: string[];
  discovery: { namespace: string; service: string; portName: string; scheme: 'http' | 'https' };
  scrapeIntervalSeconds: number;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  tokenFile?: string;
}

/** Entry point the operator's metrics-source factory loads (operator/controller/metrics-source-factory.ts). */
export function createKeplerEndpointSource(options: {
  settings: KeplerEndpointSettings;
  kubeConfig: KubeConfig;
  logger: WarnLogger & { info?(obj: object, msg: string): void };
}): MetricsSource {
  const { settings, kubeConfig, logger } = options;
  const targets: KeplerEndpointSourceOptions['targets'] = settings.endpoints?.length
    ? settings.endpoints.map((url) => ({ url }))
    : endpointSliceDiscovery(kubeConfig, settings.discovery);
  const source = new KeplerEndpointSource({
    targets,
    scrapeIntervalMs: settings.scrapeIntervalSeconds * 1000,
    endpoint: {
      ...(settings.caFile ? { caFile: settings.caFile } : {}),
      ...(settings.certFile ? { certFile: settings.certFile } : {}),
      ...(settings.keyFile ? { keyFile: settings.keyFile } : {}),
      ...(settings.tokenFile ? { tokenFile: settings.tokenFile } : {}),
    },
    logger,
  });
  source.start();
  return source;
}
