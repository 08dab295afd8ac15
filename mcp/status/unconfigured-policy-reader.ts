// The source used when no kubeconfig is usable: the server still starts (Claude Desktop would
// otherwise show only "Connection closed"), and every tool answers with the kubeconfig problem,
// naming the file or variable to fix.
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';
import type { PolicyStatusReader } from './policy-status-reader.js';

export class UnconfiguredPolicyReader implements PolicyStatusReader {
  readonly description = 'no usable kubeconfig';

  constructor(private readonly problem: string) {}

  list(): readonly CarbonCompliancePolicy[] {
    return [];
  }

  isReady(): boolean {
    return false;
  }

  unavailableReason(): string {
    return `carbon-mcp cannot read CarbonCompliancePolicy objects: ${this.problem} Restart the server after fixing it.`;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
