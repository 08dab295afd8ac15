// Interprets one parsed Kepler scrape as per-pod and per-node energy readings, for both Kepler
// generations (label schemas and zone rules: docs/methodology.md § 2.2–2.3):
// - 0.10+ ("rewrite"): kepler_{node,pod,container}_cpu_{joules_total,watts} with `zone` and `state`;
// - 0.7 ("legacy"): kepler_container_<component>_joules_total with `mode`, summed over containers.
// Counters are kept per series (identity without `state`), so that the energy integrator can diff them
// and a restarted container or a running→terminated pod is not mistaken for a counter reset.
import { samplesNamed, type Exposition, type Sample } from './exposition-parser.js';

type KeplerGeneration = 'rewrite' | 'legacy' | 'unknown';

/** One joule counter of a pod or node, at the finest identity the scrape offers (state ignored). */
export interface CounterSeries {
  /** Stable identity across scrapes, e.g. `pod:<uid>|zone=package` or `ctr:<id>|zone=dram|mode=idle`. */
  seriesId: string;
  zone: string;
  joules: number;
  /** Which energy the counter holds: the workload's active (dynamic) energy (default), idle energy
   * (0.7 `mode="idle"`, 0.10+ node `_idle_`), or a node's raw total (active + idle, not split). */
  part?: 'active' | 'idle' | 'total';
}

export interface PodEnergyReading {
  /** `namespace/name/uid` when Kepler gives the UID (0.10+), else `namespace/name`; see podKey(). */
  key: string;
  namespace: string;
  name: string;
  uid: string | undefined;
  node: string | undefined;
  /** Cumulative ACTIVE (dynamic) joules per counted zone at scrape time (0.7: `mode="dynamic"` only;
   * 0.10+ attributes only active energy to pods). Idle energy is never in here. */
  joulesByZone: Record<string, number>;
  /** Instantaneous watts per counted zone (0.10+ gauges; absent in 0.7). */
  wattsByZone: Record<string, number>;
  countedZones: string[];
  /** Counted energy split by legacy `mode` (0.7 only): dynamic vs idle share. */
  joulesByMode: { dynamic: number; idle: number } | undefined;
  counters: CounterSeries[];
  /** 'pod' when pod-level series were used; 'container-sum' when only container series existed. */
  level: 'pod' | 'container-sum';
  /** Every series of this pod is `state="terminated"` (0.10+: the pod is gone, this is its last value). */
  terminated: boolean;
  dataQuality: string[];
}

export interface NodeEnergyReading {
  name: string;
  /** Cumulative joules per counted zone. 0.10+: active + idle counters (Kepler-accumulated, no RAPL wrap). */
  joulesByZone: Record<string, number>;
  wattsByZone: Record<string, number>;
  activeJoulesByZone: Record<string, number>;
  idleJoulesByZone: Record<string, number>;
  /** 0.10+ `kepler_node_cpu_usage_ratio` (0..1). */
  cpuUsageRatio: number | undefined;
  /** 0.10+ `kepler_node_cpu_active_watts` / `_idle_watts` per counted zone. */
  activeWattsByZone: Record<string, number>;
  idleWattsByZone: Record<string, number>;
  /** Whole-platform power where exposed (Redfish `kepler_platform_watts`, legacy ACPI counter as joules). */
  platformWatts: number | undefined;
  platformJoules: number | undefined;
  countedZones: string[];
  counters: CounterSeries[];
  dataQuality: string[];
}

export interface KeplerSnapshot {
  generation: KeplerGeneration;
  /** Kepler version from build info, e.g. 'v0.11.4'; 'unknown' when the build info carries none. */
  version: string;
  scrapedAtMs: number;
  nodes: NodeEnergyReading[];
  pods: Map<string, PodEnergyReading>;
  /** Zones counted for pods, e.g. ['package', 'dram'] or ['package', 'dram', 'gpu', 'other'] (0.7). */
  countedZones: string[];
  /** Snapshot-wide flags: 'fake-meter', 'hwmon', 'model-estimated', 'active-power-only', … */
  dataQuality: string[];
  /** Short description for sources: 'measured: kepler v0.11.4 (rapl)'. */
  energySource: string;
  /** How a pod's share of node idle energy is obtained from this scrape, or why it cannot be. */
  idleShare: IdleShareMethod;
}

