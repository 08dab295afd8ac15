// MetricsSource backed by the Prometheus HTTP API (the path for large clusters: Prometheus, Thanos or
// Mimir carry the scale). Per-pod energy per clock hour is `increase()` of the Kepler joule counters
// over 1 h steps (docs/methodology.md § 2.10), summed by pod and ignoring `state` so running and terminated
// series of a pod add up. Every label value put into PromQL goes through promqlString()/promqlRegex();
// responses are read and checked field by field (prometheus-answer.ts), the failing field named.
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { JOULES_PER_KWH } from '../kepler/energy-integrator.js';
import { NO_POD_HOURS, PodHourSums, type HourPart } from './pod-hours.js';
import { CPU_ZONE_RULE, POD_GPU_FAMILIES } from '../kepler/kepler-metrics.js';
import {
  MetricsUnavailableError,
  type MetricsCollection,
  type MetricsSource,
  type NodeReadingState,
  type CollectedPodEnergy,
  type PodRef,
} from './metrics-source.js';
import { classifyNetworkError, MetricsSourceError, type WarnLogger } from './kepler-endpoint-scraper.js';
import { HOUR_MS } from '../domain/time.js';
import {
  parsePrometheusAnswer,
  PrometheusAnswerError,
  type MatrixSeries,
  type PrometheusAnswer,
  type VectorSeries,
} from './prometheus-answer.js';

/** Pods named in one query: bounds each answer (about 0.9 MB of JSON per 1,000 pods for 24 hours). */
const PODS_PER_QUERY = 2_500;

/** A PromQL double-quoted string literal for any value: escapes \\, ", newline and other control characters. */
export function promqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** RE2 metacharacters escaped, so a value matches itself literally inside a regex matcher. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

// One reconcile sends several queries over the same pod list, each naming it more than once: the matcher
// (about 25 bytes per pod) is built once per list, not once per use.
const anyOfCache = new WeakMap<readonly string[], string>();

/** A regex-matcher string literal matching exactly one of `values` (anchored by PromQL). */
export function promqlRegexAnyOf(values: readonly string[]): string {
  let literal = anyOfCache.get(values);
  if (literal === undefined) {
    literal = promqlString(values.map(regexLiteral).join('|'));
    anyOfCache.set(values, literal);
  }
  return literal;
}

export type KeplerPromGeneration = 'rewrite' | 'legacy';

const RANGE = /^\d+[smhd]$/;

/** Label matchers joined into a selector body, e.g. `zone="psys",pod_namespace="shop"`. */
function selector(metric: string, matchers: readonly string[]): string {
  // Concatenated, not filter().join(): a matcher may be a batch's 50 KB pod list, flattened once here.
  let body = '';
  for (const m of matchers) if (m !== '') body = body === '' ? m : `${body},${m}`;
  return body ? `${metric}{${body}}` : metric;
}

/**
 * Where a query looks to decide which zones a node shows: the node-level series (of these nodes, or of
 * every node) and, unless every node asked about exports node-level series, the pod-level series (of
 * these pods, or of every pod). Kepler gives every pod of a node the zones of the node's meter, so the
 * node's own series (or the series of the pods asked about) show what the direct scrape sees on that node;
 * scoping keeps a policy's query from reading the whole cluster, and leaving the pod arm out keeps it
 * from naming its pods four more times.
 */
interface ZoneScope {
  nodeMatchers: readonly string[];
  podMatchers: readonly string[];
  /** Read presence from node-level series alone. */
  nodeSeriesOnly: boolean;
}

/**
 * Every node, zones read from the node-level series alone: the idle-per-active ratio exists only for nodes
 * with node-level series (its numerator is kepler_node_cpu_idle_joules_total), so the pods' series need
 * not be read again to find the zones of the others. At 50,000 pods the pod arms made that cluster-wide
 * range query take 68 s of Prometheus time for 24 hours (over the client's 30 s timeout).
 */
const WHOLE_CLUSTER: ZoneScope = { nodeMatchers: [], podMatchers: [], nodeSeriesOnly: true };

/** Nodes (by node_name) whose Kepler series show `zone` (node or pod counters; over `[range]` if given). */
function nodesWithZone(zone: string, range: string | undefined, scope: ZoneScope): string {
  const over = (metric: string, matchers: readonly string[]): string => {
    const sel = selector(metric, [`zone=${promqlString(zone)}`, ...matchers]);
    return range ? `count_over_time(${sel}[${range}])` : sel;
  };
  const nodeArm = over('kepler_node_cpu_joules_total', scope.nodeMatchers);
  if (scope.nodeSeriesOnly) return `group by (node_name) (${nodeArm})`;
  return `group by (node_name) (${nodeArm} or ${over('kepler_pod_cpu_joules_total', scope.podMatchers)})`;
}

