// Why emissions changed from one month to another: the change split into energy, timing, PUE and
// grid-factor effects with the additive log-mean Divisia index (LMDI-I; Ang 2005, "The LMDI approach
// to decomposition analysis: a practical guide", Energy Policy 33(7)). Location-based emissions of a
// month factor exactly as
//   C = E · T · PUE · G
//   E   = Σ_h E(h)                     IT energy, kWh
//   G   = mean_h I(h)                  the grid's mean intensity over the month's hours
//   T   = (Σ_h E(h)·I(h) / E) / G      timing: where in the grid's hours the energy fell (1 = average)
//   PUE = C / Σ_h E(h)·I(h)            the PUE in force, weighted by what it multiplied
// and each effect is L(C₁, C₀) · ln(x₁ / x₀) with L(a, b) = (a − b) / (ln a − ln b), L(a, a) = a. The
// effects sum to C₁ − C₀ exactly. A month with no emissions has a factor at zero: the whole change goes
// to that factor (the limit of Ang & Liu's small-value substitution, Energy Policy 35(1), 2007), and
// factors undefined without energy (T, PUE) take the other month's value.
import { kstMonthBounds } from './emissions-ledger.js';
import { significant } from './presentation.js';
import type { EmissionsChange, EmissionsFactors, MonthEmissions } from '../domain/types.js';
import { HOUR_MS } from '../domain/time.js';

type Factor = 'energy' | 'timing' | 'pue' | 'gridFactor';

interface Exact {
  C: number;
  energy: number;
  timing: number | null;
  pue: number | null;
  gridFactor: number;
}

function exactFactors(m: MonthEmissions): Exact {
  const C = m.locationEmissions_kgCO2eq;
  const E = m.energy_kWh;
  const G = m.meanGridIntensity_gCO2eq_kWh;
  const weighted = m.gridWeighted_kgCO2eq;
  return {
    C,
    energy: E,
    gridFactor: G,
    timing: E > 0 && G > 0 ? (weighted * 1000) / E / G : null,
    pue: weighted > 0 ? C / weighted : null,
  };
}

/** The factor that is zero in a month without emissions (energy first: then T and PUE are undefined). */
function zeroFactor(x: Exact): Factor {
  if (!(x.energy > 0)) return 'energy';
  if (!(x.gridFactor > 0)) return 'gridFactor';
  return 'timing';
}

function logMean(a: number, b: number): number {
  if (a === b) return a;
  return (a - b) / (Math.log(a) - Math.log(b));
}

/** Hours of a KST calendar month (Korea keeps no daylight saving time: days × 24). */
function hoursInMonth(month: string): number {
  const { startMs, endMs } = kstMonthBounds(month);
  return Math.round((endMs - startMs) / HOUR_MS);
}

function factorsOut(m: MonthEmissions, x: Exact, running: boolean): EmissionsFactors {
  return {
    month: m.month,
    // Running, or not every hour counted (the operator started during the month, or was down longer
    // than the policy's window): its energy effect then partly reflects the hours missing.
    partial: running || m.hours < hoursInMonth(m.month),
    hours: m.hours,
    energy_kWh: significant(m.energy_kWh, 6),
    emissions_kgCO2eq: significant(x.C, 6),
    pue: x.pue === null ? null : significant(x.pue, 4),
    meanGridIntensity_gCO2eq_kWh: significant(m.meanGridIntensity_gCO2eq_kWh, 4),
    energyWeightedGridIntensity_gCO2eq_kWh:
      m.energy_kWh > 0 ? significant((m.gridWeighted_kgCO2eq * 1000) / m.energy_kWh, 4) : null,
    timingFactor: x.timing === null ? null : significant(x.timing, 4),
  };
}

/** Effects in kgCO2e at full precision (tests check the sum on these). */
export function lmdiEffects(from: MonthEmissions, to: MonthEmissions): Record<Factor, number> {
  const a = exactFactors(from);
  const b = exactFactors(to);
  const effects: Record<Factor, number> = { energy: 0, timing: 0, pue: 0, gridFactor: 0 };
  if (a.C > 0 && b.C > 0) {
    const L = logMean(b.C, a.C);
    for (const f of ['energy', 'timing', 'pue', 'gridFactor'] as const)
      effects[f] = L * Math.log((b[f] as number) / (a[f] as number));
    return effects;
  }
  if (a.C <= 0 && b.C <= 0) return effects;
  // One month without emissions: its zero factor carries the whole change.
  effects[zeroFactor(a.C <= 0 ? a : b)] = b.C - a.C;
  return effects;
}

export function decomposeEmissionsChange(
  from: MonthEmissions,
  to: MonthEmissions,
  partial: { from: boolean; to: boolean } = { from: false, to: false },
): EmissionsChange {
  const effects = lmdiEffects(from, to);
  const change = to.locationEmissions_kgCO2eq - from.locationEmissions_kgCO2eq;
  const sum = effects.energy + effects.timing + effects.pue + effects.gridFactor;
  return {
    from: factorsOut(from, exactFactors(from), partial.from),
    to: factorsOut(to, exactFactors(to), partial.to),
    change_kgCO2eq: significant(change, 6),
    effects_kgCO2eq: {
      energy: significant(effects.energy, 6),
      timing: significant(effects.timing, 6),
      pue: significant(effects.pue, 6),
      gridFactor: significant(effects.gridFactor, 6),
    },
    residual_kgCO2eq: significant(change - sum, 3),
    method:
      'additive LMDI-I (Ang 2005) on C = E · T · PUE · G: energy E, timing T (energy-weighted ÷ mean grid intensity), ' +
      'PUE, grid factor G (mean grid intensity of the month); effect = L(C₁, C₀) · ln(x₁/x₀); a month without ' +
      'emissions gives the whole change to its zero factor (Ang & Liu 2007)',
    basis:
      'location-based Scope 2 emissions of the active IT energy, KST calendar months, hours counted by the operator',
  };
}

/** The last two complete months of a ledger (the month in progress excluded), oldest first. */
export function lastTwoCompleteMonths(
  months: MonthEmissions[],
  currentMonth: string,
): [MonthEmissions, MonthEmissions] | null {
  const complete = months.filter((m) => m.month < currentMonth);
  if (complete.length < 2) return null;
  return [complete[complete.length - 2]!, complete[complete.length - 1]!];
}
