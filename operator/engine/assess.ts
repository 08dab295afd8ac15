// The whole assessment of one workload: the formula (assess-workload.ts), the embodied term for SCI,
// and the advice (recommendations.ts). Pure: every input, the clock included, is a parameter.
import { assessWorkloadCore, finishAssessment, type AssessmentContext } from './assess-workload.js';
import { recommend, type RecommendationContext } from './recommendations.js';
import { embodiedEmissions_gCO2eq, type EmbodiedCoefficients, type ServerShape } from './sci.js';
import type { WorkloadAssessment, WorkloadEnergyInput } from './types.js';

export interface WorkloadAssessmentContext
  extends
    Omit<AssessmentContext, 'embodied_gCO2eq'>,
    Omit<RecommendationContext, 'profile' | 'zone' | 'language'> {
  /** Advice on (default) or off (spec.recommendations.enabled = false). */
  recommendations?: boolean;
  /** Embodied coefficients and the server shape, for SCI; without them SCI is null. */
  embodied?: { coefficients: EmbodiedCoefficients; server: ServerShape };
}

/** M for the workload over its hours with energy, from its reserved CPU (requests, else vCPUs). */
export function workloadEmbodied_gCO2eq(
  input: WorkloadEnergyInput,
  embodied: WorkloadAssessmentContext['embodied'],
): number | null {
  if (!embodied) return null;
  const reserved = input.usage?.cpuRequest_cores ?? input.usage?.vcpus;
  if (reserved === undefined) return null;
  const hours = input.hourly.filter((h) => h.energy_kWh > 0).length;
  return embodiedEmissions_gCO2eq({
    coefficients: embodied.coefficients,
    server: embodied.server,
    hoursReserved: hours,
    vcpusReserved: reserved,
  });
}

export function assessWorkload(
  input: WorkloadEnergyInput,
  ctx: WorkloadAssessmentContext,
): WorkloadAssessment {
  const core = assessWorkloadCore(input, {
    ...ctx,
    embodied_gCO2eq: workloadEmbodied_gCO2eq(input, ctx.embodied),
  });
  if (ctx.recommendations === false) {
    const advice = recommend(input, core, { ...ctx, zone: ctx.site.zone, candidateRegions: [] });
    // Only the verdict sentence: advice was turned off by the policy.
    return finishAssessment(core, [], advice.recommendation.split(/(?<=\.)\s/)[0] ?? advice.recommendation);
  }
  const advice = recommend(input, core, { ...ctx, zone: ctx.site.zone });
  return finishAssessment(core, advice.optimizations, advice.recommendation);
}