/**
 * One Kepler 0.10+ CPU family restricted to the zones CPU_ZONE_RULE counts, decided per node exactly as
 * chooseCpuZones() decides per scrape: package (+ dram) where the node shows package; psys alone where
 * it shows psys but no package; every zone but psys where it shows neither. The three parts select
 * disjoint series, so their union keeps every counted series once. `wrap` turns a selector into the
 * value used (e.g. increase over a range); `range` is the window in which a zone counts as present.
 */
function cpuZoneUnion(
  metric: string,
  matchers: readonly string[],
  wrap: (sel: string) => string,
  range: string | undefined,
  scope: ZoneScope,
): string {
  const { packageZone, withPackage, fallbackZone } = CPU_ZONE_RULE;
  const hasPackage = nodesWithZone(packageZone, range, scope);
  const hasFallback = nodesWithZone(fallbackZone, range, scope);
  const pkg = wrap(selector(metric, [`zone=~${promqlRegexAnyOf(withPackage)}`, ...matchers]));
  const fallback = wrap(selector(metric, [`zone=${promqlString(fallbackZone)}`, ...matchers]));
  const rest = wrap(selector(metric, [`zone!=${promqlString(fallbackZone)}`, ...matchers]));
  return (
    `(${pkg} and on (node_name) ${hasPackage})` +
    ` or (${fallback} unless on (node_name) ${hasPackage})` +
    ` or (${rest} unless on (node_name) (${hasPackage} or ${hasFallback}))`
  );
}

/** Counted active series of Kepler 0.10+ pods: the CPU zone rule plus every GPU series (zone="gpu"). */
function rewritePodActive(kind: 'joules' | 'watts', scope: ZoneScope, range: string | undefined): string {
  const wrap = (sel: string): string => (kind === 'joules' ? `increase(${sel}[${range}])` : sel);
  const cpu = cpuZoneUnion(
    kind === 'joules' ? 'kepler_pod_cpu_joules_total' : 'kepler_pod_cpu_watts',
    scope.podMatchers,
    wrap,
    kind === 'joules' ? range : undefined,
    scope,
  );
  const gpu = wrap(selector(POD_GPU_FAMILIES[kind], scope.podMatchers));
  return `${cpu} or label_replace(${gpu}, "zone", ${promqlString(POD_GPU_FAMILIES.zone)}, "", "")`;
}

/** The pods one query asks about: a namespace, optionally some of its pods and the nodes they run on. */
export interface PodScope {
  namespace: string;
  pods?: readonly string[];
  /** The nodes of `pods`: where the zone rule reads node-level series (every node when absent). */
  nodes?: readonly string[];
  /** Every one of `nodes` exports node-level series (kepler_node_cpu_joules_total): read zones there alone. */
  nodeSeriesOnly?: boolean;
}

function rewriteScope({ namespace, pods, nodes, nodeSeriesOnly }: PodScope): ZoneScope {
  return {
    podMatchers: [
      `pod_namespace=${promqlString(namespace)}`,
      pods && pods.length > 0 ? `pod_name=~${promqlRegexAnyOf(pods)}` : '',
    ],
    nodeMatchers: nodes ? [`node_name=~${promqlRegexAnyOf(nodes)}`] : [],
    nodeSeriesOnly: nodes !== undefined && nodeSeriesOnly === true,
  };
}

function legacyPodMatcher(pods: readonly string[] | undefined): string {
  return pods && pods.length > 0 ? `,pod_name=~${promqlRegexAnyOf(pods)}` : '';
}

/**
 * The PromQL for per-pod joules over `[range]`. 0.10+: by node too, so the node's idle energy can be
 * split by each pod's share of it (nodeIdlePerActiveQuery).
 */
export function podEnergyQuery(generation: KeplerPromGeneration, scope: PodScope, range: string): string {
  if (!RANGE.test(range)) throw new Error(`invalid range ${range}`);
  if (generation === 'rewrite') {
    // The zones of the direct scrape (CPU_ZONE_RULE, GPU): never core/uncore on top of package.
    return `sum by (node_name, pod_namespace, pod_name) (${rewritePodActive('joules', rewriteScope(scope), range)})`;
  }
  // Legacy aggregate counter = package + dram + other + gpu; mode="dynamic" is the active energy
  // (mode="idle" is the pod's idle share, reported beside it: legacyPodIdleShareQuery).
  return (
    `sum by (container_namespace, pod_name) (increase(kepler_container_joules_total{mode="dynamic",` +
    `container_namespace=${promqlString(scope.namespace)}${legacyPodMatcher(scope.pods)}}[${range}]))`
  );
}

/** Kepler 0.7's own per-container mode="idle" counters: each pod's idle share over `[range]`. */
export function legacyPodIdleShareQuery(scope: PodScope, range: string): string {
  if (!RANGE.test(range)) throw new Error(`invalid range ${range}`);
  return (
    `sum by (container_namespace, pod_name) (increase(kepler_container_joules_total{mode="idle",` +
    `container_namespace=${promqlString(scope.namespace)}${legacyPodMatcher(scope.pods)}}[${range}]))`
  );
}

