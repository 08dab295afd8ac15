// Policies held in memory: used by the benchmark and unit tests, where no apiserver runs.
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';
import type { PolicyStatusReader } from './policy-status-reader.js';

export class InMemoryPolicyReader implements PolicyStatusReader {
  readonly description = 'in-memory';
  private policies: CarbonCompliancePolicy[];

  constructor(policies: CarbonCompliancePolicy[] = []) {
    this.policies = [...policies];
  }

  list(): readonly CarbonCompliancePolicy[] {
    return this.policies;
  }

  isReady(): boolean {
    return true;
  }

  /** Replaces a policy with the same namespace/name, or adds it. */
  upsert(policy: CarbonCompliancePolicy): void {
    const key = (p: CarbonCompliancePolicy) => `${p.metadata.namespace}/${p.metadata.name}`;
    this.policies = [...this.policies.filter((p) => key(p) !== key(policy)), policy];
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
