// Waits until the operator has written an assessment into every demo policy's status.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { fromStoredPolicy } from '../../operator/api/v1alpha1/field-names.js';
import { GROUP, PLURAL, VERSION, type CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';

export interface PolicyStatusLine {
  namespace: string;
  name: string;
  status: string | undefined;
  workloads: number | undefined;
}

async function listPolicies(kc: KubeConfig): Promise<CarbonCompliancePolicy[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const list = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as {
    items: CarbonCompliancePolicy[];
  };
  return list.items.map((policy) => fromStoredPolicy(policy));
}

/** True when the policy has an assessment with measured energy (not INSUFFICIENT_DATA) for its current spec. */
export function hasLiveAssessment(policy: CarbonCompliancePolicy): boolean {
  const status = policy.status;
  if (!status?.summary || status.summary.workloads === 0) return false;
  if (status.summary.status === 'INSUFFICIENT_DATA') return false;
  return status.observedGeneration === undefined || status.observedGeneration === policy.metadata.generation;
}

/** A configuration problem the operator reported (not a transient one): waiting longer will not help. */
export function configurationFailure(policy: CarbonCompliancePolicy): string | undefined {
  const ready = policy.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status !== 'False' || ready.reason === 'MetricsUnavailable') return undefined;
  if (ready.observedGeneration !== undefined && ready.observedGeneration !== policy.metadata.generation)
    return undefined;
  return `${ready.reason}: ${ready.message}`;
}

/** Live, or failed for a reason the demo must show rather than wait out. */
export function isSettled(policy: CarbonCompliancePolicy): boolean {
  return hasLiveAssessment(policy) || configurationFailure(policy) !== undefined;
}

export async function waitForPolicyStatuses(
  kc: KubeConfig,
  options: {
    expected: number;
    timeoutMs: number;
    onProgress?: (lines: PolicyStatusLine[]) => void;
    abort?: () => string | undefined;
  },
): Promise<CarbonCompliancePolicy[]> {
  const deadline = Date.now() + options.timeoutMs;
  let last: CarbonCompliancePolicy[] = [];
  while (Date.now() < deadline) {
    const reason = options.abort?.();
    if (reason) throw new Error(reason);
    try {
      last = await listPolicies(kc);
      options.onProgress?.(
        last.map((p) => ({
          namespace: p.metadata.namespace,
          name: p.metadata.name,
          status: p.status?.summary?.status,
          workloads: p.status?.summary?.workloads,
        })),
      );
      if (last.length >= options.expected && last.every(isSettled)) return last;
    } catch {
      // The API server may be briefly busy; the deadline bounds the wait.
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const pending = last
    .filter((p) => !hasLiveAssessment(p))
    .map((p) => {
      const conditions = (p.status?.conditions ?? []).map(
        (c) => `${c.type}=${c.status} (${c.reason}: ${c.message})`,
      );
      return `${p.metadata.namespace}/${p.metadata.name}: ${p.status?.summary?.status ?? 'no status'} ${conditions.join('; ')}`;
    });
  throw new Error(
    `policies without a live assessment after ${Math.round(options.timeoutMs / 1000)} s:\n  ${pending.join('\n  ') || '(none found)'}`,
  );
}
