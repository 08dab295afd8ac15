// CarbonCompliancePolicy (carbon-aware.dev/v1alpha1): the API in one file. Mirrors
// crds/carbon-aware.dev_carboncompliancepolicies.yaml (a test checks that they agree).
import { z } from 'zod';
import { RENEWABLE_INSTRUMENTS } from '../../domain/renewable-supply.js';
import type {
  CarbonBudgetStatus,
  EmissionsLedger,
  PolicySummary,
  VerifiedSavings,
  WorkloadAssessment,
} from '../../domain/types.js';

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
        carbonIntensityGCO2eqPerKWh: z.number().positive().max(5000).optional(),
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
    /** What the operator may change in the selected workloads (only CronJob schedules so far). */
    actions: z
      .object({
        /** Off: no advice acted on, and any schedule the operator moved is restored; Recommend: advice
         * and a ready-to-commit patch only (and restore); Apply: move CronJob schedules into the advised window. */
        temporalShift: z.enum(['Off', 'Recommend', 'Apply']).default('Recommend'),
        /** KST hours (0–23) a shifted run may occupy, every hour of it; absent: any hour. */
        allowedHours: z
          .array(z.number().int().min(0).max(23))
          .min(1)
          .max(24)
          .refine((hours) => new Set(hours).size === hours.length, { message: 'hours must be unique' })
          .optional(),
        /** Least time between two schedule changes of one CronJob by the operator. */
        minInterval: duration.default('24h'),
      })
      .strict()
      .default({ temporalShift: 'Recommend', minInterval: '24h' }),
    language: z.enum(['ko', 'en']).default('ko'),
    /** A monthly carbon budget (KST calendar month): status.budget tracks it, Events at 80 % and 100 %. */
    budget: z
      .object({
        kgCO2eqPerMonth: z.number().gt(0).max(1e9),
      })
      .strict()
      .optional(),
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
    | 'UsageAvailable'
    | 'EnergyEstimated';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
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

/** What the operator did to one CronJob's schedule for this policy, and why. */
export interface CronJobActionStatus {
  /** The CronJob's name (in the policy's namespace). */
  name: string;
  /** Applied: the schedule is the operator's; Restored: put back this evaluation; Recommended: advice only;
   * LeftAlone: not the operator's to change (the reason says why); Waiting: spec.actions.minInterval;
   * NotApplied: nothing to apply; Forbidden: the API server denied the read or patch (RBAC). */
  state: 'Applied' | 'Restored' | 'Recommended' | 'LeftAlone' | 'Waiting' | 'NotApplied' | 'Forbidden';
  reason: string;
  message: string;
  /** The schedule and time zone the CronJob has now. */
  schedule?: string;
  timeZone?: string;
  /** From the carbon-aware.dev/original-schedule annotation, while the operator's change is in place. */
  originalSchedule?: string;
  /** From carbon-aware.dev/original-time-zone (absent: the CronJob had none). */
  originalTimeZone?: string;
  /** When the operator last changed the schedule (carbon-aware.dev/shifted-at). */
  shiftedAt?: string;
}

/** spec.actions at work: the mode in force and each CronJob's state. */
export interface ActionsStatus {
  temporalShift: 'Off' | 'Recommend' | 'Apply';
  /** Set when the operator cannot act at all (actions disabled in the operator). */
  message?: string;
  cronJobs: CronJobActionStatus[];
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
  /** Emissions per KST month, counted hour by hour (the budget and the month-over-month change read it). */
  emissionsLedger?: EmissionsLedger;
  /** The month's carbon budget (only with spec.budget). */
  budget?: CarbonBudgetStatus;
  actions?: ActionsStatus;
  /** Each adopted change (a moved schedule, a new PUE) against its counterfactual, with a verdict. */
  verifiedSavings?: VerifiedSavings[];
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
