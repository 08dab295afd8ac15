// Software Carbon Intensity, GSF SCI v1.1.0 = ISO/IEC 21031:2024:
//   SCI = (O + M) per R,  O = E · I (E with the facility's PUE, I location-based),
//   M = TE · (TiR / EL) · (RR / ToR)  (embodied emissions of the reserved share of the server).
// R here is one workload-hour (an hour in which the workload drew energy). The embodied coefficients
// are data (operator/data/embodied-emissions.json), passed in.
import { z } from 'zod';
import type { Sourced } from './types.js';

const sourced = z.object({ value: z.number().finite().nonnegative(), source: z.string().min(10) });

export const embodiedFileSchema = z.object({
  server: z.object({
    baselineEmissions_kgCO2eq: sourced,
    baselineVcpus: sourced,
    baselineMemory_GB: sourced,
    perAdditionalVcpu_kgCO2eq: sourced,
    perAdditionalMemory_kgCO2eq_per_GB: sourced,
    perGpu_kgCO2eq: sourced,
    lifespan_hours: sourced.refine((s) => s.value > 0, {
      message: 'lifespan must be positive',
      path: ['value'],
    }),
  }),
});

export type EmbodiedCoefficients = z.infer<typeof embodiedFileSchema>['server'];

/** Validates the parsed embodied-emissions data; throws naming the field. */
export function parseEmbodiedCoefficients(document: unknown): EmbodiedCoefficients {
  const parsed = embodiedFileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`embodied-emissions.json: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.server;
}

export interface ServerShape {
  vcpus: number;
  memory_GB?: number;
  gpus?: number;
}

/** TE of a server: the baseline server plus what its vCPUs, memory and GPUs add. */
export function serverEmbodied_kgCO2eq(c: EmbodiedCoefficients, server: ServerShape): Sourced<number> {
  const memory = server.memory_GB ?? c.baselineMemory_GB.value;
  const value =
    c.baselineEmissions_kgCO2eq.value +
    Math.max(0, server.vcpus - c.baselineVcpus.value) * c.perAdditionalVcpu_kgCO2eq.value +
    Math.max(0, memory - c.baselineMemory_GB.value) * c.perAdditionalMemory_kgCO2eq_per_GB.value +
    (server.gpus ?? 0) * c.perGpu_kgCO2eq.value;
  return {
    value,
    source:
      `dataset: embodied server emissions for ${server.vcpus} vCPU` +
      `${server.memory_GB !== undefined ? `, ${server.memory_GB} GB` : ''}${server.gpus ? `, ${server.gpus} GPU` : ''}` +
      ` (${c.baselineEmissions_kgCO2eq.source})`,
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
  return te * (args.hoursReserved / c.lifespan_hours.value) * share;
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
