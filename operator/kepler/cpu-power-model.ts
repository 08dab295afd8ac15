// The Cloud Carbon Footprint fallback where Kepler has no usable data (no RAPL on cloud VMs: Kepler
// 0.10+ refuses to start there, research/kepler.md §4.2): power from vCPUs and utilisation by CPU
// microarchitecture, memory from GB-hours. Coefficients and their sources: operator/data/ccf-coefficients.json.
// Everything this returns is an estimate and says so ('estimated: cpu-model').
import { z } from 'zod';
import type { HourlyEnergy } from '../engine/types.js';
import { readDataFile } from '../grid/data-files.js';
import { distributeToHours, JOULES_PER_KWH } from './energy-integrator.js';

const sourced = <T extends z.ZodTypeAny>(value: T) => z.object({ value, source: z.string().min(1) });
const range = z.object({
  min_W_per_vCPU: z.number().nonnegative(),
  max_W_per_vCPU: z.number().positive(),
  source: z.string().min(1),
});

const coefficientsSchema = z.object({
  cpuWattsByMicroarchitecture: z.record(z.string(), range.extend({ name: z.string() })),
  unknownMicroarchitecture: z.object({
    aws: range.extend({ basis: z.string() }),
    gcp: range.extend({ basis: z.string() }),
    azure: range.extend({ basis: z.string() }),
  }),
  defaultProvider: sourced(z.enum(['aws', 'gcp', 'azure'])),
  memory_kWh_per_GB_hour: sourced(z.number().positive()),
  defaultCpuUtilization: sourced(z.number().min(0).max(1)),
  gpuWatts: z.object({
    source: z.string().min(1),
    models: z.record(
      z.string(),
      z.object({ name: z.string(), min_W: z.number().nonnegative(), max_W: z.number().positive() }),
    ),
  }),
});

export type CcfCoefficients = z.infer<typeof coefficientsSchema>;

let cached: CcfCoefficients | undefined;

/** The coefficients file, validated (a malformed file names the field). */
export function loadCcfCoefficients(text: string = readDataFile('ccf-coefficients.json')): CcfCoefficients {
  const parsed = coefficientsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`ccf-coefficients.json: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function coefficients(): CcfCoefficients {
  cached ??= loadCcfCoefficients();
  return cached;
}

/**
 * Table key for a CPU name as Kepler or a node reports it: 'Broadwell' (legacy kepler_node_info
 * cpu_architecture), 'Cascade Lake', 'cascadelake', 'AMD EPYC 2nd gen', 'graviton2'. Undefined when unknown.
 */
export function microarchitectureKey(name: string | undefined, table = coefficients()): string | undefined {
  if (!name) return undefined;
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const n = norm(name);
  for (const [key, entry] of Object.entries(table.cpuWattsByMicroarchitecture)) {
    if (norm(key) === n || norm(entry.name) === n) return key;
  }
  return undefined;
}

export interface CpuModelInput {
  vcpus: number;
  /** Mean CPU utilisation 0..1 over the period; CCF's default (50 %) when unknown. */
  cpuUtilization?: number;
  /** Memory in GB (requests or usage), counted at the CCF memory coefficient. */
  memoryGB?: number;
  microarchitecture?: string;
  provider?: 'aws' | 'gcp' | 'azure';
  hours: number;
}

export interface CpuModelEstimate {
  power_watts: number;
  cpuPower_watts: number;
  energy_kWh: number;
  cpuEnergy_kWh: number;
  memoryEnergy_kWh: number;
  /** Always starts 'estimated: cpu-model'. */
  source: string;
  /** What was assumed and where each number came from. */
  assumptions: string[];
}

export function estimateCpuModelEnergy(input: CpuModelInput, table = coefficients()): CpuModelEstimate {
  if (!(input.vcpus >= 0) || !(input.hours >= 0))
    throw new Error('cpu-model: vcpus and hours must be non-negative numbers');
  const assumptions: string[] = [];
  const key = microarchitectureKey(input.microarchitecture, table);
  let minW: number;
  let maxW: number;
  let basis: string;
  if (key) {
    const e = table.cpuWattsByMicroarchitecture[key]!;
    minW = e.min_W_per_vCPU;
    maxW = e.max_W_per_vCPU;
    basis = `${e.name} ${minW}–${maxW} W/vCPU (${e.source})`;
  } else {
    const provider = input.provider ?? table.defaultProvider.value;
    const e = table.unknownMicroarchitecture[provider];
    minW = e.min_W_per_vCPU;
    maxW = e.max_W_per_vCPU;
    basis = `${provider} ${e.basis} ${minW}–${maxW} W/vCPU (${e.source})`;
    assumptions.push(
      `microarchitecture ${input.microarchitecture ? `"${input.microarchitecture}" not in the CCF table` : 'unknown'}: ${provider} fallback` +
        (input.provider ? '' : ` (${table.defaultProvider.source})`),
    );
  }
  assumptions.push(`CPU power ${basis}`);
  let util = input.cpuUtilization;
  if (util === undefined || !Number.isFinite(util)) {
    util = table.defaultCpuUtilization.value;
    assumptions.push(`CPU utilisation ${util * 100} % (${table.defaultCpuUtilization.source})`);
  } else {
    util = Math.min(1, Math.max(0, util));
    assumptions.push(`CPU utilisation ${+(util * 100).toFixed(2)} % (observed)`);
  }
  const cpuPower_watts = (minW + util * (maxW - minW)) * input.vcpus;
  const cpuEnergy_kWh = (cpuPower_watts * input.hours) / 1000;
  const memoryGB = input.memoryGB ?? 0;
  const memoryEnergy_kWh = memoryGB * input.hours * table.memory_kWh_per_GB_hour.value;
  if (memoryGB > 0) {
    assumptions.push(
      `memory ${table.memory_kWh_per_GB_hour.value} kWh per GB-hour (${table.memory_kWh_per_GB_hour.source})`,
    );
  }
  const memoryPower_watts = memoryGB * table.memory_kWh_per_GB_hour.value * 1000;
  return {
    power_watts: cpuPower_watts + memoryPower_watts,
    cpuPower_watts,
    energy_kWh: cpuEnergy_kWh + memoryEnergy_kWh,
    cpuEnergy_kWh,
    memoryEnergy_kWh,
    source: `estimated: cpu-model (Cloud Carbon Footprint coefficients${key ? `, ${table.cpuWattsByMicroarchitecture[key]!.name}` : ''})`,
    assumptions,
  };
}

/** The same estimate spread over UTC clock hours for [fromMs, toMs). */
export function cpuModelHourly(
  input: Omit<CpuModelInput, 'hours'>,
  fromMs: number,
  toMs: number,
): {
  hourly: HourlyEnergy[];
  estimate: CpuModelEstimate;
} {
  const hours = Math.max(0, toMs - fromMs) / 3_600_000;
  const estimate = estimateCpuModelEnergy({ ...input, hours });
  return { hourly: distributeToHours(fromMs, toMs, estimate.energy_kWh * JOULES_PER_KWH), estimate };
}
