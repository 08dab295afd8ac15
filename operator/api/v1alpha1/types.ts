// CarbonCompliancePolicy (carbon-aware.dev/v1alpha1): the API in one file. Mirrors
// crds/carbon-aware.dev_carboncompliancepolicies.yaml (a test checks that they agree).
import { z } from 'zod';
import { RENEWABLE_INSTRUMENTS } from '../../engine/market-based.js';
import type {
  ComplianceStatus,
  GridHourSource,
  GridHoursBySource,
  WorkloadAssessment,
} from '../../engine/types.js';

export const GROUP = 'carbon-aware.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'CarbonCompliancePolicy';
export const PLURAL = 'carboncompliancepolicies';

const duration = z.string().regex(/^([0-9]+(s|m|h|d))+$/, 'a duration such as 30s, 5m, 24h or 7d');

const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z
        .object({
          key: z.string().min(1).max(317),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string().max(63)).max(64).optional(),
        })
        // Same rule as the CRD's CEL validation (and Kubernetes' own label selectors).
        .refine(
          (e) =>
            e.operator === 'In' || e.operator === 'NotIn'
              ? (e.values?.length ?? 0) > 0
              : (e.values?.length ?? 0) === 0,
          {
            message: 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
            path: ['values'],
          },
        ),
    )
    .max(20)
    .optional(),
});

