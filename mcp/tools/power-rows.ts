// Power figures per workload, one row per workload even when several policies cover it
// (counting it twice would inflate totals).
import { z } from 'zod';
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';
import { coveredWorkloads } from './workload-lookup.js';
import { complianceStatusSchema, workloadKindSchema } from './assessment-schema.js';

export const powerRowSchema = z.object({
  workload: z.string(),
  namespace: z.string(),
  kind: workloadKindSchema,
  pods: z.number().int(),
  power_watts: z
    .number()
    .describe('active (dynamic) IT power, the same meaning for every Kepler generation (measured: Kepler)'),
  energy_kWh: z.number().describe('active IT energy over the policy window'),
  estimated_energy_kWh: z
    .number()
    .describe(
      'the part of energy_kWh estimated with Cloud Carbon Footprint coefficients (pods on nodes without Kepler readings); 0 when all measured',
    ),
  energy_basis: z
    .enum(['measured', 'estimated', 'mixed', 'none'])
    .describe('how energy_kWh was obtained: measured by Kepler, estimated (CCF), or both'),
  idle_share_watts: z
    .number()
    .nullable()
    .describe(
      "the workload's share of node idle power, beside power_watts; null when Kepler exports no idle figure",
    ),
  idle_share_kWh: z
    .number()
    .nullable()
    .describe("the workload's share of node idle energy; null when unavailable"),
  emissions_gCO2eq: z.number(),
  monthly_emissions_kgCO2eq: z.number(),
  status: complianceStatusSchema,
  energy_source: z.string(),
});
export type PowerRow = z.output<typeof powerRowSchema>;

export function powerRows(policies: readonly CarbonCompliancePolicy[], namespace?: string): PowerRow[] {
  const seen = new Set<string>();
  const rows: PowerRow[] = [];
  for (const { assessment: a } of coveredWorkloads(policies, namespace)) {
    const key = `${a.namespace}/${a.kind}/${a.workload}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
      workload: a.workload,
      namespace: a.namespace,
      kind: a.kind,
      pods: a.pods,
      power_watts: a.power_watts,
      energy_kWh: a.energy_kWh,
      estimated_energy_kWh: a.energy_estimated_kWh ?? 0,
      // Statuses written before the split carry no basis: their energy was all measured.
      energy_basis: a.energy_basis ?? (a.energy_kWh > 0 ? 'measured' : 'none'),
      idle_share_watts: a.idle_share_watts ?? null,
      idle_share_kWh: a.idle_share_kWh ?? null,
      emissions_gCO2eq: a.emissions_gCO2eq,
      monthly_emissions_kgCO2eq: a.monthly_projection.emissions_kgCO2eq,
      status: a.status,
      energy_source: a.sources.energy,
    });
  }
  return rows;
}

export const byPowerDescending = (a: PowerRow, b: PowerRow) =>
  b.power_watts - a.power_watts ||
  a.namespace.localeCompare(b.namespace) ||
  a.workload.localeCompare(b.workload);
