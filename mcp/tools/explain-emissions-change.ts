// explain_emissions_change: why a policy's emissions changed from one KST month to another, split into
// energy, timing, PUE and grid-factor effects (LMDI, engine/emissions-change.ts) from the monthly
// ledger the operator keeps in status.emissionsLedger.
import { z } from 'zod';
import {
  decomposeEmissionsChange,
  kstMonth,
  type CarbonCompliancePolicy,
  type MonthEmissions,
} from '../../operator/public-api.js';
import { policyLanguage, policyReference, statusWithNulls } from './workload-lookup.js';
import { emissionsChangeSchema, policyReferenceSchema } from './assessment-schema.js';
import { namespaceField } from './input-fields.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';
import { ToolDataError, ToolInputError } from './tool-errors.js';

const monthField = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a KST calendar month as YYYY-MM, e.g. 2026-11');

export const explainEmissionsChange = defineTool({
  name: 'explain_emissions_change',
  title: 'Explain why emissions changed',
  description:
    "Why a policy's emissions changed from one KST calendar month to another: the change split into energy, timing " +
    '(which grid hours the work ran in), PUE and grid-factor effects with the log-mean Divisia index (the effects sum ' +
    'to the change). Default: the last two complete months. Read from the monthly ledger in the policy status.',
  inputSchema: z.object({
    namespace: namespaceField,
    policy_name: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Kubernetes object name')
      .optional()
      .describe('CarbonCompliancePolicy name (default: the only policy in the namespace)'),
    from_month: monthField
      .optional()
      .describe('earlier KST month, YYYY-MM (default: the month before to_month in the ledger)'),
    to_month: monthField
      .optional()
      .describe(
        'later KST month, YYYY-MM (default: the last complete month; the running month is allowed and flagged partial)',
      ),
  }),
  outputSchema: emissionsChangeSchema.extend({
    policy: policyReferenceSchema,
    available_months: z.array(z.string()).describe('KST months the ledger holds, oldest first'),
  }),
  async handler(args, context) {
    const inNamespace = (await context.policies(args.namespace)).filter(
      (p) => p.metadata.namespace === args.namespace,
    );
    const policy = pickPolicy(inNamespace, args.namespace, args.policy_name);
    const months = policy.status?.emissionsLedger?.months ?? [];
    const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
    const available = months.map((m) => m.month);
    const current = kstMonth(context.now().getTime());
    const { from, to } = pickMonths(months, current, args.from_month, args.to_month, key);
    const change = decomposeEmissionsChange(from, to, {
      from: from.month >= current,
      to: to.month >= current,
    });
    const language = policyLanguage(policy);
    const e = change.effects_kgCO2eq;
    const signed = (v: number) => `${v > 0 ? '+' : ''}${formatNumber(v, 2)}`;
    const summary =
      language === 'ko'
        ? `${key}: ${from.month} → ${to.month}${change.to.partial ? '(진행 중)' : ''} 배출량 ${formatNumber(change.from.emissions_kgCO2eq, 2)} → ${formatNumber(change.to.emissions_kgCO2eq, 2)} kgCO2e (${signed(change.change_kgCO2eq)}): ` +
          `에너지 ${signed(e.energy)}, 시간대 ${signed(e.timing)}, PUE ${signed(e.pue)}, 전력망 계수 ${signed(e.gridFactor)} kgCO2e.`
        : `${key}: ${from.month} → ${to.month}${change.to.partial ? ' (running)' : ''} emissions ${formatNumber(change.from.emissions_kgCO2eq, 2)} → ${formatNumber(change.to.emissions_kgCO2eq, 2)} kgCO2e (${signed(change.change_kgCO2eq)}): ` +
          `energy ${signed(e.energy)}, timing ${signed(e.timing)}, PUE ${signed(e.pue)}, grid factor ${signed(e.gridFactor)} kgCO2e.`;
    return {
      language,
      summary,
      structured: {
        ...statusWithNulls(emissionsChangeSchema, change),
        policy: policyReference(policy),
        available_months: available,
      },
    };
  },
});

function pickPolicy(
  policies: readonly CarbonCompliancePolicy[],
  namespace: string,
  name: string | undefined,
): CarbonCompliancePolicy {
  const names = policies.map((p) => p.metadata.name).sort();
  if (name !== undefined) {
    const found = policies.find((p) => p.metadata.name === name);
    if (!found)
      throw new ToolDataError(
        `No CarbonCompliancePolicy "${name}" in namespace "${namespace}" (or you may not read it); ` +
          (names.length > 0 ? `policies there: ${names.join(', ')}.` : 'there is none you may read.'),
      );
    return found;
  }
  if (policies.length === 1) return policies[0]!;
  if (policies.length === 0)
    throw new ToolDataError(
      `No CarbonCompliancePolicy in namespace "${namespace}" you may read: apply one (examples/) and wait for the operator to count a month.`,
    );
  throw new ToolInputError(
    'policy_name',
    `namespace "${namespace}" has several policies: ${names.join(', ')}; name one`,
  );
}

function pickMonths(
  months: MonthEmissions[],
  current: string,
  fromMonth: string | undefined,
  toMonth: string | undefined,
  key: string,
): { from: MonthEmissions; to: MonthEmissions } {
  const available = months.map((m) => m.month);
  const held = available.length > 0 ? available.join(', ') : 'none yet';
  const byName = (field: 'from_month' | 'to_month', month: string) => {
    const found = months.find((m) => m.month === month);
    if (!found)
      throw new ToolInputError(field, `${key} has no counted hours in ${month}; months it holds: ${held}`);
    return found;
  };
  if (months.length < 2 && (fromMonth === undefined || toMonth === undefined))
    throw new ToolDataError(
      `${key}: a change needs two months in status.emissionsLedger; it holds: ${held}. The operator counts each hour ` +
        'into its KST month as it ends; come back when it has counted two.',
    );
  // Default "to": the last complete month, else the running one (then flagged partial).
  const complete = months.filter((m) => m.month < current);
  const to =
    toMonth !== undefined ? byName('to_month', toMonth) : (complete.length >= 2 ? complete : months).at(-1)!;
  let from: MonthEmissions | undefined;
  if (fromMonth !== undefined) from = byName('from_month', fromMonth);
  else from = months.filter((m) => m.month < to.month).at(-1);
  if (!from)
    throw new ToolInputError(
      'to_month',
      `${key} holds no month before ${to.month}; months it holds: ${held}`,
    );
  if (from.month >= to.month)
    throw new ToolInputError('from_month', `${from.month} is not before to_month ${to.month}`);
  return { from, to };
}
