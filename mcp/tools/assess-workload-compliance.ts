// assess_workload_compliance: one workload's compliance, straight from its policy's status.
import { z } from 'zod';
import { findWorkload, policyLanguage, policyReference } from './workload-lookup.js';
import {
  assessmentOutput,
  policyReferenceSchema,
  scheduleActionSchema,
  verifiedSavingsSchema,
  workloadAssessmentSchema,
} from './assessment-schema.js';
import { namespaceField, standardField, workloadNameField } from './input-fields.js';
import { defineTool } from './tool-definition.js';
import { ToolDataError } from './tool-errors.js';
import { formatNumber, statusLabel } from './summary-text.js';

export const assessWorkloadCompliance = defineTool({
  name: 'assess_workload_compliance',
  title: 'Assess workload carbon compliance',
  description:
    'Whether a workload meets its carbon-intensity target and the maximum PUE of a Korean standard, with the numbers, ' +
    'their sources and the recommended optimisations. Read from the CarbonCompliancePolicy status the operator keeps current.',
  inputSchema: z.object({
    workload_name: workloadNameField,
    namespace: namespaceField,
    standard: standardField.optional(),
  }),
  outputSchema: workloadAssessmentSchema.extend({
    policy: policyReferenceSchema,
    other_policies: z
      .array(z.object({ name: z.string(), standard: z.string(), status: z.string() }))
      .describe('other policies that also cover this workload'),
    verified_savings: z
      .array(verifiedSavingsSchema)
      .describe(
        "the policy's verified savings for this workload and for the whole site (status.verifiedSavings)",
      ),
    schedule_action: scheduleActionSchema
      .nullable()
      .describe('for a CronJob, what spec.actions did to its schedule (status.actions); null otherwise'),
  }),
  // Arguments and policy status alone: no clock (runTool may reuse the answer, answer-memo.ts).
  reusableAnswer: true,
  async handler(args, context) {
    const policies = await context.policies(args.namespace);
    const found = findWorkload(policies, args.workload_name, args.namespace, args.standard);
    if (args.standard && found.assessment.standard !== args.standard) {
      const known = [found, ...found.others].map((c) => c.assessment.standard).join(', ');
      throw new ToolDataError(
        `No policy assesses ${args.namespace}/${args.workload_name} against ${args.standard}; ` +
          `assessed standards: ${known}. Add a policy with spec.standard: ${args.standard} to assess it.`,
      );
    }
    const a = found.assessment;
    const language = policyLanguage(found.policy);
    const intensity = a.current_carbon_intensity_gCO2eq_kWh;
    const summary =
      language === 'ko'
        ? `${a.namespace}/${a.workload}: ${statusLabel(a.status, 'ko')} (${a.standard}). ` +
          (intensity === null
            ? '측정된 에너지 데이터가 없습니다.'
            : a.target_carbon_intensity_gCO2eq_kWh === null
              ? `PUE ${formatNumber(a.pue, 2)} (최대 ${a.max_pue ?? '-'}; PUE만 평가), 유효 탄소집약도 ${formatNumber(intensity)} gCO2eq/kWh (참고).`
              : `유효 탄소집약도 ${formatNumber(intensity)} gCO2eq/kWh, 목표 ${formatNumber(a.target_carbon_intensity_gCO2eq_kWh)} (차이 ${formatNumber(a.gap_percent ?? 0, 1)}%), PUE ${formatNumber(a.pue, 2)}.`)
        : `${a.namespace}/${a.workload}: ${statusLabel(a.status, 'en')} (${a.standard}). ` +
          (intensity === null
            ? 'No measured energy data in the window.'
            : a.target_carbon_intensity_gCO2eq_kWh === null
              ? `PUE ${formatNumber(a.pue, 2)} against a maximum of ${a.max_pue ?? '-'} (PUE only), effective intensity ${formatNumber(intensity)} gCO2eq/kWh for reference.`
              : `Effective intensity ${formatNumber(intensity)} gCO2eq/kWh vs target ${formatNumber(a.target_carbon_intensity_gCO2eq_kWh)} (gap ${formatNumber(a.gap_percent ?? 0, 1)}%), PUE ${formatNumber(a.pue, 2)}.`);
    return {
      language,
      summary,
      structured: {
        ...assessmentOutput(a),
        policy: policyReference(found.policy),
        other_policies: found.others.map((o) => ({
          name: o.policy.metadata.name,
          standard: o.assessment.standard,
          status: o.assessment.status,
        })),
        verified_savings: (found.policy.status?.verifiedSavings ?? [])
          .filter((v) => v.workload === '*' || v.workload === `${a.kind}/${a.workload}`)
          .map((v) => ({ ...v, change: { ...v.change } })),
        schedule_action:
          a.kind === 'CronJob'
            ? (found.policy.status?.actions?.cronJobs
                .filter((c) => c.name === a.workload)
                .map((c) => ({ ...c }))[0] ?? null)
            : null,
      },
    };
  },
});
