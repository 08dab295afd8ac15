// Power where Kepler cannot measure: the Cloud Carbon Footprint (CCF) compute model for pods on nodes
// without real Kepler readings (no RAPL, as on most cloud VMs: Kepler 0.10+ does not start there,
// docs/methodology.md § 2.11). W = vCPUs × (min W + utilisation × (max W − min W)), the min/max watts per
// vCPU chosen by the node's instance type (its microarchitecture), else its cloud provider's average,
// else an assumed average that the status names. Pure: no I/O, no clock; the coefficients and their
// sources are data (operator/data/ccf-coefficients.json). Everything it returns is an estimate and says
// so ('estimated: CCF …'); it never becomes 'measured'.
import { z } from 'zod';
import type { HourlyEnergy } from '../domain/types.js';
import { readDataFile } from '../reference-data/data-files.js';
import { DataFileError, parseDataFile, parseJsonText } from '../reference-data/data-file-error.js';
import { forEachHourShare, hourStartIso } from './energy-integrator.js';

const FILE = 'operator/data/ccf-coefficients.json';
const text = z.string().min(1);
const watts = { minWattsPerVcpu: z.number().nonnegative(), maxWattsPerVcpu: z.number().positive() };
const provider = z.enum(['aws', 'gcp', 'azure']);
export type CloudProvider = z.infer<typeof provider>;

const coefficientsSchema = z.object({
  model: z.object({ formula: text, source: text }),
  cpuWattsByMicroarchitecture: z.record(z.string(), z.object({ name: text, ...watts, source: text })),
  providerAverage: z.object({
    aws: z.object({ ...watts, basis: text, source: text }),
    gcp: z.object({ ...watts, basis: text, source: text }),
    azure: z.object({ ...watts, basis: text, source: text }),
  }),
  unknownProvider: z.object({ value: provider, source: text }),
  defaultCpuUtilisation: z.object({ value: z.number().gt(0).max(1), source: text }),
  awsInstanceFamilies: z.object({
    source: text,
    families: z.record(
      z.string(),
      z.object({
        microarchitectures: z.array(z.string()).min(1),
        sizes: z.record(z.string(), z.array(z.string()).min(1)).optional(),
      }),
    ),
  }),
});

export type CcfCoefficients = z.infer<typeof coefficientsSchema>;

/** The coefficients file, validated; a bad value names the field. Every microarchitecture an instance
 * family names must be in the table. */
export function loadCcfCoefficients(json: string = readDataFile('ccf-coefficients.json')): CcfCoefficients {
  const table = parseDataFile(FILE, coefficientsSchema, parseJsonText(FILE, json));
  for (const [family, entry] of Object.entries(table.awsInstanceFamilies.families)) {
    for (const arch of [...entry.microarchitectures, ...Object.values(entry.sizes ?? {}).flat()]) {
      if (!table.cpuWattsByMicroarchitecture[arch])
        throw new DataFileError(
          FILE,
          `awsInstanceFamilies.families.${family}`,
          `microarchitecture "${arch}" is not in cpuWattsByMicroarchitecture`,
        );
    }
  }
  return table;
}

/** What the operator knows of a node's hardware (its labels and spec.providerID). */
export interface NodeHardware {
  /** Label node.kubernetes.io/instance-type (e.g. 'm5.large'). */
  instanceType?: string;
  /** spec.providerID, e.g. 'aws:///ap-northeast-2a/i-0abc', 'gce://project/zone/name', 'azure:///subscriptions/…'. */
  providerID?: string;
  /** The cloud provider when it is known otherwise (a user's answer); wins over providerID. */
  provider?: CloudProvider;
}

/** The min/max watts per vCPU used for a node, with how they were chosen and where they come from. */
export interface CcfCoefficientChoice {
  minWattsPerVcpu: number;
  maxWattsPerVcpu: number;
  /** e.g. 'instance type m5.large → Skylake', 'cloud provider gcp (median over the GCP microarchitectures)'. */
  basis: string;
  source: string;
  /** True when nothing about the node was known and an average was assumed. */
  assumed: boolean;
}

