// get_power_consumption_summary: totals per namespace and overall, from policy summaries' workloads.
import { z } from 'zod';
import { majorityLanguage } from './workload-lookup.js';
import { namespaceField } from './input-fields.js';
import { powerRows } from './power-rows.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';

const totalsSchema = z.object({
  workloads: z.number().int(),
  pods: z.number().int(),
  power_watts: z.number(),
  energy_kWh: z.number().describe('active energy (measured plus any estimate, see estimated_energy_kWh)'),
  estimated_energy_kWh: z
    .number()
    .describe('the part of energy_kWh estimated with CCF coefficients (nodes without Kepler readings)'),
  idle_share_kWh: z
    .number()
    .nullable()
    .describe('sum of the idle shares beside energy_kWh; null when any workload has none'),
  emissions_gCO2eq: z.number(),
  monthly_emissions_kgCO2eq: z.number(),
  non_compliant: z.number().int(),
});

const MAX_NAMESPACES = 500;

export const getPowerConsumptionSummary = defineTool({
  name: 'get_power_consumption_summary',
  title: 'Power consumption summary',
  description:
    'Total mean IT power, energy and emissions of the covered workloads, overall and per namespace ' +
    `(at most ${MAX_NAMESPACES} namespaces, largest first).`,
  inputSchema: z.object({ namespace: namespaceField.optional() }),
  outputSchema: z.object({
    total: totalsSchema,
    namespaces: z.array(totalsSchema.extend({ namespace: z.string() })),
    namespaces_omitted: z.number().int(),
    policies: z.number().int(),
    energy_sources: z.array(z.string()),
  }),
  // Arguments and policy status alone: no clock (runTool may reuse the answer, answer-memo.ts).
  reusableAnswer: true,
  async handler(args, context) {
    const policies = (await context.policies(args.namespace)).filter(
      (p) => !args.namespace || p.metadata.namespace === args.namespace,
    );
    const rows = powerRows(policies);
    const empty = () => ({
      workloads: 0,
      pods: 0,
      power_watts: 0,
      energy_kWh: 0,
      estimated_energy_kWh: 0,
      idle_share_kWh: 0 as number | null,
      emissions_gCO2eq: 0,
      monthly_emissions_kgCO2eq: 0,
      non_compliant: 0,
    });
    const total = empty();
    const perNamespace = new Map<string, ReturnType<typeof empty>>();
    for (const r of rows) {
      const ns = perNamespace.get(r.namespace) ?? empty();
      perNamespace.set(r.namespace, ns);
      for (const t of [total, ns]) {
        t.workloads += 1;
        t.pods += r.pods;
        t.power_watts += r.power_watts;
        t.energy_kWh += r.energy_kWh;
        t.estimated_energy_kWh += r.estimated_energy_kWh;
        t.idle_share_kWh =
          t.idle_share_kWh === null || r.idle_share_kWh === null ? null : t.idle_share_kWh + r.idle_share_kWh;
        t.emissions_gCO2eq += r.emissions_gCO2eq;
        t.monthly_emissions_kgCO2eq += r.monthly_emissions_kgCO2eq;
        if (r.status === 'NON_COMPLIANT') t.non_compliant += 1;
      }
    }
    const namespaces = [...perNamespace.entries()]
      .map(([namespace, t]) => ({ namespace, ...t }))
      .sort((a, b) => b.power_watts - a.power_watts || a.namespace.localeCompare(b.namespace));
    const language = majorityLanguage(policies);
    // Estimated energy is never mixed in silently: the text says how much of the total it is.
    const estimated =
      total.estimated_energy_kWh > 0
        ? language === 'ko'
          ? ` (그중 ${formatNumber(total.estimated_energy_kWh, 3)} kWh는 CCF 추정)`
          : ` (of which ${formatNumber(total.estimated_energy_kWh, 3)} kWh estimated with CCF coefficients)`
        : '';
    const summary =
      language === 'ko'
        ? `네임스페이스 ${namespaces.length}개, 워크로드 ${total.workloads}개: 평균 ${formatNumber(total.power_watts, 1)} W, ${formatNumber(total.energy_kWh, 3)} kWh${estimated}, 월 ${formatNumber(total.monthly_emissions_kgCO2eq, 2)} kgCO2eq 예상.`
        : `${namespaces.length} namespace(s), ${total.workloads} workloads: mean ${formatNumber(total.power_watts, 1)} W, ${formatNumber(total.energy_kWh, 3)} kWh${estimated}, ${formatNumber(total.monthly_emissions_kgCO2eq, 2)} kgCO2eq/month projected.`;
    return {
      language,
      summary,
      structured: {
        total,
        namespaces: namespaces.slice(0, MAX_NAMESPACES),
        namespaces_omitted: Math.max(0, namespaces.length - MAX_NAMESPACES),
        policies: policies.length,
        energy_sources: [...new Set(rows.map((r) => r.energy_source))].sort(),
      },
    };
  },
});