/**
 * Where a pod's idle share comes from (docs/methodology.md § 2.5–2.6):
 * - 'pod-idle-counters' (0.7): Kepler's own per-container `mode="idle"` counters;
 * - 'node-idle-allocation' (0.10+): the node's `kepler_node_cpu_idle_joules_total` (or `_idle_watts`)
 *   split over the pods on the node by their share of the pods' active energy;
 * - 'unavailable': Kepler exported no idle figure; `text` says why. Never guessed.
 */
interface IdleShareMethod {
  method: 'pod-idle-counters' | 'node-idle-allocation' | 'unavailable';
  text: string;
}

export interface InterpretOptions {
  scrapedAtMs: number;
  /** Node name to use when the scrape does not carry one (0.10+ with kube disabled: node_name=""). */
  nodeName?: string;
}

export function podKey(namespace: string, name: string, uid?: string): string {
  return uid ? `${namespace}/${name}/${uid}` : `${namespace}/${name}`;
}

/**
 * The CPU zone rule of Kepler 0.10+, in one place: chooseCpuZones() applies it to one scrape and the
 * Prometheus source (prometheus-source.ts) writes it as PromQL per node. Where a node shows `package`,
 * count `package` and `dram`; without `package`, `psys` alone (it covers the SoC); without either, every
 * zone present except `psys`.
 */
export const CPU_ZONE_RULE = {
  packageZone: 'package',
  withPackage: ['package', 'dram'],
  fallbackZone: 'psys',
} as const;

/** Kepler 0.10+ per-pod GPU families, counted beside the CPU zones as zone `gpu`. */
export const POD_GPU_FAMILIES = {
  joules: 'kepler_pod_gpu_joules_total',
  watts: 'kepler_pod_gpu_watts',
  zone: 'gpu',
} as const;

/**
 * Which CPU zones to count, given the zones present (CPU_ZONE_RULE): package + dram when package exists;
 * else psys alone; else whatever sub-zones exist, flagged by the caller.
 */
export function chooseCpuZones(present: Iterable<string>): { zones: string[]; withoutPackage: boolean } {
  const set = new Set(present);
  const { packageZone, withPackage, fallbackZone } = CPU_ZONE_RULE;
  if (set.has(packageZone)) return { zones: withPackage.filter((z) => set.has(z)), withoutPackage: false };
  if (set.has(fallbackZone)) return { zones: [fallbackZone], withoutPackage: true };
  const zones = [...set].filter((z) => z !== fallbackZone).sort();
  // Without package, core/uncore are all there is; count them side by side (they do not overlap).
  return { zones, withoutPackage: zones.length > 0 };
}

function detectGeneration(exposition: Exposition): { generation: KeplerGeneration; version: string } {
  const rewrite = samplesNamed(exposition, 'kepler_build_info')[0];
  if (rewrite) return { generation: 'rewrite', version: rewrite.label('version') || 'unknown' };
  const legacy = samplesNamed(exposition, 'kepler_exporter_build_info')[0];
  if (legacy) return { generation: 'legacy', version: legacy.label('version') || 'unknown' };
  const has = (name: string): boolean => samplesNamed(exposition, name).length > 0;
  if (
    has('kepler_node_cpu_watts') ||
    has('kepler_pod_cpu_joules_total') ||
    has('kepler_node_cpu_joules_total')
  ) {
    return { generation: 'rewrite', version: 'unknown' };
  }
  if (has('kepler_container_joules_total') || has('kepler_container_package_joules_total')) {
    return { generation: 'legacy', version: 'unknown' };
  }
  return { generation: 'unknown', version: 'unknown' };
}

