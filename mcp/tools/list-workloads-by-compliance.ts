// list_workloads_by_compliance: the compliance inventory, paged and size-capped, from one read of the
// watched cache (the ancestor fetched each workload separately: an N+1 bug).
import { z } from 'zod';
import { coveredWorkloads, majorityLanguage } from './workload-lookup.js';
import { complianceStatusSchema, criterionStatusSchema, workloadKindSchema } from './assessment-schema.js';
import { namespaceField } from './input-fields.js';
import { cursorField, limitField, paginate } from './pagination.js';
import { defineTool } from './tool-definition.js';

const workloadRowSchema = z.object({
  workload: z.string(),
  namespace: z.string(),
  kind: workloadKindSchema,
  status: complianceStatusSchema,
  carbon_status: criterionStatusSchema,
  pue_status: criterionStatusSchema,
  standard: z.string(),
  current_carbon_intensity_gCO2eq_kWh: z.number().nullable(),
  target_carbon_intensity_gCO2eq_kWh: z
    .number()
    .nullable()
    .describe('null when the standard assesses PUE only'),
  gap_percent: z.number().nullable(),
  accounting_basis: z
    .enum(['location', 'market'])
    .nullable()
    .describe("the verdict's GHG Protocol Scope 2 basis (null: status written before accounting existed)"),
  location_based_intensity_gCO2eq_kWh: z.number().nullable(),
  market_based_intensity_gCO2eq_kWh: z.number().nullable(),
  pue: z.number(),
  power_watts: z.number().describe('active (dynamic) IT power'),
  idle_share_watts: z.number().nullable().describe('share of node idle power; null when unavailable'),
  monthly_emissions_kgCO2eq: z.number(),
  policy: z.string().describe('name of the policy in the same namespace'),
});

export const listWorkloadsByCompliance = defineTool({
  name: 'list_workloads_by_compliance',
  title: 'List workloads by compliance status',
  description:
    'Workloads covered by CarbonCompliancePolicies, optionally in one namespace and with one status, with their ' +
    'intensity, target and gap. Paged: pass next_cursor back as cursor.',
  inputSchema: z.object({
    namespace: namespaceField.optional(),
    status: complianceStatusSchema.optional().describe('only workloads with this overall status'),
    limit: limitField,
    cursor: cursorField,
  }),
  outputSchema: z.object({
    workloads: z.array(workloadRowSchema),
    counts: z.object({
      total: z.number().int(),
      compliant: z.number().int(),
      non_compliant: z.number().int(),
      insufficient_data: z.number().int(),
    }),
    matching: z.number().int().describe('workloads matching the filter, over all pages'),
    next_cursor: z.string().nullable(),
  }),
  // Arguments and policy status alone: no clock (runTool may reuse the answer, answer-memo.ts).
  reusableAnswer: true,
  async handler(args, context) {
    const policies = (await context.policies(args.namespace)).filter(
      (p) => !args.namespace || p.metadata.namespace === args.namespace,
    );
    // Progress per policy: a namespace-wide list can span many policies.
    for (let done = 1; done <= policies.length; done += 1) {
      if (done % 50 === 0 || done === policies.length) {
        await context.progress(done, policies.length, `read ${done}/${policies.length} policies`);
      }
      if (context.signal?.aborted) break;
    }
    const all = coveredWorkloads(policies);
    const counts = { total: all.length, compliant: 0, non_compliant: 0, insufficient_data: 0 };
    for (const { assessment } of all) {
      if (assessment.status === 'COMPLIANT') counts.compliant += 1;
      else if (assessment.status === 'NON_COMPLIANT') counts.non_compliant += 1;
      else counts.insufficient_data += 1;
    }
    const matching = all.filter((c) => !args.status || c.assessment.status === args.status);
    const page = paginate(
      matching,
      { ns: args.namespace ?? null, st: args.status ?? null },
      args.limit,
      args.cursor,
    );
    const language = majorityLanguage(policies);
    const scope = args.namespace ?? (language === 'ko' ? '전체 네임스페이스' : 'all namespaces');
    const summary =
      language === 'ko'
        ? `${scope}: 워크로드 ${counts.total}개 중 준수 ${counts.compliant}, 미준수 ${counts.non_compliant}, 데이터 부족 ${counts.insufficient_data}. 이 페이지 ${page.items.length}개.`
        : `${scope}: ${counts.total} workloads, ${counts.compliant} compliant, ${counts.non_compliant} non-compliant, ${counts.insufficient_data} with insufficient data. ${page.items.length} on this page.`;
    return {
      language,
      summary,
      structured: {
        workloads: page.items.map(({ policy, assessment: a }) => ({
          workload: a.workload,
          namespace: a.namespace,
          kind: a.kind,
          status: a.status,
          carbon_status: a.carbon_status,
          pue_status: a.pue_status,
          standard: a.standard,
          current_carbon_intensity_gCO2eq_kWh: a.current_carbon_intensity_gCO2eq_kWh,
          target_carbon_intensity_gCO2eq_kWh: a.target_carbon_intensity_gCO2eq_kWh,
          gap_percent: a.gap_percent,
          // A status written by an older operator has no accounting block: null, never guessed.
          accounting_basis: a.accounting?.basis ?? null,
          location_based_intensity_gCO2eq_kWh: a.accounting?.location_based_intensity_gCO2eq_kWh ?? null,
          market_based_intensity_gCO2eq_kWh: a.accounting?.market_based_intensity_gCO2eq_kWh ?? null,
          pue: a.pue,
          power_watts: a.power_watts,
          idle_share_watts: a.idle_share_watts ?? null,
          monthly_emissions_kgCO2eq: a.monthly_projection.emissions_kgCO2eq,
          policy: policy.metadata.name,
        })),
        counts,
        matching: page.total,
        next_cursor: page.next_cursor,
      },
    };
  },
});