export const policySpecSchema = z
  .object({
    /** Pods in the policy's namespace; empty selects all. */
    selector: labelSelector.default({}),
    standard: z
      .string()
      .regex(/^[A-Z0-9_]+$/)
      .default('KR_CARBON_2050'),
    /** Overrides of the standard's thresholds (the status says they were configured). */
    targets: z
      .object({
        carbonIntensity_gCO2eq_kWh: z.number().positive().max(5000).optional(),
        maxPue: z.number().min(1).max(5).optional(),
      })
      .optional(),
    site: z
      .object({
        // One zone code form everywhere (CRD, tools, resources): ISO 3166-1 alpha-2 with optional sub-zones.
        zone: z
          .string()
          .min(2)
          .max(32)
          .regex(
            /^[A-Z]{2}(-[A-Z0-9]+)*$/,
            'a grid zone code: ISO 3166-1 alpha-2, optional sub-zone (KR, AU-NSW)',
          )
          .optional(),
        cloudRegion: z
          .string()
          .regex(/^[a-z]+\/[a-z0-9-]+$/)
          .optional(),
        pue: z.number().min(1).max(5).optional(),
        /** Contractual renewable supply (K-RE100 instruments) for market-based accounting. */
        renewableSupply: z
          .array(
            z
              .object({
                instrument: z.enum(RENEWABLE_INSTRUMENTS),
                share: z.number().gt(0).max(1).optional(),
                mWhPerYear: z.number().gt(0).max(1e9).optional(),
              })
              .strict()
              .refine((r) => (r.share === undefined) !== (r.mWhPerYear === undefined), {
                message: 'set exactly one of share or mWhPerYear',
                path: ['share'],
              }),
          )
          .max(20)
          .optional(),
      })
      .refine((s) => !(s.zone && s.cloudRegion), { message: 'set either zone or cloudRegion, not both' })
      .default({ zone: 'KR' }),
    /** GHG Protocol Scope 2 basis of the verdict: location (grid average) or market (contracts). */
    accounting: z.enum(['location', 'market']).default('location'),
    window: duration.default('24h'),
    interval: duration.default('5m'),
    recommendations: z
      .object({
        enabled: z.boolean().default(true),
        candidateRegions: z
          .array(z.string().regex(/^[a-z]+\/[a-z0-9-]+$/))
          .max(20)
          .refine((regions) => new Set(regions).size === regions.length, {
            message: 'regions must be unique',
          })
          .optional(),
      })
      .default({ enabled: true }),
    language: z.enum(['ko', 'en']).default('ko'),
    /** How many workloads are listed in status (the rest are counted). */
    maxWorkloadsInStatus: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export type CarbonCompliancePolicySpec = z.infer<typeof policySpecSchema>;

export interface Condition {
  type:
    | 'Ready'
    | 'MetricsAvailable'
    | 'Compliant'
    | 'PUEKnown'
    | 'GridDataLive'
    | 'StandardsCatalogue'
    | 'EnergyEstimated';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface PolicySummary {
  status: ComplianceStatus;
  workloads: number;
  compliant: number;
  nonCompliant: number;
  insufficientData: number;
  /** On the verdict's accounting basis (accounting.basis). */
  effectiveIntensity_gCO2eq_kWh: number | null;
  /** Null when the standard assesses PUE only. */
  target_gCO2eq_kWh: number | null;
  pue: number;
  pueSource: string;
  /** The PUE is an assumed average: set spec.site.pue (condition PUEKnown=False says so too). */
  pueAssumed?: boolean;
  /** Green data-centre certification points for the PUE (null: no standard in play defines bands). */
  pueCertificationPoints?: number | null;
  accounting?: {
    basis: 'location' | 'market';
    locationBasedIntensity_gCO2eq_kWh: number | null;
    marketBasedIntensity_gCO2eq_kWh: number | null;
    renewableCoveragePercent: number;
  };
  energy_kWh: number;
  // Optional: absent in statuses written by an older operator.
  /** The part of energy_kWh measured by Kepler. */
  energyMeasured_kWh?: number;
  /** The part of energy_kWh estimated with the CCF model (pods on nodes without Kepler readings);
   * condition EnergyEstimated says so whenever it is above 0. */
  energyEstimated_kWh?: number;
  /** Workloads with energy counted by how it was obtained. */
  workloadsByEnergyBasis?: { measured: number; estimated: number; mixed: number };
  /** Where the estimated part comes from (the CCF coefficients' source), when there is one. */
  energyEstimateSource?: string;
  emissions_gCO2eq: number;
  /** Active basis, scaled to 30 days from the hours the source observed (observedHours). */
  emissions_kgCO2eq_per_30d: number;
  power_watts: number;
  // Optional: absent in statuses written by an older operator.
  /** Σ of the workloads' idle shares; null when any workload with energy has none. */
  idleShare_kWh?: number | null;
  /** Full footprint (active + idle share) per 30 days; null while an idle share is unavailable. */
  emissionsActivePlusIdleShare_kgCO2eq_per_30d?: number | null;
  /** Hours the energy source actually observed within the window. */
  observedHours?: number;
  /** The window's hours counted by where their grid intensity came from (live → modelled → annual). */
  grid_hours_by_source?: GridHoursBySource;
  /** The source of each hour of the window, from its first hour (window.start). */
  grid_source_by_hour?: { start: string; sources: GridHourSource[] };
}

/** Hourly IT energy per workload (key `Kind/name`), persisted so that a restart loses no history. */
export interface EnergyHistory {
  /** First hour (UTC, ISO) of every series. */
  startHour: string;
  hours: number;
  /** One value per hour from startHour; null = no measurement in that hour (not zero). */
  series: Array<{
    workload: string;
    /** Active energy per hour. */
    kWh: Array<number | null>;
    /** Idle share per hour, beside kWh; absent when the source gives none for this workload. */
    idleKWh?: Array<number | null>;
    /** The estimated part of kWh per hour (CCF model); absent when every hour is measured. */
    estimatedKWh?: Array<number | null>;
  }>;
  /** Workloads whose series did not fit the status size budget (smallest energy first dropped). */
  seriesOmitted?: number;
  /** Since when the energy source has observed (kept across operator restarts): the 30-day
   * projection scales from the hours observed, not from the window's length. */
  observedSince?: string;
}

export interface CarbonCompliancePolicyStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastEvaluationTime?: string;
  /** Set when the last evaluation failed and the assessment shown is an older one. */
  stale?: { since: string; reason: string };
  summary?: PolicySummary;
  workloads?: WorkloadAssessment[];
  workloadsOmitted?: number;
  energyHistory?: EnergyHistory;
}

export interface CarbonCompliancePolicy {
  apiVersion: `${typeof GROUP}/${typeof VERSION}`;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec: CarbonCompliancePolicySpec;
  status?: CarbonCompliancePolicyStatus;
}
