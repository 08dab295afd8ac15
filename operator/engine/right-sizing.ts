// Right-sizing: requests above what the workload uses (p95 over the window) reserve capacity that
// nodes must keep. The advice reports the capacity freed (cores, GiB) with a resources patch. It
// counts no energy, emissions or KRW: Kepler attributes energy by use, so lower requests leave the
// workload's measured energy unchanged; savings would need a mechanism this engine cannot see (fewer
// nodes after consolidation), so they are zero and the source says why.
// No usage data → no advice; a request or p95 that is unknown is never taken as zero.
import type { CoreAssessment } from './assess-workload.js';
import { resourcesPatchYaml } from './manifest-patch.js';
import { messages } from './messages.js';
import type { Effect } from './savings.js';
import type { Language, Optimization, UsageFigures, WorkloadEnergyInput } from '../domain/types.js';

/** Requests keep this margin above p95 usage (a choice of this engine, stated in the source). */
const HEADROOM = 0.2;
/** Below this share of the request freed, resizing is not worth a change. */
const MIN_FREED_SHARE = 0.1;
const MILLICORE = 0.001;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface RightSizingPlan {
  perPod: { cpu_cores?: { from: number; to: number }; memory_bytes?: { from: number; to: number } };
  cpuFreedShare: number;
  memoryFreedShare: number;
}

/** Per-pod requests fitted to p95 usage + headroom, or null when nothing would be freed. */
export function rightSizingPlan(input: WorkloadEnergyInput): RightSizingPlan | null {
  const u = input.usage;
  const pods = Math.max(1, input.pods);
  if (!u) return null;
  const plan: RightSizingPlan = { perPod: {}, cpuFreedShare: 0, memoryFreedShare: 0 };
  if (u.cpuRequest_cores !== undefined && u.cpuP95_cores !== undefined && u.cpuRequest_cores > 0) {
    const from = u.cpuRequest_cores / pods;
    const to = Math.max(MILLICORE * 10, ceilTo((u.cpuP95_cores / pods) * (1 + HEADROOM), MILLICORE * 10));
    if (to <= from * (1 - MIN_FREED_SHARE)) {
      plan.perPod.cpu_cores = { from, to };
      plan.cpuFreedShare = 1 - to / from;
    }
  }
  if (u.memoryRequest_bytes !== undefined && u.memoryP95_bytes !== undefined && u.memoryRequest_bytes > 0) {
    const from = u.memoryRequest_bytes / pods;
    const to = Math.max(MIB * 16, ceilTo((u.memoryP95_bytes / pods) * (1 + HEADROOM), MIB));
    if (to <= from * (1 - MIN_FREED_SHARE)) {
      plan.perPod.memory_bytes = { from, to };
      plan.memoryFreedShare = 1 - to / from;
    }
  }
  return plan.perPod.cpu_cores || plan.perPod.memory_bytes ? plan : null;
}

/**
 * The right-sizing input as the status shows it: requests and p95 usage of all pods, and whether it
 * could be assessed at all. Right-sizing is assessed when a p95 (CPU or memory) is known; otherwise
 * the reason is the caller's (no usage source, too few samples, the source failed), never a default.
 */
export function usageFigures(input: WorkloadEnergyInput): { figures: UsageFigures; source: string } {
  const u = input.usage;
  const round = (v: number | undefined, digits: number) =>
    v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits;
  const known = u?.cpuP95_cores !== undefined || u?.memoryP95_bytes !== undefined;
  const reason = known
    ? undefined
    : (input.usageUnavailable ?? 'no usage source gave a p95 of CPU or memory for this workload');
  const figures: UsageFigures = {
    assessed: known,
    ...(reason ? { reason } : {}),
    cpuRequest_cores: round(u?.cpuRequest_cores, 3),
    cpuP95_cores: round(u?.cpuP95_cores, 3),
    memoryRequest_bytes: round(u?.memoryRequest_bytes, 0),
    memoryP95_bytes: round(u?.memoryP95_bytes, 0),
    samples: u?.samples ?? null,
  };
  const source = known
    ? `${u?.source ?? 'usage given by the caller'}${u?.samples !== undefined ? `; ${u.samples} samples per pod at least` : ''}`
    : `not assessed: ${reason}`;
  return { figures, source };
}

