// get_regional_comparison: candidate regions' annual grid intensity × PUE against the current site
// (the engine's compareRegions), with the data-residency caveat for moves out of Korea.
import { z } from 'zod';
import { compareRegions, type CandidateRegion } from '../../operator/engine/regional-migration.js';
import { findWorkload, policyLanguage } from '../status/workload-lookup.js';
import { namespaceField, workloadNameField } from './input-fields.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';
import { ToolDataError, ToolInputError } from './tool-errors.js';

const regionField = z
  .string()
  .regex(
    /^([a-z]+\/[a-z0-9-]+|[A-Z]{2}(-[A-Z0-9-]+)?)$/,
    'a cloud region such as aws/ap-northeast-2, or a grid zone such as KR',
  );
const MAX_DEFAULT_CANDIDATES = 20;
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export const getRegionalComparison = defineTool({
  name: 'get_regional_comparison',
  title: 'Compare regions',
  description:
    'Effective carbon intensity (annual grid intensity × PUE, each with its source) of candidate cloud regions against ' +
    "the current site: the workload's measured effective intensity when a workload is given, else current_region " +
    '(default KR). Cleanest first, with the reduction and the data-residency caveat.',
  inputSchema: z
    .object({
      workload_name: workloadNameField.optional(),
      namespace: namespaceField.optional(),
      current_region: regionField.optional(),
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
    let current: { region: string; zone: string; effective_gCO2eq_kWh: number; basis: string } | undefined;
    let policyCandidates: string[] | undefined;
    if (args.workload_name) {
      if (!args.namespace) throw new ToolInputError('namespace', 'required together with workload_name');
      const found = findWorkload(await context.policies(args.namespace), args.workload_name, args.namespace);
      language = policyLanguage(found.policy);
      const a = found.assessment;
      const site = found.policy.spec?.site;
      const region = site?.cloudRegion ?? site?.zone ?? 'KR';
      const zone = site?.cloudRegion
        ? (context.reference.candidateRegion(site.cloudRegion)?.zone ?? 'KR')
        : (site?.zone ?? 'KR');
      policyCandidates = found.policy.spec?.recommendations?.candidateRegions;
      if (a.current_carbon_intensity_gCO2eq_kWh === null) {
        throw new ToolDataError(
          `${a.namespace}/${a.workload} has no energy data in its window, so there is no current intensity to compare`,
        );
      }
      current = {
        region,
        zone,
        effective_gCO2eq_kWh: a.current_carbon_intensity_gCO2eq_kWh,
        basis: `measured: policy ${found.policy.metadata.name} status (energy-weighted, PUE ${a.pue})`,
      };
    } else {
      const key = args.current_region ?? 'KR';
      const site = context.reference.candidateRegion(key);
      if (!site) throw new ToolInputError('current_region', `no grid intensity or PUE data for "${key}"`);
      current = {
        region: site.region,
        zone: site.zone,
        effective_gCO2eq_kWh: site.intensity.value * site.pue.value,
        basis: `annual: grid ${site.intensity.source}; PUE ${site.pue.source}`,
      };
    }
    const keys =
      args.candidate_regions ??
      policyCandidates ??
      context.reference.regionKeys().slice(0, MAX_DEFAULT_CANDIDATES);
    const candidates: CandidateRegion[] = [];
    const unknown: string[] = [];
    for (const key of keys) {
      const c = context.reference.candidateRegion(key);
      if (c) candidates.push(c);
      else unknown.push(key);
    }
    const compared = compareRegions({
      currentIntensity_gCO2eq_kWh: current.effective_gCO2eq_kWh,
      currentZone: current.zone,
      candidates,
      language,
    });
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
