// Writes CarbonCompliancePolicy status through the /status subresource with a JSON merge patch
// that replaces the stored status exactly: every key of the previous status that the new one lacks,
// at any depth, is sent as null (RFC 7386 merges objects recursively, so a nested key left out of
// the patch would survive; arrays are replaced whole). The patch carries metadata.resourceVersion,
// so the previous status it was computed against is the stored one: a concurrent writer makes it
// fail with 409 instead of being overwritten, and the caller re-reads and rebuilds (see
// writeStatusWithRetry).
import type { CarbonCompliancePolicy, CarbonCompliancePolicyStatus } from '../api/v1alpha1/types.js';
import { fromStoredPolicy, toStoredStatus } from '../api/v1alpha1/field-names.js';
import { GROUP, PLURAL, VERSION } from '../api/v1alpha1/types.js';
import { KubeApiError, type KubeRestClient } from '../kube/kube-rest-client.js';

export interface PolicyStore {
  read(namespace: string, name: string): Promise<CarbonCompliancePolicy | undefined>;
  /** Replaces status (merge patch); throws KubeApiError 409 when resourceVersion is stale. */
  patchStatus(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    status: CarbonCompliancePolicyStatus,
    previous?: CarbonCompliancePolicyStatus,
  ): Promise<CarbonCompliancePolicy>;
}

export function policyPath(namespace: string, name?: string): string {
  const base = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${PLURAL}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

/**
 * The merge patch that turns `previous` into exactly `next`: `next` itself, plus null for every key
 * (at any object depth) that `previous` has and `next` lacks or leaves undefined.
 */
function statusMergePatch(
  previous: Record<string, unknown> | undefined,
  next: Record<string, unknown>,
): Record<string, unknown> {
  return exactReplacement(previous, next) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exactReplacement(previous: unknown, next: unknown): unknown {
  if (!isPlainObject(next)) return next;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue;
    patch[key] = isPlainObject(previous) ? exactReplacement(previous[key], value) : value;
  }
  if (isPlainObject(previous)) {
    for (const key of Object.keys(previous)) {
      if (next[key] === undefined || next[key] === null) patch[key] = null;
    }
  }
  return patch;
}

export class KubePolicyStore implements PolicyStore {
  constructor(private readonly client: KubeRestClient) {}

  async read(namespace: string, name: string): Promise<CarbonCompliancePolicy | undefined> {
    try {
      return fromStoredPolicy(await this.client.get<CarbonCompliancePolicy>(policyPath(namespace, name)));
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async patchStatus(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    status: CarbonCompliancePolicyStatus,
    previous?: CarbonCompliancePolicyStatus,
  ): Promise<CarbonCompliancePolicy> {
    const stored = statusMergePatch(previous && toStoredStatus(previous), toStoredStatus(status));
    const body: Record<string, unknown> = { status: stored };
    if (resourceVersion) body.metadata = { resourceVersion };
    return fromStoredPolicy(
      await this.client.patch<CarbonCompliancePolicy>(`${policyPath(namespace, name)}/status`, body, 'merge'),
    );
  }
}

/**
 * Read-modify-write with optimistic concurrency: `build` gets the freshest object and returns the
 * status to write, or undefined when nothing changed. Retries on 409 with a fresh read.
 */
export async function writeStatusWithRetry(
  store: PolicyStore,
  start: CarbonCompliancePolicy,
  build: (current: CarbonCompliancePolicy) => CarbonCompliancePolicyStatus | undefined,
  attempts = 5,
): Promise<{ written: boolean; conflicts: number; policy: CarbonCompliancePolicy | undefined }> {
  let current: CarbonCompliancePolicy | undefined = start;
  let conflicts = 0;
  for (let attempt = 0; attempt < attempts && current; attempt++) {
    const status = build(current);
    if (!status) return { written: false, conflicts, policy: current };
    try {
      const written = await store.patchStatus(
        current.metadata.namespace,
        current.metadata.name,
        current.metadata.resourceVersion,
        status,
        current.status,
      );
      return { written: true, conflicts, policy: written };
    } catch (error) {
      if (!(error instanceof KubeApiError && error.statusCode === 409)) throw error;
      conflicts += 1;
      current = await store.read(current.metadata.namespace, current.metadata.name);
    }
  }
  if (!current) return { written: false, conflicts, policy: undefined };
  throw new Error(
    `status of ${current.metadata.namespace}/${current.metadata.name}: still conflicting after ${attempts} attempts`,
  );
}
