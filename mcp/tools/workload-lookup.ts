// Finds workloads in policy status. Pure functions over the cached policy list.
import type { CarbonCompliancePolicy, Language, WorkloadAssessment } from '../../operator/public-api.js';
import { z } from 'zod';
import { carbonBudgetSchema, workloadAssessmentSchema } from './assessment-schema.js';
import { WorkloadNotCoveredError } from './tool-errors.js';

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
    budget: policy.status?.budget ? statusWithNulls(carbonBudgetSchema, policy.status.budget) : null,
  };
}

export function policyLanguage(policy: CarbonCompliancePolicy | undefined): Language {
  return policy?.spec?.language === 'en' ? 'en' : 'ko';
}

// The API server drops null-valued fields from status, so "unknown" (null) comes back as absent.
/**
 * The API server drops null values from status (a JSON merge patch deletes a key set to null), so a
 * nullable field the engine wrote as null comes back absent. Restores it from the tool schema, at
 * every depth, so that answers always carry every field of their output schema.
 */
interface NullPlan {
  /** Keys that are required and nullable: absent → null. */
  nullable: string[];
  /** Keys whose value is an object or array with a plan of its own. */
  children: Array<[string, NullPlan]>;
  /** For an array schema: the plan of its elements. */
  element?: NullPlan;
}

const plans = new WeakMap<z.ZodType, NullPlan | null>();

/** What to restore for a schema, computed once per schema (answers are built on every tool call). */
function planFor(schema: z.ZodType): NullPlan | null {
  if (plans.has(schema)) return plans.get(schema)!;
  const inner = unwrap(schema);
  let plan: NullPlan | null = null;
  if (inner instanceof z.ZodArray) {
    const element = planFor(inner.element as z.ZodType);
    plan = element ? { nullable: [], children: [], element } : null;
  } else if (inner instanceof z.ZodObject) {
    const nullable: string[] = [];
    const children: Array<[string, NullPlan]> = [];
    for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      if (!(field instanceof z.ZodOptional) && field.safeParse(null).success) nullable.push(key);
      const child = planFor(field);
      if (child) children.push([key, child]);
    }
    plan = nullable.length > 0 || children.length > 0 ? { nullable, children } : null;
  }
  plans.set(schema, plan);
  return plan;
}

/** A status value with the nulls the API server dropped restored from its tool schema. */
export function statusWithNulls<T>(schema: z.ZodType, value: T): T {
  const plan = planFor(schema);
  return plan ? (restoreNulls(plan, value) as T) : value;
}

function restoreNulls(plan: NullPlan, value: unknown): unknown {
  if (Array.isArray(value)) return plan.element ? value.map((v) => restoreNulls(plan.element!, v)) : value;
  if (!value || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key of plan.nullable) {
    if (source[key] === undefined) (out ??= { ...source })[key] = null;
  }
  for (const [key, child] of plan.children) {
    const v = source[key];
    if (v === undefined || v === null) continue;
    const restored = restoreNulls(child, v);
    if (restored !== v) (out ??= { ...source })[key] = restored;
  }
  return out ?? value;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s;
}

const assessmentPlan = planFor(workloadAssessmentSchema)!;

/** Restores absent nullable fields as null (answers always carry every field of the schema). */
function withNulls(assessment: WorkloadAssessment): WorkloadAssessment {
  const restored = restoreNulls(assessmentPlan, assessment) as WorkloadAssessment;
  return restored.optimizations ? restored : { ...restored, optimizations: [] };
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