/**
 * Kepler 0.10+, per node over `[range]`: its idle joules (kepler_node_cpu_idle_joules_total, zones by
 * CPU_ZONE_RULE) per joule of active energy of all its pods (every namespace, the same counted zones and
 * GPU as podEnergyQuery). A pod's idle share is its active joules on the node times this ratio, so the
 * shares of a node's pods sum to its idle energy. One answer serves every policy (PrometheusSource caches it).
 */
export function nodeIdlePerActiveQuery(range: string): string {
  if (!RANGE.test(range)) throw new Error(`invalid range ${range}`);
  const nodeIdle = cpuZoneUnion(
    'kepler_node_cpu_idle_joules_total',
    [],
    (sel) => `increase(${sel}[${range}])`,
    range,
    WHOLE_CLUSTER,
  );
  return (
    `sum by (node_name) (${nodeIdle})` +
    ` / on (node_name) sum by (node_name) (${rewritePodActive('joules', WHOLE_CLUSTER, range)})`
  );
}

const IDLE_SHARE_PROVENANCE: Record<KeplerPromGeneration, string> = {
  rewrite:
    "allocated: node idle energy (kepler_node_cpu_idle_joules_total, package+dram, or psys where a node has no package) via prometheus, split over the node's pods by their share of its pods' active energy",
  legacy: 'measured: Kepler 0.7 per-container mode="idle" counters via prometheus',
};

/**
 * Current power: the 0.10+ watts gauges (as Kepler's dashboards use them) by pod and zone, so that one
 * answer gives each pod's watts (the sum over its zones) and the zones counted (those present); legacy
 * has counters only: irate, by pod.
 */
export function podPowerQuery(generation: KeplerPromGeneration, scope: PodScope): string {
  if (generation === 'rewrite') {
    return `sum by (pod_namespace, pod_name, zone) (${rewritePodActive('watts', rewriteScope(scope), undefined)})`;
  }
  return `sum by (container_namespace, pod_name) (irate(kepler_container_joules_total{mode="dynamic",container_namespace=${promqlString(scope.namespace)}${legacyPodMatcher(scope.pods)}}[5m]))`;
}

export type VectorResult = VectorSeries[];
export type MatrixResult = MatrixSeries[];

/** A form body (application/x-www-form-urlencoded): encodeURIComponent is native, URLSearchParams's
 * encoder is not, and the pod lists in a 50,000-pod reconcile's queries come to several MB. */
