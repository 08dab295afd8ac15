// What a failed tool call was, decided in one place for every surface. The MCP side
// (server/register-tools.ts, server/register-prompts.ts) and REST (http/http-app.ts) each format the
// class their own way; the class is also the `outcome` label of carbon_mcp_tool_calls_total.
import {
  ClusterUnavailableError,
  ToolDataError,
  ToolInputError,
  WorkloadNotCoveredError,
} from './tools/tool-errors.js';

export type ToolFailure =
  /** Bad arguments (validation): JSON-RPC -32602, REST 400 problem+json, both naming the field. */
  | { outcome: 'invalid'; error: ToolInputError }
  /** No policy the caller may see covers the workload (not found, or not authorised): isError, REST 404. */
  | { outcome: 'not_covered'; error: WorkloadNotCoveredError }
  /** A what-if needs data that does not exist (an unknown zone, a policy that cannot be bound): isError, REST 422. */
  | { outcome: 'no_data'; error: ToolDataError }
  /** The cluster cannot be read (unreachable API server, refused credentials, RBAC, CRD missing): isError, REST 503. */
  | { outcome: 'unavailable'; error: ClusterUnavailableError }
  /** Anything else is a defect: logged, isError naming the tool, REST 500 without internal text. */
  | { outcome: 'error'; error: unknown };

/** A tool call's outcome as counted in metrics. */
export type ToolOutcome = 'ok' | ToolFailure['outcome'];

export function classifyToolFailure(error: unknown): ToolFailure {
  if (error instanceof ToolInputError) return { outcome: 'invalid', error };
  if (error instanceof WorkloadNotCoveredError) return { outcome: 'not_covered', error };
  if (error instanceof ToolDataError) return { outcome: 'no_data', error };
  if (error instanceof ClusterUnavailableError) return { outcome: 'unavailable', error };
  return { outcome: 'error', error };
}
