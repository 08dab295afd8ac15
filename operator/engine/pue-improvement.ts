// PUE improvement: only when the PUE criterion fails. Reaching the standard's maximum PUE cuts the
// facility energy per kWh of IT energy, and with it the emissions, by 1 − maxPUE/PUE.
import type { CoreAssessment } from './assess-workload.js';
import { messages } from './messages.js';
import type { Effect, MonthlyBasis } from './savings.js';
import type { Language, Optimization } from '../domain/types.js';

export function pueImprovement(
  core: CoreAssessment,
  basis: MonthlyBasis,
  language: Language,
): { optimization: Omit<Optimization, 'savings_per_month'>; effect: Effect } | null {
  if (core.pue_status !== 'NON_COMPLIANT' || core.max_pue === null || core.exact.energy_kWh <= 0) return null;
  const fraction = 1 - core.max_pue / core.pue;
  const saved = basis.itEnergy_kWh * (core.pue - core.max_pue);
  const percent = fraction * 100;
  return {
    optimization: {
      type: 'pue_improvement',
      reduces: 'intensity',
      estimated_reduction_percent: Math.round(percent * 10) / 10,
      description: messages.pueImprovement(language, { pue: core.pue, maxPue: core.max_pue, percent }),
      source: `PUE ${core.pue} (${core.pue_source}) to max PUE ${core.max_pue} (${core.sources.target.split('; max PUE: ')[1] ?? 'standard'})`,
    },
    effect: {
      emissionsFraction: fraction,
      facilityEnergySaved_kWh: saved,
      energyCostSaved_KRW: basis.rate_KRW_per_kWh === null ? null : saved * basis.rate_KRW_per_kWh,
    },
  };
}
