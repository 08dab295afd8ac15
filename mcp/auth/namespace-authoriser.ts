// Decides which policies a caller may see. Stdio and static-token callers see everything the
// server's own credentials can read; Kubernetes-token callers only namespaces where they may `get`
// carboncompliancepolicies (see kube-namespace-authoriser.ts).
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';

export interface NamespaceAuthoriser {
  visiblePolicies(
    caller: AuthInfo | undefined,
    policies: readonly CarbonCompliancePolicy[],
  ): Promise<readonly CarbonCompliancePolicy[]>;
}

export const allowAllNamespaces: NamespaceAuthoriser = {
  async visiblePolicies(_caller, policies) {
    return policies;
  },
};