/** The cloud provider named by a node's spec.providerID (the cloud-controller-manager's scheme). */
export function providerOf(providerID: string | undefined): CloudProvider | undefined {
  const scheme = providerID?.match(/^([a-z]+):\/\//)?.[1];
  if (scheme === 'aws') return 'aws';
  if (scheme === 'gce') return 'gcp';
  if (scheme === 'azure') return 'azure';
  return undefined;
}

/** min/max of several microarchitectures: their average (CCF's rule for a mixed family). */
function averageOf(table: CcfCoefficients, keys: string[]): { min: number; max: number; names: string } {
  const entries = keys.map((k) => table.cpuWattsByMicroarchitecture[k]!);
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  return {
    min: mean(entries.map((e) => e.minWattsPerVcpu)),
    max: mean(entries.map((e) => e.maxWattsPerVcpu)),
    names: entries.map((e) => e.name).join(' + '),
  };
}

/** Coefficients for a node: its AWS instance type's microarchitecture, else its provider's average,
 * else the assumed average (`assumed: true`). */
export function coefficientsForNode(
  node: NodeHardware | undefined,
  table: CcfCoefficients,
): CcfCoefficientChoice {
  const instanceType = node?.instanceType?.trim();
  const cloud = node?.provider ?? providerOf(node?.providerID);
  if (instanceType && (cloud === 'aws' || cloud === undefined)) {
    const [family, size] = instanceType.split('.', 2) as [string, string | undefined];
    const entry = table.awsInstanceFamilies.families[family];
    if (entry) {
      const keys = (size !== undefined ? entry.sizes?.[size] : undefined) ?? entry.microarchitectures;
      const { min, max, names } = averageOf(table, keys);
      return {
        minWattsPerVcpu: min,
        maxWattsPerVcpu: max,
        basis: `instance type ${instanceType} → ${names}${keys.length > 1 ? ' (average)' : ''}`,
        source: `${table.awsInstanceFamilies.source}; ${table.cpuWattsByMicroarchitecture[keys[0]!]!.source}`,
        assumed: false,
      };
    }
  }
  if (cloud) {
    const average = table.providerAverage[cloud];
    return {
      minWattsPerVcpu: average.minWattsPerVcpu,
      maxWattsPerVcpu: average.maxWattsPerVcpu,
      basis:
        `cloud provider ${cloud} (${average.basis})` +
        (instanceType ? `; instance type ${instanceType} is not in the CCF table` : ''),
      source: average.source,
      assumed: false,
    };
  }
  const fallback = table.providerAverage[table.unknownProvider.value];
  return {
    minWattsPerVcpu: fallback.minWattsPerVcpu,
    maxWattsPerVcpu: fallback.maxWattsPerVcpu,
    basis:
      `assumed: ${table.unknownProvider.value} average (${fallback.basis}); the node has ` +
      (instanceType
        ? `instance type ${instanceType}, not in the CCF table, and `
        : 'no instance-type label and ') +
      'no cloud providerID',
    source: `${table.unknownProvider.source}; ${fallback.source}`,
    assumed: true,
  };
}

/** How busy the pod's vCPUs are taken to be. Only CPU requests are known to the operator today: the
 * utilisation is CCF's default, assumed (docs/methodology.md § 2.4). */
export interface PodCpuBasis {
  /** vCPUs the pod reserves (its CPU requests, cores). */
  vcpus: number;
  utilisation: number;
  /** e.g. 'CPU requests 0.5 cores × assumed utilisation 50 % (CCF default: …)'. */
  basis: string;
}

/** The CPU basis of a pod known only by its CPU requests: CCF's default utilisation, assumed. */
export function requestsBasis(requestCores: number, table: CcfCoefficients): PodCpuBasis {
  const u = table.defaultCpuUtilisation;
  return {
    vcpus: requestCores,
    utilisation: u.value,
    basis: `CPU requests ${requestCores} cores × assumed utilisation ${u.value * 100} % (${u.source})`,
  };
}

/** Mean power of a pod, watts: vCPUs × (min + utilisation × (max − min)). */
export function estimatePodWatts(cpu: PodCpuBasis, coefficients: CcfCoefficientChoice): number {
  if (!(cpu.vcpus >= 0) || !(cpu.utilisation >= 0 && cpu.utilisation <= 1))
    throw new RangeError(`CCF estimate: vCPUs ${cpu.vcpus} and utilisation ${cpu.utilisation} out of range`);
  const { minWattsPerVcpu: min, maxWattsPerVcpu: max } = coefficients;
  return cpu.vcpus * (min + cpu.utilisation * (max - min));
}

/** A constant power over [fromMs, toMs) as UTC hour buckets, each wholly estimated. */
export function estimatedHours(wattsValue: number, fromMs: number, toMs: number): HourlyEnergy[] {
  const out: HourlyEnergy[] = [];
  if (!(toMs > fromMs) || !(wattsValue > 0)) return out;
  const joules = (wattsValue * (toMs - fromMs)) / 1000;
  forEachHourShare(fromMs, toMs, joules, undefined, (hourMs, kWh) => {
    out.push({ hourStart: hourStartIso(hourMs), energy_kWh: kWh, estimated_kWh: kWh });
  });
  return out;
}

/** The label every estimated figure carries. */
export function estimateSourceLabel(table: CcfCoefficients): string {
  return `estimated: CCF (Cloud Carbon Footprint compute coefficients; ${table.model.formula}; ${table.model.source})`;
}