/** A node with no readings yet; `countedZones` are the zones its total is summed over. */
function emptyNodeReading(name: string, countedZones: NodeEnergyReading['countedZones']): NodeEnergyReading {
  return {
    name,
    joulesByZone: {},
    wattsByZone: {},
    activeJoulesByZone: {},
    idleJoulesByZone: {},
    activeWattsByZone: {},
    idleWattsByZone: {},
    cpuUsageRatio: undefined,
    platformWatts: undefined,
    platformJoules: undefined,
    countedZones,
    counters: [],
    dataQuality: [],
  };
}

export function interpretKeplerScrape(exposition: Exposition, options: InterpretOptions): KeplerSnapshot {
  const { generation, version } = detectGeneration(exposition);
  if (generation === 'rewrite') return interpretRewrite(exposition, version, options);
  if (generation === 'legacy') return interpretLegacy(exposition, version, options);
  return {
    generation,
    version,
    scrapedAtMs: options.scrapedAtMs,
    nodes: [],
    pods: new Map(),
    countedZones: [],
    dataQuality: ['no-kepler-metrics'],
    energySource: 'none: no Kepler metrics in the scrape',
    idleShare: { method: 'unavailable', text: 'unavailable: no Kepler metrics in the scrape' },
  };
}

// --- 0.10+ ---------------------------------------------------------------------------------------

function pathQuality(path: string | undefined, flags: Set<string>): void {
  if (!path) return;
  // The fake meter's zone paths end in energy_<zone> (internal/device/fake_cpu_power_meter.go).
  if (path.includes('/energy_') || path.toLowerCase().includes('fake')) flags.add('fake-meter');
  if (path.includes('hwmon')) flags.add('hwmon');
}

function add(record: Record<string, number>, key: string, value: number): void {
  record[key] = (record[key] ?? 0) + value;
}

interface PodAccumulator {
  reading: PodEnergyReading;
  states: Set<string>;
  /** Per series id: the largest counter seen (running and terminated copies of one series). */
  series: Map<string, CounterSeries>;
}

