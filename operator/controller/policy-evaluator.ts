// The reconciler's boundary to the carbon engine: workload inputs in, assessments and a policy
// summary out. Pure (no I/O, no clock: `now` is passed in), so the reconciler can be tested with
// the real engine and without a cluster.
import type { CarbonCompliancePolicySpec } from '../api/v1alpha1/types.js';
import type { PolicyHour } from '../engine/hourly-emissions.js';
import type {
  HourlyIntensityProfile,
  PolicySummary,
  WorkloadAssessment,
  WorkloadEnergyInput,
} from '../domain/types.js';

export interface EvaluationRequest {
  namespace: string;
  spec: CarbonCompliancePolicySpec;
  inputs: WorkloadEnergyInput[];
  window: { start: string; end: string; hours: number };
  now: Date;
}

export interface Evaluation {
  /** Every hour of the window summed over the workloads, from the engine's hourly formula; the policy's
   * emissions ledger (carbon budget, month-over-month change) counts them. Absent: no ledger is kept. */
  hours?: PolicyHour[];
  assessments: WorkloadAssessment[];
  summary: PolicySummary;
  /** GridDataLive: live grid data in use, failing or pending; absent when no live provider is configured. */
  gridLive?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string } | null;
  /** StandardsCatalogue=False: the last edit of the catalogue file was rejected (the last good one is in use). */
  catalogueError?: { reason: string; message: string } | null;
  /** The site's grid profile the evaluation used (verified savings reuse it); absent from test evaluators. */
  gridProfile?: HourlyIntensityProfile;
  /** Another zone's profile over the same binding path (the old zone of a verified zone change). */
  gridProfileOf?: (zone: string) => HourlyIntensityProfile | undefined;
}

export interface PolicyEvaluator {
  evaluate(request: EvaluationRequest): Evaluation;
}

/** A policy that cannot be evaluated as written (unknown standard, unknown zone or region). */
export class PolicyConfigurationError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PolicyConfigurationError';
  }
}
