// Where the front end reads CarbonCompliancePolicy objects from. The MCP and REST sides only read
// status that the operator wrote; they never fetch per call (one list+watch feeds every answer).
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';

export interface PolicyStatusSource {
  /** Every policy currently known, across all namespaces. Cheap: served from memory. */
  list(): readonly CarbonCompliancePolicy[];
  /** True once the first list has completed (readiness). */
  isReady(): boolean;
  /** Human-readable origin for logs and /readyz, e.g. 'kubernetes watch' or 'in-memory'. */
  readonly description: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