function interpretRewrite(
  exposition: Exposition,
  version: string,
  options: InterpretOptions,
): KeplerSnapshot {
  const flags = new Set<string>(['active-power-only']);
  const nodeFallback = options.nodeName ?? '';

  // Zone choice from every zone the node and pod series show.
  const podJoules = samplesNamed(exposition, 'kepler_pod_cpu_joules_total');
  const podWatts = samplesNamed(exposition, 'kepler_pod_cpu_watts');
  const ctrJoules = samplesNamed(exposition, 'kepler_container_cpu_joules_total');
  const ctrWatts = samplesNamed(exposition, 'kepler_container_cpu_watts');
  const nodeJoules = samplesNamed(exposition, 'kepler_node_cpu_joules_total');
  const nodeWatts = samplesNamed(exposition, 'kepler_node_cpu_watts');
  const zonesPresent = new Set<string>();
  for (const list of [podJoules, ctrJoules, nodeJoules, nodeWatts, podWatts]) {
    for (const s of list) {
      const z = s.label('zone');
      if (z) zonesPresent.add(z);
    }
  }
  const choice = chooseCpuZones(zonesPresent);
  if (choice.withoutPackage) flags.add(`zones-without-package:${choice.zones.join('+')}`);
  const cpuZones = new Set(choice.zones);
  const counted = [...choice.zones];

  const pods = new Map<string, PodAccumulator>();
  const ensurePod = (
    namespace: string,
    name: string,
    uid: string | undefined,
    node: string | undefined,
    level: 'pod' | 'container-sum',
  ): PodAccumulator => {
    const key = uid && !namespace && !name ? `uid:${uid}` : podKey(namespace, name, uid);
    let acc = pods.get(key);
    if (!acc) {
      acc = {
        reading: {
          key,
          namespace,
          name,
          uid,
          node,
          joulesByZone: {},
          wattsByZone: {},
          countedZones: [],
          joulesByMode: undefined,
          counters: [],
          level,
          terminated: false,
          dataQuality: [],
        },
        states: new Set(),
        series: new Map(),
      };
      pods.set(key, acc);
    }
    return acc;
  };
  const podNode = (s: Sample): string | undefined => s.label('node_name') || nodeFallback || undefined;

  const addCounter = (acc: PodAccumulator, seriesId: string, zone: string, joules: number): void => {
    const prev = acc.series.get(seriesId);
    // A pod can show a running and a terminated copy of one counter: the larger is the later value.
    if (!prev || joules > prev.joules) acc.series.set(seriesId, { seriesId, zone, joules });
  };

  const gpuJoules = samplesNamed(exposition, POD_GPU_FAMILIES.joules);
  const gpuWatts = samplesNamed(exposition, POD_GPU_FAMILIES.watts);
  if (gpuJoules.length > 0 || gpuWatts.length > 0) counted.push(POD_GPU_FAMILIES.zone);

  const podsWithPodSeries = new Set<string>();
  for (const s of podJoules) {
    const zone = s.label('zone') ?? '';
    if (!cpuZones.has(zone)) continue;
    const uid = s.label('pod_id') || undefined;
    const acc = ensurePod(s.label('pod_namespace') ?? '', s.label('pod_name') ?? '', uid, podNode(s), 'pod');
    acc.states.add(s.label('state') ?? 'running');
    addCounter(acc, `pod:${acc.reading.key}|zone=${zone}`, zone, s.value);
    if (uid) podsWithPodSeries.add(uid);
  }
  for (const s of gpuJoules) {
    const uid = s.label('pod_id') || undefined;
    const acc = ensurePod(s.label('pod_namespace') ?? '', s.label('pod_name') ?? '', uid, podNode(s), 'pod');
    acc.states.add(s.label('state') ?? 'running');
    const gpu = s.label('gpu') ?? s.label('gpu_uuid') ?? '';
    addCounter(
      acc,
      `pod:${acc.reading.key}|zone=${POD_GPU_FAMILIES.zone}|gpu=${gpu}`,
      POD_GPU_FAMILIES.zone,
      s.value,
    );
    if (uid) podsWithPodSeries.add(uid);
  }
  for (const s of podWatts) {
    const zone = s.label('zone') ?? '';
    if (!cpuZones.has(zone)) continue;
    const uid = s.label('pod_id') || undefined;
    const acc = ensurePod(s.label('pod_namespace') ?? '', s.label('pod_name') ?? '', uid, podNode(s), 'pod');
    acc.states.add(s.label('state') ?? 'running');
    add(acc.reading.wattsByZone, zone, s.value);
  }
  for (const s of gpuWatts) {
    const uid = s.label('pod_id') || undefined;
    const acc = ensurePod(s.label('pod_namespace') ?? '', s.label('pod_name') ?? '', uid, podNode(s), 'pod');
    add(acc.reading.wattsByZone, POD_GPU_FAMILIES.zone, s.value);
  }

  // Container series only for pods that have no pod series (pod level off): never both (they overlap).
  for (const s of ctrJoules) {
    const zone = s.label('zone') ?? '';
    const uid = s.label('pod_id');
    if (!cpuZones.has(zone) || !uid || podsWithPodSeries.has(uid)) continue;
    const acc = ensurePod('', '', uid, podNode(s), 'container-sum');
    acc.states.add(s.label('state') ?? 'running');
    addCounter(acc, `ctr:${s.label('container_id') ?? ''}|zone=${zone}`, zone, s.value);
  }
  for (const s of ctrWatts) {
    const zone = s.label('zone') ?? '';
    const uid = s.label('pod_id');
    if (!cpuZones.has(zone) || !uid || podsWithPodSeries.has(uid)) continue;
    add(ensurePod('', '', uid, podNode(s), 'container-sum').reading.wattsByZone, zone, s.value);
  }

  // Nodes.
  const nodes = new Map<string, NodeEnergyReading>();
  const ensureNode = (s: Sample | undefined): NodeEnergyReading => {
    const name = s?.label('node_name') || nodeFallback;
    let n = nodes.get(name);
    if (!n) {
      n = emptyNodeReading(name, choice.zones);
      nodes.set(name, n);
    }
    return n;
  };
  for (const s of nodeJoules) pathQuality(s.label('path'), flags);
  for (const s of nodeWatts) {
    pathQuality(s.label('path'), flags);
    const zone = s.label('zone') ?? '';
    if (cpuZones.has(zone)) add(ensureNode(s).wattsByZone, zone, s.value);
  }
  const active = samplesNamed(exposition, 'kepler_node_cpu_active_joules_total');
  const idle = samplesNamed(exposition, 'kepler_node_cpu_idle_joules_total');
  for (const [list, target] of [
    [active, 'activeJoulesByZone'],
    [idle, 'idleJoulesByZone'],
  ] as const) {
    for (const s of list) {
      const zone = s.label('zone') ?? '';
      if (!cpuZones.has(zone)) continue;
      const n = ensureNode(s);
      add(n[target], zone, s.value);
      add(n.joulesByZone, zone, s.value);
      n.counters.push({
        seriesId: `node:${n.name}|${target}|zone=${zone}|path=${s.label('path') ?? ''}`,
        zone,
        joules: s.value,
        part: target === 'idleJoulesByZone' ? 'idle' : 'active',
      });
    }
  }
  for (const [name, target] of [
    ['kepler_node_cpu_active_watts', 'activeWattsByZone'],
    ['kepler_node_cpu_idle_watts', 'idleWattsByZone'],
  ] as const) {
    for (const s of samplesNamed(exposition, name)) {
      const zone = s.label('zone') ?? '';
      if (cpuZones.has(zone)) add(ensureNode(s)[target], zone, s.value);
    }
  }
  if (active.length === 0 && idle.length === 0) {
    // Only the raw RAPL counter: it wraps at max_energy_range_uj (the integrator is told when known).
    for (const s of nodeJoules) {
      const zone = s.label('zone') ?? '';
      if (!cpuZones.has(zone)) continue;
      const n = ensureNode(s);
      add(n.joulesByZone, zone, s.value);
      n.counters.push({
        seriesId: `node:${n.name}|raw|zone=${zone}|path=${s.label('path') ?? ''}`,
        zone,
        joules: s.value,
        part: 'total',
      });
    }
  }
  for (const s of samplesNamed(exposition, 'kepler_node_cpu_usage_ratio'))
    ensureNode(s).cpuUsageRatio = s.value;
  for (const s of samplesNamed(exposition, 'kepler_platform_watts')) {
    const n = ensureNode(s);
    n.platformWatts = (n.platformWatts ?? 0) + s.value;
  }

  const snapshotFlags = [...flags].sort();
  const podMap = new Map<string, PodEnergyReading>();
  for (const acc of pods.values()) {
    const r = acc.reading;
    r.counters = [...acc.series.values()];
    for (const c of r.counters) add(r.joulesByZone, c.zone, c.joules);
    r.countedZones = counted.filter((z) => z in r.joulesByZone || z in r.wattsByZone);
    r.terminated = acc.states.size > 0 && [...acc.states].every((st) => st === 'terminated');
    r.dataQuality = [...snapshotFlags];
    if (r.level === 'container-sum') r.dataQuality.push('container-sum: pod known by UID only');
    podMap.set(r.key, r);
  }
  const nodeList = [...nodes.values()];
  for (const n of nodeList) n.dataQuality = [...snapshotFlags];
  const idleNodes = nodeList.filter(
    (n) => Object.keys(n.idleJoulesByZone).length > 0 || Object.keys(n.idleWattsByZone).length > 0,
  );
  return {
    generation: 'rewrite',
    version,
    scrapedAtMs: options.scrapedAtMs,
    nodes: nodeList,
    pods: podMap,
    countedZones: counted,
    dataQuality: snapshotFlags,
    energySource: `measured: kepler ${version} (${meterName(snapshotFlags)})`,
    idleShare:
      idleNodes.length > 0
        ? {
            method: 'node-idle-allocation',
            text:
              'allocated: node idle energy (kepler_node_cpu_idle_joules_total, zones ' +
              `${choice.zones.join('+')}) split over the node's pods by their share of its pods' active energy`,
          }
        : {
            method: 'unavailable',
            text: 'unavailable: this Kepler 0.10+ scrape has no kepler_node_cpu_idle_joules_total or kepler_node_cpu_idle_watts',
          },
  };
}

