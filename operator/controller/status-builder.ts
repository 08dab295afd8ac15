// Pure pieces of the status: conditions with stable transition times, the bounded workload list,
// and the "did anything change" test that decides whether to write at all.
import type { CarbonCompliancePolicyStatus, Condition } from '../api/v1alpha1/types.js';
import type { WorkloadAssessment } from '../domain/types.js';
import { isoSeconds } from '../domain/time.js';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** lastTransitionTime changes only when the condition's status changes. */
export function setCondition(
  existing: Condition[] | undefined,
  next: ConditionInput,
  now: Date,
): Condition[] {
  const list = [...(existing ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const condition: Condition = {
    ...next,
    lastTransitionTime:
      previous && previous.status === next.status ? previous.lastTransitionTime : isoSeconds(now),
  };
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  const order = [
    'Ready',
    'MetricsAvailable',
    'Compliant',
    'PUEKnown',
    'GridDataLive',
    'StandardsCatalogue',
    'UsageAvailable',
  ];
  return list.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** Drops a condition that no longer applies (e.g. GridDataLive once no live provider is configured). */
export function removeCondition(existing: Condition[], type: Condition['type']): Condition[] {
  return existing.filter((c) => c.type !== type);
}

export function getCondition(
  status: CarbonCompliancePolicyStatus | undefined,
  type: Condition['type'],
): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

const statusRank: Record<string, number> = { NON_COMPLIANT: 0, INSUFFICIENT_DATA: 1, COMPLIANT: 2 };

/** Non-compliant workloads first, then the largest emitters: what a reader must see. */
export function rankAssessments(assessments: WorkloadAssessment[]): WorkloadAssessment[] {
  return [...assessments].sort(
    (a, b) =>
      (statusRank[a.status] ?? 3) - (statusRank[b.status] ?? 3) ||
      b.emissions_gCO2eq - a.emissions_gCO2eq ||
      `${a.kind}/${a.workload}`.localeCompare(`${b.kind}/${b.workload}`),
  );
}

/**
 * The first `max` ranked assessments that also fit in `maxBytes` of JSON. The API server's limit
 * for an object is about 1.5 MiB in etcd and clients choke far earlier; the budget keeps the
 * whole status well under 256 KiB.
 */
export function boundWorkloads(
  ranked: WorkloadAssessment[],
  max: number,
  maxBytes: number,
): { listed: WorkloadAssessment[]; omitted: number } {
  const listed: WorkloadAssessment[] = [];
  let bytes = 2;
  for (const assessment of ranked.slice(0, max)) {
    const size = Buffer.byteLength(JSON.stringify(assessment)) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    listed.push(assessment);
  }
  return { listed, omitted: ranked.length - listed.length };
}

/** Compares two statuses ignoring lastEvaluationTime (a write only to bump it would be noise). */
export function statusChanged(
  previous: CarbonCompliancePolicyStatus | undefined,
  next: CarbonCompliancePolicyStatus,
): boolean {
  const strip = (s: CarbonCompliancePolicyStatus | undefined) =>
    canonical({ ...(s ?? {}), lastEvaluationTime: undefined });
  return strip(previous) !== strip(next);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined && x !== null)
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    }
    return v;
  });
}

/** kWh figures in condition and provenance messages: four significant digits. */
export const significantKWh = (value: number) => Number(value.toPrecision(4));

/** Condition reasons are CamelCase words; source reasons may come as 'tls-error' or 'TIMEOUT'. */
export function conditionReason(reason: string): string {
  if (/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$/.test(reason)) return reason; // already CamelCase: ParseError
  const words = reason.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('');
  return camel || 'Unknown';
}
