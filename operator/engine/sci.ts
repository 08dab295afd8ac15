// Software Carbon Intensity, GSF SCI v1.1.0 = ISO/IEC 21031:2024:
//   SCI = (O + M) per R,  O = E · I (E with the facility's PUE, I location-based),
//   M = TE · (TiR / EL) · (RR / ToR)  (embodied emissions of the reserved share of the server).
// R here is one workload-hour (an hour in which the workload drew energy). The embodied coefficients
// are data (operator/data/embodied-emissions.json), passed in.
import { z } from 'zod';
import type { Sourced } from '../domain/types.js';

const kg = z.number().finite().nonnegative();

// Shape of operator/data/embodied-emissions.json (CCF embodied-emissions constants).
const embodiedFileSchema = z.object({
  server: z.object({
    baseManufacturing_kgCO2eq: kg,
    lifespan_years: z.number().finite().positive(),
    dramThreshold_GB: kg,
    dram_kgCO2eq_per_GB: kg,
    additionalCpu_kgCO2eq: kg,
    additionalSsd_kgCO2eq: kg,
    additionalHdd_kgCO2eq: kg,
    additionalGpu_kgCO2eq: kg,
    source: z.string().min(10),
  }),
  defaultServer: z.object({
    vcpus: z.number().int().positive(),
    memory_GB: kg,
    cpus: z.number().int().positive(),
    source: z.string().min(10),
  }),
});

export type EmbodiedCoefficients = z.infer<typeof embodiedFileSchema>;

/** Validates the parsed embodied-emissions data; throws naming the field. */
export function parseEmbodiedCoefficients(document: unknown): EmbodiedCoefficients {
  const parsed = embodiedFileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`embodied-emissions.json: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export interface ServerShape {
  vcpus: number;
  memory_GB?: number;
  /** Physical CPU sockets (CCF adds a fixed amount per CPU beyond the first). */
  cpus?: number;
  gpus?: number;
  ssds?: number;
  hdds?: number;
}

export function lifespanHours(c: EmbodiedCoefficients): number {
  return c.server.lifespan_years * 8760;
}

/** TE of a server (CCF): the base server plus extra CPUs, DRAM above the threshold, drives and GPUs. */
export function serverEmbodied_kgCO2eq(c: EmbodiedCoefficients, server: ServerShape): Sourced<number> {
  const s = c.server;
  const memory = server.memory_GB ?? s.dramThreshold_GB;
  const value =
    s.baseManufacturing_kgCO2eq +
    Math.max(0, (server.cpus ?? 1) - 1) * s.additionalCpu_kgCO2eq +
    Math.max(0, memory - s.dramThreshold_GB) * s.dram_kgCO2eq_per_GB +
    (server.ssds ?? 0) * s.additionalSsd_kgCO2eq +
    (server.hdds ?? 0) * s.additionalHdd_kgCO2eq +
    (server.gpus ?? 0) * s.additionalGpu_kgCO2eq;
  return {
    value,
    source:
      `estimated: embodied emissions of a ${server.vcpus}-vCPU server` +
      `${server.memory_GB !== undefined ? `, ${server.memory_GB} GB` : ''}${server.gpus ? `, ${server.gpus} GPU` : ''}` +
      ` (${s.source})`,
  };
}

/** M in gCO2eq: TE · (hours reserved / lifespan) · (vCPUs reserved / server vCPUs). */
export function embodiedEmissions_gCO2eq(args: {
  coefficients: EmbodiedCoefficients;
  server: ServerShape;
  hoursReserved: number;
  vcpusReserved: number;
}): number {
  const { coefficients: c, server } = args;
  if (!(server.vcpus > 0) || !(args.hoursReserved >= 0) || !(args.vcpusReserved >= 0)) {
    throw new RangeError('embodied emissions need server vCPUs > 0 and non-negative hours and vCPUs');
  }
  const te = serverEmbodied_kgCO2eq(c, server).value * 1000;
  const share = Math.min(1, args.vcpusReserved / server.vcpus);
  return te * (args.hoursReserved / lifespanHours(c)) * share;
}

/** SCI = (O + M) / R. */
export function softwareCarbonIntensity(args: {
  operational_gCO2eq: number;
  embodied_gCO2eq: number;
  functionalUnits: number;
}): number | null {
  if (!(args.functionalUnits > 0)) return null;
  return (args.operational_gCO2eq + args.embodied_gCO2eq) / args.functionalUnits;
}
