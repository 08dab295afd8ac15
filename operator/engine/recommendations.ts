// The advice for one workload: each measure computed from the data (temporal shift, right-sizing,
// regional migration, PUE improvement), its monthly savings, the combined effect and the sentence a
// person reads. Nothing here is a fixed percentage.
import { combineReductions, type CoreAssessment } from './assess-workload.js';
import { messages } from './messages.js';
import { pueImprovement } from './pue-improvement.js';
import { regionalMigration, type CandidateRegion } from './regional-migration.js';
import { rightSizing } from './right-sizing.js';
import { monthlyBasis, monthlySavings, type Effect, type Prices } from './savings.js';
import { temporalShift, type AllowedHours } from './temporal-shift.js';
import type {
  HourlyIntensityProfile,
  Language,
  NotAdvised,
  Optimization,
  Tariff,
  WorkloadEnergyInput,
} from '../domain/types.js';

export interface RecommendationContext {
  profile: HourlyIntensityProfile;
  zone: string;
  now: Date;
  language: Language;
  tariff?: Tariff | null;
  prices?: Prices;
  /** Regions to compare with (already excluding the current site). */
  candidateRegions?: CandidateRegion[];
  /** spec.actions.allowedHours: a temporal shift is advised only inside these local hours. */
  allowedHours?: AllowedHours;
}

export interface Recommendations {
  optimizations: Optimization[];
  recommendation: string;
  /** Why a measure was not proposed (e.g. continuous workload for temporal shift). */
  notes: NotAdvised[];
}

export function recommend(
  input: WorkloadEnergyInput,
  core: CoreAssessment,
  ctx: RecommendationContext,
): Recommendations {
  const { language } = ctx;
  if (core.status === 'INSUFFICIENT_DATA') {
    return { optimizations: [], recommendation: messages.insufficientData(language), notes: [] };
  }
  const basis = monthlyBasis({
    core,
    input,
    tariff: ctx.tariff ?? null,
    timeZone: ctx.profile.timeZone,
    now: ctx.now,
  });
  const prices = ctx.prices ?? {};
  const proposals: Array<{ optimization: Omit<Optimization, 'savings_per_month'>; effect: Effect }> = [];
  const notes: NotAdvised[] = [];

  const shift = temporalShift({
    input,
    core,
    profile: ctx.profile,
    basis,
    now: ctx.now,
    language,
    ...(ctx.allowedHours ? { allowedHours: ctx.allowedHours } : {}),
  });
  if ('skipped' in shift) notes.push({ type: 'temporal_shift', reason: shift.skipped });
  else proposals.push(shift);

  const sizing = rightSizing(input, core, language);
  if (sizing) proposals.push(sizing);
  else
    notes.push({ type: 'right_sizing', reason: messages.noRightSizing(language, input.usage !== undefined) });

  const pue = pueImprovement(core, basis, language);
  const migration = regionalMigration({
    core,
    siteAnnualGrid_gCO2eq_kWh: ctx.profile.annualMean_gCO2eq_kWh,
    currentZone: ctx.zone,
    candidates: ctx.candidateRegions ?? [],
    basis,
    language,
    ...(pue && core.max_pue !== null ? { referencePue: core.max_pue } : {}),
  });
  if (migration) proposals.push(migration);
  else
    notes.push({
      type: 'regional_migration',
      reason: messages.noMigration(language, (ctx.candidateRegions ?? []).length),
    });
  if (pue) proposals.push(pue);

  const optimizations: Optimization[] = proposals.map(({ optimization, effect }) => {
    const { savings, costBasis } = monthlySavings(effect, basis, prices);
    return { ...optimization, savings_per_month: savings, cost_basis: costBasis };
  });

  const verdict = verdictSentence(core, language);
  // Why there is no temporal shift is worth a sentence (a continuous service is a common question).
  const shiftSkip = notes.find((n) => n.type === 'temporal_shift');
  const shiftNote = shiftSkip ? ` ${shiftSkip.reason}` : '';
  if (optimizations.length === 0) {
    return { optimizations, recommendation: `${verdict} ${messages.noAdvice(language)}${shiftNote}`, notes };
  }
  const all = combineReductions(optimizations.map((o) => o.estimated_reduction_percent));
  const intensityCut = combineReductions(
    optimizations.filter((o) => o.reduces !== 'energy').map((o) => o.estimated_reduction_percent),
  );
  const projected = core.exact.intensity! * (1 - intensityCut / 100);
  const target = core.target_carbon_intensity_gCO2eq_kWh;
  const reaches =
    (target === null || projected <= target) && (core.pue_status !== 'NON_COMPLIANT' || pue !== null);
  const outlook = messages.combinedOutlook(language, {
    reductionPercent: all,
    projected,
    target,
    reaches,
    kgPerMonth: basis.emissions_kgCO2eq * (all / 100),
  });
  const best = [...optimizations].sort(
    (a, b) => b.estimated_reduction_percent - a.estimated_reduction_percent,
  )[0]!;
  return { optimizations, recommendation: `${verdict} ${outlook} ${best.description}${shiftNote}`, notes };
}

/** The verdict alone: compliant or not, by how much, and the PUE against its maximum. */
export function verdictSentence(core: CoreAssessment, language: Language): string {
  if (core.status === 'INSUFFICIENT_DATA' || core.exact.intensity === null) {
    return messages.insufficientData(language);
  }
  return messages.verdict(language, {
    compliant: core.status === 'COMPLIANT',
    // The rounded figure the status shows, so that the sentence and the field agree.
    intensity: core.current_carbon_intensity_gCO2eq_kWh ?? core.exact.intensity,
    target: core.target_carbon_intensity_gCO2eq_kWh,
    gapPercent: core.gap_percent,
    pue: core.pue,
    maxPue: core.max_pue,
    pueCompliant: core.pue_status !== 'NON_COMPLIANT',
    pueCertificationPoints: core.pue_certification_points,
  });
}