function meterName(flags: string[]): string {
  if (flags.includes('fake-meter')) return 'fake meter';
  if (flags.includes('hwmon')) return 'hwmon';
  if (flags.includes('model-estimated')) return 'model-estimated';
  return 'rapl';
}

// --- 0.7 -----------------------------------------------------------------------------------------

/** Components counted for legacy pods: the same set as kepler_container_joules_total (pkg+dram+other+gpu). */
const LEGACY_COMPONENTS = ['package', 'dram', 'other', 'gpu'] as const;
const MODEL_SOURCES = new Set(['trained_power_model', 'estimator']);
/** Legacy pseudo-containers for energy Kepler could not tie to a pod. */
const LEGACY_PSEUDO_NAMESPACES = new Set(['system', 'kernel']);

function interpretLegacy(exposition: Exposition, version: string, options: InterpretOptions): KeplerSnapshot {
  const flags = new Set<string>();
  const nodeFallback = options.nodeName ?? '';
  const pods = new Map<string, PodEnergyReading>();
  const counted: string[] = [];
  let unattributedJoules = 0;

  const ensurePod = (namespace: string, name: string): PodEnergyReading => {
    const key = podKey(namespace, name);
    let r = pods.get(key);
    if (!r) {
      r = {
        key,
        namespace,
        name,
        uid: undefined,
        node: undefined,
        joulesByZone: {},
        wattsByZone: {},
        countedZones: [],
        joulesByMode: { dynamic: 0, idle: 0 },
        counters: [],
        level: 'container-sum',
        terminated: false,
        dataQuality: [],
      };
      pods.set(key, r);
    }
    return r;
  };

  for (const component of LEGACY_COMPONENTS) {
    const samples = samplesNamed(exposition, `kepler_container_${component}_joules_total`);
    if (samples.length === 0) continue;
    counted.push(component);
    for (const s of samples) {
      const source = s.label('source');
      if (source && MODEL_SOURCES.has(source)) flags.add('model-estimated');
      const namespace = s.label('container_namespace') ?? '';
      const name = s.label('pod_name') ?? '';
      if (LEGACY_PSEUDO_NAMESPACES.has(namespace)) {
        unattributedJoules += s.value;
        continue;
      }
      const mode = s.label('mode') ?? 'dynamic';
      const r = ensurePod(namespace, name);
      // Active energy only: the idle mode is the pod's share of node idle, reported beside it.
      if (mode === 'idle') r.joulesByMode!.idle += s.value;
      else {
        r.joulesByMode!.dynamic += s.value;
        add(r.joulesByZone, component, s.value);
      }
      r.counters.push({
        seriesId: `ctr:${s.label('container_id') ?? s.label('container_name') ?? ''}|zone=${component}|mode=${mode}`,
        zone: component,
        joules: s.value,
        part: mode === 'idle' ? 'idle' : 'active',
      });
    }
  }
  if (counted.length === 0) {
    // Only the aggregate counter: count it whole, as zone 'total'.
    const samples = samplesNamed(exposition, 'kepler_container_joules_total');
    if (samples.length > 0) counted.push('total');
    for (const s of samples) {
      const namespace = s.label('container_namespace') ?? '';
      if (LEGACY_PSEUDO_NAMESPACES.has(namespace)) continue;
      const mode = s.label('mode') ?? 'dynamic';
      const r = ensurePod(namespace, s.label('pod_name') ?? '');
      if (mode === 'idle') r.joulesByMode!.idle += s.value;
      else {
        r.joulesByMode!.dynamic += s.value;
        add(r.joulesByZone, 'total', s.value);
      }
      r.counters.push({
        seriesId: `ctr:${s.label('container_id') ?? ''}|zone=total|mode=${mode}`,
        zone: 'total',
        joules: s.value,
        part: mode === 'idle' ? 'idle' : 'active',
      });
    }
  }

  // Nodes: legacy `instance` label (Kepler's own; Prometheus renames it exported_instance).
  const nodes = new Map<string, NodeEnergyReading>();
  const ensureNode = (s: Sample): NodeEnergyReading => {
    const name = s.label('instance') || s.label('exported_instance') || nodeFallback;
    let n = nodes.get(name);
    if (!n) {
      n = emptyNodeReading(name, []);
      nodes.set(name, n);
    }
    return n;
  };
  for (const component of LEGACY_COMPONENTS) {
    for (const s of samplesNamed(exposition, `kepler_node_${component}_joules_total`)) {
      const source = s.label('source');
      if (source && MODEL_SOURCES.has(source)) flags.add('model-estimated');
      const n = ensureNode(s);
      const mode = s.label('mode') ?? 'dynamic';
      add(n.joulesByZone, component, s.value);
      add(mode === 'idle' ? n.idleJoulesByZone : n.activeJoulesByZone, component, s.value);
      if (!n.countedZones.includes(component)) n.countedZones.push(component);
      const unit = s.label('package') ?? s.label('index') ?? '';
      n.counters.push({
        seriesId: `node:${n.name}|zone=${component}|mode=${mode}|unit=${unit}`,
        zone: component,
        joules: s.value,
        part: mode === 'idle' ? 'idle' : 'active',
      });
    }
  }
  for (const s of samplesNamed(exposition, 'kepler_node_platform_joules_total')) {
    const n = ensureNode(s);
    n.platformJoules = (n.platformJoules ?? 0) + s.value;
    const source = s.label('source');
    if (source && MODEL_SOURCES.has(source)) flags.add('model-estimated');
  }
  for (const s of samplesNamed(exposition, 'kepler_node_info')) {
    for (const label of ['components_power_source', 'platform_power_source']) {
      const v = s.label(label);
      if (v && MODEL_SOURCES.has(v)) flags.add('model-estimated');
    }
  }
  if (unattributedJoules > 0) flags.add('unattributed-system-energy');

  // Kepler 0.7 writes the idle mode on the aggregate counter unconditionally, as 0 unless
  // EXPOSE_ESTIMATED_IDLE_POWER_METRICS is on (docs/methodology.md § 2.6): all zero means not exported.
  let idleExported = false;
  for (const r of pods.values()) {
    if (r.counters.some((c) => c.part === 'idle' && c.joules > 0)) idleExported = true;
  }
  if (!idleExported) {
    for (const r of pods.values()) r.counters = r.counters.filter((c) => c.part !== 'idle');
  }
  const snapshotFlags = [...flags].sort();
  for (const r of pods.values()) {
    r.countedZones = counted.filter((z) => z in r.joulesByZone || r.counters.some((c) => c.zone === z));
    r.dataQuality = [...snapshotFlags];
  }
  const nodeList = [...nodes.values()];
  for (const n of nodeList) n.dataQuality = [...snapshotFlags];
  return {
    generation: 'legacy',
    version,
    scrapedAtMs: options.scrapedAtMs,
    nodes: nodeList,
    pods,
    countedZones: counted,
    dataQuality: snapshotFlags,
    energySource: `measured: kepler ${version === 'unknown' ? '0.7-line' : version} (${meterName(snapshotFlags)}; mode dynamic = active energy)`,
    idleShare: idleExported
      ? {
          method: 'pod-idle-counters',
          text: 'measured: Kepler 0.7 per-container mode="idle" counters (the pod\'s share of node idle as Kepler attributes it)',
        }
      : {
          method: 'unavailable',
          text: 'unavailable: this Kepler 0.7 scrape exports no non-zero mode="idle" container counters (EXPOSE_ESTIMATED_IDLE_POWER_METRICS off)',
        },
  };
}

/** Sum of a reading's counted zones, in joules. */
export function totalJoules(reading: { joulesByZone: Record<string, number> }): number {
  let sum = 0;
  for (const v of Object.values(reading.joulesByZone)) sum += v;
  return sum;
}

export function totalWatts(reading: { wattsByZone: Record<string, number> }): number {
  let sum = 0;
  for (const v of Object.values(reading.wattsByZone)) sum += v;
  return sum;
}