function ceilTo(value: number, step: number): number {
  return Math.ceil(value / step - 1e-9) * step;
}

export function cpuQuantity(cores: number): string {
  const millis = Math.round(cores * 1000);
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export function memoryQuantity(bytes: number): string {
  return `${Math.ceil(bytes / MIB)}Mi`;
}

/** Strategic-merge patch of the pod template's requests, for the workload kind's template path. */
function resourcesPatch(
  kind: WorkloadEnergyInput['kind'],
  container: string,
  plan: RightSizingPlan,
): Record<string, unknown> {
  const requests: Record<string, string> = {};
  if (plan.perPod.cpu_cores) requests.cpu = cpuQuantity(plan.perPod.cpu_cores.to);
  if (plan.perPod.memory_bytes) requests.memory = memoryQuantity(plan.perPod.memory_bytes.to);
  const podSpec = { containers: [{ name: container, resources: { requests } }] };
  if (kind === 'Pod') return { spec: podSpec };
  if (kind === 'CronJob') return { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
  return { spec: { template: { spec: podSpec } } };
}

function patches(
  input: WorkloadEnergyInput,
  patch: Record<string, unknown>,
): Pick<Optimization, 'resourcesPatch' | 'patch'> {
  return {
    resourcesPatch: patch,
    patch: resourcesPatchYaml({ kind: input.kind, name: input.workload, namespace: input.namespace, patch }),
  };
}

export function rightSizing(
  input: WorkloadEnergyInput,
  core: CoreAssessment,
  language: Language,
): { optimization: Omit<Optimization, 'savings_per_month'>; effect: Effect } | null {
  if (core.exact.energy_kWh <= 0) return null;
  const plan = rightSizingPlan(input);
  if (!plan) return null;
  const pods = Math.max(1, input.pods);
  const cpu = plan.perPod.cpu_cores;
  const mem = plan.perPod.memory_bytes;
  const freedCores = cpu ? (cpu.from - cpu.to) * pods : 0;
  const freedBytes = mem ? (mem.from - mem.to) * pods : 0;
  const names = input.usage?.containerNames ?? [];
  const description =
    messages.rightSizing(language, {
      ...(plan.perPod.cpu_cores
        ? { cpuFrom: plan.perPod.cpu_cores.from, cpuTo: plan.perPod.cpu_cores.to }
        : {}),
      ...(plan.perPod.memory_bytes
        ? { memFromMiB: plan.perPod.memory_bytes.from / MIB, memToMiB: plan.perPod.memory_bytes.to / MIB }
        : {}),
      freedCores,
      freedGiB: freedBytes / GIB,
    }) +
    (names.length === 1
      ? ''
      : language === 'ko'
        ? ' (파드당 값: 컨테이너별로 나누어 적용하세요)'
        : ' (per-pod values: split them across the containers)');
  return {
    optimization: {
      type: 'right_sizing',
      reduces: 'energy',
      estimated_reduction_percent: 0,
      description,
      capacity_freed: {
        cpu_cores: Math.round(freedCores * 1000) / 1000,
        memory_GiB: Math.round((freedBytes / GIB) * 1000) / 1000,
      },
      ...(names.length === 1 ? patches(input, resourcesPatch(input.kind, names[0]!, plan)) : {}),
      source:
        `requests vs p95 usage over the window, ${HEADROOM * 100} % headroom over p95 (engine choice); ` +
        messages.rightSizingNoSavings('en'),
    },
    effect: { emissionsFraction: 0, facilityEnergySaved_kWh: 0, energyCostSaved_KRW: 0 },
  };
}
