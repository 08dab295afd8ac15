// The whole assessment of one workload: the formula (assess-workload.ts), the embodied term for SCI,
// and the advice (recommendations.ts). Pure: every input, the clock included, is a parameter.
import { assessWorkloadCore, finishAssessment, type AssessmentContext } from './assess-workload.js';
import { recommend, verdictSentence, type RecommendationContext } from './recommendations.js';
import { usageFigures } from './right-sizing.js';
import { costSources } from './savings.js';
import {
  embodiedEmissions_gCO2eq,
  lifespanHours,
  serverEmbodied_kgCO2eq,
  type EmbodiedCoefficients,
  type ServerShape,
} from './sci.js';
import type { Language, WorkloadAssessment, WorkloadEnergyInput, WorkloadKind } from '../domain/types.js';

function ambiguityNote(kinds: WorkloadKind[], language: Language): string {
  return language === 'ko'
    ? `파드 이름만으로는 종류를 알 수 없습니다(${kinds.join(' 또는 ')}): 종류별 권고는 생략했습니다. --kind 또는 --kubeconfig로 지정하세요.`
    : `The kind cannot be told from the pod names (${kinds.join(' or ')}): no kind-specific advice; set --kind or --kubeconfig.`;
}

export interface WorkloadAssessmentContext
  extends
    Omit<AssessmentContext, 'embodied_gCO2eq'>,
    Omit<RecommendationContext, 'profile' | 'zone' | 'language'> {
  /** Advice on (default) or off (spec.recommendations.enabled = false). */
  recommendations?: boolean;
  /** Embodied coefficients and the node's shape for SCI (the data file's stated default server when the
   * shape is unknown); without coefficients SCI is null. */
  embodied?: { coefficients: EmbodiedCoefficients; server?: ServerShape };
}

/** M for the workload over its hours with energy, from its reserved CPU (requests, else vCPUs). */
function workloadEmbodied(
  input: WorkloadEnergyInput,
  embodied: WorkloadAssessmentContext['embodied'],
): { value_gCO2eq: number; source: string } | null {
  if (!embodied) return null;
  const reserved = input.usage?.cpuRequest_cores ?? input.usage?.vcpus;
  if (reserved === undefined) return null;
  const server = embodied.server ?? embodied.coefficients.defaultServer;
  const hours = input.hourly.filter((h) => h.energy_kWh > 0).length;
  const te = serverEmbodied_kgCO2eq(embodied.coefficients, server);
  return {
    value_gCO2eq: embodiedEmissions_gCO2eq({
      coefficients: embodied.coefficients,
      server,
      hoursReserved: hours,
      vcpusReserved: reserved,
    }),
    source:
      `SCI = (E·PUE·I + M) per workload-hour (GSF SCI v1.1.0 / ISO/IEC 21031:2024); M = TE ${Math.round(te.value)} kg` +
      ` × hours/${lifespanHours(embodied.coefficients)} h × ${reserved} of ${server.vcpus} vCPUs requested; ` +
      // The coefficients' full source is in the data file; the per-workload text names it briefly.
      `${te.source.split(' (')[0]} (CCF embodied constants, operator/data/embodied-emissions.json)` +
      (embodied.server ? '' : `; server shape: ${embodied.coefficients.defaultServer.source}`),
  };
}

export function assessWorkload(
  input: WorkloadEnergyInput,
  ctx: WorkloadAssessmentContext,
): WorkloadAssessment {
  const embodied = workloadEmbodied(input, ctx.embodied);
  const core = assessWorkloadCore(input, {
    ...ctx,
    embodied_gCO2eq: embodied?.value_gCO2eq ?? null,
  });
  if (embodied && core.sci_gCO2eq_per_workload_hour !== null) core.sources.sci = embodied.source;
  const usage = usageFigures(input);
  core.usage = usage.figures;
  core.sources.usage = usage.source;
  // Advice turned off by the policy: the verdict sentence only.
  if (ctx.recommendations === false) return finishAssessment(core, [], verdictSentence(core, ctx.language));
  const ambiguous = core.kind_ambiguous;
  // A kind that is only a guess gets no kind-specific advice (no batch schedule, no template patch):
  // the advisers see a plain pod with no run length.
  const adviceInput: WorkloadEnergyInput = ambiguous
    ? (({ runLength_hours: _r, cronSchedule: _c, ...rest }) => ({ ...rest, kind: 'Pod' as const }))(input)
    : input;
  const advice = recommend(adviceInput, core, { ...ctx, zone: ctx.site.zone });
  const optimizations = ambiguous
    ? advice.optimizations.map(({ resourcesPatch: _p, schedule: _s, patch: _y, ...o }) => o)
    : advice.optimizations;
  const recommendation = ambiguous
    ? `${advice.recommendation} ${ambiguityNote(ambiguous, ctx.language)}`
    : advice.recommendation;
  const assessment = finishAssessment(core, optimizations, recommendation);
  if (advice.optimizations.length > 0) {
    assessment.sources.cost = costSources(ctx.tariff ?? null, ctx.prices ?? {});
  }
  return assessment;
}
