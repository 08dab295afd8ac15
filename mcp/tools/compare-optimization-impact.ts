// compare_optimization_impact: before/after for the optimisations the operator computed for a
// workload, alone and combined (reductions combine multiplicatively: 1 − Π(1 − rᵢ)).
import { z } from 'zod';
import { combineReductions } from '../../operator/public-api.js';
import { findWorkload, policyLanguage, policyReference } from './workload-lookup.js';
import {
  complianceStatusSchema,
  optimizationOutput,
  optimizationSchema,
  optimizationTypeSchema,
  policyReferenceSchema,
  savingsSchema,
} from './assessment-schema.js';
import { namespaceField, workloadNameField } from './input-fields.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export const compareOptimizationImpact = defineTool({
  name: 'compare_optimization_impact',
  title: 'Compare optimisation impact',
  description:
    'Before/after comparison of the optimisations computed for a workload (temporal shift, right-sizing, regional ' +
    'migration, PUE improvement): reduction of each, combined effect, whether the combination reaches the target, and ' +
    'savings per month in kgCO2eq, kWh, KRW and USD.',
  inputSchema: z.object({
    workload_name: workloadNameField,
    namespace: namespaceField,
    optimizations: z
      .array(optimizationTypeSchema)
      .min(1)
      .max(4)
      .optional()
      .describe('which optimisations to combine (default: all that were computed)'),
  }),
  outputSchema: z.object({
    workload: z.string(),
    namespace: z.string(),
    standard: z.string(),
    baseline: z.object({
      status: complianceStatusSchema,
      carbon_intensity_gCO2eq_kWh: z.number().nullable(),
      target_carbon_intensity_gCO2eq_kWh: z
        .number()
        .nullable()
        .describe('null when the standard assesses PUE only'),
      monthly_emissions_kgCO2eq: z.number(),
      monthly_energy_kWh: z.number(),
    }),
    optimizations: z.array(
      optimizationSchema.extend({ projected_intensity_gCO2eq_kWh: z.number().nullable() }),
    ),
    not_available: z
      .array(z.object({ type: optimizationTypeSchema, reason: z.string() }))
      .describe('requested optimisations the operator did not compute for this workload'),
    combined: z.object({
      reduction_percent: z.number().describe('emissions reduction of the chosen measures together'),
      intensity_reduction_percent: z
        .number()
        .describe('the part that lowers gCO2eq per kWh (right-sizing excluded)'),
      projected_intensity_gCO2eq_kWh: z.number().nullable(),
      projected_monthly_emissions_kgCO2eq: z.number(),
      reaches_target: z.boolean(),
      savings_per_month: savingsSchema,
      method: z.string(),
    }),
    policy: policyReferenceSchema,
  }),
  // Arguments and policy status alone: no clock (runTool may reuse the answer, answer-memo.ts).
  reusableAnswer: true,
  async handler(args, context) {
    const found = findWorkload(await context.policies(args.namespace), args.workload_name, args.namespace);
    const a = found.assessment;
    const wanted = new Set(args.optimizations ?? a.optimizations.map((o) => o.type));
    const chosen = a.optimizations.filter((o) => wanted.has(o.type));
    const notAvailable = [...wanted]
      .filter((type) => !chosen.some((o) => o.type === type))
      .map((type) => ({
        type,
        reason:
          a.status === 'INSUFFICIENT_DATA'
            ? 'no energy data in the window'
            : 'not computed for this workload (no gain found, or disabled in the policy)',
      }));
    const current = a.current_carbon_intensity_gCO2eq_kWh;
    // Emissions fall with every measure; the intensity per kWh only with intensity measures
    // (right-sizing saves kWh at the same intensity).
    const combinedPercent = combineReductions(chosen.map((o) => o.estimated_reduction_percent));
    const remaining = 1 - combinedPercent / 100;
    const reductionPercent = round(combinedPercent);
    const lowersIntensity = (o: (typeof chosen)[number]) => o.reduces !== 'energy';
    const intensityPercent = combineReductions(
      chosen.filter(lowersIntensity).map((o) => o.estimated_reduction_percent),
    );
    const projected = current === null ? null : round(current * (1 - intensityPercent / 100));
    const monthly = a.monthly_projection.emissions_kgCO2eq;
    const savings = chosen.reduce(
      (sum, o) => ({
        kgCO2eq: sum.kgCO2eq + o.savings_per_month.kgCO2eq,
        kWh: sum.kWh + o.savings_per_month.kWh,
        KRW: sum.KRW + o.savings_per_month.KRW,
        USD: sum.USD + o.savings_per_month.USD,
      }),
      { kgCO2eq: 0, kWh: 0, KRW: 0, USD: 0 },
    );
    // Emission savings combine multiplicatively too; the money and kWh sums are per-measure upper bounds.
    savings.kgCO2eq = round(monthly * (1 - remaining), 3);
    const target = a.target_carbon_intensity_gCO2eq_kWh;
    const reaches = projected !== null && (target === null || projected <= target);
    const language = policyLanguage(found.policy);
    const summary =
      language === 'ko'
        ? `${a.namespace}/${a.workload}: 최적화 ${chosen.length}개 결합 시 ${formatNumber(reductionPercent, 1)}% 감축` +
          (projected === null
            ? '.'
            : `, ${formatNumber(current ?? 0)} → ${formatNumber(projected)} gCO2eq/kWh (목표 ${target === null ? 'PUE만 평가' : formatNumber(target)}): ${reaches ? '목표 달성' : '목표 미달'}.`)
        : `${a.namespace}/${a.workload}: ${chosen.length} optimisation(s) combined cut ${formatNumber(reductionPercent, 1)}%` +
          (projected === null
            ? '.'
            : `, ${formatNumber(current ?? 0)} → ${formatNumber(projected)} gCO2eq/kWh (target ${target === null ? 'none: PUE only' : formatNumber(target)}): ${reaches ? 'reaches the target' : 'does not reach the target'}.`);
    return {
      language,
      summary,
      structured: {
        workload: a.workload,
        namespace: a.namespace,
        standard: a.standard,
        baseline: {
          status: a.status,
          carbon_intensity_gCO2eq_kWh: current,
          target_carbon_intensity_gCO2eq_kWh: a.target_carbon_intensity_gCO2eq_kWh,
          monthly_emissions_kgCO2eq: monthly,
          monthly_energy_kWh: a.monthly_projection.energy_kWh,
        },
        optimizations: chosen.map((o) => ({
          ...optimizationOutput(o),
          projected_intensity_gCO2eq_kWh:
            current === null || !lowersIntensity(o)
              ? current
              : round(current * (1 - o.estimated_reduction_percent / 100)),
        })),
        not_available: notAvailable,
        combined: {
          reduction_percent: reductionPercent,
          intensity_reduction_percent: round(intensityPercent),
          projected_intensity_gCO2eq_kWh: projected,
          projected_monthly_emissions_kgCO2eq: round(monthly * remaining, 3),
          reaches_target: reaches,
          savings_per_month: savings,
          method:
            'reductions combine multiplicatively: 1 − Π(1 − rᵢ); kgCO2eq saving likewise; kWh/KRW/USD are the sum of each measure alone (upper bound)',
        },
        policy: policyReference(found.policy),
      },
    };
  },
});
