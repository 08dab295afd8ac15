// Where the front end reads CarbonCompliancePolicy objects from. The MCP and REST sides only read
// status that the operator wrote; they never fetch per call (one list+watch feeds every answer).
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';

export interface PolicyStatusReader {
  /** Every policy currently known, across all namespaces. Cheap: served from memory. */
  list(): readonly CarbonCompliancePolicy[];
  /** True once the first list has completed (readiness). */
  isReady(): boolean;
  /** Human-readable origin for logs and /readyz, e.g. 'kubernetes watch' or 'in-memory'. */
  readonly description: string;
  /**
   * Why the cache cannot be trusted right now (no usable kubeconfig, API server unreachable,
   * credentials refused), naming the cause and what to check; undefined when answers are current.
   */
  unavailableReason?(): string | undefined;
  /** Resolves once the first list has completed or failed, or after timeout_ms, whichever is first. */
  settled?(timeout_ms: number): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
