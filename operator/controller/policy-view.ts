// How a CarbonCompliancePolicy is cached: its status under the engine's field names (the API server
// stores them lowerCamelCase; see api/v1alpha1/field-names.ts), so the reconciler reads one spelling.
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import type { CachedObject } from '../kube/supervised-informer.js';

export function toPolicyView(object: CachedObject): CarbonCompliancePolicy {
  return fromStoredPolicy(object as unknown as CarbonCompliancePolicy);
}
