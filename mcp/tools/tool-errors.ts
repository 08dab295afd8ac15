// Errors a tool raises on purpose. Each says what the caller can do about it.
import { stringify } from 'yaml';
import { GROUP, KIND, VERSION } from '../../operator/public-api.js';

/** Bad input: maps to JSON-RPC -32602 and HTTP 400 problem+json naming the field. */
export class ToolInputError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ToolInputError';
  }
}

/** The workload is not in any policy the caller can see: a tool error (HTTP 404) with a fix. */
export class WorkloadNotCoveredError extends Error {
  readonly examplePolicyYaml: string;

  constructor(
    readonly workload: string,
    readonly namespace: string,
  ) {
    const example = stringify({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: KIND,
      metadata: { name: 'carbon-compliance', namespace },
      spec: {
        selector: { matchLabels: { app: workload } },
        standard: 'KR_CARBON_2050',
        site: { zone: 'KR' },
        window: '24h',
        language: 'ko',
      },
    });
    super(
      `No CarbonCompliancePolicy covers workload "${workload}" in namespace "${namespace}" ` +
        `(or you may not read policies there). Cover it by applying a policy whose selector matches its pods, ` +
        `then wait one evaluation interval:\n${example}`,
    );
    this.name = 'WorkloadNotCoveredError';
    this.examplePolicyYaml = example;
  }
}

/** A what-if needs data that is not available (e.g. an unknown grid zone). */
export class ToolDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolDataError';
  }
}

/**
 * The cluster cannot be read (no usable kubeconfig, API server unreachable, credentials refused):
 * a tool error (HTTP 503) naming the cause, so that a client never mistakes it for "no workloads".
 */
export class ClusterUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterUnavailableError';
  }
}
