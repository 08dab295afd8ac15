// get_regional_comparison: candidate regions' annual grid intensity × PUE against the current site's
// annual grid intensity × PUE, bound exactly as the operator binds the policy (operator/binding), so
// the reduction for a region equals the regional_migration advice in the status. Data-residency
// caveat for moves out of Korea.
import { z } from 'zod';
import { BindingError, policySpecSchema, type BoundSite } from '../../operator/public-api.js';
import { findWorkload, policyLanguage } from './workload-lookup.js';
import { namespaceField, workloadNameField } from './input-fields.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';
import { ToolDataError, ToolInputError } from './tool-errors.js';

const regionField = z
  .string()
  .regex(
    /^([a-z]+\/[a-z0-9-]+|[A-Z]{2}(-[A-Z0-9]+)*)$/,
    'a cloud region such as aws/ap-northeast-2, or a grid zone such as KR (ISO 3166-1 alpha-2, optional sub-zone)',
  );
const MAX_DEFAULT_CANDIDATES = 20;
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export const getRegionalComparison = defineTool({
  name: 'get_regional_comparison',
  title: 'Compare regions',
  description:
    'Effective carbon intensity (annual grid intensity × PUE, each with its source) of candidate cloud regions against ' +
    "the current site on the same annual basis: the workload's policy site (as the operator binds it) when a workload " +
    'is given, else current_region (default KR). Cleanest first, with the reduction and the data-residency caveat.',
  inputSchema: z
    .object({
      workload_name: workloadNameField.optional(),
      namespace: namespaceField.optional(),
      current_region: regionField
        .optional()
        .describe(
          "where the workload runs now: a cloud region (aws/ap-northeast-2) or a grid zone (KR); default: the workload's policy site, else KR",
        ),
      candidate_regions: z
        .array(regionField)
        .min(1)
        .max(50)
        .optional()
        .describe("default: the policy's candidateRegions, else every known region (first 20)"),
    })
    .meta({
      examples: [{ current_region: 'KR', candidate_regions: ['aws/ap-northeast-1', 'aws/eu-north-1'] }],
    }),
  outputSchema: z.object({
    current: z.object({
      region: z.string(),
      zone: z.string(),
      effective_gCO2eq_kWh: z.number(),
      basis: z.string(),
    }),
    regions: z.array(
      z.object({
        region: z.string(),
        zone: z.string(),
        grid_gCO2eq_kWh: z.number(),
        pue: z.number(),
        effective_gCO2eq_kWh: z.number(),
        reduction_percent: z.number(),
        same_country: z.boolean(),
        caveat: z.string(),
        source: z.string(),
      }),
    ),
    unknown_regions: z.array(z.string()),
  }),
  async handler(args, context) {
    let language: 'ko' | 'en' = 'en';
    let bound: BoundSite;
    let region: string;
    let policyCandidates: string[] | undefined;
    const binder = context.reference.binder;
    try {
      if (args.workload_name) {
        if (!args.namespace) throw new ToolInputError('namespace', 'required together with workload_name');
        const found = findWorkload(
          await context.policies(args.namespace),
          args.workload_name,
          args.namespace,
        );
        language = policyLanguage(found.policy);
        const a = found.assessment;
        if (a.current_carbon_intensity_gCO2eq_kWh === null) {
          throw new ToolDataError(
            `${a.namespace}/${a.workload} has no energy data in its window, so there is no current intensity to compare`,
          );
        }
        const spec = policySpecSchema.parse(found.policy.spec ?? {});
        region = spec.site.cloudRegion ?? spec.site.zone ?? 'KR';
        policyCandidates = spec.recommendations.candidateRegions;
        // Bound at the end of the assessed window, as the operator bound it.
        bound = binder.bind(
          {
            standard: spec.standard,
            ...(spec.targets ? { targets: spec.targets } : {}),
            site: spec.site,
            accounting: spec.accounting,
          },
          new Date(a.window.end),
        );
      } else {
        const key = args.current_region ?? 'KR';
        region = key;
        bound = binder.bind(
          { standard: 'KR_CARBON_2050', site: key.includes('/') ? { cloudRegion: key } : { zone: key } },
          new Date(),
        );
      }
    } catch (error) {
      if (error instanceof BindingError) {
        throw new ToolInputError(args.workload_name ? 'workload_name' : 'current_region', error.message);
      }
      throw error;
    }
    const site = binder.siteAnnualEffective(bound);
    const current = {
      region,
      zone: bound.zone,
      effective_gCO2eq_kWh: site.value_gCO2eq_kWh,
      basis: site.source,
    };
    const keys =
      args.candidate_regions ??
      policyCandidates ??
      context.reference.regionKeys().slice(0, MAX_DEFAULT_CANDIDATES);
    const { regions: compared, unknown } = binder.compare(bound, language, keys);
    const best = compared[0];
    const summary =
      language === 'ko'
        ? `현재 ${current.region} ${formatNumber(current.effective_gCO2eq_kWh)} gCO2eq/kWh. ` +
          (best
            ? `가장 깨끗한 후보: ${best.region} ${formatNumber(best.effective_gCO2eq_kWh)} (${formatNumber(best.reduction_percent, 1)}% 감소).`
            : '비교할 후보가 없습니다.')
        : `Current ${current.region}: ${formatNumber(current.effective_gCO2eq_kWh)} gCO2eq/kWh. ` +
          (best
            ? `Cleanest candidate: ${best.region} at ${formatNumber(best.effective_gCO2eq_kWh)} (${formatNumber(best.reduction_percent, 1)}% lower).`
            : 'No candidates to compare.');
    return {
      language,
      summary,
      structured: {
        current: { ...current, effective_gCO2eq_kWh: round(current.effective_gCO2eq_kWh) },
        regions: compared.map((r) => ({
          region: r.region,
          zone: r.zone,
          grid_gCO2eq_kWh: round(r.grid_gCO2eq_kWh),
          pue: r.pue,
          effective_gCO2eq_kWh: round(r.effective_gCO2eq_kWh),
          reduction_percent: round(r.reduction_percent),
          same_country: r.sameCountry,
          caveat: r.caveat,
          source: r.source,
        })),
        unknown_regions: unknown,
      },
    };
  },
});