function formBody(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

export interface PrometheusClientOptions {
  url: string;
  caPem?: string;
  caFile?: string;
  tokenFile?: string;
  bearerToken?: string;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

/** Minimal Prometheus HTTP API client: instant and range queries, POSTed as forms. */
export class PrometheusClient {
  private readonly base: string;
  private readonly agent: Agent;

  private constructor(
    private readonly options: PrometheusClientOptions,
    agent: Agent,
  ) {
    this.base = options.url.replace(/\/+$/, '');
    this.agent = agent;
  }

  static async create(options: PrometheusClientOptions): Promise<PrometheusClient> {
    const ca = options.caPem ?? (options.caFile ? await readFile(options.caFile, 'utf8') : undefined);
    const timeout = options.timeoutMs ?? 30_000;
    const agent = new Agent({
      connect: { timeout: Math.min(timeout, 10_000), ...(ca ? { ca } : {}) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    return new PrometheusClient(options, agent);
  }

  async query(promql: string, atMs?: number, signal?: AbortSignal): Promise<VectorResult> {
    const params: Record<string, string> = { query: promql };
    if (atMs !== undefined) params.time = String(atMs / 1000);
    const data = await this.call('/api/v1/query', params, signal);
    if (data.resultType !== 'vector')
      throw this.error('ParseError', `expected a vector, got ${data.resultType}`);
    return data.result;
  }

  async queryRange(
    promql: string,
    startMs: number,
    endMs: number,
    stepS: number,
    signal?: AbortSignal,
  ): Promise<MatrixResult> {
    const data = await this.call(
      '/api/v1/query_range',
      { query: promql, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepS) },
      signal,
    );
    if (data.resultType !== 'matrix')
      throw this.error('ParseError', `expected a matrix, got ${data.resultType}`);
    return data.result;
  }

  private error(reason: MetricsSourceError['reason'], message: string, status?: number): MetricsSourceError {
    return new MetricsSourceError(reason, this.base, message, status);
  }

  private async call(path: string, params: Record<string, string>, signal?: AbortSignal) {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const token = this.options.tokenFile
      ? (await readFile(this.options.tokenFile, 'utf8')).trim()
      : this.options.bearerToken;
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(this.base + path, {
        method: 'POST',
        headers,
        body: formBody(params),
        dispatcher: this.agent,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw new MetricsSourceError(classifyNetworkError(err), this.base, (err as Error).message, undefined, {
        cause: err,
      });
    }
    const max = this.options.maxBodyBytes ?? 64 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        if (bytes > max) {
          res.body.destroy();
          throw this.error('BodyTooLarge', `response exceeds the ${max}-byte limit`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof MetricsSourceError) throw err;
      throw new MetricsSourceError(classifyNetworkError(err), this.base, (err as Error).message, undefined, {
        cause: err,
      });
    }
    let answer: PrometheusAnswer;
    try {
      const body = Buffer.concat(chunks, bytes);
      chunks.length = 0;
      answer = parsePrometheusAnswer(body);
    } catch (err) {
      if (!(err instanceof PrometheusAnswerError)) throw err;
      if (err.kind === 'syntax')
        throw this.error(
          res.statusCode === 200 ? 'ParseError' : 'HttpStatus',
          `HTTP ${res.statusCode}: body is not JSON (${err.message})`,
          res.statusCode,
        );
      throw this.error('ParseError', `unexpected response at ${err.message}`, res.statusCode);
    }
    if (answer.status === 'error') {
      throw this.error('HttpStatus', `${answer.errorType}: ${answer.error}`, res.statusCode);
    }
    return answer;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export interface PrometheusSourceOptions {
  client: PrometheusClient;
  /** 'auto' asks Prometheus which Kepler build info exists. */
  generation?: 'auto' | KeplerPromGeneration;
  logger?: WarnLogger;
  /** Pods named in one query (PODS_PER_QUERY unless given). */
  podsPerQuery?: number;
}

/**
 * Waits for every promise, then throws the first rejection: no query is left running unobserved when one
 * fails (Promise.all would return at the first failure with the others still folding in).
 */
async function settleAll(pending: ReadonlyArray<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(pending);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Per node, its idle joules per active joule of its pods for each whole hour (NaN: no figure that hour). */
type WholeHourRatios = Map<string, Float64Array>;

/**
 * Collections that end within this many ms of each other share one answer of each cluster-wide question
 * (the node idle-per-active tables, which nodes Kepler measures): the whole-hour table covers the same
 * hours; the hour in progress and the node readings' last hour differ by at most this much of their
 * window. One answer per pass instead of one per policy (the idle tables read every pod's series).
 */
const SHARED_ANSWER_REUSE_MS = 60_000;

/** Answers by key, each reused by requests ending within `reuseMs` of the one that asked; failures are not kept. */
class SharedAnswers<T> {
  private readonly entries = new Map<string, { toMs: number; answer: Promise<T> }>();
  constructor(private readonly reuseMs: number) {}

  get(key: string, toMs: number, ask: () => Promise<T>): Promise<T> {
    for (const [k, e] of this.entries) if (Math.abs(e.toMs - toMs) > this.reuseMs) this.entries.delete(k);
    const hit = this.entries.get(key);
    if (hit) return hit.answer;
    const answer = ask();
    this.entries.set(key, { toMs, answer });
    answer.catch(() => {
      if (this.entries.get(key)?.answer === answer) this.entries.delete(key);
    });
    return answer;
  }
}

/** An hour evaluated this long before a collection's end is final: its samples have all been scraped. */
const FINAL_AFTER_MS = 5 * 60_000;
/** Hours asked in one range query: a 24-hour ask at 50,000 pods took Prometheus 20 s here, 12 hours 11 s. */
const HOURS_PER_ASK = 12;
/** Final hours kept: 40 days before the latest hour asked (longer than any policy's window). */
const MAX_FINAL_HOURS = 40 * 24;

/**
 * Final whole-hour ratios by evaluation hour, each asked once (in asks of at most HOURS_PER_ASK hours,
 * one at a time, shared by every collection waiting for them); the oldest are dropped past MAX_FINAL_HOURS.
 */
export class WholeHourRatioCache {
  private readonly byHour = new Map<number, Map<string, number>>();
  private asking: Promise<unknown> | undefined;

  constructor(
    private readonly ask: (fromEval: number, toEval: number) => Promise<Map<number, Map<string, number>>>,
  ) {}

  /** The ratios at firstEval … lastEval, in hour order. */
  async hours(firstEval: number, lastEval: number): Promise<Array<Map<string, number>>> {
    for (const t of this.byHour.keys()) if (t < lastEval - MAX_FINAL_HOURS * HOUR_MS) this.byHour.delete(t);
    for (;;) {
      let first: number | undefined;
      let last: number | undefined;
      for (let t = firstEval; t <= lastEval; t += HOUR_MS) {
        if (this.byHour.has(t)) continue;
        first ??= t;
        last = t;
      }
      if (first === undefined || last === undefined) break;
      if (this.asking) {
        // Another collection is asking: wait for it (its failure is its own), then look again.
        await this.asking.catch(() => undefined);
        continue;
      }
      // The latest missing hours first, at most HOURS_PER_ASK of them.
      const from = Math.max(first, last - (HOURS_PER_ASK - 1) * HOUR_MS);
      const asked = this.ask(from, last).then((answer) => {
        for (let t = from; t <= last; t += HOUR_MS) this.byHour.set(t, answer.get(t) ?? new Map());
      });
      this.asking = asked;
      try {
        await asked;
      } finally {
        if (this.asking === asked) this.asking = undefined;
      }
    }
    const out: Array<Map<string, number>> = [];
    for (let t = firstEval; t <= lastEval; t += HOUR_MS) out.push(this.byHour.get(t) ?? new Map());
    return out;
  }
}

export class PrometheusSource implements MetricsSource {
  readonly description = 'prometheus';
  private generation: KeplerPromGeneration | undefined;

  constructor(private readonly options: PrometheusSourceOptions) {
    if (options.generation && options.generation !== 'auto') this.generation = options.generation;
  }

  private readonly finalHourRatios = new WholeHourRatioCache((from, to) => this.askWholeHourRatios(from, to));
  /** The last whole-hour table assembled, with what it was assembled from (its hours, the recent answer). */
  private assembled: { key: string; recent: unknown; table: WholeHourRatios } | undefined;
  private readonly recentHourRatios = new SharedAnswers<Map<number, Map<string, number>>>(
    SHARED_ANSWER_REUSE_MS,
  );
  private readonly partialHourRatios = new SharedAnswers<Map<string, number>>(SHARED_ANSWER_REUSE_MS);
  private readonly sharedNodeReadings = new SharedAnswers<Map<string, NodeReadingState>>(
    SHARED_ANSWER_REUSE_MS,
  );

  /**
   * Every node's idle per active joule for each hour evaluated at firstEval … lastEval (1 h steps). An
   * hour that ended FINAL_AFTER_MS before toMs does not change any more: it is asked once and kept
   * (WholeHourRatioCache); a later hour is a shared answer like the others.
   */
  private async wholeHourIdlePerActive(
    firstEval: number,
    lastEval: number,
    toMs: number,
  ): Promise<WholeHourRatios> {
    const lastFinal = Math.min(lastEval, Math.floor((toMs - FINAL_AFTER_MS) / HOUR_MS) * HOUR_MS);
    const [final, recent] = await Promise.all([
      lastFinal >= firstEval ? this.finalHourRatios.hours(firstEval, lastFinal) : undefined,
      lastEval > lastFinal
        ? this.recentHourRatios.get(`${lastFinal + HOUR_MS}/${lastEval}`, toMs, () =>
            this.askWholeHourRatios(Math.max(firstEval, lastFinal + HOUR_MS), lastEval),
          )
        : undefined,
    ]);
    // Collections of the same hours get the same answers: the table is assembled once for them, not per
    // policy (2,500 nodes × 24 hours at 50k).
    const key = `${firstEval}/${lastEval}`;
    if (this.assembled?.key === key && this.assembled.recent === recent) return this.assembled.table;
    const slots = (lastEval - firstEval) / HOUR_MS + 1;
    const table: WholeHourRatios = new Map();
    const put = (evalMs: number, byNode: ReadonlyMap<string, number>) => {
      const slot = (evalMs - firstEval) / HOUR_MS;
      for (const [node, ratio] of byNode) {
        let perHour = table.get(node);
        if (!perHour) table.set(node, (perHour = new Float64Array(slots).fill(Number.NaN)));
        perHour[slot] = ratio;
      }
    };
    final?.forEach((byNode, i) => put(firstEval + i * HOUR_MS, byNode));
    if (recent) for (const [evalMs, byNode] of recent) if (evalMs >= firstEval) put(evalMs, byNode);
    this.assembled = { key, recent, table };
    return table;
  }

  /** The ratios evaluated at fromEval … toEval, by evaluation time and node (every hour present, maybe empty). */
  private async askWholeHourRatios(
    fromEval: number,
    toEval: number,
  ): Promise<Map<number, Map<string, number>>> {
    // Not the asking collection's signal: the answer serves others too (the client's timeout bounds it).
    const matrix = await this.options.client.queryRange(nodeIdlePerActiveQuery('1h'), fromEval, toEval, 3600);
    const byHour = new Map<number, Map<string, number>>();
    for (let t = fromEval; t <= toEval; t += HOUR_MS) byHour.set(t, new Map());
    for (const series of matrix) {
      for (let j = 0; j < series.t.length; j++) {
        byHour.get(series.t[j]! * 1000)?.set(series.metric.node_name ?? '', series.v[j]!);
      }
    }
    return byHour;
  }

  /** Every node's idle per active joule over the hour in progress, from lastEval to toMs. */
  private partialHourIdlePerActive(
    lastEval: number,
    partialS: number,
    toMs: number,
  ): Promise<Map<string, number>> {
    return this.partialHourRatios.get(String(lastEval), toMs, async () => {
      const vector = await this.options.client.query(nodeIdlePerActiveQuery(`${partialS}s`), toMs);
      return new Map(vector.map((s) => [s.metric.node_name ?? '', s.v]));
    });
  }

  private async detectGeneration(signal?: AbortSignal): Promise<KeplerPromGeneration> {
    if (this.generation) return this.generation;
    const [rewrite, legacy] = await Promise.all([
      this.options.client.query(
        'count(kepler_pod_cpu_joules_total) or count(kepler_build_info)',
        undefined,
        signal,
      ),
      this.options.client.query(
        'count(kepler_container_joules_total) or count(kepler_exporter_build_info)',
        undefined,
        signal,
      ),
    ]);
    if (rewrite.length > 0) this.generation = 'rewrite';
    else if (legacy.length > 0) this.generation = 'legacy';
    else
      throw new MetricsUnavailableError(
        'NoKeplerSeries',
        'Prometheus has no Kepler series (kepler_pod_cpu_joules_total or kepler_container_joules_total)',
      );
    return this.generation;
  }

  async collect(req: {
    pods: PodRef[];
    from: Date;
    to: Date;
    signal?: AbortSignal;
  }): Promise<MetricsCollection> {
    let generation: KeplerPromGeneration;
    try {
      generation = await this.detectGeneration(req.signal);
    } catch (err) {
      if (err instanceof MetricsSourceError) throw new MetricsUnavailableError(err.reason, err.message);
      throw err;
    }
    // Per namespace, its pods and the node each runs on (the zone rule reads those nodes' series).
    const byNamespace = new Map<string, Map<string, string | undefined>>();
    for (const p of req.pods) {
      let nodeOf = byNamespace.get(p.namespace);
      if (!nodeOf) byNamespace.set(p.namespace, (nodeOf = new Map()));
      nodeOf.set(p.name, p.nodeName);
    }
    const fromMs = req.from.getTime();
    const toMs = req.to.getTime();
    // Evaluations at whole hours: the value at T is the energy of (T − 1 h, T], the hour starting T − 1 h.
    const firstEval = Math.floor(fromMs / HOUR_MS) * HOUR_MS + HOUR_MS;
    const lastEval = Math.floor(toMs / HOUR_MS) * HOUR_MS;
    const partialS = Math.floor((toMs - lastEval) / 1000);
    const pods = new Map<string, CollectedPodEnergy>();
    const errors: MetricsCollection['errors'] = [];
    const nsLabel = generation === 'rewrite' ? 'pod_namespace' : 'container_namespace';
    // 0.7: the aggregate counter's components; 0.10+: the zones the queries counted for these pods.
    const zonesCounted = new Set<string>(generation === 'rewrite' ? [] : ['package', 'dram', 'other', 'gpu']);
    // 0.10+: each node's idle joules per active joule of its pods, per whole hour and for the hour in
    // progress; cluster-wide answers that every collection of the same hours shares (idlePerActive*).
    const wholeHourRatios =
      generation === 'rewrite' && lastEval >= firstEval
        ? () => this.wholeHourIdlePerActive(firstEval, lastEval, toMs)
        : undefined;
    const partialRatios =
      generation === 'rewrite' && partialS >= 1
        ? () => this.partialHourIdlePerActive(lastEval, partialS, toMs)
        : undefined;
    // Which nodes Kepler measures (0.10+ only: the 0.7 line names nodes by scrape target, not node name);
    // a cluster-wide answer shared like the idle tables. Its failure is reported below, not thrown here.
    const nodeReadingsPending =
      generation === 'rewrite'
        ? this.sharedNodeReadings.get(String(lastEval), toMs, () => this.nodeReadings(toMs))
        : undefined;
    nodeReadingsPending?.catch(() => undefined);
    // The nodes with node-level series in the last hour (every node the readings name); unknown if they failed.
    const nodesWithSeries = nodeReadingsPending?.then(
      (readings) => new Set(readings.keys()),
      () => undefined,
    );
    for (const [namespace, nodeOf] of byNamespace) {
      const list = [...nodeOf.keys()].sort();
      // Per pod, its hour sums; each answer is folded in and dropped before the next is asked.
      const hourly = new Map<string, PodHourSums>();
      const push = (pod: string, hourStartMs: number, joules: number, part: HourPart): void => {
        if (!Number.isFinite(joules) || joules <= 0) return;
        let sums = hourly.get(pod);
        // Sized from the pod's first hour to the hour in progress (lastEval).
        if (!sums) hourly.set(pod, (sums = new PodHourSums(lastEval + HOUR_MS)));
        sums.add(hourStartMs, part, joules / JOULES_PER_KWH);
      };
      const hasIdle = new Set<string>();
      const pushIdle = (pod: string, hourStartMs: number, joules: number): void => {
        if (!Number.isFinite(joules) || joules <= 0) return;
        push(pod, hourStartMs, joules, 'idleShare_kWh');
        hasIdle.add(pod);
      };
      // Whole hours: 0.10+ active energy by node, each sample's idle share from its node's ratio that
      // hour; 0.7 active energy or Kepler's own idle counters.
      const foldRange = async (
        query: string,
        field: 'energy_kWh' | 'idleShare_kWh',
        ratiosAsked?: Promise<WholeHourRatios>,
      ): Promise<void> => {
        // The pods' answer and the shared node ratios are asked at once, not one after the other.
        const [matrix, ratios] = await Promise.all([
          this.options.client.queryRange(query, firstEval, lastEval, 3600, req.signal),
          ratiosAsked,
        ]);
        // push() and pushIdle() per sample, with the pod's sums looked up once per series (a million samples).
        const usable = (joules: number) => Number.isFinite(joules) && joules > 0;
        for (const series of matrix) {
          const pod = series.metric.pod_name;
          if (!pod || series.metric[nsLabel] !== namespace) continue;
          const perHour = ratios?.get(series.metric.node_name ?? '');
          let sums = hourly.get(pod);
          let idleAdded = false;
          for (let j = 0; j < series.t.length; j++) {
            const t = series.t[j]!;
            const joules = series.v[j]!;
            const idle = perHour ? joules * perHour[(t * 1000 - firstEval) / HOUR_MS]! : Number.NaN;
            const joulesUsable = usable(joules);
            const idleUsable = usable(idle);
            if (!joulesUsable && !idleUsable) continue;
            if (!sums) hourly.set(pod, (sums = new PodHourSums(lastEval + HOUR_MS)));
            const hourStartMs = t * 1000 - HOUR_MS;
            if (joulesUsable) sums.add(hourStartMs, field, joules / JOULES_PER_KWH);
            if (idleUsable) sums.add(hourStartMs, 'idleShare_kWh', idle / JOULES_PER_KWH);
            idleAdded ||= idleUsable || (joulesUsable && field === 'idleShare_kWh');
          }
          if (idleAdded) hasIdle.add(pod);
        }
      };
      // The hour in progress: increase over the part of it that has passed.
      const foldPartial = async (
        query: string,
        field: 'energy_kWh' | 'idleShare_kWh',
        ratiosAsked?: Promise<Map<string, number>>,
      ): Promise<void> => {
        const [vector, ratios] = await Promise.all([
          this.options.client.query(query, toMs, req.signal),
          ratiosAsked,
        ]);
        for (const s of vector) {
          const pod = s.metric.pod_name;
          if (!pod) continue;
          const joules = s.v;
          if (field === 'idleShare_kWh') pushIdle(pod, lastEval, joules);
          else push(pod, lastEval, joules, field);
          const ratio = ratios?.get(s.metric.node_name ?? '');
          if (ratio !== undefined) pushIdle(pod, lastEval, joules * ratio);
        }
      };
      try {
        const watts = new Map<string, number>();
        // Pods in batches: each answer stays a few MB and is parsed, folded in and dropped before the next
        // is asked, instead of one body per query for the whole namespace (45 MB at 50,000 pods). Every
        // query sums by pod, so the batches add up to the same figures as one query.
        const perQuery = this.options.podsPerQuery ?? PODS_PER_QUERY;
        for (let i = 0; i < list.length; i += perQuery) {
          const batch = list.length <= perQuery ? list : list.slice(i, i + perQuery);
          const nodes = new Set<string>();
          let everyNodeKnown = true;
          for (const pod of batch) {
            const node = nodeOf.get(pod);
            if (node) nodes.add(node);
            else everyNodeKnown = false;
          }
          // Zones from the nodes' own series where every node of the batch exports them (Kepler's default).
          const withNodeSeries = await nodesWithSeries;
          let nodeSeriesOnly = everyNodeKnown && withNodeSeries !== undefined;
          for (const node of nodes) if (!withNodeSeries?.has(node)) nodeSeriesOnly = false;
          const scope: PodScope = { namespace, pods: batch, nodes: [...nodes].sort(), nodeSeriesOnly };
          // The batch's queries at once (Prometheus answers them in parallel); each answer is folded in as
          // it arrives, so a policy waits for the slowest query, not for their sum.
          const asked: Array<Promise<void>> = [];
          if (lastEval >= firstEval) {
            asked.push(foldRange(podEnergyQuery(generation, scope, '1h'), 'energy_kWh', wholeHourRatios?.()));
            if (generation === 'legacy')
              asked.push(foldRange(legacyPodIdleShareQuery(scope, '1h'), 'idleShare_kWh'));
          }
          if (partialS >= 1) {
            const range = `${partialS}s`;
            asked.push(
              foldPartial(podEnergyQuery(generation, scope, range), 'energy_kWh', partialRatios?.()),
            );
            if (generation === 'legacy')
              asked.push(foldPartial(legacyPodIdleShareQuery(scope, range), 'idleShare_kWh'));
          }
          asked.push(
            this.options.client.query(podPowerQuery(generation, scope), toMs, req.signal).then((power) => {
              for (const s of power) {
                const pod = s.metric.pod_name ?? '';
                watts.set(pod, (watts.get(pod) ?? 0) + s.v);
                // 0.10+: the zones the energy query counts for these pods now (series by zone).
                if (generation === 'rewrite' && s.metric.zone) zonesCounted.add(s.metric.zone);
              }
            }),
          );
          await settleAll(asked);
        }
        for (const pod of list) {
          const h = hourly.get(pod);
          const w = watts.get(pod);
          if (!h && w === undefined) continue;
          pods.set(`${namespace}/${pod}`, {
            namespace,
            pod,
            hours: h ? h.hours() : NO_POD_HOURS,
            ...(w !== undefined && Number.isFinite(w) ? { power_watts: w } : {}),
            ...(hasIdle.has(pod)
              ? {}
              : {
                  idleShareUnavailable:
                    generation === 'rewrite'
                      ? "Prometheus holds no kepler_node_cpu_idle_joules_total for this pod's node"
                      : 'Prometheus holds no non-zero mode="idle" counters for this pod (EXPOSE_ESTIMATED_IDLE_POWER_METRICS off)',
                }),
          });
        }
      } catch (err) {
        if (!(err instanceof MetricsSourceError)) throw err;
        errors.push({ target: `namespace ${namespace}`, reason: err.reason, message: err.message });
      }
    }
    if (errors.length > 0 && errors.length === byNamespace.size) {
      throw new MetricsUnavailableError(errors[0]!.reason, errors.map((e) => e.message).join('; '));
    }
    // Which nodes Kepler measures (asked beside the pods' queries above).
    let nodeReadings: Map<string, NodeReadingState> | undefined;
    if (nodeReadingsPending) {
      try {
        nodeReadings = await nodeReadingsPending;
      } catch (err) {
        if (!(err instanceof MetricsSourceError)) throw err;
        errors.push({ target: 'node readings', reason: err.reason, message: err.message });
      }
    }
    return {
      pods,
      zonesCounted: [...zonesCounted].sort(),
      energyProvenance:
        generation === 'rewrite'
          ? 'measured: kepler 0.10+ via prometheus (increase of kepler_pod_cpu_joules_total and kepler_pod_gpu_joules_total, 1 h steps)'
          : 'measured: kepler 0.7-line via prometheus (increase of kepler_container_joules_total{mode="dynamic"} = active energy, 1 h steps)',
      dataQuality:
        generation === 'rewrite'
          ? ['active-power-only', 'prometheus-increase-extrapolated']
          : ['prometheus-increase-extrapolated'],
      idleShareProvenance: IDLE_SHARE_PROVENANCE[generation],
      errors,
      ...(nodeReadings ? { nodeReadings } : {}),
    };
  }

  /**
   * Per node_name, over the last hour: a real zone whose counter moved means real readings; a node whose
   * series show only other zones, counters that did not move, or the fake meter's paths has none (the
   * same verdicts as the direct scrape, docs/methodology.md § 2.11). A node without series is absent.
   */
  private async nodeReadings(atMs: number): Promise<Map<string, NodeReadingState>> {
    const [moved, fake] = await Promise.all([
      this.options.client.query(
        'sum by (node_name, zone) (increase(kepler_node_cpu_joules_total[1h]))',
        atMs,
      ),
      this.options.client.query(
        'count by (node_name) (last_over_time(kepler_node_cpu_joules_total{path=~".*/energy_.*|.*fake.*"}[1h]))',
        atMs,
      ),
    ]);
    const fakeNodes = new Set(fake.map((s) => s.metric.node_name ?? ''));
    const byNode = new Map<string, { zones: Set<string>; joules: number }>();
    for (const series of moved) {
      const node = series.metric.node_name;
      if (!node) continue;
      const entry = byNode.get(node) ?? { zones: new Set<string>(), joules: 0 };
      const zone = series.metric.zone ?? '';
      if (REAL_NODE_ZONES.has(zone)) {
        entry.zones.add(zone);
        const joules = series.v;
        if (Number.isFinite(joules) && joules > 0) entry.joules += joules;
      }
      byNode.set(node, entry);
    }
    const out = new Map<string, NodeReadingState>();
    for (const [node, { zones, joules }] of byNode) {
      if (fakeNodes.has(node))
        out.set(node, {
          measured: false,
          reason: 'Kepler runs its fake meter (random values for development)',
        });
      else if (zones.size === 0)
        out.set(node, {
          measured: false,
          reason: 'Kepler exports no package or dram zone for this node (no RAPL)',
        });
      else if (joules <= 0)
        out.set(node, {
          measured: false,
          reason: "Kepler's energy counters for this node did not move in the last hour",
        });
      else out.set(node, { measured: true, reason: `Kepler zones ${[...zones].sort().join(', ')}` });
    }
    return out;
  }
}

/** Zones that are real energy readings of a node (package/dram RAPL, psys, GPU, the platform meter). */
const REAL_NODE_ZONES = new Set(['package', 'dram', 'psys', 'core', 'uncore', 'gpu', 'other', 'platform']);

/** Entry point the operator's metrics-source factory loads (operator/controller/metrics-source-factory.ts). */
export async function createPrometheusSource(options: {
  client: PrometheusClientOptions;
  logger: WarnLogger;
}): Promise<MetricsSource> {
  const client = await PrometheusClient.create(options.client);
  return new PrometheusSource({ client, logger: options.logger });
}
