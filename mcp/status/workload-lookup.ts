// Finds workloads in policy status. Pure functions over the cached policy list.
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import type { Language, WorkloadAssessment } from '../../operator/engine/types.js';
import { WorkloadNotCoveredError } from '../tools/tool-errors.js';

export interface CoveredWorkload {
  policy: CarbonCompliancePolicy;
  assessment: WorkloadAssessment;
}

export function policyReference(policy: CarbonCompliancePolicy) {
  return {
    namespace: policy.metadata.namespace,
    name: policy.metadata.name,
    evaluated_at: policy.status?.lastEvaluationTime ?? null,
    stale_since: policy.status?.stale?.since ?? null,
  };
}

export function policyLanguage(policy: CarbonCompliancePolicy | undefined): Language {
  return policy?.spec?.language === 'en' ? 'en' : 'ko';
}

// The API server drops null-valued fields from status, so "unknown" (null) comes back as absent.
const nullableFields = [
  'current_carbon_intensity_gCO2eq_kWh',
  'grid_intensity_gCO2eq_kWh',
  'gap_percent',
  'max_pue',
  'sci_gCO2eq_per_workload_hour',
  'combined',
] as const;

/** Restores absent nullable fields as null (answers always carry every field of the schema). */
export function withNulls(assessment: WorkloadAssessment): WorkloadAssessment {
  if (nullableFields.every((f) => assessment[f] !== undefined)) return assessment;
  const copy: Record<string, unknown> = { ...assessment };
  for (const f of nullableFields) if (copy[f] === undefined) copy[f] = null;
  copy.optimizations ??= [];
  return copy as unknown as WorkloadAssessment;
}

/** The (policy, workload) pairs in `namespace` (all when absent), only `workload`'s when given. */
function pairsOf(
  policies: readonly CarbonCompliancePolicy[],
  namespace?: string,
  workload?: string,
): CoveredWorkload[] {
  const pairs: CoveredWorkload[] = [];
  for (const policy of policies) {
    if (namespace && policy.metadata.namespace !== namespace) continue;
    for (const assessment of policy.status?.workloads ?? [])
      if (workload === undefined || assessment.workload === workload)
        pairs.push({ policy, assessment: withNulls(assessment) });
  }
  return pairs;
}

/** Every (policy, workload) pair, ordered by namespace, workload, policy name: stable for paging. */
export function coveredWorkloads(
  policies: readonly CarbonCompliancePolicy[],
  namespace?: string,
): CoveredWorkload[] {
  return pairsOf(policies, namespace).sort(
    (a, b) =>
      a.assessment.namespace.localeCompare(b.assessment.namespace) ||
      a.assessment.workload.localeCompare(b.assessment.workload) ||
      a.policy.metadata.name.localeCompare(b.policy.metadata.name),
  );
}

/**
 * The assessment of one workload. When several policies cover it, the one for `standard` wins;
 * without a standard, the first by policy name.
 */
export function findWorkload(
  policies: readonly CarbonCompliancePolicy[],
  workload: string,
  namespace: string,
  standard?: string,
): CoveredWorkload & { others: CoveredWorkload[] } {
  // Only this workload's pairs are built and sorted: a lookup must not sort the whole namespace.
  const matches = pairsOf(policies, namespace, workload).sort((a, b) =>
    a.policy.metadata.name.localeCompare(b.policy.metadata.name),
  );
  const first = matches[0];
  if (!first) throw new WorkloadNotCoveredError(workload, namespace);
  const chosen = (standard && matches.find((m) => m.assessment.standard === standard)) || first;
  return { ...chosen, others: matches.filter((m) => m !== chosen) };
}

/** The language most of the involved policies asked for (ties and none → 'ko', the CRD default). */
export function majorityLanguage(policies: Iterable<CarbonCompliancePolicy>): Language {
  let en = 0;
  let ko = 0;
  for (const p of policies) {
    if (policyLanguage(p) === 'en') en += 1;
    else ko += 1;
  }
  return en > ko ? 'en' : 'ko';
}
